"""The bank through the API: answer keys only for the course's staff; quizzes created with items."""

from __future__ import annotations

from quizzes.models import Quiz
from quizzes.tests.factories import QuestionFactory

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
