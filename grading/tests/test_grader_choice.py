"""Which free-text grader grades: the engine's default, or the one GRADING_FREE_TEXT_GRADER names."""

from __future__ import annotations

import json

import pytest
from django.core.checks import run_checks

from grading.engine.batch import DEFAULT_FREE_TEXT_GRADER, grade_batch
from grading.engine.cli import main as cli_main
from grading.engine.types import QuestionKey
from grading.services.writing import grade_answers
from grading.tests.builders import exam, free_text_question

KEY = QuestionKey(
    kind="free_text",
    max_points=10,
    prompt="What does an autoencoder learn?",
    reference="A compact representation of its input, from which the decoder rebuilds the input.",
)


@pytest.mark.parametrize("name", ["ft-2", "ft-3", "ft-4"])
def test_the_engine_grades_free_text_with_the_grader_it_is_given(name):
    [result] = grade_batch(KEY, ["A compact code of the input."], free_text_grader=name)
    assert result.grader.startswith(name)


def test_an_unknown_grader_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown free-text grader 'ft-9'"):
        grade_batch(KEY, ["anything"], free_text_grader="ft-9")


def test_the_command_takes_the_grader_and_refuses_an_unknown_one(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    row = {"id": 1, "question_id": "q", "question": KEY.prompt, "reference": KEY.reference, "answer": "A code."}
    source.write_text(json.dumps({**row, "max_points": 10}) + "\n", encoding="utf-8")
    assert cli_main(["score", "--input", str(source), "--output", str(tmp_path / "out.jsonl"), "--grader", "ft-2"]) == 0
    with pytest.raises(SystemExit) as refused:
        cli_main(["score", "--input", str(source), "--output", str(tmp_path / "x.jsonl"), "--grader", "ft-9"])
    assert refused.value.code == 2
    assert "invalid choice: 'ft-9'" in capsys.readouterr().err


def test_a_misspelt_grader_setting_stops_start_up(settings):
    settings.GRADING_FREE_TEXT_GRADER = "ft3"
    errors = [e for e in run_checks() if e.id == "grading.E001"]
    assert len(errors) == 1 and "ft3" in errors[0].msg
    settings.GRADING_FREE_TEXT_GRADER = ""
    assert not [e for e in run_checks() if e.id == "grading.E001"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "ft-2"])
def test_the_platform_grades_with_the_configured_grader(section, settings, name):
    settings.GRADING_FREE_TEXT_GRADER = name
    built = exam(section, [free_text_question(section)], students=1)
    grade_answers(built.answer_ids())
    [grade] = built.current_grades()
    assert grade.grader_version.startswith(name or DEFAULT_FREE_TEXT_GRADER)
