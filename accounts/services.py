"""Writes of a person's own account: their language and time zone."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

from .models import User, validate_time_zone


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
