"""Reversed key points: an answer that states a point with the opposite word.

"让输出与攻击目标类别的距离越小越好" answered with "the distance to the target class as large as
possible" shares the point's terms and nearly its vector, and scored as covered. A few groups of
opposites, in Chinese and English (what to minimise or maximise, to be near or far, whether a
change may be seen), are read on the words:

* a point takes a side of a group when its text holds words of one side only (越小: small), and
  no sign word ("负号", "negative": minimising a negated loss is maximising the loss, and an
  answer may say either);
* the answer's clause about the point (at least MIN_SHARED of the point's terms that are not the
  question's, and more than it shares with any other point) that holds words of the other side
  only reverses the point, which then counts as contradicted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import lexical

# Objectives and requirements only ("as small as possible", 越小越好, minimise; imperceptible):
# plain comparatives ("the holes are smaller than the particles" for "the particles are too big")
# and changes ("decreases when the speed increases") relate two things, and reading them as
# opposites crossed correct answers (7 of ~800 on the public sets with bare small/large/increase).
OPPOSITES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("as small as possible", "minimize", "minimise", "minimized", "minimised", "minimizing", "minimising",
         "越小", "最小化", "尽量小", "尽可能小"),
        ("as large as possible", "as big as possible", "maximize", "maximise", "maximized", "maximised",
         "maximizing", "maximising", "越大", "最大化", "尽量大", "尽可能大"),
    ),
    (
        ("as close as possible", "越近", "尽量接近", "尽可能接近"),
        ("as far as possible", "far away", "越远", "远离"),
    ),
    (
        ("imperceptible", "unnoticeable", "invisible", "察觉不到", "不可察觉", "无法察觉", "看不出"),
        ("obvious", "noticeable", "perceptible", "明显", "看得出"),
    ),
)  # fmt: skip
SIGN_WORDS = ("负号", "取负", "负的", "negative", "minus", "negated")
MIN_SHARED = 2
CLAUSE_MARKS = re.compile(r"[,，;；。.!?！？、\n]")


def _has(text: str, form: str) -> bool:
    """A Latin form as a whole word, a Chinese one anywhere (text and form folded)."""
    if lexical.has_cjk(form):
        return form in text
    return re.search(rf"(?<![a-z]){form}(?![a-z])", text) is not None


def _sides(text: str) -> dict[int, int]:
    """Group -> side (0, 1) for the groups whose words of one side only the text holds."""
    out = {}
    for g, (first, second) in enumerate(OPPOSITES):
        a, b = any(_has(text, f) for f in first), any(_has(text, f) for f in second)
        if a != b:
            out[g] = 0 if a else 1
    return out


@dataclass(frozen=True)
class PointSides:
    sides: dict[int, int]  # the point's side per group (empty: nothing to reverse)
    terms: frozenset[str]  # the point's terms that are not the question's


def point_sides(prompt: str, points: Sequence[tuple[str, Sequence[str]]]) -> list[PointSides] | None:
    prompt_terms = set(lexical.content_terms(prompt))
    out = []
    for text, keywords in points:
        folded = lexical.fold(text)
        sides = {} if any(_has(folded, w) for w in SIGN_WORDS) else _sides(folded)
        terms = set(lexical.content_terms(" ".join([text, *keywords]), search=True)) - prompt_terms
        out.append(PointSides(sides, frozenset(terms)))
    return out if any(p.sides for p in out) else None


def reversed_points(answer: str, points: list[PointSides] | None) -> set[int]:
    if not points:
        return set()
    found = set()
    for clause in CLAUSE_MARKS.split(lexical.fold(answer)):
        terms = set(lexical.content_terms(clause, search=True))
        shared = [len(p.terms & terms) for p in points]
        best = max(range(len(points)), key=shared.__getitem__)
        if shared[best] < MIN_SHARED or shared.count(shared[best]) > 1 or not points[best].sides:
            continue
        sides = _sides(clause)
        if any(sides.get(g) == 1 - side for g, side in points[best].sides.items()):
            found.add(best)
    return found
