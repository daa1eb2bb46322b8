"""The LMS's way in: the tool's key set (JWKS), OIDC login initiation and the launch, the
deep-linking picker (`deep_linking`), and the section page's roster sync (`roster`).

django-lti (on pylti1p3) does the protocol: the login redirects to the platform with a state
(cookie) and a nonce; the launch checks the state, the id_token's signature against the
platform's key set, the registration (issuer, client id) and the deployment. Classroom then
checks what the library leaves open (`checks`) and maps the launch (`services`). Every refusal is
a page that says what happened and what to do, with status 400 or 403, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST
from lti_tool.models import Key, LtiLaunch
from lti_tool.utils import get_launch_from_request
from lti_tool.views import LtiLaunchBaseView, OIDCLoginInitView
from pylti1p3.exception import LtiException, OIDCException

from accounts.http import SignedInRequest
from classes.models import Section
from common.errors import ClassroomError

from . import deep_linking, roster, services
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
        accepted = services.deep_linking_accept(lti_launch)
        login(request, accepted.user, backend=BACKEND)
        request.session[deep_linking.SESSION_KEY] = lti_launch.get_launch_id()
        return redirect("lti:deep_link")


@method_decorator(xframe_options_exempt, name="dispatch")
class DeepLinkView(LoginRequiredMixin, View):
    """The picker of a deep-linking launch: the section's assignments; the one chosen is posted
    back to the LMS, signed, by an auto-submitting form."""

    def _launch(self, request: HttpRequest) -> LtiLaunch | None:
        launch_id = request.session.get(deep_linking.SESSION_KEY)
        if not launch_id:
            return None
        try:
            return get_launch_from_request(request, launch_id)
        except LtiException:  # expired from the cache
            return None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return refusal(request, _("Choose the assignment from your LMS: this page opens from there."))
        launch = self._launch(request)
        section = deep_linking.section_of(launch) if launch is not None else None
        if launch is None or section is None:
            return refusal(request, _("This choice expired or was already made. Start again from your LMS."))
        self.lti_launch, self.section = launch, section
        try:
            self.assignments = deep_linking.choices(section, request.user)
        except ClassroomError as exc:
            return refusal(request, exc.message, status=403)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "lti/deep_link.html", {"section": self.section, "assignments": self.assignments})

    def post(self, request: HttpRequest) -> HttpResponse:
        chosen = next((a for a in self.assignments if str(a.pk) == request.POST.get("assignment")), None)
        if chosen is None:
            return self.get(request)
        del request.session[deep_linking.SESSION_KEY]  # one answer per request from the LMS
        return self.lti_launch.deep_link_response([deep_linking.content_item(request, chosen)])


@login_required
@require_POST
def roster_sync(request: SignedInRequest, section_id: int) -> HttpResponse:
    """The section page's button: bring the roster up to date with the LMS course's (NRPS)."""
    section = get_object_or_404(Section, pk=section_id)
    try:
        report = roster.roster_sync(section=section, actor=request.user)
    except ClassroomError as exc:
        messages.error(request, exc.message)
        return redirect("teach:section", section_id=section.pk)
    counts = {"added": len(report.added), "updated": len(report.updated), "gone": len(report.gone)}
    messages.success(
        request,
        _("Roster synced with the LMS: %(added)s added, %(updated)s with a new role, %(gone)s no longer active there.")
        % counts,
    )
    if report.gone:
        messages.warning(
            request,
            _("Left enrolled (their work is kept; remove them here if they left): %(names)s.")
            % {"names": ", ".join(report.gone)},
        )
    if report.skipped:
        messages.warning(request, _("Not changed: %(why)s") % {"why": "; ".join(report.skipped)})
    return redirect("teach:section", section_id=section.pk)
