"""The bank's one write service: a change to the answer key raises the version exactly once."""

from __future__ import annotations

import pytest

from bank.models import Question, QuestionKind
from bank.services import (
    accepted_sync,
    choices_sync,
    key_change,
    question_create,
    question_fields_set,
    rubric_replace,
)
from bank.tests.factories import ChapterFactory, QuestionFactory
from grading.engine.types import RubricPoint as Point

pytestmark = pytest.mark.django_db


def stored_version(question: Question) -> int:
    return Question.objects.values_list("version", flat=True).get(pk=question.pk)


def test_several_key_writes_in_one_change_raise_the_version_once():
    question = QuestionFactory(kind=QuestionKind.SHORT_TEXT, reference_answer="BERT")
    with key_change(question) as change:
        question_fields_set(question, {"reference_answer": "Bidirectional Encoder Representations"})
        accepted_sync(question, [("BERT", ["bert"], False)])
        rubric_replace(question=question, points=[Point("Names the model", 1.0, ("BERT",))])
    assert change.changed and stored_version(question) == 2


def test_a_rubric_replaced_on_its_own_is_one_change():
    question = QuestionFactory()
    rubric_replace(question=question, points=[Point("First point", 1.0, ())])
    before = stored_version(question)
    rubric_replace(question=question, points=[Point("Another point", 2.0, ("key",))])
    assert stored_version(question) == before + 1


def test_writes_that_leave_the_key_as_it_was_keep_the_version():
    question = question_create(
        chapter=ChapterFactory(),
        ref="1",
        number=1,
        kind=QuestionKind.SINGLE_CHOICE,
        prompt="Pick one",
        choices=[("A", True), ("B", False)],
    )
    with key_change(question) as change:
        question_fields_set(question, {"prompt": "Pick one, please"})  # the prompt is not part of the key
        choices_sync(question, [("A", True), ("B", False)])
    assert not change.changed and stored_version(question) == 1


def test_a_new_question_starts_at_version_one_with_its_rubric():
    question = question_create(
        chapter=ChapterFactory(),
        ref="1",
        number=1,
        prompt="Why pre-train?",
        reference_answer="To learn general representations.",
        rubric=[Point("General representations", 1.0, ())],
    )
    assert stored_version(question) == 1
    assert list(question.rubric_points.values_list("text", flat=True)) == ["General representations"]
    assert not question.rubric_is_proposed


def test_a_change_that_fails_writes_nothing():
    question = QuestionFactory(reference_answer="Old")
    with pytest.raises(RuntimeError), key_change(question):
        question_fields_set(question, {"reference_answer": "New"})
        raise RuntimeError("the import stops here")
    question.refresh_from_db()
    assert (question.reference_answer, question.version) == ("Old", 1)
