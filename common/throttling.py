"""A count of failures per client address in the shared cache, for the public pages that take a
secret (a set-password link or code) or send mail (a password reset).

Why failures and not every request: a whole class enters its codes from one school address (NAT);
counting every request would lock the class out, while a guesser fails nearly every time. The
address is `common.client_ip.client_ip`, the same as the sign-in lockout's and the API throttles';
the counters live in the one shared cache (`classroom/caches.py`), so every web process sees them.
A fixed window: the first failure starts it, and it ends `window` after.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.http import HttpRequest

from .client_ip import client_ip

PREFIX = "failures"


@dataclass(frozen=True)
class FailureLimit:
    scope: str
    limit: int
    window: timedelta

    def _key(self, request: HttpRequest) -> str:
        return f"{PREFIX}:{self.scope}:{client_ip(request)}"

    def retry_after(self, request: HttpRequest) -> int | None:
        """Seconds until this address may try again, or None when it may now."""
        key = self._key(request)
        values = cache.get_many([key, f"{key}:ends"])
        if values.get(key, 0) < self.limit:
            return None
        ends = values.get(f"{key}:ends", time.time() + self.window.total_seconds())
        return max(1, math.ceil(ends - time.time()))

    def record(self, request: HttpRequest) -> None:
        """Count one failure (or one request, for a scope that counts every request). Atomic: the
        first one creates the counter with the window's timeout, the next ones increment it."""
        key = self._key(request)
        seconds = math.ceil(self.window.total_seconds())
        if cache.add(key, 1, timeout=seconds):
            cache.set(f"{key}:ends", time.time() + seconds, timeout=seconds)
        else:
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr: a new window
                self.record(request)
