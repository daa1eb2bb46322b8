from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Display", {"fields": ("display_name", "language", "time_zone")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("Display", {"fields": ("display_name", "email")}))
    list_display = ("username", "display_name", "email", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email")
