"""`import_bank` on the shipped bank: counts, errata, idempotence, versions, rubrics, and bad files."""

from __future__ import annotations

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bank.models import AnswerSource, Chapter, Course, Part, Question, RubricPoint

pytestmark = pytest.mark.django_db

BANK = Path(settings.BASE_DIR) / "bank" / "deep_learning_ch8-14.txt"
RUBRICS = Path(settings.BASE_DIR) / "bank" / "deep_learning_ch8-14.rubrics.yaml"
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def run_import(path: Path, *options: str) -> str:
    out = StringIO()
    call_command("import_bank", str(path), *options, stdout=out, stderr=StringIO())
    return out.getvalue()


def database_state() -> tuple:
    return (
        list(Course.objects.values_list("slug", flat=True)),
        list(Chapter.objects.values_list("number", "title", "not_a_focus").order_by("number")),
        list(
            Question.objects.values_list("ref", "prompt", "reference_answer", "version", "rubric_is_proposed").order_by(
                "pk"
            )
        ),
        list(RubricPoint.objects.values_list("question__ref", "position", "text", "weight", "keywords").order_by("pk")),
    )


def bank_copy(folder: Path, *, rubrics: str | None = None) -> Path:
    """The shipped bank in `folder`, with a rubric file beside it only when `rubrics` is given."""
    path = folder / "bank.txt"
    shutil.copyfile(BANK, path)
    if rubrics is not None:
        (folder / "bank.rubrics.yaml").write_text(rubrics, encoding="utf-8")
    return path


def question(ref: str) -> Question:
    chapter, _, rest = ref.partition(".")
    return Question.objects.get(chapter__number=int(chapter), ref=rest)


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


def test_every_question_of_the_shipped_bank_gets_a_persons_rubric_with_keywords_in_both_languages():
    output = run_import(BANK)

    assert f"rubrics: 60 written by a person, from {RUBRICS}" in output
    questions = Question.objects.prefetch_related("rubric_points")
    assert questions.count() == 60 and questions.filter(kind="free_text").count() == 58  # 2 are lists
    for q in questions:
        points = list(q.rubric_points.all())
        assert points and not q.rubric_is_proposed, str(q)
        for point in points:
            assert any(CJK.search(k) for k in point.keywords), (str(q), point.text)
            assert any(LATIN.search(k) and not CJK.search(k) for k in point.keywords), (str(q), point.text)
            assert point.weight > 0 and point.text.strip()
    assert question("9.1").version == 1  # a new question's first rubric is not a change


def test_the_rubric_file_is_keyed_by_chapter_and_ref_as_stored():
    run_import(BANK)

    targeted = question("9.1").rubric_points.order_by("position")
    assert "非定向攻击" in targeted[0].text and targeted[0].weight == 1.5
    assert "大前提" not in " ".join(p.text for p in targeted)  # the reference's fragment became a statement
    assert question("8.I.1").ref == "I.1" and question("14.10").rubric_points.count() == 1


def test_a_bank_without_a_rubric_file_gets_proposed_rubrics(tmp_path):
    output = run_import(bank_copy(tmp_path))

    assert "rubrics:" not in output
    without = Question.objects.filter(kind="free_text", rubric_points__isnull=True)  # lists need none
    assert not without.exists(), [q.prompt for q in without]
    assert not Question.objects.filter(kind="free_text", rubric_is_proposed=False).exists()


def test_reimport_with_rubrics_changes_nothing():
    run_import(BANK)
    before = database_state()

    output = run_import(BANK)

    assert "0 created, 0 updated, 60 unchanged" in output and "(0 set or changed)" in output
    assert database_state() == before


def test_an_edited_rubric_file_updates_and_raises_the_version_of_exactly_that_question(tmp_path):
    run_import(BANK)
    edited = tmp_path / "edited.rubrics.yaml"
    edited.write_text(
        RUBRICS.read_text(encoding="utf-8").replace("      weight: 1.5\n", "      weight: 2\n", 1), encoding="utf-8"
    )

    output = run_import(BANK, "--rubrics", str(edited))

    assert "0 created, 1 updated, 59 unchanged" in output and "(1 set or changed)" in output
    changed = question("9.1")
    assert changed.version == 2 and not changed.rubric_is_proposed
    assert changed.rubric_points.order_by("position").first().weight == 2
    assert set(Question.objects.exclude(pk=changed.pk).values_list("version", flat=True)) == {1}


def test_the_rubric_file_replaces_proposed_rubrics_once(tmp_path):
    """A database filled before the rubric file existed: each question's version is raised once."""
    run_import(bank_copy(tmp_path))

    output = run_import(BANK)

    assert "0 created, 60 updated, 0 unchanged" in output
    assert set(Question.objects.values_list("version", "rubric_is_proposed")) == {(2, False)}
    assert "0 updated" in run_import(BANK)


