"""The order a student sees: questions and choices shuffled per attempt, when the assignment asks.

Drawn once when the attempt starts, from a seed of the attempt's own, and stored with its
questions (`AttemptQuestion.shown_position`, `choice_order`), so a reload, another device or the
API show the same order. Nothing else reads it: results, receipts, exports and analytics keep the
quiz's positions and the bank's codes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from bank.models import Question, QuestionKind

# True / false keeps "True" first: swapping two fixed words tells nothing and only confuses.
SHUFFLED_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


def shown_positions(count: int, rng: random.Random) -> list[int]:
    """The shown position (1-based) of each of `count` questions in quiz order."""
    order = list(range(1, count + 1))
    rng.shuffle(order)
    return order


def choice_order(question: Question, rng: random.Random) -> list[int]:
    """The question's choice ids in the order to show, or [] for the bank's order.

    With three or more choices the bank's order is drawn again: a student asked to face shuffled
    options should never get the import order by chance (with two, forcing a swap would give the
    order away, so both orders stay equally likely).
    """
    if question.kind not in SHUFFLED_KINDS:
        return []
    ids: Sequence[int] = [c.pk for c in question.choices.all()]
    order = list(ids)
    if len(order) < 2:
        return []
    rng.shuffle(order)
    while len(order) > 2 and order == list(ids):
        rng.shuffle(order)
    return order
