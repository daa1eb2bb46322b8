"""A real worker on Redis computes the similarity report that staff ask for, with the engine's
embedder, and a second delivery of the message changes nothing."""

from __future__ import annotations

import pytest
import redis

from classroom.celery import app as celery_app
from common.testing import wait_until
from grading import queueing, services
from grading.models import SimilarityReport, SimilarPair

from . import probes
from .similarity_data import similarity_class

pytestmark = pytest.mark.worker


def test_a_real_worker_computes_the_report_once_however_often_it_is_delivered(celery_worker, section):
    # given a closed assignment on the seed bank where one pair copied on three questions
    copying = similarity_class(section)
    copiers = sorted([copying.student(10).pk, copying.student(11).pk])

    # when the instructor asks for the report (enqueued after commit, through common.queueing)
    report = services.similarity_report_request(assignment=copying.assignment, actor=copying.instructor)

    # then the worker computes it and stores the pair
    def done() -> bool:
        return SimilarityReport.objects.get(pk=report.pk).status == SimilarityReport.Status.DONE

    assert wait_until(done, timeout=300), SimilarityReport.objects.get(pk=report.pk).error or "not computed in time"
    finished = SimilarityReport.objects.get(pk=report.pk)
    assert list(finished.pairs.values_list("student_a", "student_b", "questions")) == [(*copiers, 3)]

    # and the same message delivered again (as after a lost acknowledgement) leaves it as it was
    assert queueing.enqueue_similarity_report(report.pk)
    assert wait_until(handled, timeout=60), "the worker did not take the second delivery"
    again = SimilarityReport.objects.get(pk=report.pk)
    assert again.computed_at == finished.computed_at and again.generation == 1
    assert SimilarPair.objects.filter(report=report).count() == 1


def handled() -> bool:
    """Nothing waits in the grading queue and nothing is taken but unacknowledged (acks_late)."""
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    try:
        return not probes.queued_messages() and not client.hlen("unacked")
    finally:
        client.close()
