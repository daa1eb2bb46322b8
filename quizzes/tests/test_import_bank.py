"""`import_bank` on the shipped bank: counts, errata, idempotence, versions, and bad files."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from quizzes.models import AnswerSource, Chapter, Course, Part, Question

pytestmark = pytest.mark.django_db

BANK = Path(settings.BASE_DIR) / "bank" / "deep_learning_ch8-14.txt"


def run_import(path: Path) -> str:
    out = StringIO()
    call_command("import_bank", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def database_state() -> tuple:
    return (
        list(Course.objects.values_list("slug", flat=True)),
        list(Chapter.objects.values_list("number", "title", "not_a_focus").order_by("number")),
        list(Question.objects.values_list("ref", "prompt", "reference_answer", "version").order_by("pk")),
    )


def test_shipped_bank_imports_with_the_expected_shape():
    output = run_import(BANK)
    assert "60 created, 0 updated, 0 unchanged" in output
    assert Course.objects.count() == 1
    assert Chapter.objects.count() == 7
    assert list(Chapter.objects.values_list("number", flat=True).order_by("number")) == list(range(8, 15))
    assert list(Part.objects.values_list("chapter__number", "title").order_by("position")) == [
        (8, "Autoencoder"),
        (8, "BERT"),
    ]
    assert Question.objects.count() == 60
    assert Chapter.objects.get(number=14).not_a_focus
    assert not Chapter.objects.filter(not_a_focus=True).exclude(number=14).exists()


def test_errata_are_attached_to_the_right_questions():
    run_import(BANK)
    with_errata = {
        (q.chapter.number, q.ref): q.errata for q in Question.objects.exclude(errata=[]).select_related("chapter")
    }
    assert set(with_errata) == {(8, "I.2"), (9, "1"), (14, "3"), (14, "6")}
    assert "nosing" in with_errata[(8, "I.2")][0]
    dae = Question.objects.get(chapter__number=8, ref="I.2")
    assert "denoising autoencoder" in dae.prompt and "denoising1" not in dae.prompt


def test_answer_on_the_prompt_line_is_split_at_the_mark():
    run_import(BANK)
    question = Question.objects.get(chapter__number=8, ref="II.1")
    assert question.prompt == "What is the full name of BERT and GPT?"
    assert question.reference_answer.startswith("BERT的全称是Bidirectional Encoder Representations from Transformers")
    assert question.answer_source == AnswerSource.AI
    assert "💻" not in question.reference_answer


def test_source_marks_are_data_not_characters():
    run_import(BANK)
    assert not Question.objects.filter(reference_answer__contains="💻").exists()
    assert not Question.objects.filter(reference_answer__contains="👦").exists()
    mixed = Question.objects.get(chapter__number=10, ref="3")
    assert mixed.answer_source == AnswerSource.MIXED
    assert {m["source"] for m in mixed.source_marks} == {"ai", "author"}


def test_reimport_is_idempotent():
    run_import(BANK)
    before = database_state()
    output = run_import(BANK)
    assert "0 created, 0 updated, 60 unchanged" in output
    assert database_state() == before


def test_edited_answer_updates_that_question_and_raises_its_version(tmp_path):
    run_import(BANK)
    edited = tmp_path / "bank.txt"
    text = BANK.read_text(encoding="utf-8")
    edited.write_text(
        text.replace("Yes! 并没有具体讲解方法", "Yes! 可以学习数据增强的策略。并没有具体讲解方法"), encoding="utf-8"
    )
    output = run_import(edited)
    assert "0 created, 1 updated, 59 unchanged" in output
    changed = Question.objects.get(reference_answer__contains="可以学习数据增强的策略")
    assert changed.version == 2
    assert set(Question.objects.exclude(pk=changed.pk).values_list("version", flat=True)) == {1}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, "binary"),
        (b"Chapter 8 SSL\n\n  1. What?\n\n    answer\n"[:-3] + b"\xff\xfe\n", "line"),
        (b"Just some notes\nwith no chapters at all\n", "no chapter"),
        (b"  1. A question before any chapter?\n\nChapter 8 SSL\n\n  1. Q?\n\n    A\n", "line 1"),
    ],
    ids=["missing", "empty", "binary", "invalid-utf8", "no-chapter", "question-before-chapter"],
)
def test_bad_files_import_nothing_and_say_why(tmp_path, content, expected):
    run_import(BANK)
    before = database_state()
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError) as excinfo:
        run_import(path)
    assert expected in str(excinfo.value)
    assert "nothing was imported" in str(excinfo.value)
    assert database_state() == before


def test_import_reports_progress_per_chapter():
    output = run_import(BANK)
    assert "chapter 8 SSL: 13 questions" in output
    assert output.count("questions") >= 7


def test_every_imported_question_gets_a_proposed_rubric():
    run_import(BANK)
    without = Question.objects.filter(rubric_points__isnull=True)
    assert not without.exists(), [q.prompt for q in without]
    assert not Question.objects.filter(rubric_is_proposed=False).exists()


def test_reimport_after_an_edit_reproposes_without_a_second_version_bump(tmp_path):
    run_import(BANK)
    question = Question.objects.get(chapter__number=12, ref="1")
    edited = tmp_path / "bank.txt"
    edited.write_text(
        BANK.read_text(encoding="utf-8").replace(
            "Dynamic Computation(动态计算)", "Dynamic Computation(动态计算)\n    • Low-rank factorisation(低秩分解)"
        ),
        encoding="utf-8",
    )
    run_import(edited)
    question.refresh_from_db()
    assert question.version == 2
    assert any("Low-rank" in p.text for p in question.rubric_points.all())


def test_a_persons_rubric_is_kept_on_reimport(tmp_path):
    from grading.engine.types import RubricPoint as Point
    from quizzes.authoring import rubric_replace

    run_import(BANK)
    question = Question.objects.get(chapter__number=12, ref="1")
    rubric_replace(question=question, points=[Point("Pruning and distillation", 2.0, ("pruning",))])
    question.refresh_from_db()
    assert question.version == 2 and not question.rubric_is_proposed
    run_import(BANK)
    assert [p.text for p in question.rubric_points.all()] == ["Pruning and distillation"]
