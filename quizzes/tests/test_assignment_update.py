from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from quizzes.authoring import assignment_update
from quizzes.tests.factories import AssignmentFactory


def test_update_changes_the_window_and_rules(db) -> None:
    assignment = AssignmentFactory()
    later = assignment.closes_at + timedelta(days=1)
    updated = assignment_update(assignment=assignment, closes_at=later, max_attempts=3, title="Retake")
    assignment.refresh_from_db()
    assert (
        (assignment.closes_at, assignment.max_attempts, assignment.title)
        == (later, 3, "Retake")
        == (
            updated.closes_at,
            updated.max_attempts,
            updated.title,
        )
    )


def test_update_is_validated_as_a_whole(db) -> None:
    assignment = AssignmentFactory()
    with pytest.raises(ValidationError):
        assignment_update(assignment=assignment, closes_at=assignment.opens_at - timedelta(hours=1))
    with pytest.raises(ValidationError, match="cannot be changed"):
        assignment_update(assignment=assignment, quiz=None)
