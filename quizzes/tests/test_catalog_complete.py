"""The Simplified Chinese catalog is complete: every message translated, none fuzzy, placeholders kept."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PYTHON_FORMAT = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE_FORMAT = re.compile(r"\{\w*(?:[!:][^{}]*)?\}")


@pytest.fixture(scope="module")
def messages() -> list[Message]:
    with CATALOG.open("rb") as f:
        catalog: Catalog = read_po(f)
    return [m for m in catalog if m.id]


def strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def placeholders(text: str, python_format: bool) -> Counter[str]:
    found = BRACE_FORMAT.findall(text)
    if python_format:
        found += PYTHON_FORMAT.findall(text)
    return Counter(found)


def test_every_message_is_translated(messages: list[Message]) -> None:
    untranslated = [m.id for m in messages if not all(strings(m.string))]
    assert not untranslated, f"untranslated: {untranslated}"


def test_no_message_is_fuzzy(messages: list[Message]) -> None:
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_translations_keep_the_placeholders(messages: list[Message]) -> None:
    wrong = []
    for m in messages:
        python_format = "python-format" in m.flags
        expected = [placeholders(source, python_format) for source in strings(m.id)]
        if any(text and placeholders(text, python_format) not in expected for text in strings(m.string)):
            wrong.append(m.id)
    assert not wrong, f"placeholders differ from the msgid: {wrong}"
