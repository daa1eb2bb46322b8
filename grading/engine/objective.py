"""Graders of the objective question kinds: each maps (key, response) to a `Result`.

Policies (feedback states them to the student as well):

* single_choice: full points iff the one selected option is a correct one. Several options, or
  an option the question does not have, score 0. An unknown option means the response and the
  key disagree (e.g. the options were edited after the answer was given), so it is sent to review.
* true_false: the response is read as true or false (True/False, "true"/"false", "t"/"f",
  "yes"/"no", "对"/"错", "正确"/"错误", "是"/"否", "√"/"×", …, or the key of a choice); full
  points iff it equals the correct choice's truth value.
* multiple_choice (partial credit):
  score = max_points × max(0, (correct selected − wrong selected) ÷ number of correct options).
  Duplicates count once; an unknown option counts as a wrong one (and is sent to review).
* numeric: correct iff |x − value| ≤ max(abs_tol, rel_tol × |value|), plus a 1e-9 relative
  epsilon for float noise (so with both tolerances 0 the value must be equal). A percentage
  "12%" is read as 12 (see `parse_number`), but 0.12 is accepted too.
* short_text: correct iff the normalised response (`normalize_text`, or `normalize_compact`)
  equals the normalised form of an accepted text or synonym, or an accepted regular expression
  fullmatches it (case-insensitively; the raw trimmed response is tried as well, for patterns
  with punctuation). Patterns are matched in bounded time (see "Patterns" below).
* enumeration: the response is split into entries; an entry counts for an accepted item when it
  equals the item or a synonym, or contains one as a whole word or phrase (a trailing plural
  "s"/"es" allowed; CJK synonyms as substrings). Each item counts once; one entry counts for
  several items only when their mentions do not overlap. With N = min_items (or every item):
  score = max_points × min(recognised, N) ÷ N.

Every grader: an empty response (None, blank, only punctuation, an empty list) scores 0 with the
flag "empty". Results have confidence 1 and needs_review False, except when the response cannot
be interpreted at all (e.g. a dict for a choice question, "maybe" for true/false): score 0,
confidence 0, needs_review True.

Patterns (regular expressions, and Moodle `*` wildcards imported as `.*`): a pattern such as
`.*a.*a.*a.*b` backtracks polynomially and `(x+)+y` exponentially, so one long response could
hold a grading worker for hours. Text longer than PATTERN_MAX_CHARS is not matched against
patterns, and all pattern matching for one response stops after PATTERN_TIMEOUT_SECONDS (the
`regex` engine's timeout). Either way the answer goes to a person: score 0, needs_review, the
flag "too_long_for_pattern" or "pattern_timeout"; it is never marked wrong for being unchecked.
Exact comparison with the accepted texts is linear and always runs first.

Speed: each key is compiled once (normalised variants, regexes, choice lookups) and cached by
object identity, so a batch pays only the per-response work.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import regex

from .messages import message
from .normalize import contains_digit, has_cjk, normalize_compact, normalize_text, parse_number
from .types import OBJECTIVE_KINDS, QuestionKey, Result

Grader = Callable[[QuestionKey, object], Result]

TRUE_WORDS: frozenset[str] = frozenset(
    {"true", "t", "yes", "y", "right", "correct", "对", "对的", "正确", "是", "是的", "真", "√", "✓", "✔", "☑"}
)
FALSE_WORDS: frozenset[str] = frozenset(
    {
        "false",
        "f",
        "no",
        "n",
        "wrong",
        "incorrect",
        "错",
        "错的",
        "错误",
        "否",
        "不对",
        "不正确",
        "不是",
        "假",
        "×",
        "✗",
        "✘",
        "☒",
    }
)
_CHOICE_SPLIT_RE = re.compile(r"[\s,;，；、]+")
PATTERN_MAX_CHARS = 1_000  # longer text is not matched against accepted-answer patterns
PATTERN_TIMEOUT_SECONDS = 0.1  # all pattern matching of one response
_LATIN = r"0-9a-z\u00c0-\u024f"


# ---------------------------------------------------------------------------------------------
# Compiled keys
# ---------------------------------------------------------------------------------------------


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


def _fold_choice(token: str) -> str:
    return unicodedata.normalize("NFKC", token).strip().casefold()


def _truth_of(word: str) -> bool | None:
    for form in (word.strip(), normalize_text(word), normalize_compact(word)):
        if form in TRUE_WORDS:
            return True
        if form in FALSE_WORDS:
            return False
    return None


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


def _choice_truth(choice_key: str, text: str) -> bool | None:
    truth = _truth_of(choice_key)
    return truth if truth is not None else _truth_of(text)


_COMPILED: dict[int, tuple[weakref.ref[QuestionKey], CompiledKey]] = {}
MEMO_SIZE = 4096  # results (and enumeration entries) remembered per key


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


# ---------------------------------------------------------------------------------------------
# Key validation
# ---------------------------------------------------------------------------------------------


def validate_key(key: QuestionKey) -> list[str]:
    """Problems that make `key` ungradable (empty list: fine). Run it when a key is saved."""
    problems: list[str] = []
    if not math.isfinite(key.max_points) or key.max_points < 0:
        problems.append(f"max_points must be a finite number ≥ 0, not {key.max_points!r}")
    if key.kind not in OBJECTIVE_KINDS:
        problems.append(f"{key.kind!r} is not an objective question kind")
        return problems
    checks: dict[str, Callable[[QuestionKey], list[str]]] = {
        "single_choice": _choice_problems,
        "multiple_choice": _choice_problems,
        "true_false": _true_false_problems,
        "numeric": _numeric_problems,
        "short_text": _accepted_problems,
        "enumeration": _enumeration_problems,
    }
    return problems + checks[key.kind](key)


def _choice_problems(key: QuestionKey) -> list[str]:
    problems = []
    keys = [c.key for c in key.choices]
    if not keys:
        problems.append("the question has no options")
    if len(set(keys)) != len(keys):
        problems.append("two options share the same key")
    if keys and not any(c.correct for c in key.choices):
        problems.append("no option is marked correct")
    return problems


def _true_false_problems(key: QuestionKey) -> list[str]:
    if len(key.choices) != 2:
        return [f"a true/false question needs exactly two options, not {len(key.choices)}"]
    truths = [_choice_truth(c.key, c.text) for c in key.choices]
    problems = []
    if None in truths or truths[0] == truths[1]:
        problems.append('the two options must stand for "true" and "false"')
    if sum(c.correct for c in key.choices) != 1:
        problems.append("exactly one of the two options must be marked correct")
    return problems


def _numeric_problems(key: QuestionKey) -> list[str]:
    numeric = key.numeric
    if numeric is None:
        return ["a numeric question needs a numeric key"]
    values = (float(numeric.value), float(numeric.abs_tol), float(numeric.rel_tol))
    if not all(math.isfinite(v) for v in values):
        return ["the numeric key must be finite"]
    if values[1] < 0 or values[2] < 0:
        return ["tolerances must not be negative"]
    return []


def _accepted_problems(key: QuestionKey) -> list[str]:
    if not key.accepted:
        return ["no accepted answer"]
    problems = []
    for item in key.accepted:
        for text in (item.text, *item.synonyms):
            if item.is_regex:
                try:
                    regex.compile(text, regex.IGNORECASE)
                except regex.error as exc:
                    problems.append(f"accepted answer {text!r} is not a valid regular expression: {exc}")
            elif not normalize_text(text):
                problems.append(f"accepted answer {text!r} is empty once normalised")
    return problems


def _enumeration_problems(key: QuestionKey) -> list[str]:
    problems = _accepted_problems(key)
    if key.min_items < 0 or key.min_items > len(key.accepted):
        problems.append(f"min_items must be between 0 and {len(key.accepted)}, not {key.min_items}")
    return problems


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _result(
    key: QuestionKey,
    fraction: float,
    feedback: str,
    *,
    flags: tuple[str, ...] = (),
    recognised: tuple[str, ...] = (),
    details: dict[str, Any] | None = None,
) -> Result:
    fraction = 0.0 if fraction < 0.0 else 1.0 if fraction > 1.0 else fraction
    return Result(
        score=round(key.max_points * fraction, 6),
        max_points=key.max_points,
        feedback=feedback,
        confidence=1.0,
        needs_review=False,
        flags=flags,
        recognised=recognised,
        details={"grader": key.kind, **details} if details else {"grader": key.kind},
    )


def _empty(key: QuestionKey) -> Result:
    return _result(key, 0.0, message(key.lang, "empty"), flags=("empty",))


def _needs_review(key: QuestionKey, feedback: str, flag: str, details: dict[str, Any] | None = None) -> Result:
    """Score 0 until a person looks: the response could not be interpreted."""
    return Result(
        score=0.0,
        max_points=key.max_points,
        feedback=feedback,
        confidence=0.0,
        needs_review=True,
        flags=(flag,),
        details={"grader": key.kind, **(details or {})},
    )


def _uninterpretable(key: QuestionKey) -> Result:
    return _needs_review(key, message(key.lang, "uninterpretable"), "uninterpretable")


def is_empty(response: object) -> bool:
    """None, a blank string, or a list/tuple/set of nothing but those."""
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, list | tuple | set | frozenset):
        return all(is_empty(r) for r in response)
    return False


# ---------------------------------------------------------------------------------------------
# Choices
# ---------------------------------------------------------------------------------------------


def _choice_tokens(response: object, *, split: bool) -> list[str] | None:
    """The option keys a response names, in order and without duplicates; None if unreadable."""
    if isinstance(response, str):
        raw = [response.strip()]
        if split and raw[0] and _CHOICE_SPLIT_RE.search(raw[0]):
            raw = [t for t in _CHOICE_SPLIT_RE.split(raw[0]) if t]
    elif isinstance(response, int) and not isinstance(response, bool):
        raw = [str(response)]
    elif isinstance(response, list | tuple | set | frozenset):
        values = sorted(response, key=str) if isinstance(response, set | frozenset) else list(response)
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values if v is not None):
            return None
        raw = [str(v).strip() for v in values if v is not None and str(v).strip()]
    else:
        return None
    return list(dict.fromkeys(raw))


def _resolve(compiled: CompiledKey, token: str) -> str | None:
    found = compiled.choice_index.get(token)
    return found if found is not None else compiled.choice_index.get(_fold_choice(token))


def grade_single_choice(key: QuestionKey, response: object) -> Result:
    """Full points iff exactly one option is selected and it is a correct one."""
    if is_empty(response):
        return _empty(key)
    compiled = compile_key(key)
    tokens = _choice_tokens(response, split=False)
    if tokens is None:
        return _uninterpretable(key)
    if len(tokens) == 1 and _resolve(compiled, tokens[0]) is None and isinstance(response, str):
        tokens = _choice_tokens(response, split=True) or tokens  # "a, b" typed into one field
    resolved = {_resolve(compiled, t) or f"?{t}": t for t in tokens}  # "a" and "A" are one option
    if len(resolved) > 1:
        feedback = message(key.lang, "several_choices", count=len(resolved))
        return _result(key, 0.0, feedback, flags=("several_choices",), details={"selected": tokens})
    choice = _resolve(compiled, tokens[0])
    if choice is None:
        feedback = message(key.lang, "unknown_choice", choice=tokens[0])
        return _needs_review(key, feedback, "unknown_choice", {"selected": tokens})
    correct = choice in compiled.correct
    return _result(
        key, float(correct), message(key.lang, "correct" if correct else "incorrect"), details={"selected": [choice]}
    )


def grade_multiple_choice(key: QuestionKey, response: object) -> Result:
    """Partial credit: max_points × max(0, (correct selected − wrong selected) ÷ correct options)."""
    if is_empty(response):
        return _empty(key)
    compiled = compile_key(key)
    tokens = _choice_tokens(response, split=True)
    if tokens is None:
        return _uninterpretable(key)
    resolved = {t: _resolve(compiled, t) for t in tokens}
    unknown = [t for t, choice in resolved.items() if choice is None]
    chosen = set(resolved.values())
    selected = [c.key for c in key.choices if c.key in chosen]  # in the question's order
    right = sum(c in compiled.correct for c in selected)
    wrong = len(selected) - right + len(unknown)
    total = len(compiled.correct)
    fraction = max(0.0, (right - wrong) / total)
    feedback = message(
        key.lang,
        "multiple_choice",
        correct=right,
        total=total,
        wrong=wrong,
        points=_fmt(key.max_points * fraction),
        max_points=_fmt(key.max_points),
    )
    details = {"selected": selected, "correct_selected": right, "wrong_selected": wrong}
    if not unknown:
        return _result(key, fraction, feedback, details=details)
    sep = message(key.lang, "sentence_separator")
    feedback += sep + message(key.lang, "unknown_choices", choices=", ".join(unknown))
    result = _result(key, fraction, feedback, flags=("unknown_choice",), details={**details, "unknown": unknown})
    return replace(result, confidence=0.0, needs_review=True)  # the key may have changed since


def _read_truth(compiled: CompiledKey, response: object) -> bool | None:
    if isinstance(response, bool):
        return response
    if isinstance(response, list | tuple) and len(response) == 1:
        return _read_truth(compiled, response[0])
    if isinstance(response, int):
        response = str(response)
    if not isinstance(response, str):
        return None
    choice = _resolve(compiled, response.strip())
    if choice is not None:
        return compiled.truth[choice]
    return _truth_of(response)


def grade_true_false(key: QuestionKey, response: object) -> Result:
    """Full points iff the response, read as true or false, is the correct option's value."""
    if is_empty(response):
        return _empty(key)
    compiled = compile_key(key)
    value = _read_truth(compiled, response)
    if value is None:
        return _needs_review(key, message(key.lang, "true_false_unreadable"), "uninterpretable")
    expected = next(compiled.truth[c] for c in compiled.correct)
    correct = value == expected
    return _result(
        key, float(correct), message(key.lang, "correct" if correct else "incorrect"), details={"answer": value}
    )


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


