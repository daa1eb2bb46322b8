"""The per-attempt path grades in micro-batches per question, across attempts, and each answer
exactly once however many workers take part (real workers, a private Redis, the test database)."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from grading import services
from grading.models import Grade, GradingJob
from grading.services import per_attempt, writing
from quizzes import services as quiz_services
from quizzes.models import Attempt

from .builders import exam, free_text_question, objective_questions
from .processes import CeleryWorker, stop_all, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BATCH = re.compile(r"attempts\.batch answers=(?P<answers>\d+) attempts=(?P<attempts>\d+) graded=(?P<graded>\d+)")


def batches(workers: list[CeleryWorker]) -> list[tuple[str, int, int, int]]:
    """(worker, answers, attempts, graded) of every micro-batch, from the workers' logs."""
    return [
        (w.name, int(m["answers"]), int(m["attempts"]), int(m["graded"]))
        for w in workers
        for m in BATCH.finditer(w.log())
    ]


def test_two_workers_grade_waiting_answers_in_batches_each_exactly_once(section, broker, tmp_path):
    # given two running workers taking micro-batches of at most 20 answers
    questions = [*objective_questions(section)[:2], free_text_question(section)]
    class_ = exam(section, questions, students=24)
    answers = class_.answers().count()
    assert answers == 72
    workers = [
        CeleryWorker(
            name, broker_url=broker.url, log_dir=tmp_path, env={"GRADING_CHUNK_SIZE": "20", "GRADING_PARALLELISM": "1"}
        )
        for name in ("m1", "m2")
    ]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:  # both ready before any message: one fast starter cannot take it all
            worker.wait_ready()

        # when 24 students submit at once (one message each, all sent as the submits commit)
        with transaction.atomic():
            for attempt in class_.attempts:
                quiz_services.attempt_submit(attempt=attempt)

        wait_for(lambda: class_.current_grades().count() == answers, timeout=120, what="not every answer was graded")
        wait_for(
            lambda: not Attempt.objects.filter(assignment=class_.assignment).exclude(status="graded").exists(),
            timeout=30,
            what="not every attempt was marked graded",
        )
        wait_for(lambda: sum(b[3] for b in batches(workers)) >= answers, timeout=30, what="batches not all logged")
    finally:
        stop_all(workers)

    # then every answer has exactly one grade, made by its own attempt's job
    assert Grade.objects.filter(answer__attempt__assignment=class_.assignment).count() == answers
    for grade in class_.current_grades().select_related("job", "answer"):
        assert grade.job.kind == GradingJob.Kind.ATTEMPT and grade.job.attempt_id == grade.answer.attempt_id
    # and the answers were taken in batches spanning several attempts, by both workers, none twice
    seen = batches(workers)
    assert sum(graded for *_, graded in seen) == answers
    assert max(answers_ for _, answers_, _, _ in seen) == 20  # 72 waiting, 2 processes: a share of 36
    assert max(attempts for *_, attempts, _ in seen) > 1
    assert {name for name, *_ in seen} == {"m1", "m2"}, seen
    # and every attempt's job is done, counted from the grades
    jobs = GradingJob.objects.filter(kind=GradingJob.Kind.ATTEMPT, attempt__assignment=class_.assignment)
    assert jobs.count() == 24
    assert set(jobs.values_list("status", "done", "total")) == {(GradingJob.Status.DONE, 3, 3)}


@pytest.mark.django_db(transaction=False)
def test_one_attempt_task_grades_every_waiting_attempt_with_one_engine_call_per_question(
    section, monkeypatch, settings
):
    # given ten students who submitted while the window is open, none graded yet, and one grading
    # process (its share of what waits is all of it)
    settings.GRADING_PARALLELISM = 1
    questions = [objective_questions(section)[0], free_text_question(section)]
    class_ = exam(section, questions, students=10)
    for attempt in class_.attempts:
        quiz_services.attempt_submit(attempt=attempt)
    calls: list[tuple[str, int]] = []
    real = writing.grade_batch

    def counting(key, responses, **kwargs):
        calls.append((key.kind, len(responses)))
        return real(key, responses, **kwargs)

    monkeypatch.setattr(writing, "grade_batch", counting)

    # when the first student's message is handled
    services.attempt_grade(class_.attempts[0].pk)

    # then every waiting answer was graded, one engine batch per question, each attempt by its own job
    assert class_.current_grades().count() == 20
    assert sorted(kind for kind, _ in calls) == ["free_text", "single_choice"]
    assert Attempt.objects.filter(assignment=class_.assignment, status="graded").count() == 10
    # and the other students' messages find nothing left to do
    calls.clear()
    for attempt in class_.attempts[1:]:
        job = services.attempt_grade(attempt.pk)
        assert (job.status, job.done, job.total) == (GradingJob.Status.DONE, 2, 2)
    assert calls == []
    assert Grade.objects.filter(answer__attempt__assignment=class_.assignment).count() == 20


@pytest.mark.parametrize(("waiting", "size"), [(10_000, 200), (400, 200), (300, 150), (40, 20), (3, 8), (0, 8)])
def test_micro_batches_shrink_as_the_queue_drains(settings, waiting, size):
    """The last answers are split across the grading processes, not left to one of them."""
    settings.GRADING_CHUNK_SIZE, settings.GRADING_PARALLELISM = 200, 2
    assert per_attempt.micro_batch_size(waiting) == size


def test_the_last_answers_of_an_exam_are_taken_in_small_batches(section, settings):
    # given 24 submitted attempts with 3 answers each, waiting for the per-attempt path
    settings.GRADING_CHUNK_SIZE, settings.GRADING_PARALLELISM = 200, 2
    questions = [*objective_questions(section)[:2], free_text_question(section)]
    class_ = exam(section, questions, students=24)
    for attempt in class_.attempts:
        quiz_services.attempt_submit(attempt=attempt)

    # when one worker takes batches until nothing is left (72 waiting: a share of 36, then fewer)
    sizes = []
    while taken := services.attempts_grade_waiting():
        sizes.append(len(taken))

    # then every answer was graded once, in batches that shrank as the queue drained
    assert sum(sizes) == 72 == class_.current_grades().count()
    assert sizes[0] == 36 and sizes == sorted(sizes, reverse=True) and sizes[-1] <= 8
