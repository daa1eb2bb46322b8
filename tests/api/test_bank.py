"""The bank through the API: answer keys only for the course's staff; quizzes created with items."""

from __future__ import annotations

from rest_framework.test import APIClient

from accounts.services import token_create
from bank.tests.factories import QuestionFactory
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory, SectionFactory
from quizzes.models import Quiz

from .conftest import World

STAFF_ONLY = {"reference_answer", "rubric_points", "accepted_answers", "version", "numeric_value"}


def test_staff_of_the_course_see_the_answer_key(world: World) -> None:
    for persona in ("assistant", "instructor", "admin"):
        body = world.client(persona).get(f"/api/v1/questions/{world.text_q.pk}").json()
        assert STAFF_ONLY <= set(body), persona
        assert body["rubric_points"][0]["text"] == "names the encoder"
        choice = world.client(persona).get(f"/api/v1/questions/{world.choice_q.pk}").json()
        assert {c["text"]: c["is_correct"] for c in choice["choices"]} == {"BERT": True, "GPT": False}


def test_students_see_questions_without_any_key(world: World) -> None:
    client = world.client("student")
    listed = client.get(f"/api/v1/questions?chapter={world.chapter.pk}").json()["results"]
    assert {q["id"] for q in listed} == {world.choice_q.pk, world.text_q.pk}
    for body in listed:
        assert not STAFF_ONLY & set(body)
        assert all(set(c) == {"id", "text"} for c in body["choices"])
    assert world.text_q.reference_answer not in str(listed)


def test_a_quiz_is_created_with_fixed_and_drawn_items(world: World) -> None:
    body = {
        "course": world.section.course_id,
        "title": "Mixed",
        "items": [{"question": world.choice_q.pk, "points": "2.5"}, {"chapter": world.chapter.pk, "draw": 1}],
    }
    response = world.client("instructor").post("/api/v1/quizzes", body, format="json")
    assert response.status_code == 201, response.content
    quiz = Quiz.objects.get(pk=response.json()["id"])
    assert [(i.question_id, i.chapter_id, i.draw_count) for i in quiz.items.order_by("position")] == [
        (world.choice_q.pk, None, 1),
        (None, world.chapter.pk, 1),
    ]


def test_a_quiz_item_from_another_course_is_refused(world: World) -> None:
    stranger = QuestionFactory()
    body = {"course": world.section.course_id, "title": "Bad", "items": [{"question": stranger.pk}]}
    error = world.client("instructor").post("/api/v1/quizzes", body, format="json").json()["error"]
    assert error["fields"] == {"items.0": ["This item is not from the quiz's course."]}


def test_a_student_lists_only_questions_of_attempts_they_have_started(world: World) -> None:
    # given a classmate who has not started anything: the bank's prompts stay out of reach
    classmate = EnrollmentFactory(section=world.section, role=Enrollment.Role.STUDENT).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=classmate).key}")
    assert client.get("/api/v1/questions").json()["count"] == 0
    assert client.get(f"/api/v1/questions/{world.text_q.pk}").status_code == 404

    # once they start the assignment, its questions (without keys)
    assert client.post(f"/api/v1/assignments/{world.assignment.pk}/attempts").status_code == 201
    listed = client.get("/api/v1/questions").json()["results"]
    assert {q["id"] for q in listed} == {world.choice_q.pk, world.text_q.pk}
    assert not STAFF_ONLY & {k for q in listed for k in q}


def test_a_student_of_one_section_made_staff_of_another_gets_no_key(world: World) -> None:
    # an enrolment the services now refuse, written directly as older data may hold it
    sibling = SectionFactory(course=world.section.course)
    Enrollment.objects.create(section=sibling, user=world.users["student"], role=Enrollment.Role.ASSISTANT)
    body = world.client("student").get(f"/api/v1/questions/{world.text_q.pk}").json()
    assert not STAFF_ONLY & set(body)
    assert world.client("student").get(f"/api/v1/quizzes/{world.quiz.pk}").status_code == 404


def test_staff_of_another_course_see_neither_questions_nor_keys(world: World) -> None:
    stranger = EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user  # another course
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=stranger).key}")
    assert client.get(f"/api/v1/questions/{world.text_q.pk}").status_code == 404
    assert client.get("/api/v1/questions").json()["count"] == 0
