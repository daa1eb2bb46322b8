from django.contrib import admin

from .models import Enrollment, Section


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "term", "course", "time_zone")
    list_filter = ("course", "term")
    search_fields = ("name", "term")
    inlines = [EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("user", "section", "role")
    list_filter = ("role", "section")
    search_fields = ("user__username", "user__display_name")
    list_select_related = ("user", "section")
    autocomplete_fields = ("user",)
