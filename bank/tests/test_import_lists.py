"""The shipped bank's "list at least N" questions import as enumerations and score each found
item as 1/N (capped): naming 2 of the 4 needed passive defenses is worth 5/10, not 4/10."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bank.models import Question, QuestionKind
from bank.services import key_change, question_fields_set
from grading.adapters import question_key
from grading.engine.batch import grade_batch

from .test_import_bank import BANK, question, run_import

pytestmark = pytest.mark.django_db


def _score(q: Question, answer: object) -> float:
    q = Question.objects.prefetch_related("choices", "accepted_answers", "rubric_points").get(pk=q.pk)
    return grade_batch(question_key(q, Decimal(10)), [answer])[0].score


def test_the_list_questions_of_the_seed_become_enumerations_with_their_items() -> None:
    run_import(BANK)
    passive, compressing = question("9.5"), question("12.1")
    assert (passive.kind, passive.min_items) == (QuestionKind.ENUMERATION, 4)
    assert (compressing.kind, compressing.min_items) == (QuestionKind.ENUMERATION, 5)
    items = {a.text: a.synonyms for a in passive.accepted_answers.all()}
    assert list(items) == ["Filter", "Image Compression", "Generator", "Randomization", "Adversarial Training"]
    assert {"Smoothing", "滤波", "平滑"} <= set(items["Filter"])  # the item's own, and its rubric point's
    assert "网络剪枝" in compressing.accepted_answers.get(text="Network Pruning").synonyms
    assert question("10.3").kind == QuestionKind.FREE_TEXT  # "two or more", but its reference is no list


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        ("Smoothing and image compression.", 5.0),  # 2 of the 4 needed
        (["Filter", "Image compression"], 5.0),
        ("滤波、压缩、随机化。", 7.5),
        ("1) smoothing 2) JPEG compression 3) a generator 4) randomization 5) adversarial training", 10.0),
        ("Positional encoding uses sine and cosine functions.", 0.0),
    ],
)
def test_each_found_item_is_worth_one_nth_capped_at_full_marks(answer: object, score: float) -> None:
    run_import(BANK)
    assert _score(question("9.5"), answer) == score


def test_importing_again_changes_nothing_and_an_old_free_text_import_is_upgraded_once() -> None:
    run_import(BANK)
    assert "0 created, 0 updated, 60 unchanged" in run_import(BANK)
    passive = question("9.5")
    with key_change(passive):  # as a bank imported before lists were recognised
        question_fields_set(passive, {"kind": QuestionKind.FREE_TEXT, "min_items": 0})
        passive.accepted_answers.all().delete()
    assert question("9.5").version == 2

    assert "0 created, 1 updated, 59 unchanged" in run_import(BANK)
    upgraded = question("9.5")
    assert (upgraded.kind, upgraded.min_items, upgraded.version) == (QuestionKind.ENUMERATION, 4, 3)
