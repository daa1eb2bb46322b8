"""Telling the file formats apart from their content."""

from __future__ import annotations

import re

from .types import InterchangeError

FORMATS = ("moodle-xml", "gift", "bank")
_BANK_CHAPTER_RE = re.compile(r"^Chapter\s+\d+\b", re.MULTILINE)
_BANK_QUESTION_RE = re.compile(r"^  \d+\.\s", re.MULTILINE)
_GIFT_RE = re.compile(r"^\s*(?:::.+?::|\$CATEGORY:)|(?<!\\)\{[^{}]*(?<!\\)\}", re.MULTILINE)


def decode_text(data: bytes) -> str:
    """UTF-8 text (a BOM allowed, any newline convention); a clear error for binary or other encodings."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data.strip():
        raise InterchangeError("file is empty")
    if b"\x00" in data:
        raise InterchangeError("file looks binary, not a question file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InterchangeError(
            f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", line=line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_format(text: str) -> str:
    """ "moodle-xml" (an XML document), "bank" ("Chapter N" headings with "  1." questions) or
    "gift" ("::title::", "$CATEGORY:" or a "{...}" answer part)."""
    head = text.lstrip("\ufeff \t\n")
    if head.startswith("<?xml") or head.startswith("<quiz"):
        return "moodle-xml"
    if _BANK_CHAPTER_RE.search(text) and _BANK_QUESTION_RE.search(text):
        return "bank"
    if _GIFT_RE.search(text):
        return "gift"
    raise InterchangeError(
        "cannot tell the format: not XML, no 'Chapter N' headings, no GIFT '::title::' or '{...}'; "
        "pass --format moodle-xml|gift|bank"
    )
