"""Mark the parts of a response that the trained grader found covering a key point.

The grader quotes each covered point's evidence from the answer as it scored it (NFKC, spaces
collapsed, sentences packed with spaces), which is not always the student's text byte for byte:
full-width punctuation becomes ASCII, line breaks become spaces. So the match is made on both
texts with NFKC applied and whitespace removed, and mapped back to the student's own characters.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any


def evidence_spans(response: str, evidence: Iterable[tuple[int, str]]) -> list[tuple[int, int, int]]:
    """(start, end, point number) in `response` for each piece of evidence found; no overlaps."""
    chars: list[tuple[str, int]] = []
    for index, ch in enumerate(response):
        chars.extend((n, index) for n in unicodedata.normalize("NFKC", ch).casefold() if not n.isspace())
    flat = "".join(c for c, _ in chars)
    spans = []
    for number, text in evidence:
        target = "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if not c.isspace())
        at = flat.find(target) if target else -1
        if at >= 0:
            spans.append((chars[at][1], chars[at + len(target) - 1][1] + 1, number))
    spans.sort()
    kept: list[tuple[int, int, int]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def marked_html(response: str, key_points: Iterable[Mapping[str, Any]], label: str = "Key point") -> str:
    """The response as escaped HTML with <mark> around each covered point's evidence."""
    evidence = [(i, str(kp.get("evidence") or "")) for i, kp in enumerate(key_points, start=1) if kp.get("evidence")]
    out, last = [], 0
    for start, end, number in evidence_spans(response, evidence):
        out.append(html.escape(response[last:start]))
        out.append(
            f'<mark class="kp-evidence" data-point="{number}" title="{html.escape(label)} {number}">'
            f"{html.escape(response[start:end])}<sup>{number}</sup></mark>"
        )
        last = end
    out.append(html.escape(response[last:]))
    return "".join(out).replace("\n", "<br>")
