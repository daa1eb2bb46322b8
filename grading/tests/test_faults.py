"""Faults with real worker processes on Redis and PostgreSQL: duplicate deliveries, two workers on
one chunk, a worker killed mid-chunk, a broker outage, two workers sharing one job.

Every case ends the same way: every answer has exactly one current grade, none is missing, and no
answer was graded twice (no superseded grades). The workers are `celery -A classroom worker`
processes reading the test database (transactional_db, so they see the committed data).

Where a case needs a worker to be *inside* a chunk at a given moment, another database session
holds the chunk's answer rows (`probes.rows_held`): the worker loads and scores its answers, then
waits at its row lock, exactly between scoring and writing, until the test lets go. Nothing in the
worker, the database or the broker is mocked.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from classroom.celery import app as celery_app
from grading import selectors, services
from grading.models import Grade, GradingJob, SimilarityReport
from grading.services.jobs import STALL_AFTER, SweepOutcome
from quizzes import services as quiz_services
from quizzes.models import Answer, Attempt

from . import probes
from .builders import Exam, auto_submit_at_close, exam, objective_questions
from .processes import CeleryWorker, RedisServer, stop_all, tcp_ports, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 5  # seconds before Redis hands a dead worker's unacknowledged message out again
CHUNK = "grading.tasks.grade_chunk"


@pytest.fixture(scope="module")
def worker_logs(tmp_path_factory):
    return tmp_path_factory.mktemp("workers")


@pytest.fixture(scope="module")
def pair_broker(worker_logs):
    """The broker of the shared pair of workers: a redis-server of this module's own, so that no
    other worker on the machine (another test run's, say) takes or purges the cases' messages."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (apt-get install redis-server)")
    server = RedisServer(log_dir=worker_logs).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two_workers(django_db_setup, pair_broker, worker_logs):
    """w1 and w2, chunks of 20, shared by the cases that only need healthy workers (each case
    starts from empty queues and reads only its own job's lines)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: worker processes must share the test database")
    workers = [
        CeleryWorker(name, broker_url=pair_broker.url, log_dir=worker_logs, env={"GRADING_CHUNK_SIZE": "20"})
        for name in ("w1", "w2")
    ]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_ready()
        yield workers
    finally:
        stop_all(workers)


@pytest.fixture
def healthy_workers(two_workers, pair_broker):
    with probes.app_broker(pair_broker.url):
        probes.purge_queues()
        yield two_workers


@pytest.fixture
def private_broker(tmp_path):
    """A redis-server of this test's own, which the test may stop and start; the app points at it."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (apt-get install redis-server)")
    server = RedisServer(log_dir=tmp_path).start()
    started: list[CeleryWorker] = []

    def worker(name: str, **env: str) -> CeleryWorker:
        started.append(CeleryWorker(name, broker_url=server.url, log_dir=tmp_path, env=env).start())
        return started[-1].wait_ready()

    try:
        with probes.app_broker(server.url):
            yield server, worker
    finally:
        stop_all(started)
        server.stop()


def class_of(section, students: int) -> Exam:
    """A closed exam of five objective questions per student (the faults are about delivery, not
    the scoring: free-text grading's cost is measured by bench/exam_close.py)."""
    class_ = exam(section, objective_questions(section), students=students)
    auto_submit_at_close(class_)
    return class_


def planned_job(class_: Exam) -> tuple[GradingJob, list[int]]:
    """The test plays `grade_job`: a batch job planned as one chunk, which the test sends itself."""
    job = GradingJob.objects.create(kind=GradingJob.Kind.ASSIGNMENT, assignment=class_.assignment)
    (chunk,) = services.job_plan(job.pk)
    return job, chunk


def send_chunk(job: GradingJob, chunk: list[int]) -> None:
    celery_app.send_task(CHUNK, args=[job.pk, chunk])


def assert_graded_exactly_once(class_: Exam) -> None:
    """Every answer has one current grade, and no answer was ever graded twice."""
    answers = class_.answers().count()
    assert answers > 0
    assert class_.current_grades().count() == answers
    assert Grade.objects.filter(answer__attempt__assignment=class_.assignment).count() == answers
    assert not class_.answers().exclude(grades__is_current=True).exists()


def all_graded(class_: Exam):
    return lambda: class_.current_grades().count() == class_.answers().count()


def progress(workers: list[CeleryWorker], job: GradingJob) -> list[tuple[int, int]]:
    return [line for worker in workers for line in worker.progress(job.pk)]


def skipped(workers: list[CeleryWorker], job: GradingJob) -> list[str]:
    """Why copies of the job's chunks were left alone (`done`, `busy`), from the `chunk.skipped` lines."""
    line = re.compile(rf"chunk\.skipped job={job.pk} kind=\w+ answers=\d+ reason=(\w+)")
    return [m[1] for worker in workers for m in line.finditer(worker.log())]


# --- (a) one chunk delivered twice --------------------------------------------------------------


