"""Crossed key points: an answer that says what one point says about another point's subject.

A question that names two or more subjects ("What is the full name of BERT and GPT?", "What do
the local and the global explanation answer?") has a key point per subject. An answer that swaps
them ("BERT is the Generative Pre-training Transformer and GPT is Bidirectional Encoder …") has
every word of the reference and nearly its vector: the formula and the cross-encoder scored it
as right (docs/grading-model.md, bank cases). This check reads terms only, no model:

* a point's subjects are the question's terms among the first few of the point's text that no
  other point names (BERT; GPT). At least two points need one, or there is nothing to cross;
* the answer is cut into clauses (at punctuation); a clause that names several subjects is cut
  again at each mention, the terms next to a mention going with it (after it when the clause
  opens with a subject, before it otherwise: "X is BERT and Y is GPT");
* a part that names one subject and holds clearly more of another point's own terms (those of
  no other point and not of the question) than of its subject's point gives that subject the
  other point's content; two points whose subjects were each given the other's content are
  swapped, and both count as contradicted.

A contradicted point gets no credit: its strength is 0 and the raw score loses its share.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import lexical

HEADING_TERMS = 3  # a subject opens its point ("BERT stands for …", "Local explanation: …")
CLAUSE_MARKS = re.compile(r"[,，;；。.!?！？:：、\n()（）]")
# A part crosses its subject's point when it holds more of another point's own terms than
# CROSS_FACTOR times its own point's plus one: one of GPT's terms and none of BERT's, or 3 to 1.
CROSS_FACTOR = 2


@dataclass(frozen=True)
class PointTerms:
    subjects: frozenset[str]
    own: frozenset[str]  # terms of this point only, not of the question (its subjects among them)


def _terms(text: str) -> set[str]:
    return set(lexical.content_terms(text, search=True))


def point_terms(prompt: str, points: Sequence[tuple[str, Sequence[str]]]) -> list[PointTerms] | None:
    """Subjects and own terms per point (text, keywords), or None when fewer than two points
    have a subject of their own."""
    prompt_terms = set(lexical.content_terms(prompt))
    terms = [_terms(" ".join([text, *keywords])) for text, keywords in points]
    subjects = []
    for i, (text, _) in enumerate(points):
        others = set().union(*(t for j, t in enumerate(terms) if j != i))
        heading = set(lexical.content_terms(text)[:HEADING_TERMS])
        subjects.append(frozenset((heading & prompt_terms) - others))
    if sum(1 for s in subjects if s) < 2:
        return None
    own = []
    for i, mine in enumerate(terms):
        others = set().union(*(t for j, t in enumerate(terms) if j != i))
        own.append(frozenset(mine - others - prompt_terms))
    return [PointTerms(s, o) for s, o in zip(subjects, own, strict=True)]


def _parts(answer: str, points: list[PointTerms]) -> list[tuple[int, set[str]]]:
    """(point whose subject the part names, the part's terms) for every part naming one subject."""
    owner = {s: i for i, p in enumerate(points) for s in p.subjects}
    out = []
    for clause in CLAUSE_MARKS.split(lexical.fold(answer)):
        words = [lexical.term(w) for w in lexical.words(clause, search=True)]
        mentions = [k for k, w in enumerate(words) if w in owner]
        named = {owner[words[k]] for k in mentions}
        if len(named) == 1:
            out.append((named.pop(), set(words)))
        elif len(named) > 1:
            subject_first = mentions[0] == 0
            cuts = mentions[1:] if subject_first else [m + 1 for m in mentions[:-1]]
            bounds = [0, *cuts, len(words)]
            for k, (start, end) in enumerate(itertools.pairwise(bounds)):
                out.append((owner[words[mentions[k]]], set(words[start:end])))
    return out


def crossed_points(answer: str, points: list[PointTerms] | None) -> set[int]:
    """The points of every pair the answer swaps: it gives the subject of one the other's content,
    and the other's subject the first's (one-way crossings are left alone: an aside about the
    other subject, a long answer's comparison, fired on correct answers)."""
    if not points:
        return set()
    gives: set[tuple[int, int]] = set()  # (subject's point, point whose content it was given)
    for subject_point, terms in _parts(answer, points):
        held = [len(p.own & terms) for p in points]
        mine = held[subject_point]
        gives.update(
            (subject_point, j) for j, n in enumerate(held) if j != subject_point and n >= CROSS_FACTOR * mine + 1
        )
    return {i for i, j in gives if (j, i) in gives}
