"""The OpenAPI schema is valid, and the API keeps to it under generated input (schemathesis).

Schemathesis calls the WSGI application in-process (no server, no network), as each of the
student, the assistant and the instructor of the test world (every operation x every role), with
a bounded number of examples per operation and a fixed seed (derandomized). Each generated case is
sent twice: as generated (mostly unknown ids -> 404) and with the path ids replaced by real objects
of the world, so the bodies and query strings also reach the views' validation and the services.
Checks: no server error; status code, content type and body as the schema says (every 4xx is the
one error format, `components.schemas.Error`, which `test_every_refusal_is_the_one_error_format`
also asserts directly).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from classroom.wsgi import application

from .conftest import World

MAX_EXAMPLES = 12  # per operation and role: 39 operations x 3 roles x 12 x 2 sends, ~2 min on 2 cores
ROLES = ("student", "assistant", "instructor")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_schema_is_valid_without_warnings(tmp_path) -> None:
    """`manage.py spectacular --validate --fail-on-warn` in the suite: a warning fails the build."""
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/attempts/{attempt_id}/answers/{question_id}" in text
    assert text.count("operationId") >= 35


def test_docs_pages_are_served_locally(client) -> None:
    """Swagger UI and Redoc load their JavaScript from our static files (the sidecar), never a CDN."""
    for name in ("docs", "redoc"):
        html = client.get(f"/api/{name}/").content.decode()
        assert "cdn" not in html.lower() and "unpkg" not in html.lower() and "jsdelivr" not in html.lower()
        assert "/static/drf_spectacular_sidecar/" in html
    assert client.get("/api/schema/").status_code == 200


@pytest.fixture
def in_process_db():
    """Django's test client does this too: a WSGI request must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded once at collection: generating the schema needs no database.
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", application)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _real_ids(world: World) -> dict[str, int]:
    return {
        "id": world.assignment.pk,
        "pk": world.assignment.pk,
        "section_id": world.section.pk,
        "assignment_id": world.assignment.pk,
        "attempt_id": world.open_attempt.pk,
        "question_id": world.text_q.pk,
        "answer_id": world.graded_answer.pk,
    }


def _assert_error_format(response) -> None:
    """A refusal is a 4xx whose JSON body is {"error": {"code": ..., "message": ...}}."""
    if 400 <= response.status_code < 500:
        body = response.json()
        assert set(body) == {"error"}, body
        assert body["error"]["code"] and body["error"]["message"], body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_api_conforms_to_its_schema(operation, role: str, world: World, in_process_db) -> None:
    headers = {"Authorization": f"Token {world.tokens[role]}"}
    real = _real_ids(world)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        cache.clear()  # throttles are tested elsewhere
        _assert_error_format(case.call_and_validate(headers=headers, checks=CHECKS))
        if case.path_parameters:
            case.path_parameters = {k: real.get(k, v) for k, v in case.path_parameters.items()}
            _assert_error_format(case.call_and_validate(headers=headers, checks=CHECKS))

    check()
