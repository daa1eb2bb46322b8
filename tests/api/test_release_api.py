"""`/api/v1/grades/mine` follows the release rule: scores by the policy, the key only once nobody
can still answer the questions (issue 12, item 1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from grading.models import Grade
from quizzes.models import Assignment

from .conftest import World


def _answers(world: World) -> dict[int, dict]:
    (attempt,) = world.client("student").get("/api/v1/grades/mine").json()["results"]
    return {a["question"]: a for a in attempt["answers"]}, attempt


def test_my_grades_hide_right_and_wrong_and_feedback_while_the_window_is_open(world: World) -> None:
    # given the graded attempt of an "as soon as graded" assignment whose window is open
    Grade.objects.filter(answer__attempt=world.graded).update(feedback="Missing: SECRET-KEYPOINT")

    answers, attempt = _answers(world)

    # then the total shows, but not which objective answer was right, nor any feedback
    assert attempt["score"] is not None
    assert attempt["key_hidden_until"] is not None
    hidden_until = datetime.fromisoformat(attempt["key_hidden_until"])
    assignment = world.assignment
    assert hidden_until == assignment.closes_at + assignment.grace_period
    choice = answers[world.choice_q.pk]
    assert choice["score"] is None and choice["key_shown"] is False
    assert all(a["feedback"] == "" for a in answers.values())
    assert "SECRET-KEYPOINT" not in str(answers)


def test_my_grades_show_everything_once_nobody_can_answer(world: World) -> None:
    Grade.objects.filter(answer__attempt=world.graded).update(feedback="Correct.")
    now = timezone.now()
    Assignment.objects.filter(pk=world.assignment.pk).update(
        opens_at=now - timedelta(days=2), closes_at=now - timedelta(hours=1)
    )
    world.open_attempt.delete()  # nobody is still answering

    answers, attempt = _answers(world)

    assert attempt["key_hidden_until"] is None
    choice = answers[world.choice_q.pk]
    assert choice["key_shown"] is True and choice["score"] == "2.00" and choice["feedback"] == "Correct."
