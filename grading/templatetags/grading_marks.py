"""Template filters for grades: a response with the evidence of its covered key points marked."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from grading.evidence import marked_html

register = template.Library()


@register.filter
def with_evidence(response: str, key_points: Any) -> SafeString:
    """Escaped response text (line breaks kept) with <mark> around each point's evidence."""
    points = key_points if isinstance(key_points, list) else []
    return mark_safe(marked_html(str(response or ""), points, gettext("Key point")))  # noqa: S308 - escaped in marked_html
