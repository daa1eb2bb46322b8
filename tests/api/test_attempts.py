"""The student's path through the API: idempotent start, save and submit; deadlines; privacy."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import token_create
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from quizzes import services as quiz_services
from quizzes.models import Answer, Attempt
from quizzes.tests.factories import AssignmentFactory

from .conftest import World


def test_starting_twice_gives_one_attempt(world: World) -> None:
    assignment = AssignmentFactory(quiz=world.quiz, section=world.section)
    client = world.client("student")
    url = f"/api/v1/assignments/{assignment.pk}/attempts"

    first = client.post(url)
    again = client.post(url)  # a retry after a lost response

    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Attempt.objects.filter(assignment=assignment, student=world.users["student"]).count() == 1
    assert [q["question"]["id"] for q in first.json()["questions"]] == [world.choice_q.pk, world.text_q.pk]
    assert "is_correct" not in str(first.json())  # the answer key never reaches the student


def test_saving_the_same_answer_twice_stores_it_once(world: World) -> None:
    client = world.client("student")
    url = f"/api/v1/attempts/{world.open_attempt.pk}/answers/{world.text_q.pk}"

    responses = [client.put(url, {"response": "BERT"}, format="json") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    answers = Answer.objects.filter(attempt=world.open_attempt, question=world.text_q)
    assert answers.count() == 1 and answers.get().response == "BERT"


def test_submitting_twice_changes_nothing_the_second_time(world: World) -> None:
    client = world.client("student")
    url = f"/api/v1/attempts/{world.open_attempt.pk}/submit"

    first = client.post(url)
    again = client.post(url)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["status"] == Attempt.Status.SUBMITTED


def test_saving_after_deadline_and_grace_is_refused_with_a_message(world: World) -> None:
    client = world.client("student")
    url = f"/api/v1/attempts/{world.open_attempt.pk}/answers/{world.text_q.pk}"
    assert client.put(url, {"response": "in time"}, format="json").status_code == 200
    now = timezone.now()
    Attempt.objects.filter(pk=world.open_attempt.pk).update(
        started_at=now - timedelta(hours=1), deadline=now - timedelta(minutes=2)
    )  # grace is one minute

    late = client.put(url, {"response": "too late"}, format="json")

    assert late.status_code == 409
    assert late.json()["error"]["code"] == "deadline_passed"
    assert "deadline" in late.json()["error"]["message"]
    assert Answer.objects.get(attempt=world.open_attempt, question=world.text_q).response == "in time"


def test_starting_outside_the_window_says_when_it_opens(world: World) -> None:
    later = AssignmentFactory(
        quiz=world.quiz,
        section=world.section,
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=2),
    )
    response = world.client("student").post(f"/api/v1/assignments/{later.pk}/attempts")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "window_not_open"
    assert "opens" in response.json()["error"]["message"]


def test_a_classmates_attempt_is_not_found(world: World) -> None:
    classmate = EnrollmentFactory(section=world.section, role=Enrollment.Role.STUDENT).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=classmate).key}")
    attempt = world.open_attempt.pk

    responses = [
        client.get(f"/api/v1/attempts/{attempt}"),
        client.put(f"/api/v1/attempts/{attempt}/answers/{world.text_q.pk}", {"response": "x"}, format="json"),
        client.post(f"/api/v1/attempts/{attempt}/submit"),
        client.get(f"/api/v1/answers/{world.graded_answer.pk}/history"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert all(r.json() == {"error": {"code": "not_found", "message": "Not found."}} for r in responses)
    assert client.get("/api/v1/attempts").json()["count"] == 0


def test_timestamps_are_iso_8601_with_an_offset(world: World) -> None:
    body = world.client("student").get(f"/api/v1/attempts/{world.open_attempt.pk}").json()
    for name in ("started_at", "deadline", "accepts_answers_until"):
        parsed = datetime.fromisoformat(body[name])
        assert parsed.tzinfo is not None, name


def test_released_grades_reach_the_student_and_only_theirs(world: World) -> None:
    mine = world.client("student").get("/api/v1/grades/mine").json()
    assert mine["count"] == 1
    graded = mine["results"][0]
    assert graded["attempt"] == world.graded.pk
    assert {a["question"] for a in graded["answers"]} == {world.choice_q.pk, world.text_q.pk}
    assert world.client("other_student").get("/api/v1/grades/mine").json()["count"] == 0


def test_a_student_taken_out_of_the_section_cannot_keep_saving(world: World) -> None:
    client = world.client("student")
    url = f"/api/v1/attempts/{world.open_attempt.pk}/answers/{world.text_q.pk}"
    assert client.put(url, {"response": "while enrolled"}, format="json").status_code == 200
    Enrollment.objects.filter(section=world.section, user=world.users["student"]).delete()

    refused = client.put(url, {"response": "after removal"}, format="json")

    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_enrolled"
    assert Answer.objects.get(attempt=world.open_attempt, question=world.text_q).response == "while enrolled"


def test_overriding_an_answer_of_an_attempt_in_progress_is_refused(world: World) -> None:
    answer = quiz_services.answer_save(attempt=world.open_attempt, question_id=world.text_q.pk, response="draft")
    body = {"answer_ids": [answer.pk], "score": "1", "reason": "looks right"}

    refused = world.client("assistant").post("/api/v1/grades/override", body, format="json")

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "attempt_in_progress"
    assert not answer.grades.exists()
