"""Hostile input: each a 4xx in the one error format with a clear message, never a 500."""

from __future__ import annotations

import json

import pytest

from quizzes.models import Answer, Assignment

from .conftest import World


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    return body["error"]


def _raw(world: World, persona: str, method: str, url: str, data: bytes | str, content_type: str = "application/json"):
    return getattr(world.client(persona), method)(url, data=data, content_type=content_type)


@pytest.fixture
def assignment_url(world: World) -> str:
    return f"/api/v1/assignments/{world.assignment.pk}"


def test_unknown_fields_are_rejected_by_name(world: World, assignment_url: str) -> None:
    response = world.client("instructor").patch(assignment_url, {"title": "x", "colour": "red"}, format="json")
    error = _error(response, 400)
    assert error["fields"] == {"colour": ["Unknown field."]}
    assert "colour" in error["message"]


def test_unknown_fields_in_nested_items_are_rejected(world: World) -> None:
    body = {"course": world.section.course_id, "title": "Q", "items": [{"question": world.choice_q.pk, "weight": 2}]}
    error = _error(world.client("instructor").post("/api/v1/quizzes", body, format="json"), 400)
    assert error["fields"] == {"items.0.weight": ["Unknown field."]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_attempts": "many"}, "max_attempts"),
        ({"opens_at": 12}, "opens_at"),
        ({"time_limit": [1, 2]}, "time_limit"),
        ({"release_policy": {"$ne": 1}}, "release_policy"),
        ({"max_attempts": -1}, "max_attempts"),
        ({"max_attempts": 10**30}, "max_attempts"),
        ({"time_limit": "999999999 00:00:00"}, "time_limit"),
        ({"grace_period": "-1 00:00:00"}, "grace_period"),
        ({"opens_at": "9999-12-31T23:59:59Z"}, "opens_at"),
    ],
)
def test_wrong_types_and_out_of_range_values_name_the_field(world: World, assignment_url: str, body, field) -> None:
    error = _error(world.client("instructor").patch(assignment_url, body, format="json"), 400)
    assert field in error["fields"]


def test_missing_fields_are_listed(world: World) -> None:
    error = _error(world.client("instructor").post("/api/v1/assignments", {}, format="json"), 400)
    assert {"quiz", "section", "opens_at", "closes_at"} <= set(error["fields"])


def test_a_body_that_is_not_an_object_is_refused(world: World, assignment_url: str) -> None:
    _error(_raw(world, "instructor", "patch", assignment_url, "[1, 2, 3]"), 400)
    _error(_raw(world, "instructor", "patch", assignment_url, '"title"'), 400)


def test_a_body_over_the_upload_limit_is_413(world: World, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = f"/api/v1/attempts/{world.open_attempt.pk}/answers/{world.text_q.pk}"
    error = _error(_raw(world, "student", "put", url, json.dumps({"response": "x" * 5000})), 413)
    assert "limit" in error["message"]


def test_an_answer_over_the_length_limit_is_refused(world: World, settings) -> None:
    settings.ANSWER_MAX_CHARS = 100
    url = f"/api/v1/attempts/{world.open_attempt.pk}/answers/{world.text_q.pk}"
    error = _error(world.client("student").put(url, {"response": "x" * 500}, format="json"), 400)
    assert error["code"] == "answer_too_long"


@pytest.mark.parametrize("depth", [25, 100_000])
def test_deeply_nested_json_is_refused(world: World, depth: int) -> None:
    url = f"/api/v1/attempts/{world.open_attempt.pk}/answers/{world.text_q.pk}"
    body = '{"response": ' + "[" * depth + "]" * depth + "}"
    error = _error(_raw(world, "student", "put", url, body), 400)
    assert "nested" in error["message"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('{"response": "\\ud800 lone surrogate"}', "surrogate"),
        ('{"response": "nul \\u0000 byte"}', "NUL"),
        (b'{"response": "\xff\xfe not utf-8"}', "JSON"),
        ('{"response": NaN}', "JSON"),
        ('{"response": "unterminated', "JSON"),
    ],
)
def test_invalid_text_is_refused(world: World, body, words: str) -> None:
    url = f"/api/v1/attempts/{world.open_attempt.pk}/answers/{world.text_q.pk}"
    error = _error(_raw(world, "student", "put", url, body), 400)
    assert words in error["message"]


