"""Template filters for grades: a response with the evidence of its covered key points marked."""

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
    points = details.get("key_points") if isinstance(details.get("key_points"), list) else []
    return mark_safe(marked_html(str(response or ""), points, gettext("Key point")))  # noqa: S308 - escaped in marked_html
