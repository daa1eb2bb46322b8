"""The LMS's way in: the tool's key set (JWKS), OIDC login initiation and the launch.

django-lti (on pylti1p3) does the protocol: the login redirects to the platform with a state
(cookie) and a nonce; the launch checks the state, the id_token's signature against the
platform's key set, the registration (issuer, client id) and the deployment. Classroom then
checks what the library leaves open (`checks`) and maps the launch (`services`). Every refusal is
a page that says what happened and what to do, with status 400 or 403, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from lti_tool.models import Key, LtiLaunch
from lti_tool.views import LtiLaunchBaseView, OIDCLoginInitView
from pylti1p3.exception import LtiException, OIDCException

from . import services
from .errors import LaunchRefused

logger = logging.getLogger(__name__)
BACKEND = "django.contrib.auth.backends.ModelBackend"  # the LMS vouched for the person: no password
NO_KEY = gettext_lazy("Classroom has no signing key yet: its administrator runs manage.py rotate_keys once.")


def refusal(request: HttpRequest, message: str, detail: str = "", status: int = 400) -> HttpResponse:
    return render(request, "lti/refused.html", {"message": message, "detail": detail}, status=status)


class LoginView(OIDCLoginInitView):
    """Step one: the LMS sends the person here; we send them back with a state and a nonce."""

    def get_oidc_response(self, request: HttpRequest, registration_uuid: Any, params: Any) -> HttpResponse:
        self.main_msg = _("Your browser blocks the cookies of embedded pages. Open Classroom in a new window.")
        self.click_msg = _("Open in a new window")
        self.loading_msg = _("Loading…")
        if not params.get("target_link_uri"):
            return refusal(request, _("The LMS sent an incomplete login (no target link URI)."))
        try:
            return super().get_oidc_response(request, registration_uuid, params)
        except Key.DoesNotExist:
            return refusal(request, str(NO_KEY), status=503)
        except (LtiException, OIDCException) as exc:
            logger.info("LTI login refused: %s", exc)
            return refusal(
                request, _("This LMS is not registered with Classroom, or sent an incomplete login."), str(exc)
            )


@method_decorator(xframe_options_exempt, name="dispatch")
class LaunchView(LtiLaunchBaseView):
    """Step two: the LMS posts the signed id_token; a valid launch signs the person in."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)
        except LtiException as exc:
            logger.info("LTI launch refused: %s", exc)
            return refusal(request, _("Classroom could not verify this launch from your LMS."), str(exc))
        except LaunchRefused as exc:
            return refusal(request, exc.message, status=403)
        except Key.DoesNotExist:
            return refusal(request, str(NO_KEY), status=503)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return refusal(request, _("Open this activity from your LMS: a launch is sent by the LMS, not typed."))

    def handle_inactive_deployment(self, request: HttpRequest, lti_launch: LtiLaunch) -> HttpResponse:
        deployment = lti_launch.deployment
        message = _("This deployment of the LMS (%(id)s) is not enabled in Classroom. Ask the administrator.") % {
            "id": deployment.deployment_id
        }
        return refusal(request, message, status=403)

    def handle_resource_launch(self, request: HttpRequest, lti_launch: LtiLaunch) -> HttpResponse:
        accepted = services.launch_accept(lti_launch)
        login(request, accepted.user, backend=BACKEND)
        return redirect(accepted.url)

    def handle_deep_linking_launch(self, request: HttpRequest, lti_launch: LtiLaunch) -> HttpResponse:
        return refusal(
            request, _("Choosing an assignment from the LMS (Deep Linking) is not available yet."), status=403
        )
