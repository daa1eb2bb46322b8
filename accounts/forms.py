from __future__ import annotations

import unicodedata
import zoneinfo
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User


def _time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("", _("As my browser says")), ("UTC", "UTC"), *((z, z.replace("_", " ")) for z in zones)]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=lambda: [("", _("As my browser says")), *settings.LANGUAGES]
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=_time_zone_choices,
        help_text=_("Times are always shown in your class's time zone too."),
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (old password, new twice, validators); saving goes through the service,
    which also revokes the person's API tokens."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)  # hashes the new password onto the user
        return services.user_password_save(user=user) if commit else user


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """The admin's "change password" (or "disable password-based authentication"), through the service."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        return services.user_password_save(user=user) if commit else user


class SetPasswordForm(auth_forms.SetPasswordForm):
    """A new password without the old one (an e-mailed reset link, a set-password code): Django's
    form and validators, saved through the service, which revokes the person's API tokens."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        return services.user_password_save(user=user) if commit else user


def _same_address(a: str, b: str) -> bool:
    """Django's comparison of e-mail addresses (Unicode-aware, case-insensitive)."""
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset by e-mail, also for accounts that have no password yet.

    Django skips accounts with an unusable password (they may sign in another way); here such an
    account is a student enrolled by CSV who has not chosen one, and the mail is how they do.
    """

    def get_users(self, email: str) -> Iterator[User]:
        email_field = User.get_email_field_name()
        candidates = User._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
        return (u for u in candidates if _same_address(email, getattr(u, email_field)))
