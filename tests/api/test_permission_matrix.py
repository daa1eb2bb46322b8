"""The permission matrix: every route of /api/v1/ x every persona -> the expected status.

ONE table (MATRIX) drives the test; `test_every_api_route_has_a_row` walks Django's resolver and
fails when a route or one of its methods has no row, so a new endpoint cannot ship unchecked.

Rules behind the numbers (docs/api.md): anonymous -> 401; what a person may not see -> 404;
what they may see but not do -> 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import PASSWORD, PERSONAS, World

ANON, OTHER, STUDENT, ASSISTANT, INSTRUCTOR, ADMIN = PERSONAS


@dataclass(frozen=True)
class Row:
    name: str  # URL name in the `api` namespace
    method: str
    kwargs: Callable[[World], dict[str, int]]
    expected: tuple[int, int, int, int, int, int]  # in PERSONAS order
    body: Callable[[World], Any] | None = None


def _none(w: World) -> dict[str, int]:
    return {}


def statuses(anon: int, other: int, student: int, assistant: int, instructor: int, admin: int) -> tuple[int, ...]:
    return (anon, other, student, assistant, instructor, admin)


ALL_OK = statuses(401, 200, 200, 200, 200, 200)
SECTION_READ = statuses(401, 404, 200, 200, 200, 200)
STAFF_READ = statuses(401, 404, 403, 200, 200, 200)
INSTRUCTOR_WRITE = statuses(401, 404, 403, 403, 200, 200)
OWNER_WRITE = statuses(401, 404, 200, 403, 403, 403)

MATRIX: list[Row] = [
    Row("auth-token", "POST", _none, statuses(201, 201, 201, 201, 201, 201),
        lambda w: {"username": w.scripter.username, "password": PASSWORD}),
    Row("auth-token", "DELETE", _none, statuses(401, 204, 204, 204, 204, 204)),
    Row("auth-tokens", "GET", _none, ALL_OK),
    Row("auth-token-detail", "DELETE", lambda w: {"pk": w.token_ids[STUDENT]}, statuses(401, 404, 204, 404, 404, 404)),
    Row("me", "GET", _none, ALL_OK),
    Row("course-list", "GET", _none, ALL_OK),
    Row("course-detail", "GET", lambda w: {"pk": w.section.course_id}, SECTION_READ),
    Row("chapter-list", "GET", _none, ALL_OK),
    Row("chapter-detail", "GET", lambda w: {"pk": w.chapter.pk}, SECTION_READ),
    Row("question-list", "GET", _none, ALL_OK),
    Row("question-detail", "GET", lambda w: {"pk": w.text_q.pk}, SECTION_READ),
    Row("quiz-list", "GET", _none, ALL_OK),
    Row("quiz-list", "POST", _none, statuses(401, 403, 403, 201, 201, 201),
        lambda w: {"course": w.section.course_id, "title": "New quiz", "items": [{"question": w.choice_q.pk}]}),
    Row("quiz-detail", "GET", lambda w: {"pk": w.quiz.pk}, statuses(401, 404, 404, 200, 200, 200)),
    Row("section-list", "GET", _none, ALL_OK),
    Row("section-list", "POST", _none, statuses(401, 403, 403, 403, 403, 201),
        lambda w: {"course": w.section.course_id, "name": "New section", "term": "2027", "time_zone": "UTC"}),
    Row("section-detail", "GET", lambda w: {"pk": w.section.pk}, SECTION_READ),
    Row("section-enrollments", "GET", lambda w: {"section_id": w.section.pk}, STAFF_READ),
    Row("section-enrollments", "POST", lambda w: {"section_id": w.section.pk}, statuses(401, 404, 403, 403, 201, 201),
        lambda w: {"username": w.scripter.username, "role": "student"}),
    Row("section-enrollment", "DELETE", lambda w: {"section_id": w.section.pk, "pk": w.spare.pk},
        statuses(401, 404, 403, 403, 204, 204)),
    Row("section-grades", "GET", lambda w: {"section_id": w.section.pk}, STAFF_READ),
    Row("assignment-list", "GET", _none, ALL_OK),
    Row("assignment-list", "POST", _none, statuses(401, 403, 403, 403, 201, 201),
        lambda w: {"quiz": w.quiz.pk, "section": w.section.pk, "opens_at": "2030-01-01T08:00:00+08:00",
                   "closes_at": "2030-01-01T10:00:00+08:00", "time_limit": "00:45:00"}),
    Row("assignment-detail", "GET", lambda w: {"pk": w.assignment.pk}, SECTION_READ),
    Row("assignment-detail", "PATCH", lambda w: {"pk": w.assignment.pk}, INSTRUCTOR_WRITE,
        lambda w: {"title": "Renamed", "max_attempts": 3}),
    Row("assignment-start", "POST", lambda w: {"assignment_id": w.assignment.pk}, statuses(401, 404, 200, 403, 403, 403)),
    Row("assignment-regrade", "GET", lambda w: {"assignment_id": w.assignment.pk, "question_id": w.text_q.pk}, STAFF_READ),
    Row("assignment-regrade", "POST", lambda w: {"assignment_id": w.assignment.pk, "question_id": w.text_q.pk},
        statuses(401, 404, 403, 202, 202, 202)),
    Row("gradebook-csv", "GET", lambda w: {"assignment_id": w.assignment.pk}, STAFF_READ),
    Row("answers-csv", "GET", lambda w: {"assignment_id": w.assignment.pk}, STAFF_READ),
    Row("attempt-list", "GET", _none, ALL_OK),
    Row("attempt-detail", "GET", lambda w: {"pk": w.graded.pk}, SECTION_READ),
    Row("attempt-submit", "POST", lambda w: {"pk": w.open_attempt.pk}, OWNER_WRITE),
    Row("attempt-answer", "PUT", lambda w: {"attempt_id": w.open_attempt.pk, "question_id": w.text_q.pk}, OWNER_WRITE,
        lambda w: {"response": "Bidirectional Encoder Representations from Transformers"}),
    Row("my-grades", "GET", _none, ALL_OK),
    Row("grade-override", "POST", _none, statuses(401, 403, 403, 200, 200, 200),
        lambda w: {"answer_ids": [w.graded_answer.pk], "score": "1.5", "reason": "Partly right"}),
    Row("answer-history", "GET", lambda w: {"answer_id": w.graded_answer.pk}, STAFF_READ),
    Row("grading-job-list", "GET", _none, ALL_OK),
    Row("grading-job-detail", "GET", lambda w: {"pk": w.job.pk}, statuses(401, 404, 404, 200, 200, 200)),
]  # fmt: skip


class _Rollback(Exception):
    pass


def _call(world: World, row: Row, persona: str) -> tuple[int, Any]:
    """One request, its writes rolled back, so every persona meets the same world."""
    url = reverse(f"api:{row.name}", kwargs=row.kwargs(world))
    body = row.body(world) if row.body else None
    cache.clear()  # throttle counters
    result: list[Any] = []
    try:
        with transaction.atomic():
            response = getattr(world.client(persona), row.method.lower())(url, body, format="json")
            result[:] = [
                response.status_code,
                response.json() if response.get("Content-Type", "").startswith("application/json") else None,
            ]
            raise _Rollback
    except _Rollback:
        pass
    return result[0], result[1]


@pytest.mark.parametrize("row", MATRIX, ids=[f"{r.method} {r.name}" for r in MATRIX])
def test_permission_matrix(world: World, row: Row) -> None:
    """Each row is six cases (one per persona); all six are checked and reported together."""
    got = {}
    for persona in PERSONAS:
        code, body = _call(world, row, persona)
        got[persona] = code
        if code >= 400:
            assert body and body["error"]["code"] and body["error"]["message"], (persona, body)
    assert got == dict(zip(PERSONAS, row.expected, strict=True))


def _api_routes() -> set[tuple[str, str]]:
    """(url name, METHOD) of every view under /api/v1/, read from the resolver."""
    found: set[tuple[str, str]] = set()

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and route.lstrip("^").startswith("api/v1/"):
                assert p.name, f"unnamed API route {route}"
                callback = p.callback
                if hasattr(callback, "actions"):
                    methods = set(callback.actions)
                else:
                    view = callback.view_class
                    methods = {m for m in view.http_method_names if hasattr(view, m)}
                found.update((p.name, m.upper()) for m in methods - {"head", "options"})

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_api_route_has_a_row() -> None:
    routes = _api_routes()
    rows = {(r.name, r.method) for r in MATRIX}
    assert len(routes) > 30
    assert routes - rows == set(), "API routes without a row in the permission matrix"
    assert rows - routes == set(), "rows of the matrix for routes that do not exist"
