from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .forms import AdminPasswordChangeForm
from .models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = AdminPasswordChangeForm  # saves through the service: tokens are revoked
    fieldsets = (*BaseUserAdmin.fieldsets, ("Display", {"fields": ("display_name", "language", "time_zone")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("Display", {"fields": ("display_name", "email")}))
    list_display = ("username", "display_name", "email", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens can be seen and revoked (deleted) here; only their owner creates them (the key is shown once)."""

    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "name", "prefix")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
