"""Template helpers of the portal: times in a zone, durations, the page script's strings; and the
bank's content filters (safe Markdown, source badges, scores: `bank.templatetags.bank`)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from bank.templatetags import bank as bank_tags

register = template.Library()

# The bank's content filters, for the portal's templates too (`{% load portal %}` is enough there).
for _name in ("markdown_safe", "score", "points"):
    register.filter(_name, getattr(bank_tags, _name))
register.simple_tag(bank_tags.reference_answer, name="reference_answer")


@register.filter
def field_name(question_id: int) -> str:
    return f"q-{question_id}"


@register.filter
def as_lines(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


@register.filter
def as_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return []


@register.filter
def contains(values: object, item: object) -> bool:
    if isinstance(values, list):
        return str(item) in [str(v) for v in values]
    return str(values) == str(item)


def _zone(name: str | None) -> zoneinfo.ZoneInfo | Any:
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def format_moment(value: datetime, zone: str | None, fmt: str | None = None) -> str:
    # Translators: a date and time in PHP/Django date format, e.g. "Mon 24 Nov 2026, 18:00".
    fmt = fmt or pgettext("datetime format", "D, j M Y, H:i")
    return date_format(timezone.localtime(value, _zone(zone)), fmt)


@register.simple_tag
def moment(value: datetime | None, zone: str | None, style: str = "datetime", local: bool = False) -> SafeString:
    """A <time> element showing `value` in `zone`.

    With `local=True` the page's script re-renders it in the browser's own time zone; without
    JavaScript it stays in `zone` (the class's, or the person's chosen zone).
    """
    if value is None:
        return mark_safe("")
    fmt = {
        "datetime": pgettext("datetime format", "D, j M Y, H:i"),
        "time": pgettext("time format", "H:i:s"),
        "date": pgettext("date format", "D, j M Y"),
    }[style]
    return format_html(
        '<time datetime="{}" data-style="{}"{}>{}</time>',
        value.astimezone(zoneinfo.ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ"),
        style,
        mark_safe(" data-local") if local else "",
        format_moment(value, zone, fmt),
    )


@register.filter
def duration(value: timedelta | None) -> str:
    """A time span in words: "45 minutes", "1 hour 30 minutes", "2 days"."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


@register.filter
def until(value: datetime | None, now: datetime) -> str:
    """Time left until `value` as "2 d 03:04:05" (the same shape the page's script counts down in)."""
    if value is None:
        return ""
    seconds = max(0, int((value - now).total_seconds()))
    days, rest = divmod(seconds, 86400)
    clock = "%02d:%02d:%02d" % (rest // 3600, rest % 3600 // 60, rest % 60)
    return (_("%(days)s d %(clock)s") % {"days": days, "clock": clock}) if days else clock


@register.simple_tag
def portal_strings() -> SafeString:
    """Translated strings the page's script needs, as a JSON <script> block (never executed)."""
    strings = {
        "saved_at": _("Saved at %(time)s"),
        "saving": _("Saving…"),
        "not_saved": _("Not saved, retrying…"),
        "offline": _("Not saved: no connection. Retrying…"),
        "kept_offline": _("Offline: your answers are kept on this device"),
        "restored": _("Answers kept on this device were put back; saving them…"),
        "unsaved": _("Unsaved changes"),
        "days": _("%(days)s d %(clock)s"),
        "warn5": _("5 minutes left. Your answers are saved automatically."),
        "warn1": _("1 minute left. Your attempt will be submitted automatically at the deadline."),
        "time_up": _("Time is up. Submitting your attempt…"),
        "closed": _("Closed"),
        "your_list": _("Your list"),
        "item": _("Item %(n)s"),
        "remove": _("Remove"),
        "remove_item": _("Remove item %(n)s"),
        "add_item": _("Add an item"),
        "your_time": _("Your time"),
    }
    return json_script(strings, "portal-strings")


def _joined(values: tuple[datetime | None, ...], zone: str, style: str, local: bool) -> SafeString:
    parts = [moment(v, zone, style, local) for v in values if v is not None]
    return mark_safe(" – ".join(parts))  # noqa: S308 - each part built with format_html


@register.simple_tag(takes_context=True)
def your_time(context: template.Context, *values: datetime | None, zone: str, style: str = "datetime") -> SafeString:
    """Times (one, or a window's start and end) in the viewer's zone: their chosen one, else the
    browser's (the script re-renders them), else, without JavaScript, the class's `zone`."""
    chosen = getattr(context.get("user"), "time_zone", "")
    if chosen:
        return format_html('{} <span class="zone">{}</span>', _joined(values, chosen, style, False), chosen)
    return format_html('{} <span class="zone" data-local-zone>{}</span>', _joined(values, zone, style, True), zone)


@register.simple_tag
def class_time(*values: datetime | None, zone: str, style: str = "datetime") -> SafeString:
    """Times (one, or a window's start and end) in the class's (section's) time zone, with its name."""
    return format_html('{} <span class="zone">{}</span>', _joined(values, zone, style, False), zone)
