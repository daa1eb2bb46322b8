"""Recognising "list at least N" questions and proposing their key from the reference answer.

A prompt such as "List at least four ways of passive defense." (or "至少列出四种……") whose
reference answer is a plain list of items is an enumeration: each item the student names is
worth 1/N of the points, capped at full marks (`objective.enumeration.grade_enumeration`). A
free-text grader would instead weigh each listed item against the whole reference, so naming 2
of the 4 needed items scored 4/10 rather than 5/10.

`propose_list_key` proposes the key: N, and per item its name with synonyms, taken from the item
itself ("Filter(e.g. Smoothing)": Filter, synonym Smoothing; "Network Pruning(网络剪枝)") and from
the keywords of a matching rubric point, when the bank's rubric file has one. Plain Python: the
bank's importer calls it, as it calls `rubric.propose_rubric`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_EN_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_NUMBER = r"(\d{1,2}|" + "|".join(_EN_NUMBERS) + r")"
_ZH_NUMBER = r"(\d{1,2}|[一二两三四五六七八九十]{1,3})"
_EN_VERB = r"(?:list|name|give|enumerate|mention|state|write(?:\s+down)?)"
_ZH_VERB = r"(?:列出|列举|写出|说出|举出|给出|举)"
_ZH_MEASURE = r"\s*(?:种|个|项|条|点|类|方面)"
_PROMPTS = (
    re.compile(rf"\b{_EN_VERB}\s+(?:at\s+least|no\s+fewer\s+than|a\s+minimum\s+of)\s+{_EN_NUMBER}\b", re.I),
    re.compile(rf"\b{_EN_VERB}\s+{_EN_NUMBER}\s+or\s+more\b", re.I),
    re.compile(rf"(?:至少|不少于)\s*{_ZH_VERB}?\s*{_ZH_NUMBER}{_ZH_MEASURE}"),
    re.compile(rf"{_ZH_VERB}\s*(?:至少|不少于)\s*{_ZH_NUMBER}{_ZH_MEASURE}"),
)
# A top-level list item: "1. x", "1) x", "(1) x", "- x", "• x", "* x", "① x".
_ITEM = re.compile(r"^(?:\d{1,2}[.)、]|\(\d{1,2}\)|[-•*·]|[\u2460-\u2473])\s*(.+)$")
_PARENS = re.compile(r"[(（]([^()（）]*)[)）]")
_EXAMPLE = re.compile(r"^(?:e\.?\s?g\.?,?|eg,?|such as|for example|例如|比如|如)\s*", re.I)
_SYMBOLS = re.compile(r"^[\W_]+|[\W_]+$")  # emoji source marks, stray punctuation at the ends
MAX_NAME = 60  # longer than this, a "name" is a sentence: the reference is not a list of items


@dataclass(frozen=True)
class ProposedItem:
    text: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class ListKey:
    needed: int
    items: tuple[ProposedItem, ...]


def required_items(prompt: str) -> int | None:
    """N of a "list at least N" prompt (English or Chinese), or None."""
    for pattern in _PROMPTS:
        match = pattern.search(prompt)
        if match:
            return _number(match.group(1))
    return None


def _number(text: str) -> int | None:
    text = text.lower()
    if text.isdigit():
        return int(text) or None
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    if text == "十":
        return 10
    if text.startswith("十"):  # 十二
        return 10 + _ZH_DIGITS.get(text[1:], 0)
    tens, _, units = text.partition("十")  # 二十, 二十一
    if _ and tens in _ZH_DIGITS:
        return 10 * _ZH_DIGITS[tens] + _ZH_DIGITS.get(units, 0)
    return _ZH_DIGITS.get(text)


def _clean(text: str) -> str:
    return _SYMBOLS.sub("", text.strip())


def _item(line: str) -> ProposedItem | None:
    """An item's name and the synonyms it carries: "Filter(e.g. Smoothing)", "Adversarial Training:…"."""
    head = re.split(r"[:：]", line, maxsplit=1)[0]
    synonyms = []
    for inner in _PARENS.findall(head):
        for part in re.split(r"[,，、/;；]", _EXAMPLE.sub("", inner.strip())):
            if _clean(part):
                synonyms.append(_clean(part))
    name = _clean(_PARENS.sub(" ", head))
    name = re.sub(r"\s+", " ", name)
    if not name or len(name) > MAX_NAME:
        return None
    return ProposedItem(name, tuple(synonyms))


def reference_items(reference: str) -> list[ProposedItem] | None:
    """The reference answer's items when it is a plain list (every line a top-level item), else None."""
    items = []
    for raw in reference.splitlines():
        if not raw.strip():
            continue
        if raw[:1].isspace():  # an indented line: sub-items or explanations, not a plain list
            return None
        match = _ITEM.match(raw.strip())
        item = _item(match.group(1)) if match else None
        if item is None:
            return None
        items.append(item)
    return items or None


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _with_hints(item: ProposedItem, hints: Sequence[tuple[str, Sequence[str]]]) -> ProposedItem:
    """Add the keywords of the rubric point that names the item (by a keyword or in its text)."""
    names = {_fold(item.text), *(_fold(s) for s in item.synonyms)}
    for text, keywords in hints:
        folded = {_fold(k) for k in keywords}
        if names & folded or _fold(item.text) in _fold(text):
            merged = list(item.synonyms)
            seen = set(names)
            for keyword in keywords:
                if _fold(keyword) not in seen:
                    seen.add(_fold(keyword))
                    merged.append(keyword)
            return ProposedItem(item.text, tuple(merged))
    return item


def propose_list_key(prompt: str, reference: str, hints: Sequence[tuple[str, Sequence[str]]] = ()) -> ListKey | None:
    """The enumeration key of a "list at least N" question, or None when it is not one (no such
    prompt, or a reference that is not a plain list of at least N items). `hints`: the text and
    keywords of the question's rubric points, whose keywords become the synonyms of the item
    they name."""
    needed = required_items(prompt)
    if needed is None:
        return None
    items = reference_items(reference)
    if items is None or len(items) < needed:
        return None
    return ListKey(needed, tuple(_with_hints(item, hints) for item in items))
