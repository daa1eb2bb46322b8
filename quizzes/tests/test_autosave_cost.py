"""What an autosave costs: a bounded number of queries, the same for one answer or a whole page,
with the guarantees kept (the attempt row locked, the deadline checked, CSRF enforced)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import services
from quizzes.models import Answer
from quizzes.tests.portal_data import many_questions_assignment

pytestmark = pytest.mark.django_db

# Measured on a 12-question page (session, user, attempt, the page's rows, the policy's checks, the
# locked attempt, the enrolment still held, the questions with their choices, the savepoints, ONE
# upsert of every answer, the attempt's last save). Before the upsert, each answer added a SELECT
# and an UPDATE: 12 answers cost 22 more queries than one.
AUTOSAVE_QUERIES = 28


@pytest.fixture
def attempt(section, student):
    return services.attempt_start(assignment=many_questions_assignment(section, count=12), student=student)


def _answers(attempt, text: str, count: int | None = None) -> dict[str, object]:
    """Valid answers to the first `count` questions: the first option, or `text` with its position."""
    answers: dict[str, object] = {}
    for aq in attempt.attempt_questions.select_related("question").order_by("position")[:count]:
        choice = aq.question.choices.order_by("position").first()
        answers[str(aq.question_id)] = str(choice.pk) if choice else f"{text} {aq.position}"
    return answers


def _autosave(client: Client, attempt, answers: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("portal:autosave", args=[attempt.pk]),
            data=json.dumps({"answers": answers}),
            content_type="application/json",
        )
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def test_an_autosave_costs_the_same_queries_for_one_answer_or_twelve(
    client, attempt, student, django_assert_max_num_queries
):
    client.force_login(student)
    _autosave(client, attempt, _answers(attempt, "first draft", 1))  # the session's first request
    one = _autosave(client, attempt, _answers(attempt, "second draft", 1))
    with django_assert_max_num_queries(AUTOSAVE_QUERIES):
        _autosave(client, attempt, _answers(attempt, "answer"))
    final = _answers(attempt, "answer revised")
    twelve = _autosave(client, attempt, final)

    assert len(final) == 12 and twelve == one
    stored = dict(Answer.objects.filter(attempt=attempt).values_list("question_id", "response"))
    assert {str(q): r for q, r in stored.items()} == final


def test_an_autosave_without_the_csrf_token_is_refused(attempt, student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    qid = attempt.attempt_questions.first().question_id
    response = client.post(
        reverse("portal:autosave", args=[attempt.pk]),
        data=json.dumps({"answers": {str(qid): "x"}}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Answer.objects.filter(attempt=attempt).exists()
