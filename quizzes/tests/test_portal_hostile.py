"""Hostile input to the portal's autosave (and its form POST): every refusal is a 4xx in the
autosave's own JSON format ({"ok": false, "code", "message"}), never a 500.

The fuzz at the end sends generated JSON bodies (any shape, any text, deep nesting) with a fixed
seed and a bounded number of examples.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes import services
from quizzes.models import Answer
from quizzes.tests.portal_data import every_kind_assignment, questions_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(section, student):
    return services.attempt_start(assignment=every_kind_assignment(section), student=student)


@pytest.fixture
def signed_in(client: Client, student) -> Client:
    client.force_login(student)
    return client


def _post(client: Client, attempt, body: str | bytes):
    return client.post(reverse("portal:autosave", args=[attempt.pk]), data=body, content_type="application/json")


def _assert_refusal(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["ok"] is False and body["code"] and body["message"]
    return body


@pytest.mark.parametrize("depth", [25, 1_000, 100_000])
def test_deeply_nested_autosave_json_is_a_400(signed_in, attempt, depth):
    free = questions_of(attempt)["free_text"]
    nested = "[" * depth + "]" * depth
    body = _assert_refusal(_post(signed_in, attempt, f'{{"answers": {{"{free.pk}": {nested}}}}}'))
    assert body["code"] == "bad_request"
    assert not Answer.objects.filter(attempt=attempt).exists()


@pytest.mark.parametrize("text", ["\\u0000", "a\\u0000b", "\\ud800", "x\\udfff"])
def test_text_postgresql_cannot_store_is_a_400_not_a_500(signed_in, attempt, text):
    free = questions_of(attempt)["free_text"]
    body = _post(signed_in, attempt, f'{{"answers": {{"{free.pk}": "{text}"}}}}')
    _assert_refusal(body)
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_a_nul_character_in_the_form_post_is_refused_next_to_its_question(signed_in, attempt):
    free = questions_of(attempt)["free_text"]
    response = signed_in.post(
        reverse("portal:attempt", args=[attempt.pk]), {f"q-{free.pk}": "a\x00b", "action": "save"}
    )
    assert response.status_code == 400
    assert not Answer.objects.filter(attempt=attempt, question=free).exists()


JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


def _bodies(question_ids: list[int]):
    key = st.sampled_from([str(q) for q in question_ids]) | st.text(max_size=12)
    answers = st.dictionaries(key, JSON, max_size=4)
    return st.one_of(
        answers.map(lambda a: json.dumps({"answers": a})),
        JSON.map(json.dumps),
        st.binary(max_size=60),
        st.integers(1, 3000).map(lambda d: '{"answers": {"1": ' + "[" * d + "]" * d + "}}"),
    )


def test_autosave_fuzz_never_answers_a_server_error(signed_in, attempt):
    question_ids = list(questions_of(attempt)[k].pk for k in questions_of(attempt))

    @given(body=_bodies(question_ids))
    @settings(
        max_examples=150,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(body) -> None:
        response = _post(signed_in, attempt, body)
        assert response.status_code in (200, 400), (body, response.status_code, response.content[:200])
        if response.status_code == 400:
            _assert_refusal(response)

    check()
