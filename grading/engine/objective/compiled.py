"""Keys compiled once per key object (normalised variants, regexes, choice lookups) and the
caches that hold them: by object identity while the key lives, and by value for keys built anew."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex

from ..normalize import has_cjk, normalize_text
from ..types import QuestionKey, Result
from .reading import _choice_truth, _fold_choice
from .validation import validate_key

Grader = Callable[[QuestionKey, object], Result]

PATTERN_MAX_CHARS = 1_000  # longer text is not matched against accepted-answer patterns
PATTERN_TIMEOUT_SECONDS = 0.1  # all pattern matching of one response
_LATIN = r"0-9a-z\u00c0-\u024f"


@dataclass(frozen=True, slots=True)
class Variant:
    """One accepted spelling of an item, normalised once per key."""

    text: str  # normalize_text form
    compact: str  # normalize_compact form
    cjk: bool
    word_re: re.Pattern[str] | None  # whole-word search for Latin variants (enumeration)


@dataclass(frozen=True, slots=True)
class CompiledItem:
    text: str  # canonical text, as the instructor wrote it
    variants: tuple[Variant, ...]
    regexes: tuple[regex.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class _Mention:
    item: int
    start: int
    end: int
    exact: bool


@dataclass(frozen=True, slots=True)
class CompiledKey:
    """What grading one question needs, precomputed from its `QuestionKey`."""

    key: QuestionKey
    choice_index: dict[str, str]  # response token (exact or folded) → choice key
    correct: frozenset[str]  # keys of the correct choices
    truth: dict[str, bool]  # true/false: choice key → the truth value it stands for
    items: tuple[CompiledItem, ...]
    exact: dict[str, int]  # normalised or compact variant → index of its item
    needed: int  # enumeration: items for full points
    results: dict[object, Result] = field(default_factory=dict)  # response → its result (bounded)
    entries: dict[str, tuple[_Mention, ...]] = field(default_factory=dict)  # enumeration entry → mentions


def _compile_regex(pattern: str) -> regex.Pattern[str]:
    try:
        return regex.compile(pattern, regex.IGNORECASE)
    except regex.error as exc:
        raise ValueError(f"accepted answer {pattern!r} is not a valid regular expression: {exc}") from exc


def _variant(text: str) -> Variant:
    norm = normalize_text(text)
    cjk = has_cjk(norm)
    word_re = None
    if not cjk and norm:
        body = " ?".join(re.escape(word) for word in norm.split(" "))
        word_re = re.compile(f"(?<![{_LATIN}]){body}(?:e?s)?(?![{_LATIN}])")
    return Variant(norm, norm.replace(" ", ""), cjk, word_re)


def _compile_item(text: str, synonyms: Iterable[str], is_regex: bool) -> CompiledItem:
    spellings = [text, *synonyms]
    if is_regex:
        return CompiledItem(text, (), tuple(_compile_regex(p) for p in spellings))
    variants = {v.text: v for v in map(_variant, spellings) if v.text}
    return CompiledItem(text, tuple(variants.values()), ())


def _choice_index(key: QuestionKey) -> dict[str, str]:
    index: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    for choice in key.choices:
        index[choice.key] = choice.key
        folded.setdefault(_fold_choice(choice.key), set()).add(choice.key)
    for fold, keys in folded.items():
        if len(keys) == 1 and fold not in index:
            index[fold] = next(iter(keys))
    return index


def _exact_index(items: tuple[CompiledItem, ...]) -> dict[str, int]:
    exact: dict[str, int] = {}
    for i, item in enumerate(items):
        for variant in item.variants:
            exact.setdefault(variant.text, i)
            exact.setdefault(variant.compact, i)
    return exact


def _build(key: QuestionKey) -> CompiledKey:
    problems = validate_key(key)
    if problems:
        raise ValueError("invalid answer key: " + "; ".join(problems))
    items = tuple(_compile_item(a.text, a.synonyms, a.is_regex) for a in key.accepted)
    truth: dict[str, bool] = {}
    if key.kind == "true_false":
        truth = {c.key: bool(_choice_truth(c.key, c.text)) for c in key.choices}
    return CompiledKey(
        key=key,
        choice_index=_choice_index(key),
        correct=frozenset(c.key for c in key.choices if c.correct),
        truth=truth,
        items=items,
        exact=_exact_index(items),
        needed=key.min_items or len(items),
    )


_COMPILED: dict[int, tuple[weakref.ref[QuestionKey], CompiledKey]] = {}
MEMO_SIZE = 4096  # results (and enumeration entries) remembered per key


def _remember(memo: dict[Any, Any], key: object, value: object) -> None:
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value


def _forget(
    key_id: int,
    cache: dict[int, tuple[weakref.ref[QuestionKey], CompiledKey]] = _COMPILED,
) -> Callable[[weakref.ref[QuestionKey]], None]:
    """Drop the entry of a key object that is gone (`cache` is bound now: globals vanish at exit)."""

    def callback(ref: weakref.ref[QuestionKey]) -> None:
        entry = cache.get(key_id)
        if entry is not None and entry[0] is ref:
            del cache[key_id]

    return callback


def compile_key(key: QuestionKey) -> CompiledKey:
    """The compiled form of `key`, built once per key object. Raises ValueError if `key` is invalid.

    Cached by identity (hashing a whole key costs more than grading a choice); the entry goes
    away with the key object. A new object equal to a recent key reuses its compiled form.
    """
    entry = _COMPILED.get(id(key))
    if entry is not None and entry[0]() is key:
        return entry[1]
    try:
        compiled = _build_cached(key)
    except TypeError:  # a key holding something unhashable
        compiled = _build(key)
    try:
        _COMPILED[id(key)] = (weakref.ref(key, _forget(id(key))), compiled)
    except TypeError:  # a key type without weak references: the value cache still helps
        pass
    return compiled


@lru_cache(maxsize=256)
def _build_cached(key: QuestionKey) -> CompiledKey:
    return _build(key)
