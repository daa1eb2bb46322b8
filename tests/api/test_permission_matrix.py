"""The permission matrix: every route of the REST API and of the instructor workspace (/teach/)
x every persona, driven by ONE table.

`DECISIONS` says, for each rule of the policy (`classes.policy.RULES`, plus "public" and
"signed_in"), what each persona gets: allowed, refused (403) or not even shown (404). `ROUTES`
maps every route and method of both URL sets to the rule that guards it and its success status.
The same table drives three tests, so the layers cannot disagree:

- `test_the_policy_decides_as_the_table_says`: each rule asked directly, as the services ask it;
- `test_every_route_answers_as_its_rule_decides`: each route called by each persona (API: 401 for
  anonymous callers; pages: the sign-in redirect);
- `test_every_*_route_has_a_row` and `test_every_rule_has_a_row`: walk Django's resolver and the
  policy, and fail when a route, a method or a rule has no row.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from classes import policy
from common.errors import NotPermitted, NotVisible

from .conftest import PASSWORD, PERSONAS, World

A, F, H = "allowed", "403", "404"  # what a person gets: allowed, refused, not even shown
PEOPLE = PERSONAS[1:]  # the signed-in personas, in DECISIONS order


def people(
    student: str,
    other_student: str,
    outsider: str,
    assistant: str,
    instructor: str,
    other_instructor: str,
    admin: str,
) -> tuple[str, ...]:
    return (student, other_student, outsider, assistant, instructor, other_instructor, admin)


@dataclass(frozen=True)
class Decision:
    outcome: tuple[str, ...]  # in PEOPLE order
    subject: Callable[[World], Any] | None = None  # what the rule is asked about (None: no policy rule)


MEMBERS = people(A, H, H, A, A, H, A)  # of the section (and superusers)
STAFF = people(F, H, H, A, A, H, A)
INSTRUCTORS = people(F, H, H, F, A, H, A)
COURSE_INSTRUCTORS = people(F, F, F, F, A, A, A)  # of any section of the course
OWNER = people(A, H, H, F, F, H, F)

# ONE table: rule -> what each persona gets.
DECISIONS: dict[str, Decision] = {
    "public": Decision(people(A, A, A, A, A, A, A)),
    "signed_in": Decision(people(A, A, A, A, A, A, A)),
    "own_token": Decision(people(A, H, H, H, H, H, H)),  # a token is its owner's alone (the student's here)
    "section_view": Decision(MEMBERS, lambda w: w.section),
    "section_staff_view": Decision(STAFF, lambda w: w.section),
    "section_manage": Decision(INSTRUCTORS, lambda w: w.section),
    "section_passwords_issue": Decision(STAFF, lambda w: w.section),
    "section_create": Decision(COURSE_INSTRUCTORS, lambda w: w.section.course),
    "section_create_somewhere": Decision(COURSE_INSTRUCTORS, lambda w: None),
    "section_quiz_create": Decision(INSTRUCTORS, lambda w: w.section),
    "course_view": Decision(people(A, A, H, A, A, A, A), lambda w: w.section.course),
    "question_view": Decision(people(A, H, H, A, A, A, A), lambda w: w.text_q),
    "question_key_view": Decision(people(F, F, F, A, A, A, A), lambda w: w.text_q),
    "quiz_view": Decision(people(H, H, H, A, A, A, A), lambda w: w.quiz),
    "quiz_create": Decision(COURSE_INSTRUCTORS, lambda w: w.section.course),
    "assignment_view": Decision(MEMBERS, lambda w: w.assignment),
    "assignment_staff_view": Decision(STAFF, lambda w: w.assignment),
    "assignment_create": Decision(INSTRUCTORS, lambda w: w.section),
    "assignment_change": Decision(INSTRUCTORS, lambda w: w.assignment),
    "assignment_extend": Decision(INSTRUCTORS, lambda w: w.assignment),
    "assignment_release": Decision(INSTRUCTORS, lambda w: w.assignment),
    "assignment_regrade": Decision(INSTRUCTORS, lambda w: w.assignment),
    "attempt_start": Decision(people(A, H, H, F, F, H, F), lambda w: w.assignment),
    "attempt_view": Decision(MEMBERS, lambda w: w.graded),
    "attempt_answer": Decision(OWNER, lambda w: w.open_attempt),
    "answer_staff_view": Decision(STAFF, lambda w: w.graded_answer),
    "answer_grade": Decision(STAFF, lambda w: w.graded_answer),
    "grading_job_view": Decision(people(H, H, H, A, A, H, A), lambda w: w.job),
}


@dataclass(frozen=True)
class Route:
    name: str  # URL name with its namespace: "api:..." or "teach:..."
    method: str
    rule: str  # a key of DECISIONS
    success: int  # the status when allowed
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    body: Callable[[World], Any] | None = None

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")


def _section(w: World) -> dict[str, int]:
    return {"section_id": w.section.pk}


def _assignment(w: World) -> dict[str, int]:
    return {"assignment_id": w.assignment.pk}


def _local(moment: Any, w: World) -> str:
    """A datetime-local input's value, in the section's time zone (as the browser posts it)."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(w.section.time_zone)).strftime("%Y-%m-%dT%H:%M")


