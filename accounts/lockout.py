"""What a locked-out sign-in gets (django-axes calls `lockout_response`, settings.AXES_LOCKOUT_CALLABLE).

429 on every path, with Retry-After: the API answers in its one error format, the portal and the
admin with a page that says when to try again. The page names no account and gives no hint
whether the password was right.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

STATUS = 429


def _cooloff_seconds() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    seconds = _cooloff_seconds()
    minutes = max(1, math.ceil(seconds / 60))
    message = _(
        "Too many failed sign-ins for this account from your address. Try again in %(minutes)s minutes, "
        "or ask your instructor to reset your password."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        body = {"error": {"code": "locked_out", "message": message, "retry_after": seconds}}
        response = HttpResponse(json.dumps(body, ensure_ascii=False), status=STATUS, content_type="application/json")
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=STATUS)
    response["Retry-After"] = str(seconds)
    return response


def throttled_response(request: HttpRequest, seconds: int) -> HttpResponse:
    """What a public page that takes a secret or sends mail answers once an address has tried too
    often (`common.throttling.FailureLimit`): the same 429 page, with Retry-After."""
    minutes = max(1, math.ceil(seconds / 60))
    message = _("Too many tries from your address. Try again in %(minutes)s minutes.") % {"minutes": minutes}
    response = render(request, "registration/locked_out.html", {"message": message}, status=STATUS)
    response["Retry-After"] = str(seconds)
    return response
