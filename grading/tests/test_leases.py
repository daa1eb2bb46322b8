"""Chunk leases through the services, on PostgreSQL and Redis, without a worker: a live owner that
renews is never robbed, an expired lease is handed over, an owner that lost its lease writes
nothing, and each answer is graded exactly once. Time is passed as `now` where it matters; the
take-over by real workers after a SIGKILL is in test_lease_takeover.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grading import services
from grading.models import Grade, GradingChunk, GradingJob
from grading.services import leases, writing
from grading.services.jobs import MAX_REDELIVERIES

from . import probes
from .builders import auto_submit_at_close, exam, free_text_question, objective_questions

pytestmark = pytest.mark.django_db

CHUNK = "grading.tasks.grade_chunk"


@pytest.fixture(autouse=True)
def empty_queues():
    """The sweeper's messages reach the real broker; leave it as it was found."""
    probes.purge_queues()
    yield
    probes.purge_queues()


@pytest.fixture
def planned(section, settings):
    """A closed exam of 30 answers planned as one chunk."""
    settings.GRADING_CHUNK_SIZE = 100
    class_ = exam(section, objective_questions(section)[:3], students=10)
    auto_submit_at_close(class_)
    job = GradingJob.objects.create(kind=GradingJob.Kind.ASSIGNMENT, assignment=class_.assignment)
    (chunk,) = services.job_plan(job.pk)
    return class_, job, chunk


def take(job, chunk, task_id: str, now=None):
    return leases.chunk_take(job, chunk, task_id=task_id, worker=f"w@{task_id}", now=now)


def test_planning_registers_each_chunk_queued_without_an_owner(planned):
    _class, job, chunk = planned
    (row,) = GradingChunk.objects.filter(job=job)
    assert (row.status, row.owner, row.task_id, row.lease_expires_at) == ("queued", "", "", None)
    assert row.answer_ids == chunk and row.key == leases.work_key(chunk)


def test_a_task_takes_the_lease_and_a_second_task_is_refused_while_it_lives(planned, settings):
    settings.GRADING_LEASE_SECONDS = 20
    _class, job, chunk = planned
    before = timezone.now()

    lease = take(job, chunk, "task-1")
    refused = take(job, chunk, "task-2")

    assert isinstance(lease, leases.Lease)
    row = GradingChunk.objects.get(pk=lease.chunk_id)
    assert row.status == "running" and row.task_id == "task-1" and row.owner.startswith("w@task-1:")
    assert before + timedelta(seconds=19) < row.lease_expires_at <= timezone.now() + timedelta(seconds=20)
    assert refused == leases.Refusal("busy", row.owner)


def test_a_redelivered_message_takes_its_chunk_back_at_once(planned):
    # its pool process died: the broker delivers the same message (same task id) again
    _class, job, chunk = planned
    take(job, chunk, "task-1")
    assert isinstance(take(job, chunk, "task-1"), leases.Lease)


def test_a_slow_owner_that_renews_is_not_robbed(planned, settings):
    # given an owner with a 20 s lease, which renews it after 15 s
    settings.GRADING_LEASE_SECONDS = 20
    class_, job, chunk = planned
    lease = take(job, chunk, "slow")
    GradingChunk.objects.filter(pk=lease.chunk_id).update(lease_expires_at=timezone.now() + timedelta(seconds=5))
    lease.renew(force=True)

    # when the sweeper runs after the first lease would have expired
    reclaimed = services.chunks_reclaim(now=timezone.now() + timedelta(seconds=10))

    # then nothing is taken back, nothing sent; the owner grades its chunk
    assert reclaimed == 0
    assert probes.queued_messages() == []
    outcome = writing.grade_answers(chunk, job=job, lease=lease)
    assert (outcome.graded, outcome.lost) == (30, False)
    assert GradingChunk.objects.get(pk=lease.chunk_id).status == "done"
    assert class_.current_grades().count() == 30