def _settings(w: World) -> dict[str, Any]:
    return {
        "title": "Renamed",
        "opens_at": _local(w.assignment.opens_at, w),
        "closes_at": _local(w.assignment.closes_at, w),
        "time_limit_minutes": "30",
        "max_attempts": "2",
        "grace_minutes": "1",
        "release_policy": w.assignment.release_policy,
    }


def _csv(w: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("class.csv", b"username,name,email\nnewbie,New Student,\n", "text/csv")}


ROUTES: list[Route] = [
    # --- REST API ---------------------------------------------------------------------------------
    Route("api:auth-token", "POST", "public", 201, body=lambda w: {"username": w.scripter.username, "password": PASSWORD}),
    Route("api:auth-token", "DELETE", "signed_in", 204),
    Route("api:auth-tokens", "GET", "signed_in", 200),
    Route("api:auth-token-detail", "DELETE", "own_token", 204, lambda w: {"pk": w.token_ids["student"]}),
    Route("api:me", "GET", "signed_in", 200),
    Route("api:course-list", "GET", "signed_in", 200),
    Route("api:course-detail", "GET", "course_view", 200, lambda w: {"pk": w.section.course_id}),
    Route("api:chapter-list", "GET", "signed_in", 200),
    Route("api:chapter-detail", "GET", "course_view", 200, lambda w: {"pk": w.chapter.pk}),
    Route("api:question-list", "GET", "signed_in", 200),
    Route("api:question-detail", "GET", "question_view", 200, lambda w: {"pk": w.text_q.pk}),
    Route("api:quiz-list", "GET", "signed_in", 200),
    Route("api:quiz-list", "POST", "quiz_create", 201,
          body=lambda w: {"course": w.section.course_id, "title": "New quiz", "items": [{"question": w.choice_q.pk}]}),
    Route("api:quiz-detail", "GET", "quiz_view", 200, lambda w: {"pk": w.quiz.pk}),
    Route("api:section-list", "GET", "signed_in", 200),
    Route("api:section-list", "POST", "section_create", 201,
          body=lambda w: {"course": w.section.course_id, "name": "New section", "term": "2027", "time_zone": "UTC"}),
    Route("api:section-detail", "GET", "section_view", 200, lambda w: {"pk": w.section.pk}),
    Route("api:section-enrollments", "GET", "section_staff_view", 200, _section),
    Route("api:section-enrollments", "POST", "section_manage", 201, _section,
          body=lambda w: {"username": w.scripter.username, "role": "student"}),
    Route("api:section-enrollment", "DELETE", "section_manage", 204,
          lambda w: {"section_id": w.section.pk, "pk": w.spare.pk}),
    Route("api:section-grades", "GET", "section_staff_view", 200, _section),
    Route("api:assignment-list", "GET", "signed_in", 200),
    Route("api:assignment-list", "POST", "assignment_create", 201,
          body=lambda w: {"quiz": w.quiz.pk, "section": w.section.pk, "opens_at": "2030-01-01T08:00:00+08:00",
                          "closes_at": "2030-01-01T10:00:00+08:00", "time_limit": "00:45:00"}),
    Route("api:assignment-detail", "GET", "assignment_view", 200, lambda w: {"pk": w.assignment.pk}),
    Route("api:assignment-detail", "PATCH", "assignment_change", 200, lambda w: {"pk": w.assignment.pk},
          body=lambda w: {"title": "Renamed", "max_attempts": 3}),
    Route("api:assignment-start", "POST", "attempt_start", 200, _assignment),
    Route("api:assignment-regrade", "GET", "assignment_staff_view", 200,
          lambda w: {"assignment_id": w.assignment.pk, "question_id": w.text_q.pk}),
    Route("api:assignment-regrade", "POST", "assignment_regrade", 202,
          lambda w: {"assignment_id": w.assignment.pk, "question_id": w.text_q.pk}),
    Route("api:gradebook-csv", "GET", "assignment_staff_view", 200, _assignment),
    Route("api:answers-csv", "GET", "assignment_staff_view", 200, _assignment),
    Route("api:attempt-list", "GET", "signed_in", 200),
    Route("api:attempt-detail", "GET", "attempt_view", 200, lambda w: {"pk": w.graded.pk}),
    Route("api:attempt-submit", "POST", "attempt_answer", 200, lambda w: {"pk": w.open_attempt.pk}),
    Route("api:attempt-answer", "PUT", "attempt_answer", 200,
          lambda w: {"attempt_id": w.open_attempt.pk, "question_id": w.text_q.pk},
          body=lambda w: {"response": "Bidirectional Encoder Representations from Transformers"}),
    Route("api:my-grades", "GET", "signed_in", 200),
    Route("api:grade-override", "POST", "answer_grade", 200,
          body=lambda w: {"answer_ids": [w.graded_answer.pk], "score": "1.5", "reason": "Partly right"}),
    Route("api:answer-history", "GET", "answer_staff_view", 200, lambda w: {"answer_id": w.graded_answer.pk}),
    Route("api:grading-job-list", "GET", "signed_in", 200),
    Route("api:grading-job-detail", "GET", "grading_job_view", 200, lambda w: {"pk": w.job.pk}),
    # --- the instructor workspace --------------------------------------------------------------------
    Route("teach:sections", "GET", "signed_in", 200),
    Route("teach:section_new", "GET", "section_create_somewhere", 200),
    Route("teach:section_new", "POST", "section_create", 302,
          body=lambda w: {"course": w.section.course_id, "name": "New section", "term": "2027", "time_zone": "UTC"}),
    Route("teach:section", "GET", "section_staff_view", 200, _section),
    Route("teach:enrol", "GET", "section_manage", 200, _section),
    Route("teach:enrol", "POST", "section_manage", 200, _section, body=_csv),
    Route("teach:passwords", "GET", "section_passwords_issue", 200, _section),
    Route("teach:passwords", "POST", "section_passwords_issue", 200, _section,
          body=lambda w: {"students": "all", "format": "csv"}),
    Route("teach:passwords_revoke", "POST", "section_passwords_issue", 302, _section),
    Route("teach:assistant_add", "POST", "section_manage", 302, _section,
          body=lambda w: {"username": w.scripter.username}),
    Route("teach:quiz_new", "GET", "section_quiz_create", 200, _section),
    Route("teach:quiz_new", "POST", "section_quiz_create", 302, _section,
          body=lambda w: {"title": "Built on the page", "question": [str(w.choice_q.pk)]}),
    # the world's quiz has attempts: the builder shows "edit a copy" and refuses to save (409)
    Route("teach:quiz_edit", "GET", "section_quiz_create", 200, lambda w: {"section_id": w.section.pk, "quiz_id": w.quiz.pk}),
    Route("teach:quiz_edit", "POST", "section_quiz_create", 409, lambda w: {"section_id": w.section.pk, "quiz_id": w.quiz.pk},
          body=lambda w: {"title": "Edited", "question": [str(w.choice_q.pk)]}),
    Route("teach:quiz_copy", "POST", "section_quiz_create", 302, lambda w: {"section_id": w.section.pk, "quiz_id": w.quiz.pk}),
    Route("teach:assignment_new", "GET", "assignment_create", 200, _section),
    Route("teach:assignment_new", "POST", "assignment_create", 302, _section,
          body=lambda w: {"quiz": w.quiz.pk, "opens_at": "2030-01-01T08:00", "closes_at": "2030-01-01T10:00",
                          "time_limit_minutes": "45", "max_attempts": "1", "grace_minutes": "2",
                          "release_policy": "after_close"}),
    Route("teach:monitor", "GET", "assignment_staff_view", 200, _assignment),
    Route("teach:monitor_json", "GET", "assignment_staff_view", 200, _assignment),
    Route("teach:similarity", "GET", "assignment_staff_view", 200, _assignment),
    Route("teach:similarity_compute", "POST", "assignment_staff_view", 302, _assignment),
    Route("teach:release", "POST", "assignment_release", 302, _assignment),
    Route("teach:assignment_edit", "GET", "assignment_change", 200, _assignment),
    Route("teach:assignment_edit", "POST", "assignment_change", 302, _assignment, body=_settings),
    Route("teach:extensions", "GET", "assignment_extend", 200, _assignment),
    Route("teach:extensions", "POST", "assignment_extend", 302, _assignment,
          body=lambda w: {"student": w.users["student"].pk, "extra_minutes": "20"}),
    Route("teach:extension_revoke", "POST", "assignment_extend", 302,
          lambda w: {"assignment_id": w.assignment.pk, "student_id": w.users["student"].pk}),
    Route("teach:review", "GET", "assignment_staff_view", 200, _assignment),
    Route("teach:review_question", "GET", "assignment_staff_view", 200,
          lambda w: {"assignment_id": w.assignment.pk, "question_id": w.text_q.pk}),
    Route("teach:review_grade", "POST", "assignment_staff_view", 302,
          lambda w: {"assignment_id": w.assignment.pk, "question_id": w.text_q.pk},
          body=lambda w: {"answer": [str(w.graded_answer.pk)], "score": "1", "reason": "Fair"}),
    Route("teach:answer", "GET", "answer_staff_view", 200, lambda w: {"answer_id": w.graded_answer.pk}),
    Route("teach:answer", "POST", "answer_grade", 302, lambda w: {"answer_id": w.graded_answer.pk},
          body=lambda w: {"score": "1.5", "reason": "Partly right"}),
    Route("teach:regrade", "GET", "assignment_staff_view", 200, _assignment),
    Route("teach:regrade", "POST", "assignment_regrade", 302, _assignment, body=lambda w: {"question": w.text_q.pk}),
    Route("teach:analytics", "GET", "assignment_staff_view", 200, _assignment),
    Route("teach:analytics_csv", "GET", "assignment_staff_view", 200,
          lambda w: {"assignment_id": w.assignment.pk, "table": "questions"}),
    Route("teach:export_gradebook", "GET", "assignment_staff_view", 200, _assignment),
    Route("teach:export_answers", "GET", "assignment_staff_view", 200, _assignment),
]  # fmt: skip


