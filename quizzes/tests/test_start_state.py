"""May the student start? One rule behind the dashboard's button and the start page's."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from quizzes.models import Attempt
from quizzes.selectors import start_state


def _assignment(*, open_now: bool, max_attempts: int = 2) -> SimpleNamespace:
    now = timezone.now()
    closes = now + timedelta(hours=1) if open_now else now - timedelta(minutes=1)
    return SimpleNamespace(opens_at=now - timedelta(hours=1), closes_for_me=closes, max_attempts=max_attempts)


def test_an_attempt_in_progress_is_continued_not_started_again():
    running = SimpleNamespace(status=Attempt.Status.IN_PROGRESS)
    state = start_state(_assignment(open_now=True), [running], timezone.now())  # type: ignore[arg-type,list-item]
    assert state.in_progress is running and state.may_enter and not state.may_start


def test_no_attempt_left_means_neither_start_nor_enter():
    done = [SimpleNamespace(status=Attempt.Status.GRADED), SimpleNamespace(status=Attempt.Status.SUBMITTED)]
    state = start_state(_assignment(open_now=True), done, timezone.now())  # type: ignore[arg-type]
    assert state.attempts_left == 0 and not state.may_start and not state.may_enter


def test_a_closed_window_refuses_even_the_attempt_in_progress():
    running = SimpleNamespace(status=Attempt.Status.IN_PROGRESS)
    state = start_state(_assignment(open_now=False), [running], timezone.now())  # type: ignore[arg-type,list-item]
    assert not state.may_start and not state.may_enter