def test_an_expired_lease_is_handed_over_and_the_old_owner_writes_nothing(planned):
    # given an owner whose lease expired (its worker froze)
    class_, job, chunk = planned
    old = take(job, chunk, "frozen")
    later = timezone.now() + timedelta(seconds=60)

    # when the sweeper runs: the chunk is queued again and its message sent
    assert services.chunks_reclaim(now=later) == 1
    row = GradingChunk.objects.get(pk=old.chunk_id)
    assert (row.status, row.task_id, row.lease_expires_at, row.takeovers) == ("queued", "", None, 1)
    assert probes.queued_messages() == [(CHUNK, [job.pk, chunk])]

    # then the old owner that wakes up can neither renew nor write
    with pytest.raises(leases.LeaseLost):
        old.renew(force=True)
    lost = writing.grade_answers(chunk, job=job, lease=old)
    assert (lost.graded, lost.lost) == (0, True)
    assert class_.current_grades().count() == 0

    # and the new owner takes it and grades every answer, once
    services.chunk_grade(job.pk, chunk, task_id="fresh", worker="w2")
    assert Grade.objects.filter(answer__attempt__assignment=class_.assignment).count() == 30
    assert class_.current_grades().count() == 30
    assert GradingChunk.objects.get(pk=old.chunk_id).status == "done"
    job.refresh_from_db()
    assert (job.status, job.done) == (GradingJob.Status.DONE, 30)


def test_an_old_owner_whose_write_went_first_makes_the_new_owner_write_nothing(planned):
    # given a chunk handed over while its first owner was inside its fenced write: the sweeper
    # skips a locked row, so the old owner finishes; a copy sent earlier finds the chunk done
    class_, job, chunk = planned
    old = take(job, chunk, "first")
    outcome = writing.grade_answers(chunk, job=job, lease=old)
    assert outcome.graded == 30
    assert services.chunks_reclaim(now=timezone.now() + timedelta(minutes=1)) == 0

    services.chunk_grade(job.pk, chunk, task_id="copy", worker="w2")
    assert take(job, chunk, "copy") == leases.Refusal("done", GradingChunk.objects.get(pk=old.chunk_id).owner)
    assert Grade.objects.filter(answer__attempt__assignment=class_.assignment).count() == 30


def test_the_lease_is_renewed_between_engine_batches_of_a_long_chunk(section, settings, monkeypatch):
    # given a chunk of 150 distinct free-text answers (three engine batches of 64)
    settings.GRADING_CHUNK_SIZE = 500
    question = free_text_question(section)
    class_ = exam(section, [question], students=150, respond=lambda q, i: f"answer number {i} about autoencoders")
    auto_submit_at_close(class_)
    job = GradingJob.objects.create(kind=GradingJob.Kind.ASSIGNMENT, assignment=class_.assignment)
    (chunk,) = services.job_plan(job.pk)
    lease = take(job, chunk, "long")
    beats = []
    monkeypatch.setattr(lease, "renew", lambda: beats.append(1))

    # when it is graded under its lease
    outcome = writing.grade_answers(chunk, job=job, lease=lease)

    # then the lease was renewed before each batch, and every answer graded
    assert len(beats) == 3
    assert outcome.graded == 150


def test_the_sweeper_is_one_query_when_nothing_expired(planned, django_assert_num_queries):
    _class, job, chunk = planned
    take(job, chunk, "alive")
    with django_assert_num_queries(3):  # SAVEPOINT, SELECT … FOR UPDATE SKIP LOCKED, RELEASE (a test transaction)
        assert services.chunks_reclaim() == 0


def test_a_chunk_taken_back_too_often_is_dead_lettered(planned):
    # given a chunk whose work kills every worker that takes it
    class_, job, chunk = planned
    now = timezone.now()
    for times in range(MAX_REDELIVERIES + 1):
        assert isinstance(take(job, chunk, f"doomed-{times}", now=now), leases.Lease)
        now += timedelta(minutes=1)
        assert services.chunks_reclaim(now=now) == 1

    # then the last take-over sets it aside with the error instead of sending it again
    assert len(probes.queued_messages()) == MAX_REDELIVERIES
    row = GradingChunk.objects.get(job=job)
    assert (row.status, row.takeovers) == ("done", MAX_REDELIVERIES + 1)
    job.refresh_from_db()
    assert sorted(job.failed_answers) == sorted(chunk) and "WorkerLost" in job.error
    assert job.status == GradingJob.Status.FAILED
    assert class_.current_grades().count() == 0
