"""What Classroom checks of a launch after django-lti / pylti1p3 validated it (state, signature
against the platform's key set, registration, deployment, message), because the library leaves it
open: a nonce is accepted again until its cache entry expires, `exp` and `iat` may be missing,
and the audience is compared by its first entry only.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import LaunchRefused

CLOCK_SKEW = 60  # seconds of difference allowed between the LMS's clock and ours
MAX_AGE = 600  # an id_token older than this is refused, whatever its `exp` says
NONCE_PREFIX = "lti-nonce-used"


def claims_check(claims: Mapping[str, Any], client_id: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise LaunchRefused(_("The LMS sent a launch without its issue and expiry times."))
    if exp + CLOCK_SKEW < now:
        raise LaunchRefused(_("This launch from the LMS has expired. Go back to the LMS and open the activity again."))
    if iat - CLOCK_SKEW > now or iat + MAX_AGE < now:
        raise LaunchRefused(
            _("This launch from the LMS is too old or from the future. Check the clocks, then open the activity again.")
        )
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise LaunchRefused(_("This launch was meant for another tool (its audience is not Classroom's client id)."))


def nonce_use(claims: Mapping[str, Any]) -> None:
    """Accept each nonce once: a launch sent again (copied, replayed) is refused."""
    key = f"{NONCE_PREFIX}:{claims.get('iss')}:{claims.get('nonce')}"
    if not cache.add(key, 1, timeout=MAX_AGE + 2 * CLOCK_SKEW):
        raise LaunchRefused(_("This launch was already used. Go back to the LMS and open the activity again."))
