"""Which attempt of a student counts: one rule for the gradebook and the analytics."""

from __future__ import annotations

from decimal import Decimal

from grading.analytics import best_attempts


def test_the_highest_total_counts_and_a_tie_goes_to_the_later_attempt():
    attempts = [(7, "first", Decimal(5)), (7, "second", Decimal(8)), (7, "third", Decimal(8)), (9, "only", Decimal(0))]
    best = best_attempts(attempts, student=lambda a: a[0], total=lambda a: a[2])
    assert {who: name for who, (_, name, _) in best.items()} == {7: "third", 9: "only"}
