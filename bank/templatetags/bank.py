"""How the bank's content shows on a page: Markdown rendered safely, the reference answer with
its source badges, scores and points (`{% load bank %}`; the portal's library offers them too)."""

from __future__ import annotations

import functools
import re
from typing import Any

import markdown as md
import nh3
from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

ALLOWED_TAGS = {"p", "ul", "ol", "li", "em", "strong", "code", "pre", "blockquote", "br", "h3", "h4"}

# Private-use characters stand in for source badges while the Markdown is rendered and sanitised:
# they survive both as plain text, and content cannot forge them (they are stripped from it first).
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARK_RE = re.compile(f"{_MARK_OPEN}(ai|author){_MARK_CLOSE}")
_PRIVATE_RE = re.compile(f"[{_MARK_OPEN}{_MARK_CLOSE}]")


class _NoRawHtml(md.Extension):
    """Raw HTML in content is text: "<CLS> token" shows as written, "<script>" as harmless text."""

    def extendMarkdown(self, markdown: md.Markdown) -> None:  # Markdown API name
        markdown.preprocessors.deregister("html_block")
        markdown.inlinePatterns.deregister("html")


@functools.lru_cache(maxsize=4096)
def _render_markdown(text: str) -> str:
    """Pure (the HTML depends on the text alone), so each process renders a prompt once: building
    a Markdown parser and sanitising cost about a millisecond a question on every attempt page."""
    html = md.markdown(text, extensions=["sane_lists", _NoRawHtml()])
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={})  # and anything Markdown itself makes is vetted


@register.filter
def markdown_safe(text: str | None) -> SafeString:
    """Render bank Markdown for display; raw HTML in content is shown as text, never passed through."""
    return mark_safe(_render_markdown(_PRIVATE_RE.sub("", text or "")))  # noqa: S308 - sanitised by nh3


def source_badge(source: str) -> str:
    if source == "ai":
        label, hint = _("AI-written"), _("The following text was written by an AI assistant.")
    else:
        label, hint = _("Author's note"), _("The following text is the author's own note.")
    return format_html('<span class="badge badge-{}" title="{}">{}</span>', source, hint, label)


@register.simple_tag
def reference_answer(question: Any) -> SafeString:
    """The reference answer as safe HTML, with a visible badge where each source (AI, author) starts."""
    text = _PRIVATE_RE.sub("", question.reference_answer or "")
    marks = sorted(
        (m for m in (question.source_marks or []) if m.get("source") in ("ai", "author")),
        key=lambda m: int(m.get("offset", 0)),
    )
    if not marks and question.answer_source in ("ai", "author"):
        marks = [{"offset": 0, "source": question.answer_source}]
    for mark in reversed(marks):  # from the end, so earlier offsets stay valid
        offset = max(0, min(len(text), int(mark.get("offset", 0))))
        text = f"{text[:offset]}{_MARK_OPEN}{mark['source']}{_MARK_CLOSE}{text[offset:]}"
    html = _MARK_RE.sub(lambda m: source_badge(m.group(1)), _render_markdown(text))
    return mark_safe(html)  # noqa: S308 - sanitised by nh3; badges built with format_html


@register.filter
def score(value: Any) -> str:
    """A score without trailing zeros: 2, 1.5, 0.25."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


@register.filter
def points(value: Any) -> str:
    """ "1 point", "2 points", "1.5 points"."""
    if value is None:
        return ""
    whole = int(value) if value == int(value) else 2  # a fraction reads as plural
    return ngettext("%(points)s point", "%(points)s points", whole) % {"points": score(value)}
