from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from . import services


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
