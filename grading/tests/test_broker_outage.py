"""The portal never waits for the broker: with a private redis-server stopped or frozen, every
submit succeeds within the enqueue bound, and nothing is lost once the broker is back (the
sweeper sends what the submits could not)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from grading import selectors, services
from grading.models import Grade
from quizzes import services as quiz_services
from quizzes.models import Answer, Attempt

from .builders import exam, objective_questions
from .processes import CeleryWorker, stop_all, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBMIT_BOUND = 1.0  # seconds: ENQUEUE_TIMEOUT (0.5) plus the submit's own work, on a loaded machine


def submit_all(attempts: list[Attempt]) -> list[float]:
    seconds = []
    for attempt in attempts:
        started = time.monotonic()
        assert quiz_services.attempt_submit(attempt=attempt).status == Attempt.Status.SUBMITTED
        seconds.append(time.monotonic() - started)
    return seconds


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_submits_stay_fast_while_the_broker_is_out_and_nothing_is_lost(section, broker, tmp_path, outage):
    # given an open exam and a warm publisher (the first message of a process opens its connection)
    class_ = exam(section, objective_questions(section)[:3], students=6)
    saved = sorted(Answer.objects.filter(attempt__assignment=class_.assignment).values_list("pk", "response"))
    quiz_services.attempt_submit(attempt=class_.attempts[0])

    # when the broker is stopped (connections refused) or frozen (accepted, never answered)
    broker.stop() if outage == "stopped" else broker.freeze()
    seconds = submit_all(class_.attempts[1:])

    # then every submit succeeded within the bound, with its answers stored as saved
    assert max(seconds) < SUBMIT_BOUND, f"a submit waited {max(seconds):.2f}s for the broker ({outage})"
    assert Attempt.objects.filter(assignment=class_.assignment, status=Attempt.Status.SUBMITTED).count() == 6
    assert sorted(Answer.objects.filter(attempt__assignment=class_.assignment).values_list("pk", "response")) == saved

    # when the broker is back and the sweeper runs once its delay has passed, before any worker
    # (a frozen broker can still take the messages its socket buffered; graded first, they would
    # leave the sweeper nothing to find: a race, not a property)
    broker.start() if outage == "stopped" else broker.thaw()
    outcome = services.sweep(now=timezone.now() + selectors.SWEEP_AFTER + timedelta(seconds=1))
    assert outcome.attempts >= 5  # every attempt submitted in the outage is still ungraded
    worker = CeleryWorker(f"outage-{outage}", broker_url=broker.url, log_dir=tmp_path).start()
    try:
        worker.wait_ready()

        # then every answer is graded, each exactly once (a message sent twice grades nothing twice)
        answers = class_.answers().count()
        wait_for(lambda: class_.current_grades().count() == answers, timeout=90, what="not every answer graded")
    finally:
        stop_all([worker])
    assert Grade.objects.filter(answer__attempt__assignment=class_.assignment).count() == answers == 18
