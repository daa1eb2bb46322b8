"""Admin actions on selected questions: export them in one of the interchange formats
(`bank.interchange.files`, the same service as `export_questions`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from ..interchange.files import EXTENSIONS, questions_export
from ..interchange.mapping import questions_for_export
from ..interchange.types import InterchangeError
from ..models import Question

EXPORT_CONTENT_TYPES = {"moodle-xml": "application/xml", "gift": "text/plain", "bank": "text/plain"}


def export_action(fmt: str, label: str) -> Callable[..., Any]:
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Question]) -> HttpResponse | None:
        questions = questions_for_export().filter(pk__in=queryset.values("pk")).select_related("chapter__course")
        try:
            export = questions_export(questions, fmt=fmt)
        except InterchangeError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
            return None
        for warning in export.warnings:
            modeladmin.message_user(request, warning, messages.WARNING)
        if not export.count:
            modeladmin.message_user(request, _("Nothing could be exported in this format."), messages.ERROR)
            return None
        response = HttpResponse(export.text, content_type=f"{EXPORT_CONTENT_TYPES[fmt]}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="questions.{EXTENSIONS[fmt]}"'
        return response

    action.__name__ = f"export_{fmt.replace('-', '_')}"
    return admin.action(description=label)(action)