def test_a_chunk_delivered_twice_is_graded_once(section, healthy_workers):
    # given a closed exam of 50 answers planned as one chunk
    class_ = class_of(section, students=10)
    job, chunk = planned_job(class_)

    # when the chunk's message is delivered, and then delivered again (an ack lost, a resend)
    send_chunk(job, chunk)
    wait_for(lambda: len(progress(healthy_workers, job)) == 1, timeout=60, what="first delivery not graded")
    send_chunk(job, chunk)
    wait_for(lambda: skipped(healthy_workers, job), timeout=60, what="second delivery not run")

    # then the first delivery graded all 50; the second found its chunk done and did nothing
    assert progress(healthy_workers, job) == [(50, 0)]
    assert skipped(healthy_workers, job) == ["done"]
    assert_graded_exactly_once(class_)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (GradingJob.Status.DONE, 50, 50)


# --- (b) two workers on the same chunk at the same time -------------------------------------------


def test_two_workers_on_the_same_chunk_at_once_grade_it_once(section, healthy_workers):
    # given a closed exam of 50 answers planned as one chunk
    class_ = class_of(section, students=10)
    job, chunk = planned_job(class_)

    # when the chunk is sent twice and each worker takes one copy while the first is inside the
    # chunk (scored, waiting to write: the rows are held)
    with probes.rows_held(chunk):
        send_chunk(job, chunk)
        probes.wait_for_lock_waiters(1)
        send_chunk(job, chunk)
        wait_for(lambda: skipped(healthy_workers, job), timeout=60, what="the second copy did not run")
        assert len(probes.lock_waiters()) == 1, "the second copy did not score or wait: the lease refused it"
    wait_for(lambda: len(progress(healthy_workers, job)) == 1, timeout=60, what="the first copy did not finish")

    # then one worker wrote the 50 grades; the other, refused by the live lease, did nothing
    w1, w2 = healthy_workers
    assert len(w1.progress(job.pk)) + len(w2.progress(job.pk)) == 1
    assert progress(healthy_workers, job) == [(50, 0)]
    assert skipped(healthy_workers, job) == ["busy"]
    assert_graded_exactly_once(class_)


# --- (c) a worker killed in the middle of a chunk -------------------------------------------------


