"""Pre-grading during the window: stable free-text answers are scored into the score cache only,
invisibly, until the window closes; the grading after the close finds their scores and does not
score them again; an answer changed afterwards is scored fresh. The tick is called with `now`
moved on (what beat does every GRADING_PREGRADE_EVERY seconds); engine calls are counted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grading import selectors, services
from grading.engine.types import OBJECTIVE_KINDS
from grading.models import Grade, GradingJob, ScoreCacheEntry
from grading.services import writing
from quizzes import services as quiz_services
from quizzes.models import Attempt

from . import probes
from .builders import auto_submit_at_close, exam, free_text_question, objective_questions

pytestmark = pytest.mark.django_db

STABLE = timedelta(seconds=61)  # past GRADING_PREGRADE_AFTER (60 s)


def text(question, i: int):
    if question.kind in OBJECTIVE_KINDS:
        return None  # the objective questions stay unanswered: only free text is pre-graded
    return f"学生{i}: 自编码器学习输入数据的紧凑表示 (a compact representation, take {i})."


@pytest.fixture
def class_(section):
    """An open exam (closes in an hour) of one free-text and one single-choice question, 5 students."""
    return exam(section, [free_text_question(section), objective_questions(section)[0]], students=5, respond=text)


@pytest.fixture
def engine_calls(monkeypatch):
    """The free-text responses the engine is asked to score, call by call."""
    calls: list[list[str]] = []
    real = writing.grade_batch

    def counting(key, responses, **kwargs):
        if key.kind not in OBJECTIVE_KINDS:
            calls.append(list(responses))
        return real(key, responses, **kwargs)

    monkeypatch.setattr(writing, "grade_batch", counting)
    return calls


def grade_after_close(class_) -> None:
    """The window closes and the batch path grades every answer (what the job's chunks do)."""
    auto_submit_at_close(class_)
    job = GradingJob.objects.create(kind=GradingJob.Kind.ASSIGNMENT, assignment=class_.assignment)
    for chunk in services.job_plan(job.pk):
        services.chunk_grade(job.pk, chunk)


def test_a_stable_free_text_answer_is_scored_into_the_cache_only(class_, engine_calls):
    # when the answers have not changed for a minute and a tick runs
    outcome = services.answers_pregrade(now=timezone.now() + STABLE)

    # then the five free-text answers were scored, once each, into the cache; nothing else
    assert (outcome.examined, outcome.scored, outcome.from_cache) == (5, 5, 0)
    assert len(engine_calls) == 1 and len(engine_calls[0]) == 5
    assert ScoreCacheEntry.objects.filter(question=class_.questions[0]).count() == 5
    assert not Grade.objects.exists()
    assert not GradingJob.objects.exists()
    assert set(Attempt.objects.filter(assignment=class_.assignment).values_list("status", flat=True)) == {"in_progress"}


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    # What differs between two renders anyway: the CSRF token's mask, the timer's clock and countdown.
    page = re.sub(
        r'(csrfmiddlewaretoken" value="|csrf-token" content="|data-server-now=")[^"]+', r"\1", response.content.decode()
    )
    return re.sub(r"(data-timer-display>)[^<]*", r"\1", page)


def test_pregrading_is_invisible_to_students_and_staff(client, class_, instructor):
    # given the pages a student and an instructor see during the window
    attempt = class_.attempts[0]
    answer = attempt.answers.get(question=class_.questions[0])
    pages = [
        (attempt.student, reverse("portal:attempt", args=[attempt.pk])),
        (instructor, reverse("teach:answer", args=[answer.pk])),
        (instructor, reverse("teach:review", args=[class_.assignment.pk])),
    ]
    before = [_page(client, user, url) for user, url in pages]

    # when the answers are pre-graded
    assert services.answers_pregrade(now=timezone.now() + STABLE).scored == 5

    # then no selector and no page shows anything new: no grade, no score, no progress
    assert [_page(client, user, url) for user, url in pages] == before
    assert all(row.grade is None for row in selectors.attempt_rows(attempt))
    assert selectors.attempt_total(selectors.attempt_rows(attempt))[0] == 0
    assert not selectors.attempt_grading_done(attempt)
    assert selectors.batch_jobs_progress(class_.assignment) == []


def test_an_answer_saved_less_than_a_minute_ago_waits(class_, engine_calls):
    outcome = services.answers_pregrade(now=timezone.now() + timedelta(seconds=30))
    assert outcome.examined == 0 and engine_calls == []


def test_pregrading_stops_when_the_window_closes(class_, engine_calls):
    # when the first tick after the close runs (the attempts not even auto-submitted yet)
    outcome = services.answers_pregrade(now=class_.assignment.closes_at + timedelta(seconds=1))
    assert outcome.examined == 0
    # nor once they are
    auto_submit_at_close(class_)
    assert services.answers_pregrade(now=class_.closes + STABLE).examined == 0
    assert engine_calls == [] and not ScoreCacheEntry.objects.exists()


def test_a_submitted_attempt_is_not_pregraded(class_, engine_calls):
    quiz_services.attempt_submit(attempt=class_.attempts[0])
    probes.purge_queues()  # the submit's grade_attempt message: not what this test is about
    assert services.answers_pregrade(now=timezone.now() + STABLE).examined == 4


def test_the_grading_after_the_close_uses_the_pregraded_scores(class_, engine_calls):
    # given the free-text answers pre-graded during the window
    assert services.answers_pregrade(now=timezone.now() + STABLE).scored == 5
    pregraded = len(engine_calls)

    # when the window closes and the answers are graded
    grade_after_close(class_)

    # then the free text was not scored a second time, and every answer has its grade
    assert len(engine_calls) == pregraded == 1
    assert class_.current_grades().count() == class_.answers().count() == 10
    free = class_.current_grades().filter(answer__question=class_.questions[0])
    assert free.count() == 5 and all(g.score is not None or g.status == "needs_review" for g in free)


def test_an_answer_changed_after_pregrading_is_scored_fresh(class_, engine_calls):
    # given pre-graded answers, one of which the student then changes
    now = timezone.now()
    assert services.answers_pregrade(now=now + STABLE).scored == 5
    changed = class_.attempts[2]
    quiz_services.answers_save(
        attempt=changed, responses={class_.questions[0].pk: "A different answer: it compresses the input."}
    )

    # when the window closes and everything is graded
    grade_after_close(class_)

    # then only the changed answer was scored again, and its grade is for its new text
    assert engine_calls[1:] == [["A different answer: it compresses the input."]]
    grade = class_.current_grades().get(answer__attempt=changed, answer__question=class_.questions[0])
    (fresh,) = writing.grade_batch(
        writing.adapters.question_key(class_.questions[0], grade.max_points),
        ["A different answer: it compresses the input."],
    )
    assert grade.feedback == fresh.feedback and grade.confidence == pytest.approx(fresh.confidence)


def test_each_stable_answer_is_examined_once_in_batches(class_, settings, engine_calls):
    settings.GRADING_PREGRADE_BATCH = 3
    now = timezone.now() + STABLE
    first = services.answers_pregrade(now=now)
    second = services.answers_pregrade(now=now + timedelta(seconds=15))
    third = services.answers_pregrade(now=now + timedelta(seconds=30))
    assert (first.examined, second.examined, third.examined) == (3, 2, 0)
    assert sum(map(len, engine_calls)) == 5


def test_pregrading_yields_while_real_grading_has_work(class_, engine_calls):
    GradingJob.objects.create(kind=GradingJob.Kind.ASSIGNMENT, assignment=class_.assignment)
    outcome = services.answers_pregrade(now=timezone.now() + STABLE)
    assert outcome.skipped == "grading" and outcome.examined == 0 and engine_calls == []


@pytest.mark.django_db(transaction=True)
def test_one_tick_at_a_time_a_second_one_returns_at_once(section, engine_calls):
    class_ = exam(section, [free_text_question(section)], students=2, respond=text)
    services.answers_pregrade(now=timezone.now())  # nothing stable yet; creates the cursor
    with probes.rows_held([1], table="grading_pregradecursor"):  # a tick running elsewhere
        outcome = services.answers_pregrade(now=timezone.now() + STABLE)
    assert outcome.skipped == "busy" and engine_calls == []
    assert services.answers_pregrade(now=timezone.now() + STABLE).examined == 2
    assert class_.answers().count() == 2
