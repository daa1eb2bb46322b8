"""`import_questions` / `export_questions`: round trips, idempotence, versions, errors, the bank format."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bank.models import Chapter, Course, Part, Question

from .interchange_data import bank_state, every_kind_bank

pytestmark = pytest.mark.django_db

BANK = Path(settings.BASE_DIR) / "bank" / "deep_learning_ch8-14.txt"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def without_points(rows: list[tuple]) -> list[tuple]:
    return [row[:-1] for row in rows]


def test_moodle_xml_round_trip_gives_the_same_questions(tmp_path):
    course = every_kind_bank()
    path = tmp_path / "bank.xml"
    assert "Exported 6 questions" in run("export_questions", str(path), "--format", "moodle-xml")

    output = run("import_questions", str(path), "--course", "Copy")

    assert "6 created, 0 updated, 0 unchanged" in output
    assert bank_state(Course.objects.get(title="Copy")) == bank_state(course)
    assert list(Part.objects.filter(chapter__course__title="Copy").values_list("numeral", "title")) == [
        ("I", "Autoencoder")
    ]


def test_gift_round_trip_gives_the_same_questions_except_points(tmp_path):
    course = every_kind_bank()
    path = tmp_path / "bank.gift"
    run("export_questions", str(path), "--format", "gift")

    output = run("import_questions", str(path), "--course", "Copy")

    assert "format: gift" in output and "6 created" in output
    assert without_points(bank_state(Course.objects.get(title="Copy"))) == without_points(bank_state(course))


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_importing_an_export_into_its_own_course_changes_nothing(tmp_path, fmt):
    course = every_kind_bank()
    before = bank_state(course), list(Question.objects.values_list("pk", "version").order_by("pk"))
    path = tmp_path / "bank.txt"
    run("export_questions", str(path), "--format", fmt)

    output = run("import_questions", str(path), "--format", fmt)

    assert "0 created, 0 updated, 6 unchanged" in output
    assert (bank_state(course), list(Question.objects.values_list("pk", "version").order_by("pk"))) == before


def test_a_changed_answer_key_updates_the_question_and_raises_its_version_once(tmp_path):
    every_kind_bank()
    path = tmp_path / "bank.gift"
    run("export_questions", str(path), "--format", "gift", "--chapter", "9")
    path.write_text(path.read_text(encoding="utf-8").replace("#0.5:0.01", "#0.25:0.01"), encoding="utf-8")
    numeric = Question.objects.get(kind="numeric")
    choice_ids = list(Question.objects.get(kind="single_choice").choices.values_list("pk", flat=True))

    output = run("import_questions", str(path))

    numeric.refresh_from_db()
    assert "0 created, 1 updated, 1 unchanged" in output
    assert (numeric.numeric_value, numeric.version) == (0.25, 2)
    assert list(Question.objects.get(kind="single_choice").choices.values_list("pk", flat=True)) == choice_ids


def test_a_flipped_correct_choice_keeps_choice_ids_and_raises_the_version(tmp_path):
    every_kind_bank()
    path = tmp_path / "bank.gift"
    run("export_questions", str(path), "--format", "gift")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("=BERT", "~BERT").replace("~GPT", "=GPT"), encoding="utf-8")
    question = Question.objects.get(kind="single_choice")
    ids = list(question.choices.values_list("pk", "text"))

    run("import_questions", str(path))

    question.refresh_from_db()
    assert question.version == 2
    assert list(question.choices.values_list("pk", "text")) == ids
    assert list(question.choices.values_list("is_correct", flat=True)) == [False, True]


def test_foreign_questions_without_our_names_are_found_again_by_name(tmp_path):
    Course.objects.create(title="Deep Learning", slug="deep-learning")
    path = tmp_path / "q.gift"
    path.write_text("::Autoencoder aim::What is it for?{}\n\nUntitled question{T}\n", encoding="utf-8")

    first = run("import_questions", str(path))
    second = run("import_questions", str(path))

    assert "2 created" in first and "2 unchanged" in second
    assert Chapter.objects.get().title == "Imported questions"


def test_a_file_with_an_unsupported_question_imports_nothing_and_names_the_line(tmp_path):
    Course.objects.create(title="Deep Learning", slug="deep-learning")
    path = tmp_path / "q.xml"
    path.write_text(
        "<quiz>\n"
        '<question type="essay"><name><text>E</text></name>'
        '<questiontext format="plain_text"><text>Why?</text></questiontext></question>\n'
        '<question type="calculated"><name><text>Calc</text></name></question>\n'
        "</quiz>\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as caught:
        run("import_questions", str(path))

    assert Question.objects.count() == 0
    assert f"{path}:line 3" in str(caught.value) and "'Calc'" in str(caught.value) and "calculated" in str(caught.value)
    assert "nothing was imported" in str(caught.value)


def test_skip_unsupported_imports_the_rest_and_lists_what_was_skipped(tmp_path):
    Course.objects.create(title="Deep Learning", slug="deep-learning")
    path = tmp_path / "q.gift"
    path.write_text("::ok::Fine?{T}\n\n::bad::Broken {=a\n", encoding="utf-8")

    output = run("import_questions", str(path), "--skip-unsupported")

    assert Question.objects.count() == 1
    assert "1 created" in output and "1 skipped" in output
    assert f"skipped: {path}:line 3" in output


def test_malformed_xml_stops_with_the_file_and_line(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text('<?xml version="1.0"?>\n<quiz>\n<question type="essay">\n</quiz>\n', encoding="utf-8")

    with pytest.raises(CommandError, match=rf"{path}:4: not well-formed XML"):
        run("import_questions", str(path), "--course", "X")
    assert not Course.objects.exists()


def test_the_bank_format_is_detected_and_delegated_to_the_bank_importer():
    output = run("import_questions", str(BANK))

    assert "format: bank" in output and "60 created" in output
    assert Question.objects.count() == 60


def test_the_shipped_bank_exported_to_its_own_format_reimports_as_60_unchanged(tmp_path):
    call_command("import_bank", str(BANK), stdout=StringIO(), stderr=StringIO())
    before = list(Question.objects.values_list("pk", "prompt", "reference_answer", "errata", "version").order_by("pk"))
    path = tmp_path / "bank.txt"
    export = run("export_questions", str(path), "--format", "bank")

    output = StringIO()
    call_command("import_bank", str(path), stdout=output, stderr=StringIO())

    assert "Exported 60 questions" in export
    assert "0 created, 0 updated, 60 unchanged" in output.getvalue()
    after = list(Question.objects.values_list("pk", "prompt", "reference_answer", "errata", "version").order_by("pk"))
    assert after == before


def test_the_bank_format_export_lists_the_questions_it_cannot_hold(tmp_path):
    every_kind_bank()
    path = tmp_path / "bank.txt"

    output = run("export_questions", str(path), "--format", "bank")

    assert "Exported 1 questions" in output
    assert output.count("skipped") == 5


def test_export_of_an_unknown_course_is_a_clear_error(tmp_path):
    every_kind_bank()
    with pytest.raises(CommandError, match="no course titled 'Nope'"):
        run("export_questions", str(tmp_path / "x"), "--format", "gift", "--course", "Nope")


def test_foreign_names_that_look_like_ours_do_not_collide(tmp_path):
    Course.objects.create(title="Deep Learning", slug="deep-learning")
    path = tmp_path / "q.gift"
    path.write_text(
        "$CATEGORY: $course$/top/Chapter 3 Linear algebra\n\n::1.2 Vectors::What is a vector?{}\n\n"
        "::5.2 Matrices::What is a matrix?{}\n",
        encoding="utf-8",
    )

    output = run("import_questions", str(path))

    assert "2 created" in output
    assert Chapter.objects.get().title == "Linear algebra"


def test_two_questions_with_the_same_name_in_a_chapter_import_nothing(tmp_path):
    path = tmp_path / "q.gift"
    path.write_text("::Same::First?{T}\n\n::Same::Second?{F}\n", encoding="utf-8")

    with pytest.raises(CommandError, match="line 3: question 'Same': same name as the question at line 1"):
        run("import_questions", str(path), "--course", "New course")

    assert not Course.objects.exists() and not Question.objects.exists()
