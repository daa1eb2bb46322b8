"""Lists of grading jobs read each job once: no query per job (monitor page, API list)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bank.tests.factories import QuestionFactory
from grading.models import GradingJob
from quizzes.teach.monitor import assignment_monitor
from quizzes.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def _add_jobs(assignment, n: int) -> None:
    question = QuestionFactory(chapter__course=assignment.section.course)
    GradingJob.objects.bulk_create(
        GradingJob(kind=GradingJob.Kind.REGRADE, assignment=assignment, question=question) for _ in range(n)
    )


def test_monitor_queries_do_not_grow_with_jobs(section):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    _add_jobs(assignment, 1)
    one = _count(lambda: assignment_monitor(assignment))
    _add_jobs(assignment, 4)
    monitor = assignment_monitor(assignment)
    assert len(monitor.jobs) == 5
    assert _count(lambda: assignment_monitor(assignment)) == one


def test_api_job_list_queries_do_not_grow_with_jobs(section, instructor):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    client = APIClient()
    client.force_authenticate(instructor)
    _add_jobs(assignment, 1)
    one = _count(lambda: client.get("/api/v1/grading-jobs"))
    _add_jobs(assignment, 9)
    response = client.get("/api/v1/grading-jobs")
    assert response.status_code == 200 and response.json()["count"] == 10
    assert _count(lambda: client.get("/api/v1/grading-jobs")) == one
