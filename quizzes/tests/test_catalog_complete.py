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


TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1(?:\s+context\s+(["'])(.+?)\3)?""")


def test_every_template_string_is_in_the_catalog(messages: list[Message]) -> None:
    """A `{% translate "..." %}` added to a template without a catalog entry shows English to a
    Chinese reader and no other test notices (the review page's "Partly" did)."""
    root = CATALOG.parents[3]
    known = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in messages}
    missing = []
    for template in sorted(root.glob("**/templates/**/*.html")):
        if ".venv" in template.parts:
            continue
        for match in TRANSLATE_TAG.finditer(template.read_text(encoding="utf-8")):
            text, context = match.group(2), match.group(4)
            if (context, text) not in known:
                missing.append(f"{template.relative_to(root)}: {text!r}")
    assert not missing, "not in the catalog:\n" + "\n".join(missing)