def within_tolerance(x: float, value: float, abs_tol: float = 0.0, rel_tol: float = 0.0) -> bool:
    """|x − value| ≤ max(abs_tol, rel_tol × |value|), with a 1e-9 relative epsilon for float noise."""
    allowed = max(abs_tol, rel_tol * abs(value))
    return abs(x - value) <= allowed + 1e-9 * max(abs(value), abs(x))


def grade_numeric(key: QuestionKey, response: object) -> Result:
    """Full points iff the number read from the response is within the key's tolerance."""
    if is_empty(response):
        return _empty(key)
    if isinstance(response, list | tuple) and len(response) == 1:
        response = response[0]
    numeric = compile_key(key).key.numeric
    assert numeric is not None  # validate_key guarantees it
    x = parse_number(response)
    if x is None:
        if isinstance(response, str) and contains_digit(response):
            return _needs_review(key, message(key.lang, "number_in_text"), "not_a_number")
        if not isinstance(response, str | int | float):
            return _uninterpretable(key)
        return _result(key, 0.0, message(key.lang, "not_a_number"), flags=("not_a_number",))
    value, abs_tol, rel_tol = float(numeric.value), float(numeric.abs_tol), float(numeric.rel_tol)
    candidates = (x, x / 100) if isinstance(response, str) and "%" in response else (x,)
    correct = any(within_tolerance(c, value, abs_tol, rel_tol) for c in candidates)
    feedback = message(key.lang, "numeric_correct" if correct else "numeric_incorrect")
    return _result(key, float(correct), feedback, details={"value": x})


