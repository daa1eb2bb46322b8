"""Accessibility checks that do not need a browser: contrast of the palette, page structure, labels.

Keyboard use and visible focus are checked in a real browser (tests/browser).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from quizzes import services
from quizzes.tests.portal_data import every_kind_assignment

CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palette() -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))


# (text, background, minimum): body text 4.5:1, focus ring and large text 3:1 (WCAG 2.1 AA)
PAIRS = [
    ("fg", "bg", 4.5),
    ("fg", "card", 4.5),
    ("muted", "card", 4.5),
    ("muted", "bg", 4.5),
    ("accent", "card", 4.5),
    ("accent", "bg", 4.5),
    ("accent-dark", "accent-soft", 4.5),
    ("ok", "ok-soft", 4.5),
    ("warn", "warn-soft", 4.5),
    ("error", "error-soft", 4.5),
    ("error", "card", 4.5),
    ("focus", "bg", 3.0),
    ("focus", "card", 3.0),
]


@pytest.mark.parametrize(("text", "background", "minimum"), PAIRS)
def test_palette_meets_wcag_aa_contrast(text, background, minimum):
    colours = palette()
    assert contrast(colours[text], colours[background]) >= minimum


def test_fixed_colours_in_the_stylesheet_meet_aa():
    # white on the accent (buttons), badges and pills written as literals in site.css
    colours = palette()
    assert contrast("#ffffff", colours["accent"]) >= 4.5
    assert contrast("#5b2a9c", "#efe7fb") >= 4.5  # AI-written badge
    assert contrast(colours["muted"], "#e9edf2") >= 4.5  # waiting / closed pills


@pytest.mark.django_db
def test_pages_have_language_skip_link_one_heading_and_labelled_fields(client, section, student):
    attempt = services.attempt_start(assignment=every_kind_assignment(section), student=student)
    client.force_login(student)
    for url in (
        reverse("portal:dashboard"),
        reverse("portal:assignment_start", args=[attempt.assignment_id]),
        reverse("portal:attempt", args=[attempt.pk]),
        reverse("portal:submit", args=[attempt.pk]),
        reverse("preferences"),
        reverse("password_change"),
    ):
        body = client.get(url).content.decode()
        assert re.search(r'<html lang="(en|zh-hans)">', body), url
        assert 'class="skip-link" href="#main"' in body and 'id="main"' in body, url
        assert body.count("<h1") == 1, url
        for match in re.finditer(r"<(input|textarea|select)([^>]*)>", body):
            attrs = match.group(2)
            if 'type="hidden"' in attrs:
                continue
            field_id = re.search(r'id="([^"]+)"', attrs)
            assert field_id and f'for="{field_id.group(1)}"' in body, (url, attrs)
