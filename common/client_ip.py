"""The client's address, as every rate limit and lockout counts it (DRF's throttles, django-axes,
`/healthz`).

`X-Forwarded-For` is anyone's to write: it is read only when the request came through
`TRUSTED_PROXY_COUNT` proxies of our own, each of which appends the address it saw. The client is
then the entry that our outermost proxy appended, counted from the right; whatever the client put
in front of it is ignored. With no trusted proxy (the default) the header is ignored and the
address is the connection's (`REMOTE_ADDR`).

This is DRF's `NUM_PROXIES` rule (settings set `NUM_PROXIES` from the same variable, and a test
checks that both agree), written once so the sign-in lockout uses exactly the same address.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1"})


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or forwarded is None:
        return remote
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()


def is_local(request: HttpRequest) -> bool:
    """The caller is on this machine (a health check of the container, an operator's curl)."""
    return client_ip(request) in LOCAL_ADDRESSES