def test_other_media_types_are_415(world: World, assignment_url: str) -> None:
    error = _error(
        _raw(world, "instructor", "patch", assignment_url, "title=x", "application/x-www-form-urlencoded"), 415
    )
    assert "application/x-www-form-urlencoded" in error["message"]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "'; DROP TABLE quizzes_assignment; --",
        "Robert'); SELECT * FROM accounts_user WHERE '1'='1",
        "中文 العربية 🧪 \u202e reversed",
    ],
)
def test_text_is_stored_and_returned_exactly_as_sent(world: World, assignment_url: str, text: str) -> None:
    client = world.client("instructor")
    assert client.patch(assignment_url, {"title": text}, format="json").status_code == 200
    assert client.get(assignment_url).json()["title"] == text
    assert Assignment.objects.get(pk=world.assignment.pk).title == text
    url = f"/api/v1/attempts/{world.open_attempt.pk}/answers/{world.text_q.pk}"
    assert world.client("student").put(url, {"response": text}, format="json").json()["response"] == text
    assert Answer.objects.get(attempt=world.open_attempt, question=world.text_q).response == text


@pytest.mark.parametrize(
    "query",
    [
        "section=1%20OR%201=1",
        "section=-1",
        "section=99999999999999999999999999",
        "ordering=password",
        "ordering=;DROP",
        "page=-1",
        "page=abc",
        "page_size=1000000000",
        "release_policy=%00",
    ],
)
def test_hostile_query_strings_never_fail(world: World, query: str) -> None:
    response = world.client("instructor").get(f"/api/v1/assignments?{query}")
    assert response.status_code in (200, 400, 404), response.content[:300]
    if response.status_code >= 400:
        _error(response, response.status_code)


@pytest.mark.parametrize("ident", ["-1", "0", "99999999999999999999999999", "9223372036854775808"])
def test_absurd_ids_are_404(world: World, ident: str) -> None:
    for url in (f"/api/v1/assignments/{ident}", f"/api/v1/sections/{ident}/grades", f"/api/v1/attempts/{ident}"):
        _error(world.client("instructor").get(url), 404)


@pytest.mark.parametrize("score", ["NaN", "Infinity", "-1", "1e400", 10**40, "abc", True])
def test_absurd_scores_are_refused(world: World, score) -> None:
    body = {"answer_ids": [world.graded_answer.pk], "score": score, "reason": "r"}
    response = world.client("instructor").post("/api/v1/grades/override", body, format="json")
    assert "score" in _error(response, 400).get("fields", {}) or response.json()["error"]["code"] == "override_refused"


def test_a_score_above_the_points_is_refused_by_the_service(world: World) -> None:
    body = {"answer_ids": [world.graded_answer.pk], "score": "99", "reason": "r"}
    error = _error(world.client("instructor").post("/api/v1/grades/override", body, format="json"), 400)
    assert error["code"] == "override_refused" and "between 0 and" in error["message"]


def test_overriding_answers_of_another_section_is_404_without_their_data(world: World) -> None:
    other_staff = world.users["admin"]
    assert other_staff is not None
    body = {"answer_ids": [world.graded_answer.pk, 10**9], "score": "1", "reason": "r"}
    error = _error(world.client("instructor").post("/api/v1/grades/override", body, format="json"), 404)
    assert str(world.graded_answer.pk) not in error["message"]


def test_unknown_api_urls_are_json_404(world: World) -> None:
    _error(world.client("instructor").get("/api/v1/nothing/here"), 404)
    _error(world.client("anonymous").get("/api/v2/courses"), 404)


def test_bad_credentials_are_400_and_a_bad_token_401(world: World) -> None:
    error = _error(
        world.client("anonymous").post("/api/v1/auth/token", {"username": "x", "password": "y"}, format="json"), 400
    )
    assert error["message"] == "Wrong username or password."
    client = world.client("anonymous")
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    _error(client.get("/api/v1/me"), 401)
