from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone (e.g. Asia/Shanghai)."), params={"value": value})


class User(AbstractUser):
    """The platform's user. A custom model from the first migration, as Django advises.

    `display_name` holds the name people know each other by, in any script ("张伟", "Zhang Wei");
    Django's first/last name split does not fit Chinese names, so the portal shows this field.
    `language` and `time_zone` are the person's own choices; empty means "as the browser says"
    (the language from Accept-Language, the time zone from the browser's clock).
    """

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES, help_text=_("Empty: the browser's.")
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Empty: the browser's (or the class's, without JavaScript)."),
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def shown_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username
