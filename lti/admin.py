"""LMS registrations in the admin: django-lti's registration form (issuer, client id, the
platform's OIDC auth, token and key-set URLs, deployments inline), plus which course their classes
become sections of; the tool's own keys, listed (`manage.py rotate_keys` makes a new one)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from lti_tool.admin import LtiRegistrationAdmin as BaseRegistrationAdmin
from lti_tool.models import Key, LtiRegistration

from .models import PlatformSettings, SectionLink


class PlatformSettingsInline(admin.StackedInline):
    model = PlatformSettings
    can_delete = False


admin.site.unregister(LtiRegistration)


@admin.register(LtiRegistration)
class LtiRegistrationAdmin(BaseRegistrationAdmin):
    inlines = [*BaseRegistrationAdmin.inlines, PlatformSettingsInline]


@admin.register(Key)
class KeyAdmin(admin.ModelAdmin):
    """The tool's signing keys, published at /lti/jwks.json while active."""

    list_display = ("__str__", "is_active", "datetime_created")
    fields = ("public_key", "is_active", "datetime_created")
    readonly_fields = ("public_key", "datetime_created")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SectionLink)
class SectionLinkAdmin(admin.ModelAdmin):
    list_display = ("context", "section", "created_at")
    list_select_related = ("context", "section")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
