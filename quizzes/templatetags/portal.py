from __future__ import annotations

import markdown as md
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {"p", "ul", "ol", "li", "em", "strong", "code", "pre", "blockquote", "br", "h3", "h4"}


@register.filter
def markdown_safe(text: str | None) -> SafeString:
    """Render bank Markdown for display; raw HTML in content is escaped, never passed through."""
    html = md.markdown(text or "", extensions=["sane_lists"])
    return mark_safe(nh3.clean(html, tags=ALLOWED_TAGS, attributes={}))  # noqa: S308 - sanitised by nh3


@register.filter
def field_name(question_id: int) -> str:
    return f"q-{question_id}"


@register.filter
def as_lines(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


@register.filter
def contains(values: object, item: object) -> bool:
    if isinstance(values, list):
        return str(item) in [str(v) for v in values]
    return str(values) == str(item)
