"""`/healthz`: is the database reachable, is the broker reachable? 200 or 503, JSON.

Everyone gets "ok" / "unreachable" per check. The exception text (host names, ports, driver
messages) is a map for an attacker, so it is added only for staff and for callers on this machine
(the container's health check, an operator's curl); "on this machine" is the client address of
`classroom.client_ip`, so a proxy on localhost does not make every client local.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.client_ip import is_local

from .celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2.0


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"; the message says why
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
            conn.default_channel  # noqa: B018 - opening a channel proves the broker answers
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "broker": _check_broker()}
    body: dict[str, object] = {
        "status": "ok" if not any(checks.values()) else "unavailable",
        "checks": {name: ("ok" if error is None else "unreachable") for name, error in checks.items()},
    }
    if request.user.is_staff or is_local(request):
        body["errors"] = {name: error for name, error in checks.items() if error}
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
