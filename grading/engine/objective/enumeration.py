"""Enumeration: "list at least N" of the accepted items."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..messages import message
from ..normalize import normalize_text
from ..types import QuestionKey, Result
from .compiled import CompiledKey, Variant, _Mention, _remember, compile_key
from .results import _empty, _result, _uninterpretable, is_empty
from .short_text import _PatternBudget, _PatternUnchecked, _unchecked

_MARKER = (
    r"(?<!\S)(?:"
    r"\(?\d{1,2}[.)、](?!\d)"  # 1.  1)  (1)  1、
    r"|\(\d{1,2}\)"
    r"|[\u2460-\u2473\u2776-\u277f]"  # ① … ⑳, ❶ … ❿
    r"|[一二三四五六七八九十]{1,3}[、.]"  # 一、
    r"|[•●▪◦‣·]"  # bullets
    r"|[-–—*](?=\s)"  # "- item"
    r")"
)
_MARKER_RE = re.compile(_MARKER)
_MARKER_CHAR_RE = re.compile("[\\d•●▪◦‣·*\\-–—\u2460-\u2473\u2776-\u277f一二三四五六七八九十]")
_LEADING_MARKER_RE = re.compile(rf"\s*{_MARKER}")
_SEPARATOR_RE = re.compile("[\n\r\u2028\u2029;；、。,]")
_STRICT_SEPARATOR_RE = re.compile("[\n\r\u2028\u2029;；、。]|(?<!\\d),|,(?!\\d)")
_DIGIT_COMMA_RE = re.compile(r"\d,\d")


def _split_text(text: str) -> list[str]:
    """Markers become line breaks first (so "一、" is not split at its "、"), then split on separators.

    The cheap checks keep the common answer off the slow patterns.
    """
    if _MARKER_CHAR_RE.search(text):
        text = _MARKER_RE.sub("\n", text)
    separators = _STRICT_SEPARATOR_RE if _DIGIT_COMMA_RE.search(text) else _SEPARATOR_RE
    return separators.split(text)


def _entry_values(values: list[Any] | tuple[Any, ...]) -> list[str] | None:
    if not all(r is None or (isinstance(r, str | int | float) and not isinstance(r, bool)) for r in values):
        return None
    return [_LEADING_MARKER_RE.sub("", unicodedata.normalize("NFKC", str(r)), count=1) for r in values if r is not None]


def split_entries(response: object) -> list[str] | None:
    """The entries of an enumeration answer (stripped, non-empty); None if it cannot be read.

    A list is taken entry by entry (a leading list marker is dropped); a string is split on
    newlines, ";", "；", "、", "，", "。", "," (not between two digits) and list markers ("1.",
    "1)", "(1)", "①", "一、", "-", "•").
    """
    if isinstance(response, list | tuple):
        parts = _entry_values(response)
        if parts is None:
            return None
    elif isinstance(response, str | int | float) and not isinstance(response, bool):
        parts = _split_text(unicodedata.normalize("NFKC", str(response)))
    else:
        return None
    return [p.strip() for p in parts if p and p.strip()]


def _entry_mentions(compiled: CompiledKey, text: str, budget: _PatternBudget) -> tuple[_Mention, ...]:
    """`_mentions`, remembered per key: a class writes the same few entries again and again.
    Raises _PatternUnchecked (and remembers nothing) when a pattern could not be checked."""
    found = compiled.entries.get(text)
    if found is None:
        found = tuple(_mentions(compiled, text, text.replace(" ", ""), budget))
        _remember(compiled.entries, text, found)
    return found


def _mentions(compiled: CompiledKey, text: str, compact: str, budget: _PatternBudget) -> list[_Mention]:
    """Each item an entry mentions, with where: equality wins, else the longest mention."""
    whole = len(text)
    index = compiled.exact.get(text, compiled.exact.get(compact))
    if index is not None:
        return [_Mention(index, 0, whole, True)]
    found = []
    for i, item in enumerate(compiled.items):
        best: tuple[int, int] | None = None
        for variant in item.variants:
            span = _find(variant, text, compact)
            if span is not None and (best is None or span[1] - span[0] > best[1] - best[0]):
                best = span
        for pattern in item.regexes:
            match = budget.match(pattern, "search", text)
            if match and (best is None or match.end() - match.start() > best[1] - best[0]):
                best = match.span()
        if best is not None:
            found.append(_Mention(i, best[0], best[1], False))
    return found


def _find(variant: Variant, text: str, compact: str) -> tuple[int, int] | None:
    if variant.compact not in compact:  # cheap filter before any regex
        return None
    if variant.cjk:
        start = text.find(variant.text)
        return (start, start + len(variant.text)) if start >= 0 else (0, len(text))
    assert variant.word_re is not None
    match = variant.word_re.search(text)
    return match.span() if match else None


def _overlaps(a: _Mention, b: _Mention) -> bool:
    return a.start < b.end and b.start < a.end


def _assign_simple(mentions: list[tuple[_Mention, ...]]) -> tuple[dict[int, tuple[int, int]], bool]:
    """`_assign` when no entry mentions two items (the usual case): first mention counts."""
    counted: dict[int, tuple[int, int]] = {}
    repeated = False
    for entry, found in enumerate(mentions):
        for m in found:
            if m.item in counted:
                repeated = True
            else:
                counted[m.item] = (entry, m.start)
    return counted, repeated


def _assign(mentions: list[tuple[_Mention, ...]]) -> tuple[dict[int, tuple[int, int]], bool]:
    """Which entry each item counts for: {item: (entry, start)}, and whether any item repeated.

    Entries whose mentions do not overlap go first; in an entry, uncounted items, exact
    matches and longer mentions are preferred, and an overlapping mention is dropped. So
    "smoothing; filter" counts Filter once, and an ambiguous entry gives way to a clear one.
    """
    if all(len(found) <= 1 for found in mentions):
        return _assign_simple(mentions)

    def ambiguous(found: tuple[_Mention, ...]) -> bool:
        return any(_overlaps(a, b) for i, a in enumerate(found) for b in found[i + 1 :])

    counted: dict[int, tuple[int, int]] = {}
    repeated = False
    for entry in sorted(range(len(mentions)), key=lambda e: (ambiguous(mentions[e]), e)):
        kept: list[_Mention] = []
        for m in sorted(mentions[entry], key=lambda m: (m.item in counted, not m.exact, m.start - m.end, m.start)):
            if any(_overlaps(m, k) for k in kept):
                continue
            kept.append(m)
            if m.item in counted:
                repeated = True
            else:
                counted[m.item] = (entry, m.start)
    return counted, repeated


def _enumeration_feedback(
    key: QuestionKey, names: list[str], needed: int, unrecognised: list[str], repeated: bool
) -> str:
    lang = key.lang
    sep = message(lang, "list_separator")
    parts = [
        message(lang, "enum_recognised", count=len(names), needed=needed, items=sep.join(names))
        if names
        else message(lang, "enum_none", needed=needed)
    ]
    more = needed - len(names)
    parts.append(message(lang, "enum_more_needed", more=more) if more > 0 else message(lang, "enum_complete"))
    if repeated:
        parts.append(message(lang, "enum_duplicates"))
    if unrecognised:
        shown = [e if len(e) <= 40 else e[:39] + "…" for e in unrecognised]
        parts.append(message(lang, "enum_unrecognised", entries=sep.join(shown)))
    return message(lang, "sentence_separator").join(parts)


def grade_enumeration(key: QuestionKey, response: object) -> Result:
    """max_points × min(recognised items, N) ÷ N, N = min_items or every accepted item."""
    if is_empty(response):
        return _empty(key)
    compiled = compile_key(key)
    entries = split_entries(response)
    if entries is None:
        return _uninterpretable(key)
    normalised = [normalize_text(e) for e in entries]
    kept = [(e, n) for e, n in zip(entries, normalised, strict=True) if n]
    if not kept:
        return _empty(key)
    budget = _PatternBudget.start()
    try:
        mentions = [_entry_mentions(compiled, n, budget) for _, n in kept]
    except _PatternUnchecked as unchecked:
        return _unchecked(key, unchecked.flag)
    counted, repeated = _assign(mentions)
    order = sorted(counted, key=lambda item: counted[item])
    names = [compiled.items[i].text for i in order]
    unrecognised = [e for (e, _), found in zip(kept, mentions, strict=True) if not found]
    needed = compiled.needed
    feedback = _enumeration_feedback(key, names, needed, unrecognised, repeated)
    return _result(
        key,
        min(len(names), needed) / needed,
        feedback,
        recognised=tuple(names),
        details={"recognised": len(names), "needed": needed, "unrecognised": unrecognised},
    )
