"""Which cache the site uses. The cache holds every rate-limit counter (DRF's throttles), so it
must be shared by every web process: Redis whenever there is one.

- `CACHE_URL` set: that cache (`redis://host:6379/1`, or `locmemcache://`, `dummycache://`: django-environ syntax).
- unset, with a Redis broker: the broker's Redis server, the next database number (broker `/0`
  -> cache `/1`), so clearing the cache never empties the task queues.
- unset, embedded default (filesystem broker): the local-memory cache, which is per process; the
  embedded default runs a single web process, so its counters are still complete.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import environ

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
REDIS_DATABASES = 16  # Redis' default `databases`


def derived_cache_url(broker_url: str) -> str:
    parts = urlsplit(broker_url)
    if parts.scheme not in ("redis", "rediss"):
        return "locmemcache://"
    path = parts.path.strip("/")
    database = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(database + 1) % REDIS_DATABASES}"))


def cache_config(cache_url: str, broker_url: str) -> dict[str, Any]:
    url = cache_url or derived_cache_url(broker_url)
    scheme = urlsplit(url).scheme
    backend = REDIS_CACHE if scheme in ("redis", "rediss") else None  # Django's own client, not django-redis
    return environ.Env.cache_url_config(url, backend=backend)