# ---------------------------------------------------------------------------------------------
# Short text
# ---------------------------------------------------------------------------------------------


class _PatternUnchecked(Exception):
    """A pattern could not be checked within the bounds; `flag` says which one."""

    def __init__(self, flag: str) -> None:
        super().__init__(flag)
        self.flag = flag


@dataclass(slots=True)
class _PatternBudget:
    """The time left for matching patterns against one response."""

    deadline: float

    @classmethod
    def start(cls) -> _PatternBudget:
        return cls(time.monotonic() + PATTERN_TIMEOUT_SECONDS)

    def match(self, pattern: regex.Pattern[str], how: str, text: str) -> Any:
        """`pattern.fullmatch(text)` or `.search(text)`, or raise _PatternUnchecked."""
        if len(text) > PATTERN_MAX_CHARS:
            raise _PatternUnchecked("too_long_for_pattern")
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _PatternUnchecked("pattern_timeout")
        try:
            return getattr(pattern, how)(text, timeout=remaining)
        except TimeoutError:
            raise _PatternUnchecked("pattern_timeout") from None


def _unchecked(key: QuestionKey, flag: str) -> Result:
    return _needs_review(key, message(key.lang, "pattern_unchecked"), flag)


def _as_text(response: object) -> str | None:
    if isinstance(response, str):
        return response
    if isinstance(response, int | float) and not isinstance(response, bool):
        return str(response)
    if isinstance(response, list | tuple) and all(isinstance(r, str) or r is None for r in response):
        return " ".join(r for r in response if r)
    return None


