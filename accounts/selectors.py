"""Reads of a person's own account."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from . import tokens
from .models import ApiToken, User


def user_tokens(user: User) -> QuerySet[ApiToken]:
    """The person's tokens that still work (newest first): not expired, made with the current password."""
    return ApiToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), password_fingerprint=tokens.password_fingerprint(user)
    )
