"""The quiz builder's POST, as a form: what counts is what is picked or drawn."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import QueryDict

from bank.tests.factories import ChapterFactory, QuestionFactory
from quizzes.teach.builder_form import QuizBuilderForm

pytestmark = pytest.mark.django_db


def _post(**fields: str | list[str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def test_points_of_a_question_not_picked_are_not_read():
    picked, other = QuestionFactory.create_batch(2)
    data = _post(title="Quiz", question=[str(picked.pk)], **{f"points_{picked.pk}": "2", f"points_{other.pk}": "x"})
    form = QuizBuilderForm(data, questions=[picked, other], chapters=[picked.chapter])
    assert form.is_valid(), form.messages()
    assert [(i.question, i.points) for i in form.items] == [(picked, Decimal(2))]


def test_every_problem_is_listed_title_first():
    question = QuestionFactory()
    chapter = ChapterFactory(course=question.chapter.course)
    data = _post(
        question=[str(question.pk), "999999"],
        **{f"points_{question.pk}": "-1", "draw_chapter_0": str(chapter.pk), "draw_count_0": "0"},
    )
    form = QuizBuilderForm(data, questions=[question], chapters=[chapter])
    assert not form.is_valid()
    assert form.messages() == [
        "Give the quiz a title.",
        "Points must be zero or more.",
        "Question 999999 is not in this course's bank.",
        "Draw row 1: the number of questions must be 1 or more.",
    ]
