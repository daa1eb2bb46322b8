"""Forms of the assignment pages: its window and rules, and a student's extension."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from accounts.models import User
from classes.models import Enrollment

from ..models import Assignment, Quiz, ReleasePolicy


class AssignmentSettingsForm(forms.Form):
    """What an instructor sets when assigning a quiz and may change later (not the quiz)."""

    title = forms.CharField(max_length=300, required=False, label=gettext_lazy("Title (empty: the quiz's)"))
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    time_limit_minutes = forms.IntegerField(
        min_value=1, required=False, label=gettext_lazy("Time limit (minutes; empty: until the close)")
    )
    max_attempts = forms.IntegerField(min_value=1, max_value=20, initial=1, label=gettext_lazy("Attempts allowed"))
    grace_minutes = forms.IntegerField(min_value=0, max_value=120, initial=2, label=gettext_lazy("Grace (minutes)"))
    release_policy = forms.ChoiceField(choices=ReleasePolicy.choices, label=gettext_lazy("Results released"))
    shuffle_questions = forms.BooleanField(
        required=False, label=gettext_lazy("Shuffle the questions (an order of its own for each student)")
    )
    shuffle_choices = forms.BooleanField(
        required=False, label=gettext_lazy("Shuffle the options of choice questions for each student")
    )

    def settings(self) -> dict[str, object]:
        """The cleaned form as Assignment fields."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "time_limit": timedelta(minutes=data["time_limit_minutes"]) if data["time_limit_minutes"] else None,
            "max_attempts": data["max_attempts"],
            "grace_period": timedelta(minutes=data["grace_minutes"]),
            "release_policy": data["release_policy"],
            "shuffle_questions": data["shuffle_questions"],
            "shuffle_choices": data["shuffle_choices"],
        }

    @staticmethod
    def initial_of(assignment: Assignment) -> dict[str, object]:
        return {
            "title": assignment.title,
            "opens_at": assignment.opens_at,
            "closes_at": assignment.closes_at,
            "time_limit_minutes": int(assignment.time_limit.total_seconds() // 60) if assignment.time_limit else None,
            "max_attempts": assignment.max_attempts,
            "grace_minutes": int(assignment.grace_period.total_seconds() // 60),
            "release_policy": assignment.release_policy,
            "shuffle_questions": assignment.shuffle_questions,
            "shuffle_choices": assignment.shuffle_choices,
        }


class AssignmentForm(AssignmentSettingsForm):
    quiz = forms.ModelChoiceField(queryset=Quiz.objects.none(), label=gettext_lazy("Quiz"))
    field_order = ["quiz"]

    def __init__(self, *args: Any, course_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = Quiz.objects.filter(course_id=course_id).order_by("-created_at")


class ExtensionForm(forms.Form):
    student = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Student"))
    extra_minutes = forms.IntegerField(min_value=1, required=False, label=gettext_lazy("Extra time (minutes)"))
    closes_at = forms.DateTimeField(
        required=False,
        label=gettext_lazy("Later close"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, section_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = User.objects.filter(
            enrollments__section_id=section_id, enrollments__role=Enrollment.Role.STUDENT
        ).order_by("username")
