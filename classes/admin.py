"""Sections and enrolments in the Django admin. Enrolments go through `classes.services` (and so
through the policy's rules of roles): nobody becomes student and staff of one course, and the
last instructor of a section is neither removed nor demoted, here as everywhere else."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import policy, services
from .models import Enrollment, PasswordSetup, Section


class EnrollmentForm(forms.ModelForm):
    """Checks the rules of roles on the form, so the admin shows why a row is refused."""

    class Meta:
        model = Enrollment
        fields = ("section", "user", "role")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        section = data.get("section") or getattr(self.instance, "section", None)
        user, role = data.get("user"), data.get("role")
        if section is None or user is None or not role:
            return data
        problem = policy.role_conflict(user, section, role)
        if problem:
            raise ValidationError(problem)
        if self.instance.pk:
            policy.last_instructor_check(self.instance, role)
        return data


class EnrollmentFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """The section keeps an instructor: rows deleted or demoted here must leave one."""
        super().clean()
        had = any(f.instance.pk and f.initial.get("role") == Enrollment.Role.INSTRUCTOR for f in self.forms)
        keeps = any(
            f not in self.deleted_forms and getattr(f, "cleaned_data", {}).get("role") == Enrollment.Role.INSTRUCTOR
            for f in self.forms
        )
        if had and not keeps:
            raise ValidationError(_("A class needs at least one instructor: add another before removing this one."))


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    form = EnrollmentForm
    formset = EnrollmentFormSet
    extra = 0
    autocomplete_fields = ("user",)


def _save(request: HttpRequest, enrollment: Enrollment) -> Enrollment:
    return services.enrollment_add(
        section=enrollment.section, user=enrollment.user, role=enrollment.role, actor=request.user
    )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "term", "course", "time_zone")
    list_filter = ("course", "term")
    search_fields = ("name", "term")
    inlines = [EnrollmentInline]

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        """Enrolment rows go through the services (what `formset.save()` would write directly);
        the formset's record of what changed is kept for the admin's history."""
        if formset.model is not Enrollment:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            before = row.initial.get("user") if row.instance.pk else None
            enrollment = row.save(commit=False)
            enrollment.section = form.instance
            saved = _save(request, enrollment)
            if before is None:
                formset.new_objects.append(saved)
                continue
            if before != saved.user_id:  # another person on the row: enrol them, then take the first one out
                previous = Enrollment.objects.get(section=form.instance, user_id=before)
                services.enrollment_remove(enrollment=previous, actor=request.user)
            formset.changed_objects.append((saved, row.changed_data))
        for row in formset.deleted_forms:
            if row.instance.pk:
                services.enrollment_remove(enrollment=row.instance, actor=request.user)
                formset.deleted_objects.append(row.instance)
        return None


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    form = EnrollmentForm
    list_display = ("user", "section", "role")
    list_filter = ("role", "section")
    search_fields = ("user__username", "user__display_name")
    list_select_related = ("user", "section")
    autocomplete_fields = ("user",)

    def get_readonly_fields(self, request: HttpRequest, obj: Enrollment | None = None) -> tuple[str, ...]:
        return ("section", "user") if obj else ()  # a change is a role change; another person is a new row

    def save_model(self, request: HttpRequest, obj: Enrollment, form: forms.ModelForm, change: bool) -> None:
        obj.pk = _save(request, obj).pk

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        """Refuse, with the reason, to remove a section's last instructor (before Django confirms)."""
        enrollment = self.get_object(request, object_id)
        if enrollment is not None and request.method == "POST":
            if not self.has_delete_permission(request, enrollment):
                raise PermissionDenied
            try:
                services.enrollment_remove(enrollment=enrollment, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:classes_enrollment_change", args=[enrollment.pk]))
            self.message_user(
                request,
                _("%(who)s was taken out of %(section)s.") % {"who": enrollment.user, "section": enrollment.section},
            )
            return HttpResponseRedirect(reverse("admin:classes_enrollment_changelist"))
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Enrollment]) -> None:
        for enrollment in queryset.select_related("section"):
            try:
                services.enrollment_remove(enrollment=enrollment, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{enrollment}: {' '.join(exc.messages)}", messages.ERROR)


@admin.register(PasswordSetup)
class PasswordSetupAdmin(admin.ModelAdmin):
    """The audit of set-password links and codes: read-only (staff issue them on the section's
    page, which shows the secrets once); an administrator may delete rows."""

    list_display = ("user", "section", "issued_by", "issued_at", "expires_at", "used_at", "used_from", "revoked_at")
    list_select_related = ("user", "section", "issued_by")
    search_fields = ("user__username", "issued_by__username")
    list_filter = ("section",)
    fields = (
        "user",
        "section",
        "issued_by",
        "issued_at",
        "expires_at",
        "used_at",
        "used_from",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
