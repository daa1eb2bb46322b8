"""The labelled answers of `bench/data/` (training and benchmark data of the free-text grader) are
well formed and belong to the shipped bank: schema, labels, ids, questions, references."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "bench" / "data"
FILES = ("seed_labelled.jsonl", "team_labelled.jsonl")
LANGS = {"zh", "en", "mixed"}
# The labelling guide of bench/data/README.md: the score range of each kind of answer.
SCORE_RANGES = {
    "full": (9, 10),
    "partial": (2, 8),
    "wrong": (0, 1),
    "keyword_stuffed": (0, 2),
    "repeats_question": (0, 1),
    "off_topic": (0, 0),
    "empty": (0, 0),
}


def _fill_module():
    spec = importlib.util.spec_from_file_location("fill_from_bank", DATA / "fill_from_bank.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FILL = _fill_module()
BANK = FILL.bank_questions()


def rows(name: str) -> list[dict]:
    return FILL.read_rows(DATA / name)


@pytest.mark.parametrize("name", FILES)
def test_every_line_has_the_schema_and_a_label_in_range(name):
    for row in rows(name):
        assert tuple(row) == FILL.FIELDS, row.get("id")
        assert all(isinstance(row[f], str) for f in ("id", "question_id", "question", "reference", "answer", "reason"))
        assert row["max_points"] == 10 and isinstance(row["max_points"], int)
        score = row["score"]
        assert isinstance(score, int | float) and not isinstance(score, bool)
        assert 0 <= score <= row["max_points"] and float(score * 2).is_integer(), row["id"]
        low, high = SCORE_RANGES[row["category"]]
        assert low <= score <= high, (row["id"], row["category"], score)
        assert row["lang"] in LANGS and row["reason"].strip(), row["id"]
        assert (row["answer"] == "") == (row["category"] == "empty"), row["id"]


@pytest.mark.parametrize("name", FILES)
def test_questions_and_references_are_the_shipped_banks_as_parsed(name):
    for row in rows(name):
        assert row["question_id"] in BANK, row["id"]
        assert FILL.filled(row, BANK) == row, f"{row['id']}: run bench/data/fill_from_bank.py"
        assert row["id"].rsplit("-", 1)[0] == row["question_id"], row["id"]


@pytest.mark.parametrize("name", FILES)
def test_no_answer_is_its_reference(name):
    for row in rows(name):
        assert row["answer"].strip() != row["reference"].strip(), row["id"]


def test_ids_are_unique_across_both_files():
    ids = [row["id"] for name in FILES for row in rows(name)]
    assert not [i for i, n in Counter(ids).items() if n > 1]


def test_the_team_file_covers_every_question_the_seed_file_does_not():
    seed = {row["question_id"] for row in rows("seed_labelled.jsonl")}
    team = rows("team_labelled.jsonl")
    assert seed.isdisjoint(row["question_id"] for row in team)
    assert seed | {row["question_id"] for row in team} == set(BANK)
    per_question = Counter(row["question_id"] for row in team)
    assert min(per_question.values()) >= 10
    for question in per_question:
        full = {row["lang"] for row in team if row["question_id"] == question and row["category"] == "full"}
        assert full == LANGS, question
