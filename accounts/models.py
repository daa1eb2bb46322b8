from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
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


class ApiToken(models.Model):
    """A person's API token for scripts (`Authorization: Token <key>`).

    The key is shown once, when it is created, and never stored: only its SHA-256 digest, so a
    copy of the database opens no account. A token expires `API_TOKEN_TTL_HOURS` after it was
    made, and stops working the moment its owner's password changes, by whatever path (the
    `password_fingerprint` no longer matches; the known paths also delete it at once).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What the token is for."))
    prefix = models.CharField(_("starts with"), max_length=8)  # to recognise a token in a list
    key_digest = models.CharField(max_length=64, unique=True)
    password_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="api_token_expires_after_creation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
