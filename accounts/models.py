from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The platform's user. A custom model from the first migration, as Django advises.

    `display_name` holds the name people know each other by, in any script ("张伟", "Zhang Wei");
    Django's first/last name split does not fit Chinese names, so the portal shows this field.
    """

    display_name = models.CharField(_("display name"), max_length=150, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def shown_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username