class _Rollback(Exception):
    pass


def _call(world: World, route: Route, persona: str) -> tuple[int, Any]:
    """One request, its writes rolled back, so every persona meets the same world."""
    url = reverse(route.name, kwargs=route.kwargs(world))
    body = route.body(world) if route.body else None
    cache.clear()  # throttle counters
    result: list[Any] = []
    try:
        with transaction.atomic():
            if route.is_api:
                response = getattr(world.client(persona), route.method.lower())(url, body, format="json")
            else:
                response = getattr(world.page_client(persona), route.method.lower())(url, body or {})
            json_body = response.get("Content-Type", "").startswith("application/json")
            result[:] = [response, response.json() if json_body else None]
            raise _Rollback
    except _Rollback:
        pass
    return result[0], result[1]


def _expected(route: Route, persona: str) -> int | str:
    if persona == "anonymous":
        if route.rule == "public":
            return route.success
        return 401 if route.is_api else "sign-in"
    outcome = DECISIONS[route.rule].outcome[PEOPLE.index(persona)]
    return route.success if outcome == A else int(outcome)


def _got(route: Route, response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "sign-in"
    return response.status_code


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.name}" for r in ROUTES])
def test_every_route_answers_as_its_rule_decides(world: World, route: Route) -> None:
    """Each route, every persona, checked and reported together; every API refusal in the one format."""
    got, expected = {}, {}
    for persona in PERSONAS:
        response, body = _call(world, route, persona)
        got[persona], expected[persona] = _got(route, response), _expected(route, persona)
        if route.is_api and response.status_code >= 400:
            assert body and body["error"]["code"] and body["error"]["message"], (persona, body)
    assert got == expected


