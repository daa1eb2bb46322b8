"""Editing a quiz: items, points, draws and order while nobody has started it; once a student has,
the builder says so and offers a copy, which it creates and opens."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from bank.tests.factories import ChapterFactory, QuestionFactory
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from quizzes import authoring
from quizzes.errors import QuizHasAttempts
from quizzes.models import Quiz
from quizzes.services import attempt_start
from quizzes.tests.factories import AssignmentFactory, QuizFactory, QuizItemFactory


@pytest.fixture
def quiz(section):
    quiz = QuizFactory(course=section.course, title="Midterm")
    chapter = ChapterFactory(course=section.course)
    first, second = QuestionFactory.create_batch(2, chapter=chapter)
    QuizItemFactory(quiz=quiz, position=1, question=first, points=Decimal(3))
    QuizItemFactory(quiz=quiz, position=2, question=second)
    QuizItemFactory(quiz=quiz, position=3, question=None, chapter=chapter, draw_count=2)
    return quiz


def _items(quiz: Quiz) -> list[tuple[int | None, int | None, int, Decimal | None]]:
    return [(i.question_id, i.chapter_id, i.draw_count, i.points) for i in quiz.items.order_by("position")]


def _url(name: str, section, quiz) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"teach:{name}", kwargs={"section_id": section.pk, "quiz_id": quiz.pk})


def test_the_builder_shows_the_quiz_as_it_is(client, section, instructor, quiz) -> None:
    client.force_login(instructor)
    body = client.get(_url("quiz_edit", section, quiz)).content.decode()
    first, second, draw = quiz.items.order_by("position")
    assert 'value="Midterm"' in body
    assert f'value="{first.question_id}" id="q{first.question_id}" checked' in body
    assert f'name="points_{first.question_id}" inputmode="decimal" value="3"' in body
    assert f'name="order_{second.question_id}" inputmode="numeric" value="2"' in body
    assert (
        f'<option value="{draw.chapter_id}" selected>' in body
        and 'name="draw_count_0" inputmode="numeric" value="2"' in body
    )


def test_an_instructor_changes_items_points_draws_and_order(client, section, instructor, quiz) -> None:
    _first, second, draw = quiz.items.order_by("position")
    client.force_login(instructor)
    data = {
        "title": "Midterm, shorter",
        "question": [str(second.question_id)],  # the first question is dropped
        f"points_{second.question_id}": "5",
        f"order_{second.question_id}": "2",
        "draw_rows": "3",
        "draw_chapter_0": str(draw.chapter_id),
        "draw_count_0": "1",
        "draw_points_0": "4",
        "draw_order_0": "1",  # the draw now comes first
    }
    response = client.post(_url("quiz_edit", section, quiz), data)
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.title == "Midterm, shorter"
    assert _items(quiz) == [(None, draw.chapter_id, 1, Decimal(4)), (second.question_id, None, 1, Decimal(5))]


def test_a_quiz_with_attempts_offers_a_copy_and_is_not_changed(client, section, instructor, student, quiz) -> None:
    attempt_start(assignment=AssignmentFactory(section=section, quiz=quiz), student=student)
    before = _items(quiz)
    client.force_login(instructor)
    page = client.get(_url("quiz_edit", section, quiz)).content.decode()
    assert "This quiz has attempts" in page and _url("quiz_copy", section, quiz) in page
    assert 'name="title"' not in page  # no form that could not be saved
    refused = client.post(_url("quiz_edit", section, quiz), {"title": "Changed", "question": []})
    assert refused.status_code in (200, 409)
    quiz.refresh_from_db()
    assert quiz.title == "Midterm" and _items(quiz) == before


def test_edit_a_copy_creates_the_copy_and_opens_it(client, section, instructor, student, quiz) -> None:
    attempt_start(assignment=AssignmentFactory(section=section, quiz=quiz), student=student)
    client.force_login(instructor)
    response = client.post(_url("quiz_copy", section, quiz))
    copy = Quiz.objects.exclude(pk=quiz.pk).get()
    assert response.status_code == 302 and response["Location"] == _url("quiz_edit", section, copy)
    assert copy.title == "Midterm (copy)" and _items(copy) == _items(quiz)
    page = client.get(response["Location"]).content.decode()
    assert "This quiz has attempts" not in page and 'name="title"' in page


def test_the_service_refuses_a_quiz_with_attempts(section, student, quiz) -> None:
    attempt_start(assignment=AssignmentFactory(section=section, quiz=quiz), student=student)
    with pytest.raises(QuizHasAttempts):
        authoring.quiz_update(quiz=quiz, title="x", items=[])


def test_assistants_and_other_courses_cannot_edit(client, section, quiz) -> None:
    assistant = EnrollmentFactory(section=section, role=Enrollment.Role.ASSISTANT).user
    client.force_login(assistant)
    assert client.post(_url("quiz_edit", section, quiz), {"title": "x"}).status_code == 403
    other = EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR)
    client.force_login(other.user)
    assert client.get(_url("quiz_edit", other.section, quiz)).status_code == 404  # not its course's quiz


def test_the_assignment_settings_link_to_the_quiz(client, section, instructor, quiz) -> None:
    assignment = AssignmentFactory(section=section, quiz=quiz)
    client.force_login(instructor)
    body = client.get(reverse("teach:assignment_edit", args=[assignment.pk])).content.decode()
    assert _url("quiz_edit", section, quiz) in body
