"""Assignment and Grade Services against the platform simulator: a final, released score reaches
the LMS gradebook column of the activity, through the OAuth2 token endpoint (the tool's signed
assertion checked against its key set); overrides and regrades send the new score; sending twice
changes nothing; a 5xx is retried, a 4xx is final and shown on the monitor."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from jwcrypto.jwk import JWK

from grading import services as grading_services
from grading.models import ScorePassback
from grading.tests.builders import key_change
from lti import ags
from lti.tasks import send_score
from quizzes import authoring
from quizzes.models import ReleasePolicy

from .lms_class import lms_class
from .platform import Platform


def wait_for(condition: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


# --- end to end, with a worker ------------------------------------------------------------------


@pytest.fixture
def served(live_server, platform: Platform, registration) -> Platform:
    """The LMS fetches the tool's key set from its JWKS URL, as a real one does."""
    platform.tool_keyset_url = live_server.url + reverse("lti:jwks")
    return platform


def test_a_graded_score_reaches_the_lms_and_an_override_sends_the_new_one(celery_worker, served):
    served.score_failures = [503]  # the LMS has a bad moment: the task retries
    cls = lms_class(served)
    attempt = cls.submit(cls.student(), "BERT")  # graded by the worker, then sent by it

    wait_for(lambda: len(served.scores) == 1)
    column, score = served.scores[0]
    assert column == cls.column
    assert score["scoreGiven"] == 2.0 and score["scoreMaximum"] == 2.0 and score["userId"] == "student-1"
    assert score["gradingProgress"] == "FullyGraded" and score["activityProgress"] == "Completed"
    assert served.assertions and served.assertions[-1]["iss"] == served.client_id
    wait_for(lambda: ScorePassback.objects.filter(status=ScorePassback.Status.SENT).exists())
    record = ScorePassback.objects.get(attempt=attempt)
    assert record.tries == 2 and record.sent_score == 2 and record.target == cls.column

    answer = attempt.answers.get()
    grading_services.grade_override(answer_ids=[answer.pk], score="0.5", reason="Half right", actor=cls.instructor)
    wait_for(lambda: len(served.scores) == 2)
    assert served.scores[1][1]["scoreGiven"] == 0.5
    assert served.scores[1][1]["timestamp"] > score["timestamp"]  # the LMS keeps the newer one
    wait_for(lambda: ScorePassback.objects.get(pk=record.pk).sent_score == 0.5)


def test_a_regrade_that_changes_the_score_sends_the_new_score(celery_worker, served):
    cls = lms_class(served)
    cls.submit(cls.student(), "GPT")
    wait_for(lambda: len(served.scores) == 1)
    assert served.scores[0][1]["scoreGiven"] == 0.0

    key_change(cls.question, correct="GPT")
    grading_services.regrade_start(cls.question.pk)
    wait_for(lambda: len(served.scores) == 2)
    assert served.scores[1][1]["scoreGiven"] == 2.0


# --- the service, step by step ------------------------------------------------------------------


@pytest.mark.django_db
def test_sending_twice_posts_the_score_once(trusting):
    cls = lms_class(trusting)
    attempt = cls.graded("BERT")
    (pk,) = ags.passback_attempts([attempt.pk])

    assert ags.score_send(pk) == "sent"
    assert ags.score_send(pk) == "nothing"  # a message delivered twice
    assert ags.passback_attempts([attempt.pk]) == []  # the same score again: nothing to send
    assert len(trusting.scores) == 1
    record = ScorePassback.objects.get()
    assert record.status == ScorePassback.Status.SENT and record.tries == 1 and record.sent_at is not None


@pytest.mark.django_db
def test_an_lms_that_is_down_is_tried_again(trusting):
    cls = lms_class(trusting)
    (pk,) = ags.passback_attempts([cls.graded("BERT").pk])
    trusting.score_failures = [502]

    with pytest.raises(ags.LmsUnavailable):
        ags.score_send(pk)
    record = ScorePassback.objects.get()
    assert record.status == ScorePassback.Status.PENDING and record.tries == 1 and "HTTP 502" in record.last_error
    assert ags.LmsUnavailable in send_score.autoretry_for  # the task retries it with backoff

    assert ags.score_send(pk) == "sent"
    assert len(trusting.scores) == 1


@pytest.mark.django_db
def test_a_refused_score_is_failed_with_the_lms_answer_and_shown_on_the_monitor(trusting):
    cls = lms_class(trusting)
    attempt = cls.graded("BERT")
    (pk,) = ags.passback_attempts([attempt.pk])
    trusting.score_failures = [400]

    assert ags.score_send(pk) == "failed"  # not raised: no retry
    record = ScorePassback.objects.get()
    assert record.status == ScorePassback.Status.FAILED and "HTTP 400" in record.last_error
    assert ags.passback_attempts([attempt.pk]) == []  # the same score would be refused again

    client = Client()
    client.force_login(cls.instructor)
    page = client.get(reverse("teach:monitor", args=[cls.assignment.pk])).content.decode()
    assert "Scores sent to the LMS gradebook" in page and "HTTP 400" in page
    assert attempt.student.username in page


@pytest.mark.django_db
def test_the_lms_refuses_a_token_request_not_signed_by_the_tool(trusting):
    cls = lms_class(trusting)
    (pk,) = ags.passback_attempts([cls.graded("BERT").pk])
    trusting.tool_keyset = {"keys": [JWK.generate(kty="RSA", size=2048).export_public(as_dict=True)]}

    assert ags.score_send(pk) == "failed"
    assert "HTTP 401" in ScorePassback.objects.get().last_error and not trusting.scores


@pytest.mark.django_db
def test_scores_wait_for_their_release(trusting):
    cls = lms_class(trusting, release_policy=ReleasePolicy.MANUAL)
    attempt = cls.graded("BERT")

    assert ags.passback_attempts([attempt.pk]) == []  # graded, not released: the student cannot see it
    assert attempt.pk in ags.attempts_due()  # the sweep keeps looking

    authoring.results_release(assignment=cls.assignment)
    (pk,) = ags.passback_attempts(ags.attempts_of(cls.assignment.pk))
    assert ags.score_send(pk) == "sent"
    assert attempt.pk not in ags.attempts_due()
