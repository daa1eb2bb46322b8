"""A dead worker costs seconds, not minutes: two real worker processes and a real beat on a private
Redis; one worker is SIGKILLed in the middle of a chunk, and the lease sweeper hands its chunk to
the other, which grades it. Lease settings are shortened through the environment, as a deployment
would set them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from grading import services
from grading.models import Grade, GradingChunk, GradingJob

from . import probes
from .builders import exam, objective_questions
from .processes import CeleryBeat, CeleryWorker, stop_all, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHORT_LEASES = {"GRADING_CHUNK_SIZE": "20", "GRADING_LEASE_SECONDS": "8", "GRADING_LEASE_SWEEP_SECONDS": "2"}
DEFAULT_LEASES = {"GRADING_CHUNK_SIZE": "20"}  # the shipped lease (20 s) and sweep (10 s)
TAKEOVER_BOUND = 60.0  # seconds: the target; short leases take about 10, the defaults at most 30


@pytest.mark.parametrize("leases", [SHORT_LEASES, DEFAULT_LEASES], ids=["short-leases", "default-leases"])
def test_a_killed_workers_chunk_is_taken_over_within_a_minute_and_graded_once(section, broker, tmp_path, leases):
    # given two workers and beat (running the lease sweeper every 2 s), and an exam of 120 answers
    class_ = exam(section, objective_questions(section), students=24)
    doomed, survivor = (CeleryWorker(n, broker_url=broker.url, log_dir=tmp_path, env=leases) for n in ("k1", "k2"))
    beat = CeleryBeat("beat", broker_url=broker.url, log_dir=tmp_path, env=leases)
    processes = [doomed, survivor, beat]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_ready()

        # when the window closes (6 chunks of 20) and, while each worker is inside a chunk of its
        # own (scored, waiting to write: the rows are held), one worker is SIGKILLed outright
        with probes.rows_held(class_.answer_ids()):
            assert services.attempts_close_due(now=class_.closes) == (24, 1)
            probes.wait_for_lock_waiters(2)
            job = GradingJob.objects.get(kind=GradingJob.Kind.ASSIGNMENT, assignment=class_.assignment)
            lost = GradingChunk.objects.get(job=job, status="running", owner__startswith=f"{doomed.name}@")
            killed_at = timezone.now()
            doomed.kill()

        # then the job finishes without the dead worker
        wait_for(lambda: GradingJob.objects.get(pk=job.pk).status == "done", timeout=120, what="the job did not finish")
        lost.refresh_from_db()
        taken_over = (lost.taken_at - killed_at).total_seconds()
        graded = Grade.objects.filter(answer_id__in=lost.answer_ids).order_by("-created_at").first()
        regraded = (graded.created_at - killed_at).total_seconds()
        print(f"\nkilled chunk taken over {taken_over:.1f}s after the kill, graded {regraded:.1f}s after it")

        # the dead worker's chunk was taken over by the survivor, well within a minute
        assert lost.owner.startswith(f"{survivor.name}@") and lost.status == "done"
        assert lost.takeovers == 1
        assert 0 < taken_over < TAKEOVER_BOUND and regraded < TAKEOVER_BOUND
        assert f"chunk.taken_over chunk={lost.pk} job={job.pk} from={doomed.name}@" in survivor.log()
        # and every answer ends graded exactly once (no superseded grade: nothing was written twice)
        answers = class_.answers().count()
        assert answers == 120
        assert class_.current_grades().count() == answers
        assert Grade.objects.filter(answer__attempt__assignment=class_.assignment).count() == answers
        assert set(class_.current_grades().values_list("job", flat=True)) == {job.pk}
        assert doomed.progress(job.pk) == []  # it died before writing anything
    finally:
        stop_all(processes)
