"""Template filters for grades: a response with the evidence of its covered key points marked,
and the notes a student should read about the engine's flags on a grade."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from grading.evidence import marked_html

register = template.Library()


@register.filter
def with_evidence(response: str, grade: Any) -> SafeString:
    """Escaped response text (line breaks kept) with <mark> around the evidence of each key point
    of `grade` (a Grade, or None before grading)."""
    details = getattr(grade, "details", None) or {}
    found = details.get("key_points")
    points = found if isinstance(found, list) else []
    return mark_safe(marked_html(str(response or ""), points, gettext("Key point")))  # noqa: S308 - escaped in marked_html


@register.filter
def flag_notes(details: Any) -> list[str]:
    """Notes for the engine's flags a student should know about (the others are in the feedback)."""
    notes = {
        "truncated": gettext("Only the beginning of your answer was graded: it was longer than the grader reads."),
        "keyword_stuffing": gettext("Your answer looks like a list of keywords; explain them in sentences."),
        "repeats_question": gettext("Your answer mostly repeats the question."),
    }
    flags = details.get("flags", []) if isinstance(details, dict) else []
    return [notes[f] for f in flags if f in notes]