def test_a_pool_process_killed_mid_chunk_leaves_its_chunk_to_be_graded_again(section, private_broker):
    _server, start_worker = private_broker
    worker = start_worker("c1", CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    class_ = class_of(section, students=8)
    job, chunk = planned_job(class_)

    # when the pool process running the chunk is SIGKILLed after scoring, before writing
    with probes.rows_held(chunk):
        send_chunk(job, chunk)
        (waiting,) = probes.wait_for_lock_waiters(1)
        (executing,) = worker.children()
        assert waiting["client_port"] in tcp_ports(executing), "the killed process is the one grading"
        os.kill(executing, signal.SIGKILL)
        wait_for(lambda: "signal 9 (SIGKILL)" in worker.log(), timeout=20, what="the worker did not see the kill")

    # then the worker puts the message back (acks_late + reject_on_worker_lost), a new pool process grades it
    wait_for(lambda: worker.progress(job.pk), timeout=60, what="the chunk was not graded again")
    assert_graded_exactly_once(class_)
    assert "WorkerLostError" in worker.log()
    assert worker.progress(job.pk) == [(40, 0)]
    assert executing not in worker.children()
    # and the broker marked it as delivered again, which the job counts (a dead letter after 3)
    job.refresh_from_db()
    assert job.redeliveries == {services.jobs.work_key(chunk): 1}


def test_a_worker_killed_outright_mid_chunk_has_its_chunk_graded_by_a_fresh_worker(section, private_broker):
    server, start_worker = private_broker
    doomed = start_worker("c2", CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    class_ = class_of(section, students=8)
    job, chunk = planned_job(class_)

    # when the whole worker (main process and pool) is SIGKILLed mid-chunk, as when a machine dies
    with probes.rows_held(chunk):
        send_chunk(job, chunk)
        probes.wait_for_lock_waiters(1)
        delivered = time.monotonic()
        doomed.kill()
    # the message stays with Redis, delivered but never acknowledged
    assert server.client().hlen("unacked") == 1
    assert class_.current_grades().count() == 0

    # then a fresh worker, started once the visibility timeout has passed, gets it back and grades it
    time.sleep(max(0.0, delivered + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
    fresh = start_worker("c2-fresh", CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    wait_for(lambda: fresh.progress(job.pk), timeout=60, what="the fresh worker did not grade the chunk")
    assert_graded_exactly_once(class_)
    assert fresh.progress(job.pk) == [(40, 0)]
    assert doomed.progress(job.pk) == []
    job.refresh_from_db()
    assert job.redeliveries == {services.jobs.work_key(chunk): 1}


# --- (d) the broker is down while students submit and a window closes ------------------------------


def test_nothing_is_lost_while_the_broker_is_down(section, private_broker, caplog):
    server, start_worker = private_broker
    worker = start_worker("d")
    questions = objective_questions(section)
    open_class = exam(section, questions, students=6)  # students submit while the window is open
    closing_class = exam(section, questions, students=4, closes_in=timedelta(minutes=30))  # closes in the outage

    # given two students who submitted and were graded before the outage
    for attempt in open_class.attempts[:2]:
        quiz_services.attempt_submit(attempt=attempt)
    first_two = Answer.objects.filter(attempt__in=open_class.attempts[:2])
    wait_for(
        lambda: Grade.objects.filter(answer__in=first_two, is_current=True).count() == 10, timeout=60, what="before"
    )

    # when the broker goes down (and forgets everything: no persistence)
    server.stop()
    late = open_class.attempts[2:]
    saved = sorted(Answer.objects.filter(attempt__in=late).values_list("pk", "response"))
    seconds = []
    with caplog.at_level(logging.ERROR, logger="common.queueing"):
        # four students submit
        for attempt in late:
            started = time.monotonic()
            submitted = quiz_services.attempt_submit(attempt=attempt)
            seconds.append(time.monotonic() - started)
            assert submitted.status == Attempt.Status.SUBMITTED
        # and beat closes the other exam's window: its attempts are auto-submitted, its job created
        assert services.attempts_close_due(now=closing_class.closes) == (4, 1)

    # then every submit succeeded and was stored; each enqueue error was logged, not raised
    failed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("enqueue failed")]
    job = GradingJob.objects.get(kind=GradingJob.Kind.ASSIGNMENT, assignment=closing_class.assignment)
    report = SimilarityReport.objects.get(assignment=closing_class.assignment)  # sent once the job has ended
    expected = [*(f"attempt={a.pk}" for a in late), f"job={job.pk}"]
    assert sorted(m.split()[2] for m in failed) == sorted(expected)
    assert max(seconds) < 1, f"a submit waited {max(seconds):.1f}s for the broker"
    assert Attempt.objects.filter(pk__in=[a.pk for a in late], status=Attempt.Status.SUBMITTED).count() == 4
    assert sorted(Answer.objects.filter(attempt__in=late).values_list("pk", "response")) == saved
    assert len(saved) == 20
    assert Attempt.objects.filter(assignment=closing_class.assignment, status="auto_submitted").count() == 4

    # when the broker is back (empty) and the sweeper runs once its delays have passed
    server.start()
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="common.queueing"):
        outcome = services.sweep(now=timezone.now() + max(selectors.SWEEP_AFTER, STALL_AFTER) + timedelta(seconds=1))
    assert outcome == SweepOutcome(attempts=4, jobs=1)
    assert not [r for r in caplog.records if r.getMessage().startswith("enqueue failed")]

    # then the worker (reconnected by itself) grades every answer, each exactly once
    wait_for(lambda: all_graded(open_class)() and all_graded(closing_class)(), timeout=90, what="not all graded")
    assert_graded_exactly_once(open_class)
    assert_graded_exactly_once(closing_class)
    assert not Grade.objects.filter(job=None).exists(), "every grade was written by a worker's job"
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (GradingJob.Status.DONE, 20, 20)
    # and the job's end sent the closed exam's similarity report, which the worker computed
    wait_for(
        lambda: SimilarityReport.objects.get(pk=report.pk).status == SimilarityReport.Status.DONE,
        timeout=90,
        what="the similarity report was not computed after the grading",
    )
    assert worker.alive


# --- (e) two workers share one assignment job -------------------------------------------------------


def test_two_workers_share_one_assignment_job_without_double_grading(section, healthy_workers):
    # given a closed exam of 120 answers: the workers plan it as 6 chunks of 20
    class_ = exam(section, objective_questions(section), students=24)

    # when the window closes; while the first chunks are in flight their rows are held, so that
    # each worker is inside a chunk of its own at the same moment
    with probes.rows_held(class_.answer_ids()):
        assert services.attempts_close_due(now=class_.closes) == (24, 1)
        probes.wait_for_lock_waiters(2)
    job = GradingJob.objects.get(assignment=class_.assignment)
    wait_for(lambda: GradingJob.objects.get(pk=job.pk).status == GradingJob.Status.DONE, timeout=90, what="job")
    # a chunk's progress line is logged after its commit, which may finish the job first
    wait_for(lambda: len(progress(healthy_workers, job)) >= 6, timeout=30, what="every chunk's line logged")

    # then both workers graded chunks, every chunk once, every answer once
    w1, w2 = healthy_workers
    assert w1.progress(job.pk) and w2.progress(job.pk), "both workers took part"
    assert sorted(progress(healthy_workers, job)) == [(20, 0)] * 6
    assert_graded_exactly_once(class_)
    assert set(class_.current_grades().values_list("job", flat=True)) == {job.pk}
    assert selectors.job_progress(job.pk).percent == 100
