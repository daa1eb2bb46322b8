"""Grading jobs through the services, on PostgreSQL and Redis, without a worker.

The tests play the worker's part: they call `job_plan` and `chunk_grade` (what `grade_job` and
`grade_chunk` do) and read what the services wrote.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bank.models import QuestionKind
from grading import selectors, services
from grading.engine import batch
from grading.models import Grade, GradingJob, SimilarityReport
from grading.services import writing
from grading.tasks import grade_attempt, grade_chunk
from quizzes import services as quiz_services
from quizzes.models import Answer, Assignment, Attempt

from . import probes
from .builders import (
    auto_submit_at_close,
    exam,
    free_text_question,
    key_change,
    objective_questions,
)


@pytest.fixture(autouse=True)
def empty_queues():
    """Enqueues in these tests reach the real broker (db 15); leave it as it was found."""
    probes.purge_queues()
    yield
    probes.purge_queues()


def assignment_job(exam_) -> GradingJob:
    """Close the window the way beat does and return the one batch job it started."""
    services.attempts_close_due(now=exam_.closes)
    return GradingJob.objects.get(kind=GradingJob.Kind.ASSIGNMENT, assignment=exam_.assignment)


def grade_all(job: GradingJob) -> GradingJob:
    for chunk in services.job_plan(job.pk):
        services.chunk_grade(job.pk, chunk)
    job.refresh_from_db()
    return job


# --- closing the window -----------------------------------------------------------------------


@pytest.mark.django_db
def test_auto_submit_at_deadline_keeps_the_saved_answers(section, student):
    # given a 30-minute attempt with two of three questions answered, never submitted
    single, multiple, numeric = objective_questions(section)[:3]
    class_ = exam(section, [single, multiple, numeric], students=0, time_limit=timedelta(minutes=30))
    attempt = quiz_services.attempt_start(assignment=class_.assignment, student=student)
    right = [str(pk) for pk in multiple.choices.filter(is_correct=True).values_list("pk", flat=True)]
    quiz_services.answers_save(
        attempt=attempt, responses={single.pk: str(single.choices.get(is_correct=True).pk), multiple.pk: right}
    )
    saved = dict(Answer.objects.filter(attempt=attempt).values_list("question_id", "response"))

    # when the deadline passes and beat ticks
    submitted, _jobs = services.attempts_close_due(now=attempt.deadline + timedelta(seconds=1))

    # then the attempt is auto-submitted with the saved answers; the unanswered question is an empty answer
    attempt.refresh_from_db()
    assert submitted == 1
    assert attempt.status == Attempt.Status.AUTO_SUBMITTED
    stored = dict(Answer.objects.filter(attempt=attempt).values_list("question_id", "response"))
    assert stored == {**saved, numeric.pk: None}
    assert len(saved) == 2

    # and grading scores the saved answers as they were saved
    services.attempt_grade(attempt.pk)
    scores = dict(
        Grade.objects.filter(answer__attempt=attempt, is_current=True).values_list("answer__question", "score")
    )
    assert scores == {single.pk: Decimal(2), multiple.pk: Decimal(3), numeric.pk: Decimal(0)}


@pytest.mark.django_db
def test_closing_the_window_twice_starts_one_job(section):
    # given an exam whose window has closed
    class_ = exam(section, objective_questions(section)[:2], students=3)

    # when beat ticks twice
    first = services.attempts_close_due(now=class_.closes)
    second = services.attempts_close_due(now=class_.closes + timedelta(minutes=1))

    # then the first tick auto-submits and starts the job; the second does nothing
    assert first == (3, 1)
    assert second == (0, 0)
    assert GradingJob.objects.filter(assignment=class_.assignment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_closing_the_window_from_two_threads_at_once_starts_one_job_and_sends_one_message(section):
    # given an exam whose window has closed
    class_ = exam(section, objective_questions(section)[:2], students=3)
    auto_submit_at_close(class_)
    results: list[tuple[int, int]] = []

    def tick() -> None:
        try:
            results.append(services.attempts_close_due(now=class_.closes))
        finally:
            connection.close()

    # when two beat ticks run at once, both past the "no job yet" check before either commits:
    # the test holds the assignment row, which a new job's foreign key check share-locks at commit
    threads = [threading.Thread(target=tick) for _ in range(2)]
    with transaction.atomic():
        Assignment.objects.select_for_update().get(pk=class_.assignment.pk)
        for thread in threads:
            thread.start()
        probes.wait_for_lock_waiters(2)
    for thread in threads:
        thread.join(timeout=30)

    # then the unique constraint lets exactly one through: one job, one message on the grading queue
    assert sorted(jobs for _attempts, jobs in results) == [0, 1]
    job = GradingJob.objects.get(assignment=class_.assignment)
    # (the similarity report is created by the same close, once, and waits for the job's end)
    assert SimilarityReport.objects.filter(assignment=class_.assignment).count() == 1
    assert probes.queued_messages("grading") == [("grading.tasks.grade_job", [job.pk])]
    assert Attempt.objects.filter(assignment=class_.assignment, status=Attempt.Status.AUTO_SUBMITTED).count() == 3


@pytest.mark.django_db(transaction=True)
def test_students_saving_and_submitting_at_the_deadline_do_not_wait_for_each_other(section):
    # given two students in one exam
    (single,) = objective_questions(section)[:1]
    class_ = exam(section, [single], students=2)
    first, second = class_.attempts
    answer = {single.pk: str(single.choices.get(is_correct=True).pk)}
    other_done = threading.Event()

    def second_student() -> None:
        try:
            quiz_services.answers_save(attempt=second, responses=answer)
            quiz_services.attempt_submit(attempt=second)
            other_done.set()
        finally:
            connection.close()

    # when the second student saves and submits while the first student's save is still in its transaction
    thread = threading.Thread(target=second_student)
    with transaction.atomic():
        quiz_services.answers_save(attempt=first, responses=answer)
        thread.start()
        unblocked = other_done.wait(timeout=5)
    thread.join(timeout=30)

    # then the second student did not wait: a save locks the student's attempt, not the whole assignment
    assert unblocked, "one student's save blocked another student's save (lock on the assignment row)"
    second.refresh_from_db()
    assert second.status == Attempt.Status.SUBMITTED


@pytest.mark.django_db
def test_a_closed_window_without_submissions_finishes_its_job(section):
    # given an assignment nobody took
    class_ = exam(section, objective_questions(section)[:1], students=0)

    # when its window closes and the job is planned
    job = assignment_job(class_)
    chunks = services.job_plan(job.pk)

    # then there is nothing to do and the job is done, not left running for the sweeper forever
    job.refresh_from_db()
    assert chunks == []
    assert (job.status, job.total, job.done) == (GradingJob.Status.DONE, 0, 0)
    assert job.finished_at is not None


# --- planning chunks --------------------------------------------------------------------------


@pytest.mark.django_db
def test_job_plan_makes_small_chunks_with_identical_responses_adjacent(section, settings):
    # given chunks of 3 and a class whose answers repeat
    settings.GRADING_CHUNK_SIZE = 3
    class_ = exam(section, [*objective_questions(section)[:3], free_text_question(section)], students=7)
    auto_submit_at_close(class_)
    job = assignment_job(class_)

    # when the job is planned
    chunks = services.job_plan(job.pk)

    # then no chunk is larger than 3, every answer is planned exactly once
    assert all(1 <= len(chunk) <= 3 for chunk in chunks)
    planned = [answer_id for chunk in chunks for answer_id in chunk]
    assert sorted(planned) == class_.answer_ids()
    assert len(planned) == 28
    # and identical responses to one question follow each other
    answers = Answer.objects.in_bulk(planned)
    keys = [(answers[i].question_id, json.dumps(answers[i].response, sort_keys=True)) for i in planned]
    runs = [key for i, key in enumerate(keys) if i == 0 or keys[i - 1] != key]
    assert len(runs) == len(set(keys)), "a response group was split by another response"
    job.refresh_from_db()
    assert (job.status, job.total) == (GradingJob.Status.RUNNING, 28)


@pytest.mark.django_db
def test_replanning_after_partial_grading_returns_only_the_rest(section, settings):
    # given a planned job whose first two chunks were graded
    settings.GRADING_CHUNK_SIZE = 3
    class_ = exam(section, objective_questions(section)[:3], students=4)
    auto_submit_at_close(class_)
    job = assignment_job(class_)
    chunks = services.job_plan(job.pk)
    for chunk in chunks[:2]:
        services.chunk_grade(job.pk, chunk)

    # when the job is planned again (a redelivered grade_job, or the sweeper)
    again = services.job_plan(job.pk)

    # then only the answers still ungraded come back, in chunks of at most 3
    rest = {answer_id for chunk in chunks[2:] for answer_id in chunk}
    assert {answer_id for chunk in again for answer_id in chunk} == rest
    assert all(len(chunk) <= 3 for chunk in again)
    # and once those are graded there is nothing left and the job is done
    for chunk in again:
        services.chunk_grade(job.pk, chunk)
    assert services.job_plan(job.pk) == []
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (GradingJob.Status.DONE, 12, 12)


# --- scoring a chunk --------------------------------------------------------------------------


@pytest.mark.django_db
def test_identical_responses_in_a_chunk_are_scored_once(section, monkeypatch):
    # given 9 students whose answers to each question follow 3 (multiple choice: 3) patterns
    single, multiple, numeric = objective_questions(section)[:3]
    class_ = exam(section, [single, multiple, numeric], students=9)
    auto_submit_at_close(class_)
    calls: list[tuple[str, str]] = []
    real = batch.grade_objective

    def counting(key, response):
        calls.append((key.prompt, json.dumps(response)))
        return real(key, response)

    monkeypatch.setattr(batch, "grade_objective", counting)

    # when the whole class is graded as one chunk
    outcome = services.grade_answers(class_.answer_ids())

    # then each distinct stored response to a question was scored once, and every answer got its grade
    assert outcome.graded == 27
    assert len(calls) == len(set(calls))
    distinct = {(a.question_id, json.dumps(a.response)) for a in class_.answers()}
    assert len(calls) == len(distinct) == 8  # single 2 + multiple 3 + numeric 3 ("0.15", "15%", "0.2")
    assert class_.current_grades().count() == 27


# Queries of `chunk_grade` on a chunk that does not finish its job, whatever its size: load the job,
# the answers, the questions with their choices, accepted answers and rubric points (4), the current
# grades, the attempts' points and assignments, the overrides in those assignments (calibration
# examples), the score cache (look up, store what was scored); then one transaction (SAVEPOINT/RELEASE here inside the test's transaction;
# BEGIN/COMMIT, not counted, in a worker): lock the answers, re-read their current grades, insert the grades; mark attempts graded;
# recount the job (load, count, update, re-read).
CHUNK_QUERIES = 21


@pytest.mark.django_db
def test_grading_a_chunk_takes_the_same_number_of_queries_for_20_or_200_answers(
    section, settings, django_assert_max_num_queries
):
    # given a job of 225 answers (five question kinds) planned as one big chunk
    settings.GRADING_CHUNK_SIZE = 1000
    class_ = exam(section, [*objective_questions(section)[:4], free_text_question(section)], students=45)
    auto_submit_at_close(class_)
    job = assignment_job(class_)
    (planned,) = services.job_plan(job.pk)
    small, large = planned[:20], planned[20:220]

    # when a chunk of 20 and then a chunk of 200 are graded
    with django_assert_max_num_queries(CHUNK_QUERIES) as small_queries:
        services.chunk_grade(job.pk, small)
    with django_assert_max_num_queries(CHUNK_QUERIES) as large_queries:
        services.chunk_grade(job.pk, large)

    # then both take the same, small number of queries
    assert len(small_queries) == len(large_queries)
    assert class_.current_grades().count() == 220


# --- progress and failures --------------------------------------------------------------------


@pytest.mark.django_db
def test_job_progress_is_counted_from_the_grades(section, settings):
    # given a job of 12 answers in chunks of 5
    settings.GRADING_CHUNK_SIZE = 5
    class_ = exam(section, objective_questions(section)[:3], students=4)
    auto_submit_at_close(class_)
    job = assignment_job(class_)
    queued = selectors.job_progress(job.pk)
    chunks = services.job_plan(job.pk)

    # when the first chunk is graded
    services.chunk_grade(job.pk, chunks[0])
    halfway = selectors.job_progress(job.pk)
    for chunk in chunks[1:]:
        services.chunk_grade(job.pk, chunk)
    finished = selectors.job_progress(job.pk)

    # then progress says where the job is, and when it is done
    assert (queued.status, queued.total, queued.percent, queued.started_at) == ("queued", 0, 0, None)
    assert (halfway.status, halfway.total, halfway.done, halfway.failed, halfway.percent) == ("running", 12, 5, 0, 42)
    assert halfway.finished_at is None and halfway.seconds is not None
    assert (finished.status, finished.done, finished.percent, finished.error) == ("done", 12, 100, "")
    assert finished.finished_at is not None and finished.seconds >= 0


@pytest.mark.django_db
def test_a_chunk_that_fails_for_good_is_dead_lettered_and_the_other_chunks_are_graded(section, settings, monkeypatch):
    # given a job of two chunks, one of which the engine cannot grade (a bug, not a hiccup)
    settings.GRADING_CHUNK_SIZE = 4
    questions = objective_questions(section)
    single, numeric = questions[0], questions[2]
    class_ = exam(section, [single, numeric], students=4)
    auto_submit_at_close(class_)
    job = assignment_job(class_)
    chunks = services.job_plan(job.pk)
    assert len(chunks) == 2
    real = writing.grade_batch

    def broken_for_numeric(key, responses, **kwargs):
        if key.kind == QuestionKind.NUMERIC:
            raise ValueError("numeric key has no value")
        return real(key, responses, **kwargs)

    monkeypatch.setattr(writing, "grade_batch", broken_for_numeric)

    # when the worker runs both chunk tasks
    results = [grade_chunk.apply(args=[job.pk, chunk]) for chunk in chunks]

    # then both tasks end (no retries for a bug: the failure is recorded, not raised), the good
    # chunk is graded and the bad one dead-lettered
    assert [r.state for r in results] == ["SUCCESS", "SUCCESS"]
    assert class_.current_grades().filter(answer__question=single).count() == 4
    assert class_.current_grades().filter(answer__question=numeric).count() == 0
    # and the job ends failed, saying how many and why
    progress = selectors.job_progress(job.pk)
    assert (progress.status, progress.done, progress.failed, progress.total) == ("failed", 4, 4, 8)
    assert progress.error == "ValueError: numeric key has no value"
    job.refresh_from_db()
    assert sorted(job.failed_answers) == sorted(chunks[1])


@pytest.mark.django_db
def test_an_attempt_whose_grading_fails_for_good_says_why_and_is_not_swept_again(section, student, monkeypatch):
    # given a submitted attempt that the engine cannot grade (a bug in one question's key)
    questions = objective_questions(section)
    single, numeric = questions[0], questions[2]
    class_ = exam(section, [single, numeric], students=1)
    attempt = quiz_services.attempt_submit(attempt=class_.attempts[0])
    real = writing.grade_batch

    def broken_for_numeric(key, responses, **kwargs):
        if key.kind == QuestionKind.NUMERIC:
            raise ValueError("numeric key has no value")
        return real(key, responses, **kwargs)

    monkeypatch.setattr(writing, "grade_batch", broken_for_numeric)

    # when the worker runs the per-attempt task
    result = grade_attempt.apply(args=[attempt.pk])

    # then the other question of the attempt is graded, and the attempt's job says what failed and why
    assert result.state == "SUCCESS"
    assert class_.current_grades().filter(answer__question=single).count() == 1
    assert class_.current_grades().filter(answer__question=numeric).count() == 0
    job = GradingJob.objects.get(kind=GradingJob.Kind.ATTEMPT, attempt=attempt)
    progress = selectors.job_progress(job.pk)
    assert (progress.status, progress.done, progress.failed, progress.total) == ("failed", 1, 1, 2)
    assert progress.error == "ValueError: numeric key has no value"
    # and the sweeper leaves it to a person instead of sending it again every two minutes
    assert services.sweep(now=timezone.now() + selectors.SWEEP_AFTER + timedelta(seconds=1)).attempts == 0


@pytest.mark.django_db
def test_an_attempt_task_that_raises_is_dead_lettered_on_its_job(section, monkeypatch):
    # given a submitted attempt and a bug outside the engine (the failure escapes the task)
    class_ = exam(section, objective_questions(section)[:2], students=1)
    attempt = quiz_services.attempt_submit(attempt=class_.attempts[0])
    services.attempt_grade(attempt.pk)  # the job exists and is planned...
    GradingJob.objects.filter(attempt=attempt).update(status=GradingJob.Status.RUNNING)
    Grade.objects.filter(answer__attempt=attempt).delete()  # ...but nothing got written

    def broken(*args, **kwargs):
        raise RuntimeError("bug in the services")

    monkeypatch.setattr(services, "attempt_grade", broken)

    # when the worker runs the task, then it fails without retries and its job records why
    assert grade_attempt.apply(args=[attempt.pk]).state == "FAILURE"
    progress = selectors.job_progress(GradingJob.objects.get(attempt=attempt).pk)
    assert (progress.status, progress.failed) == ("failed", 2)
    assert progress.error == "RuntimeError: bug in the services"


def _deliver_again(task, *args):
    """Run a task as the broker runs a message it delivers again after its worker was lost."""
    task.push_request(delivery_info={"redelivered": True}, args=list(args))
    try:
        return task.run(*args)
    finally:
        task.pop_request()


@pytest.fixture
def one_chunk_job(section):
    """Two students closed out of a two-question exam: a job of one chunk of 4 answers."""
    class_ = exam(section, objective_questions(section)[:2], students=2)
    auto_submit_at_close(class_)
    job = assignment_job(class_)
    (chunk,) = services.job_plan(job.pk)
    return class_, job, chunk


@pytest.mark.django_db
def test_a_chunk_that_kills_its_worker_every_time_is_dead_lettered_after_three_redeliveries(one_chunk_job):
    # given a job of one chunk whose worker died three times already (e.g. out of memory)
    class_, job, chunk = one_chunk_job
    for _ in range(services.jobs.MAX_REDELIVERIES):
        assert services.chunk_redelivered(job.pk, list(reversed(chunk))) is False  # order does not matter

    # when the broker delivers it once more
    _deliver_again(grade_chunk, job.pk, chunk)

    # then it is set aside with the reason instead of killing another worker, and the job ends
    assert class_.current_grades().count() == 0
    progress = selectors.job_progress(job.pk)
    assert (progress.status, progress.failed, progress.total) == ("failed", 4, 4)
    assert progress.error.startswith("WorkerLost: delivered again 4 times")
    job.refresh_from_db()
    assert list(job.redeliveries.values()) == [4]


@pytest.mark.django_db
def test_a_redelivered_chunk_is_graded_while_under_the_limit(one_chunk_job):
    class_, job, chunk = one_chunk_job
    _deliver_again(grade_chunk, job.pk, chunk)
    assert class_.current_grades().count() == 4
    assert selectors.job_progress(job.pk).status == "done"


@pytest.mark.django_db
def test_an_attempt_redelivered_too_often_is_dead_lettered(section):
    class_ = exam(section, objective_questions(section)[:2], students=1)
    attempt = quiz_services.attempt_submit(attempt=class_.attempts[0])
    assert services.attempt_redelivered(attempt.pk) is False  # no job yet: nothing to count on
    job = GradingJob.objects.create(kind=GradingJob.Kind.ATTEMPT, attempt=attempt, assignment=attempt.assignment)
    services.job_plan(job.pk)
    for _ in range(services.jobs.MAX_REDELIVERIES):
        _deliver_again(grade_attempt, attempt.pk)
        Grade.objects.filter(answer__attempt=attempt).delete()  # as if the worker died before writing
        GradingJob.objects.filter(pk=job.pk).update(status=GradingJob.Status.RUNNING)
    _deliver_again(grade_attempt, attempt.pk)
    assert not Grade.objects.filter(answer__attempt=attempt).exists()
    progress = selectors.job_progress(job.pk)
    assert (progress.status, progress.failed) == ("failed", 2)
    assert "WorkerLost" in progress.error


# --- regrading --------------------------------------------------------------------------------


@pytest.fixture
def regraded_class(section, instructor):
    """Six students answered a single-choice question (four chose BERT, two GPT), graded under v1;
    the instructor overrode one GPT answer; then the key changed: GPT is the right answer (v2)."""
    question = objective_questions(section)[0]
    class_ = exam(section, [question], students=6)
    auto_submit_at_close(class_)
    grade_all(assignment_job(class_))
    gpt = question.choices.get(text="GPT")
    gpt_answers = list(class_.answers().filter(response=str(gpt.pk)).order_by("pk"))
    (kept,) = services.grade_override(
        answer_ids=[gpt_answers[0].pk], score="1.5", reason="Argued well in office hours", actor=instructor
    )
    key_change(question, correct="GPT")
    return class_, question, kept


@pytest.mark.django_db
def test_regrade_preview_lists_old_and_new_scores_and_writes_nothing(regraded_class):
    _class, question, kept = regraded_class
    grades_before = list(Grade.objects.order_by("pk").values())

    # when the instructor previews the regrade
    with CaptureQueriesContext(connection) as queries:
        rows = services.regrade_preview(question.pk)

    # then every answer graded under v1 is listed old -> new, the override as kept
    changes = Counter((row.old_score, row.new_score, row.overridden) for row in rows)
    assert changes == {
        (Decimal(2), Decimal(0), False): 4,  # BERT was right, now wrong
        (Decimal(0), Decimal(2), False): 1,  # GPT was wrong, now right
        (Decimal("1.5"), Decimal("1.5"), True): 1,  # the person's grade stays
    }
    assert [row.answer_id for row in rows if row.overridden] == [kept.answer_id]
    assert sum(row.changes for row in rows) == 5
    # and nothing was written but the score cache (so applying the regrade scores nothing again)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
    assert all(sql.startswith('INSERT INTO "grading_scorecacheentry"') for sql in writes), writes
    assert list(Grade.objects.order_by("pk").values()) == grades_before


@pytest.mark.django_db
def test_regrade_rescores_old_grades_and_never_replaces_an_override(regraded_class):
    class_, question, kept = regraded_class

    # when the regrade is applied and its job runs
    job = grade_all(services.regrade_start(question.pk))

    # then every engine grade is re-scored under v2, the old ones kept as history
    current = class_.current_grades()
    assert current.count() == 6
    assert sorted(current.exclude(pk=kept.pk).values_list("score", flat=True)) == [0, 0, 0, 0, 2]
    assert set(current.exclude(pk=kept.pk).values_list("question_version", flat=True)) == {2}
    assert Grade.objects.filter(answer__question=question, is_current=False).count() == 6  # 5 engine + 1 replaced
    # and the override is still the current grade, untouched
    assert current.get(answer_id=kept.answer_id) == kept
    assert current.get(answer_id=kept.answer_id).score == Decimal("1.5")
    assert (job.status, job.total, job.done) == (GradingJob.Status.DONE, 6, 6)
    assert [(row.answer_id, row.overridden) for row in services.regrade_preview(question.pk)] == [
        (kept.answer_id, True)
    ]


# --- the sweeper ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sweeper_re_enqueues_a_lost_attempt_and_leaves_one_covered_by_a_batch_job(section):
    now = timezone.now()
    # given an attempt submitted while the window is open whose message was lost (never graded)
    open_ = exam(section, objective_questions(section)[:1], students=1)
    lost = quiz_services.attempt_submit(attempt=open_.attempts[0], now=now)
    # and an attempt submitted in a window that has since closed: its batch job is queued
    closed = exam(section, objective_questions(section)[:1], students=0, closes_in=timedelta(hours=2))
    Assignment.objects.filter(pk=closed.assignment.pk).update(
        opens_at=now - timedelta(hours=2), closes_at=now - timedelta(hours=1)
    )
    closed.assignment.refresh_from_db()
    student = section.enrollments.filter(role="student").first().user
    attempt = quiz_services.attempt_start(
        assignment=closed.assignment, student=student, now=now - timedelta(minutes=90)
    )
    quiz_services.attempt_submit(attempt=attempt, now=now - timedelta(minutes=80))
    assert services.attempts_close_due(now=now) == (0, 1)

    # when the sweeper runs before, then after SWEEP_AFTER
    early = services.sweep(now=now + timedelta(minutes=1))
    later = services.sweep(now=now + selectors.SWEEP_AFTER + timedelta(seconds=1))

    # then only the lost attempt, once old enough, is handed to the workers again
    assert (early.attempts, early.jobs) == (0, 0)
    assert (later.attempts, later.jobs) == (1, 0)
    assert probes.queued_messages("grading") == [("grading.tasks.grade_attempt", [lost.pk])]


@pytest.mark.django_db
def test_sweeper_restarts_a_stalled_job_but_not_one_that_is_progressing(section, settings):
    # given two batch jobs planned 10 minutes ago: one has not moved since, the other grades its chunks
    settings.GRADING_CHUNK_SIZE = 2
    stalled_class = exam(section, objective_questions(section)[:1], students=2)
    busy_class = exam(section, objective_questions(section)[:1], students=4)
    for class_ in (stalled_class, busy_class):
        auto_submit_at_close(class_)
    stalled, busy = assignment_job(stalled_class), assignment_job(busy_class)
    services.job_plan(stalled.pk)
    busy_chunks = services.job_plan(busy.pk)
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    GradingJob.objects.update(created_at=ten_minutes_ago, started_at=ten_minutes_ago, updated_at=ten_minutes_ago)

    # when the busy job's worker reports a graded chunk, and then the sweeper runs
    services.chunk_grade(busy.pk, busy_chunks[0])
    outcome = services.sweep()

    # then only the job whose progress has not moved for STALL_AFTER is enqueued again
    assert outcome.jobs == 1
    assert probes.queued_messages("grading") == [("grading.tasks.grade_job", [stalled.pk])]


@pytest.mark.django_db(transaction=True)
def test_a_slower_progress_update_never_rewinds_a_finished_job(section, settings):
    # given a job of two chunks; the first is graded
    settings.GRADING_CHUNK_SIZE = 3
    class_ = exam(section, objective_questions(section)[:2], students=3)
    auto_submit_at_close(class_)
    job = assignment_job(class_)
    first, second = services.job_plan(job.pk)
    services.grade_answers(first, job=job)
    refreshed: list[GradingJob] = []

    def slow_refresh() -> None:
        try:
            refreshed.append(services.job_refresh(job.pk))
        finally:
            connection.close()

    # when one worker counts 3 of 6 done, but its write is delayed (the test holds the job row) ...
    thread = threading.Thread(target=slow_refresh)
    with transaction.atomic():
        GradingJob.objects.select_for_update().get(pk=job.pk)
        thread.start()
        probes.wait_for_lock_waiters(1)
        # ... while another worker grades the last chunk and finishes the job
        services.chunk_grade(job.pk, second)
    thread.join(timeout=30)

    # then the late write does not set the finished job's count back
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (GradingJob.Status.DONE, 6, 6)


# --- the close's similarity report waits for the grading --------------------------------------------


@pytest.mark.django_db
def test_the_close_sends_its_similarity_report_only_once_its_grading_job_has_ended(
    section, django_capture_on_commit_callbacks
):
    # given a closed exam whose attempts were auto-submitted
    class_ = exam(section, objective_questions(section)[:2], students=3)
    auto_submit_at_close(class_)

    # when beat's tick closes the window: the batch job is sent, the report only created
    with django_capture_on_commit_callbacks(execute=True):
        job = assignment_job(class_)
    report = SimilarityReport.objects.get(assignment=class_.assignment)
    assert report.status == SimilarityReport.Status.QUEUED
    assert probes.queued_messages("grading") == [("grading.tasks.grade_job", [job.pk])]
    probes.purge_queues()

    # then the worker's last chunk ends the job and sends the report, once
    with django_capture_on_commit_callbacks(execute=True):
        job = grade_all(job)
        services.job_refresh(job.pk)  # a second caller of the end
    assert job.status == GradingJob.Status.DONE
    assert probes.queued_messages("grading") == [("grading.tasks.similarity_report", [report.pk])]


@pytest.mark.django_db
def test_sweeper_resends_a_lost_similarity_report_once_its_job_has_ended(section):
    # given a closed exam whose job is being graded; every message of the close was lost
    class_ = exam(section, objective_questions(section)[:1], students=2)
    auto_submit_at_close(class_)
    job = assignment_job(class_)
    chunks = services.job_plan(job.pk)
    later = timezone.now() + services.jobs.STALL_AFTER + timedelta(seconds=1)

    # when the sweeper runs while the job still grades: the report is left to the job's end
    assert services.sweep(now=later).reports == 0
    probes.purge_queues()

    # and once the job has ended without sending it (the broker was down then)
    for chunk in chunks:
        services.chunk_grade(job.pk, chunk)
    assert services.sweep(now=later).reports == 1
    assert services.sweep(now=later).reports == 0  # resent at most once per STALL_AFTER

    # then the report is back in the workers' queue
    report = SimilarityReport.objects.get(assignment=class_.assignment)
    assert ("grading.tasks.similarity_report", [report.pk]) in probes.queued_messages("grading")