@pytest.mark.parametrize("rule", [r for r, d in DECISIONS.items() if d.subject], ids=str)
def test_the_policy_decides_as_the_table_says(world: World, rule: str) -> None:
    """The rules asked directly, as the services ask them (`actor=user`)."""
    subject = DECISIONS[rule].subject(world)  # type: ignore[misc]
    got = {}
    for persona in PEOPLE:
        try:
            policy.RULES[rule](world.users[persona], subject)
        except NotVisible:
            got[persona] = H
        except NotPermitted:
            got[persona] = F
        else:
            got[persona] = A
    assert got == dict(zip(PEOPLE, DECISIONS[rule].outcome, strict=True))


def test_every_rule_has_a_row() -> None:
    rules = {r for r, d in DECISIONS.items() if d.subject}
    assert rules == set(policy.RULES), "rules of classes.policy and rows of DECISIONS differ"
    assert {r.rule for r in ROUTES} <= set(DECISIONS)


def _routes(prefix: str) -> dict[str, Any]:
    """URL name (with namespace) -> view callback of every route under `prefix`, from the resolver."""
    found: dict[str, Any] = {}

    def walk(patterns: list[Any], path: str, namespace: str) -> None:
        for p in patterns:
            route = path + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and route.lstrip("^").startswith(prefix):
                assert p.name, f"unnamed route {route}"
                found[f"{namespace}{p.name}"] = p.callback

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_api_route_has_a_row() -> None:
    routes: set[tuple[str, str]] = set()
    for name, callback in _routes("api/v1/").items():
        if hasattr(callback, "actions"):
            methods = set(callback.actions)
        else:
            view = callback.view_class
            methods = {m for m in view.http_method_names if hasattr(view, m)}
        routes.update((name, m.upper()) for m in methods - {"head", "options"})
    rows = {(r.name, r.method) for r in ROUTES if r.is_api}
    assert len(routes) > 30
    assert routes - rows == set(), "API routes without a row in the permission matrix"
    assert rows - routes == set(), "rows of the matrix for API routes that do not exist"


def test_every_workspace_route_and_method_has_a_row(world: World) -> None:
    """Every /teach/ route, and every method its view accepts (asked as a superuser: a method it
    does not accept answers 405), has a row."""
    names = set(_routes("teach/"))
    rows = {(r.name, r.method) for r in ROUTES if not r.is_api}
    assert len(names) > 20
    assert names - {n for n, _ in rows} == set(), "workspace routes without a row in the permission matrix"
    for name in names:
        sample = next(r for r in ROUTES if r.name == name)
        for method in ("GET", "POST"):
            response, _ = _call(world, Route(name, method, "signed_in", 0, sample.kwargs, sample.body), "admin")
            accepted = response.status_code != 405
            assert accepted == ((name, method) in rows), f"{method} {name}: accepted={accepted}, row missing or stale"