def test_a_changed_reference_and_rubric_raise_the_version_once(tmp_path):
    run_import(BANK)
    bank = bank_copy(
        tmp_path, rubrics=RUBRICS.read_text(encoding="utf-8").replace("Dynamic computation (动态计算): ", "Dynamic: ")
    )
    bank.write_text(
        bank.read_text(encoding="utf-8").replace("Dynamic Computation(动态计算)", "Dynamic Computation(动态计算网络)"),
        encoding="utf-8",
    )

    output = run_import(bank)

    assert "0 created, 1 updated, 59 unchanged" in output
    changed = question("12.1")
    assert changed.version == 2
    assert changed.rubric_points.order_by("position").last().text.startswith("Dynamic: ")


def test_the_rubric_file_replaces_a_rubric_edited_since_the_last_import():
    """The file is the source of the shipped rubrics, as the bank text is of the reference answers."""
    from bank.services import rubric_replace
    from grading.engine.types import RubricPoint as Point

    run_import(BANK)
    edited = question("12.1")
    rubric_replace(question=edited, points=[Point("Pruning and distillation", 2.0, ("pruning",))])

    output = run_import(BANK)

    assert "0 created, 1 updated, 59 unchanged" in output
    assert edited.rubric_points.count() == 5 and question("12.1").version == 3


def test_a_rubric_for_an_unknown_question_is_an_error_naming_it_and_imports_nothing(tmp_path):
    text = RUBRICS.read_text(encoding="utf-8") + '\n"9.9":\n  author: someone\n  points:\n    - text: A point.\n'
    line = text.count("\n", 0, text.index('"9.9"')) + 1
    bank = bank_copy(tmp_path, rubrics=text)

    with pytest.raises(CommandError) as excinfo:
        run_import(bank)

    message = str(excinfo.value)
    assert "question 9.9" in message and f"bank.rubrics.yaml:{line}:" in message
    assert "nothing was imported" in message
    assert not Question.objects.exists() and not Course.objects.exists()


@pytest.mark.parametrize(
    ("rubrics", "expected"),
    [
        ('"9.1":\n  author: me\n  points: [\n', ":4: not valid YAML"),
        ('"9.1":\n  points:\n    - text: A point.\n', ":1: the rubric of 9.1 needs an author note"),
        ('"9.1":\n  author: me\n  points: []\n', ":3: the rubric of 9.1 needs a list of points"),
        ('"9.1":\n  author: me\n  points:\n    - text: A point.\n      weight: 0\n', ":5: point 1 of 9.1"),
        ('"9.1":\n  author: me\n  points:\n    - text: A point.\n      keyword: [x]\n', ":5: point 1 of 9.1: unknown"),
        (
            '"9.1":\n  author: me\n  points:\n    - text: A point.\n      keywords: yes\n',
            ":5: point 1 of 9.1: keywords",
        ),
        (
            '"9.1":\n  author: me\n  points:\n    - text: A.\n"9.1":\n  author: me\n  points: []\n',
            ":5: question 9.1 has",
        ),
        ("- just a list\n", ":1: expected a mapping"),
        ("", "no rubrics"),
    ],
    ids=["yaml", "author", "no-points", "weight", "unknown-field", "keywords", "duplicate", "not-a-mapping", "empty"],
)
def test_a_bad_rubric_file_names_the_line_and_imports_nothing(tmp_path, rubrics, expected):
    run_import(BANK)
    before = database_state()

    with pytest.raises(CommandError) as excinfo:
        run_import(bank_copy(tmp_path, rubrics=rubrics))

    assert expected in str(excinfo.value) and "nothing was imported" in str(excinfo.value)
    assert database_state() == before


def test_a_missing_rubric_file_given_on_the_command_line_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import(BANK, "--rubrics", str(tmp_path / "missing.yaml"))
    assert not Question.objects.exists()


def test_reimport_after_an_edit_reproposes_without_a_second_version_bump(tmp_path):
    run_import(BANK, "--no-rubrics")
    question = Question.objects.get(chapter__number=10, ref="2")  # free text (12.1 is a list: no rubric)
    edited = bank_copy(tmp_path)
    edited.write_text(
        BANK.read_text(encoding="utf-8").replace(
            "Explain the WHOLE MODEL", "Explain the WHOLE MODEL\n    • Low-rank factorisation(低秩分解)"
        ),
        encoding="utf-8",
    )
    run_import(edited)
    question.refresh_from_db()
    assert question.version == 2
    assert any("Low-rank" in p.text for p in question.rubric_points.all())


def test_a_persons_rubric_is_kept_on_reimport_without_a_rubric_file():
    from bank.services import rubric_replace
    from grading.engine.types import RubricPoint as Point

    run_import(BANK, "--no-rubrics")
    question = Question.objects.get(chapter__number=12, ref="1")
    rubric_replace(question=question, points=[Point("Pruning and distillation", 2.0, ("pruning",))])
    question.refresh_from_db()
    assert question.version == 2 and not question.rubric_is_proposed
    run_import(BANK, "--no-rubrics")
    assert [p.text for p in question.rubric_points.all()] == ["Pruning and distillation"]
