"""What an autosave costs: a bounded number of queries, the same for one answer or a whole page,
with the guarantees kept (the attempt row locked, the deadline checked, CSRF enforced)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bank.templatetags.bank import _render_markdown
from classes.models import Enrollment
from quizzes import services
from quizzes.models import Answer
from quizzes.tests.portal_data import many_questions_assignment

pytestmark = pytest.mark.django_db

# Measured on a 12-question page, in a test (whose transaction turns the service's into savepoints:
# 2 queries a request does not make in production): session, user, the attempt, the questions and
# their choices (read once, for the page's per-answer check and the service), the locked attempt
# with its enrolment still held (one query), ONE upsert of every answer, the attempt's last save.
# Before the upsert each answer added a SELECT and an UPDATE (12 answers: 22 more queries than one);
# before issue 14 item 2 it cost 15: the answers and their grades were read for nothing, the
# questions twice, the enrolment apart from the lock. (The bound was 28 then, counting the
# 13 queries of this file's `_answers` helper inside the block by mistake.)
AUTOSAVE_QUERIES = 10


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
    every = _answers(attempt, "answer")
    with django_assert_max_num_queries(AUTOSAVE_QUERIES):
        _autosave(client, attempt, every)
    final = _answers(attempt, "answer revised")
    twelve = _autosave(client, attempt, final)

    assert len(final) == 12 and twelve == one
    stored = dict(Answer.objects.filter(attempt=attempt).values_list("question_id", "response"))
    assert {str(q): r for q, r in stored.items()} == final


def test_an_autosave_reads_neither_the_answers_nor_their_grades(client, attempt, student):
    client.force_login(student)
    _autosave(client, attempt, _answers(attempt, "first draft", 1))
    every = _answers(attempt, "second draft")
    with CaptureQueriesContext(connection) as queries:
        _autosave(client, attempt, every)
    tables = " ".join(q["sql"].split(" WHERE ")[0] for q in queries.captured_queries if q["sql"].startswith("SELECT"))
    assert '"grading_grade"' not in tables
    assert 'FROM "quizzes_answer"' not in tables
    assert sum('FROM "quizzes_attemptquestion"' in q["sql"] for q in queries.captured_queries) == 1


def test_an_autosave_by_a_student_taken_out_of_the_class_is_refused(client, attempt, student):
    client.force_login(student)
    Enrollment.objects.filter(user=student).delete()
    response = client.post(
        reverse("portal:autosave", args=[attempt.pk]),
        data=json.dumps({"answers": _answers(attempt, "x", 1)}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Answer.objects.filter(attempt=attempt).exists()


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


def test_the_attempt_page_renders_each_prompt_once_per_process(client, attempt, student):
    """Markdown is parsed and sanitised once per prompt text and process, not on every page view."""
    client.force_login(student)
    page = reverse("portal:attempt", args=[attempt.pk])
    _render_markdown.cache_clear()
    assert client.get(page).status_code == 200
    first = _render_markdown.cache_info()
    assert client.get(page).status_code == 200
    second = _render_markdown.cache_info()
    assert first.misses >= 1 and second.misses == first.misses
    assert second.hits - first.hits == first.misses + first.hits  # every prompt of the page, from the cache