def _regex_match(item: CompiledItem, text: str, compact: str, raw: str, budget: _PatternBudget) -> bool:
    return any(
        budget.match(p, "fullmatch", text) or budget.match(p, "fullmatch", compact) or budget.match(p, "fullmatch", raw)
        for p in item.regexes
    )


def grade_short_text(key: QuestionKey, response: object) -> Result:
    """Full points iff the normalised response is an accepted answer (see the module docstring)."""
    if is_empty(response):
        return _empty(key)
    compiled = compile_key(key)
    raw = _as_text(response)
    if raw is None:
        return _uninterpretable(key)
    text = normalize_text(raw)
    if not text:
        return _empty(key)
    compact = text.replace(" ", "")
    index = compiled.exact.get(text, compiled.exact.get(compact))
    if index is None:
        stripped = unicodedata.normalize("NFKC", raw).strip()
        budget = _PatternBudget.start()
        try:
            index = next(
                (
                    i
                    for i, item in enumerate(compiled.items)
                    if item.regexes and _regex_match(item, text, compact, stripped, budget)
                ),
                None,
            )
        except _PatternUnchecked as unchecked:
            return _unchecked(key, unchecked.flag)
    if index is None:
        return _result(key, 0.0, message(key.lang, "short_text_incorrect"))
    return _result(key, 1.0, message(key.lang, "short_text_correct"), details={"matched": compiled.items[index].text})


