"""The inline rows of a question (choices, accepted answers, rubric points) and of a chapter (parts)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import AcceptedAnswer, Choice, Part, RubricPoint
from .forms import AcceptedAnswerForm, RubricPointForm


class _OrderedInline(admin.TabularInline):
    extra = 0
    ordering = ("position", "id")


class ChoiceInline(_OrderedInline):
    model = Choice
    fields = ("position", "text", "is_correct")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "text":
            kwargs["widget"] = forms.TextInput(attrs={"size": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class AcceptedAnswerInline(_OrderedInline):
    model = AcceptedAnswer
    form = AcceptedAnswerForm

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "text":
            kwargs["widget"] = forms.TextInput(attrs={"size": 50})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class RubricPointInline(_OrderedInline):
    model = RubricPoint
    form = RubricPointForm
    verbose_name = _("rubric key point")
    verbose_name_plural = _("rubric key points (editing them makes the rubric yours: it is no longer re-proposed)")


class PartInline(_OrderedInline):
    model = Part
    fields = ("position", "numeral", "title")
