"""Writes of a person's own account: language and time zone, password, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.utils import reset as reset_failures
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import tokens
from .models import ApiToken, User, validate_time_zone

MAX_TOKENS_PER_USER = 20  # a script that asks for a token on every run must not fill the table
LAST_USED_RESOLUTION = timedelta(minutes=1)  # `last_used_at` is written at most this often


def user_language_set(*, user: User, language: str) -> User:
    """Remember the person's interface language ("" = the browser's)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(f"unknown language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def user_preferences_update(*, user: User, language: str, time_zone: str) -> User:
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(f"unknown language {language!r}")
    validate_time_zone(time_zone)
    user.language = language
    user.time_zone = time_zone
    user.save(update_fields=["language", "time_zone"])
    return user


# --- Password -----------------------------------------------------------------------------


@transaction.atomic
def user_password_set(*, user: User, password: str | None) -> User:
    """Set a new password (None: no usable password) and revoke every API token of the person."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    return user_password_save(user=user)


@transaction.atomic
def user_password_save(*, user: User) -> User:
    """Store the password already hashed onto `user` (by a Django password form) and revoke every
    API token: whoever had the old password may have made one. Tokens not deleted here (a password
    changed by `manage.py changepassword` or the shell) stop working anyway: see `token_authenticate`.
    """
    user.save(update_fields=["password"])
    ApiToken.objects.filter(user=user).delete()
    return user


# --- API tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A new token with its key, which exists only here: the database keeps its digest."""

    token: ApiToken
    key: str


def token_create(*, user: User, name: str = "", now: datetime | None = None) -> IssuedToken:
    now = now or timezone.now()
    if user.api_tokens.count() >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            _("You have %(count)s API tokens, the most allowed; revoke one you no longer use first.")
            % {"count": MAX_TOKENS_PER_USER}
        )
    key = tokens.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[: tokens.PREFIX_LENGTH],
        key_digest=tokens.key_digest(key),
        password_fingerprint=tokens.password_fingerprint(user),
        created_at=now,
        expires_at=now + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return IssuedToken(token, key)


class TokenRefused(Exception):
    """The key opens nothing; `message` says why, fit to show the script's author."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def token_authenticate(*, key: str, now: datetime | None = None) -> ApiToken:
    """The live token of `key`, with its user loaded, or TokenRefused.

    A token whose owner's password changed since it was made, or that expired, is deleted here.
    """
    now = now or timezone.now()
    token = ApiToken.objects.select_related("user").filter(key_digest=tokens.key_digest(key)).first()
    if token is None:
        raise TokenRefused(_("Invalid token."))
    if token.password_fingerprint != tokens.password_fingerprint(token.user):
        token.delete()
        raise TokenRefused(_("Token revoked: the password changed. Get a new token."))
    if token.expires_at <= now:
        token.delete()
        raise TokenRefused(_("Token expired. Get a new one with POST /api/v1/auth/token."))
    if not token.user.is_active:
        raise TokenRefused(_("User inactive or deleted."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the person's own tokens; False when they have no such token."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def tokens_revoke_all(*, user: User) -> int:
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    return deleted


def sign_in_failures_reset(*, user: User) -> None:
    """Forget the person's failed sign-ins (django-axes), as a new password from staff should."""
    reset_failures(username=user.get_username())