# ---------------------------------------------------------------------------------------------
# Enumeration
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------------------------

GRADERS: dict[str, Grader] = {
    "single_choice": grade_single_choice,
    "multiple_choice": grade_multiple_choice,
    "true_false": grade_true_false,
    "numeric": grade_numeric,
    "short_text": grade_short_text,
    "enumeration": grade_enumeration,
}


def _remember(memo: dict[Any, Any], key: object, value: object) -> None:
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value


def _memo_key(response: object) -> object:
    """A hashable stand-in for `response` that tells apart True, 1 and "1"; None if there is none."""
    if isinstance(response, str):
        return response
    if response is None or isinstance(response, int | float):
        return (type(response).__name__, response)
    if isinstance(response, list | tuple):
        parts = tuple(_memo_key(r) for r in response)
        return None if None in parts else ("list", parts)
    if isinstance(response, set | frozenset):
        parts = tuple(sorted((_memo_key(r) for r in response), key=repr))
        return None if None in parts else ("set", parts)
    return None


def grade_objective(key: QuestionKey, response: object) -> Result:
    """Grade one response to an objective question. Raises ValueError for a non-objective kind
    or an invalid key (see `validate_key`), before any response is scored.

    Identical responses to the same key get the same `Result` object back: treat it, and its
    `details`, as read-only.
    """
    grader = GRADERS.get(key.kind)
    if grader is None:
        raise ValueError(f"{key.kind!r} is not an objective question kind")
    compiled = compile_key(key)
    memo_key = _memo_key(response)
    if memo_key is None:
        return grader(key, response)
    result = compiled.results.get(memo_key)
    if result is None:
        result = grader(key, response)
        _remember(compiled.results, memo_key, result)
    return result
