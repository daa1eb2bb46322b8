"""The content-addressed score cache: a response scored once is never scored again, by any path,
until its question's key or rubric, its calibration or the grader changes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bank import services as bank_services
from grading import services, tasks
from grading.engine.batch import grade_batch
from grading.engine.types import RubricPoint
from grading.models import Grade, ScoreCacheEntry
from grading.services import score_cache, writing

from .builders import auto_submit_at_close, exam, free_text_question, key_change, objective_questions

pytestmark = pytest.mark.django_db

COMPARED = ("score", "max_points", "status", "feedback", "details", "confidence", "grader_version", "question_version")


def _rescore(exam_) -> writing.Scoring:
    """Score (without writing) every answer of the exam again, as any grading path would."""
    answers = list(exam_.answers().order_by("pk"))
    return writing.score_answers(answers, writing._load_questions({a.question_id for a in answers}))


def _grades_by_response(exam_) -> dict[tuple[int, str], dict]:
    grades = exam_.current_grades().select_related("answer")
    return {(g.answer.question_id, repr(g.answer.response)): {f: getattr(g, f) for f in COMPARED} for g in grades}


@pytest.fixture
def questions(section):
    return [*objective_questions(section)[:3], free_text_question(section)]


def test_a_cached_result_is_the_same_as_a_fresh_scoring(section, questions):
    # given a class graded with an empty cache
    first = exam(section, questions, students=6)
    auto_submit_at_close(first)
    services.grade_answers(first.answer_ids())
    assert ScoreCacheEntry.objects.count() > 0

    # when another class answers the same, and its answers are graded
    second = exam(section, questions, students=6)
    auto_submit_at_close(second)
    scoring = _rescore(second)
    services.grade_answers(second.answer_ids())

    # then nothing was scored again: every result came from the cache, and the grades are the same
    assert (scoring.scored, scoring.from_cache) == (0, 24)
    assert _grades_by_response(second) == _grades_by_response(first)
    # and each cached result is what the engine returns for that response on its own
    free = questions[-1]
    answer = first.answers().filter(question=free).first()
    key = writing.adapters.question_key(free, free.points)
    (fresh,) = grade_batch(key, [answer.response])
    digest = score_cache.digest(
        question_id=free.pk,
        question_version=free.version,
        key=key,
        examples=[],
        grader=fresh.grader,
        response=answer.response,
    )
    assert score_cache.lookup([digest]) == {digest: fresh}


def test_responses_equal_up_to_case_and_spacing_share_one_entry(section):
    question = free_text_question(section)
    texts = ["An autoencoder learns a compact code.", "  an AUTOENCODER   learns a compact code.  "]
    class_ = exam(section, [question], students=2, respond=lambda q, i: texts[i])
    auto_submit_at_close(class_)

    scoring = _rescore(class_)

    assert (scoring.scored, scoring.from_cache) == (1, 0)  # scored once, for both
    assert ScoreCacheEntry.objects.filter(question=question).count() == 1


def test_a_key_change_invalidates_the_cached_scores(section):
    single = objective_questions(section)[0]
    class_ = exam(section, [single], students=6)
    auto_submit_at_close(class_)
    assert _rescore(class_).scored == 2  # two distinct choices among six answers

    key_change(single, correct="GPT")
    scoring = _rescore(class_)

    assert (scoring.scored, scoring.from_cache) == (2, 0)
    assert {g.score for _, g in scoring.graded} == {Decimal("0.00"), Decimal("2.00")}
    assert _rescore(class_).scored == 0  # and the new key's scores are cached in turn


def test_a_rubric_change_invalidates_the_cached_scores(section):
    question = free_text_question(section)
    class_ = exam(section, [question], students=3)
    auto_submit_at_close(class_)
    assert _rescore(class_).from_cache == 0

    bank_services.rubric_replace(
        question=question, points=[RubricPoint("It learns a compact representation", 1.0, ("compact",))]
    )
    question.refresh_from_db()
    scoring = _rescore(class_)

    assert scoring.from_cache == 0 and scoring.scored == 3


def test_calibration_by_an_override_invalidates_the_cached_scores(section, instructor):
    question = free_text_question(section)
    class_ = exam(section, [question], students=4)
    auto_submit_at_close(class_)
    services.grade_answers(class_.answer_ids())
    assert _rescore(class_).scored == 0

    # when the instructor grades one answer: the others are now calibrated with it as an example
    overridden = class_.answers().order_by("pk").first()
    services.grade_override(answer_ids=[overridden.pk], score="1", reason="Too vague", actor=instructor)
    scoring = _rescore(class_)

    assert scoring.from_cache == 0 and scoring.scored == 4
    assert all(g.calibration_examples for _, g in scoring.graded)


def test_a_grader_change_invalidates_the_cached_scores(section, settings):
    settings.GRADING_FREE_TEXT_GRADER = "ft-2"
    question = free_text_question(section)
    class_ = exam(section, [question], students=3)
    auto_submit_at_close(class_)
    assert _rescore(class_).scored == 3

    # the deployment switches to the trained grader
    settings.GRADING_FREE_TEXT_GRADER = "ft-3"
    scoring = _rescore(class_)

    assert (scoring.scored, scoring.from_cache) == (3, 0)
    assert _rescore(class_).from_cache == 3


def test_the_digest_names_every_input_it_depends_on(section):
    question = free_text_question(section)
    key = writing.adapters.question_key(question, question.points)
    base = {
        "question_id": question.pk,
        "question_version": 1,
        "key": key,
        "examples": [],
        "grader": "ft-2",
        "response": "a compact code",
    }
    same = score_cache.digest(**{**base, "response": "A   compact CODE"})
    assert same == score_cache.digest(**base)
    for change in (
        {"question_id": question.pk + 1},
        {"question_version": 2},
        {"key": writing.adapters.question_key(question, Decimal(question.points) + 1)},
        {"examples": [writing.GradedExample("a compact code", 1.0)]},
        {"grader": "ft-3:v1"},
        {"response": "a sparse code"},
    ):
        assert score_cache.digest(**{**base, **change}) != score_cache.digest(**base), change


def test_the_cache_never_makes_a_grade(section, questions):
    class_ = exam(section, questions, students=2)
    auto_submit_at_close(class_)
    _rescore(class_)
    assert ScoreCacheEntry.objects.exists()
    assert not Grade.objects.exists()


def test_beat_prunes_old_entries_and_a_pruned_response_is_simply_scored_again(section, settings):
    question = free_text_question(section)
    texts = ["An autoencoder learns a compact code.", "Dropout zeroes random units while training."]
    class_ = exam(section, [question], students=2, respond=lambda q, i: texts[i])
    auto_submit_at_close(class_)
    assert _rescore(class_).scored == 2
    old, recent = ScoreCacheEntry.objects.order_by("digest")
    now = timezone.now()
    ScoreCacheEntry.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=31))
    ScoreCacheEntry.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=29))

    settings.GRADING_SCORE_CACHE_DAYS = 0  # keep for ever
    assert tasks.prune_score_cache() == 0
    settings.GRADING_SCORE_CACHE_DAYS = 30
    assert tasks.prune_score_cache() == 1

    assert list(ScoreCacheEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert (_rescore(class_).scored, _rescore(class_).from_cache) == (1, 2)


def test_pruning_deletes_in_batches_until_nothing_old_is_left(section):
    question = free_text_question(section)
    class_ = exam(section, [question], students=5, respond=lambda q, i: f"answer number {i}")
    auto_submit_at_close(class_)
    _rescore(class_)
    assert score_cache.prune(created_before=timezone.now() + timedelta(seconds=1), batch=2) == 5
    assert not ScoreCacheEntry.objects.exists()


def test_the_pruning_runs_once_a_day_from_beat():
    from classroom.celery import app

    entry = app.conf.beat_schedule["prune-score-cache"]
    assert entry["task"] == tasks.prune_score_cache.name
    assert entry["task"] in app.tasks
    assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1  # one run a day
