"""A class for the similarity report's tests, on the shipped bank's own questions: most students
write answers close to the reference (learnt by heart, cut short, or paraphrased: the team's
full-credit answers in bench/data/), two write partial answers of their own, and one pair hands
in the same answers (one of them lightly edited) on three of the four questions.

The same texts in every test, so the process-wide embedder (also the in-process worker's) embeds
them once per test session."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from accounts.models import User
from bank.models import Question
from classes.models import Enrollment, Section
from classes.tests.factories import EnrollmentFactory
from quizzes.models import Assignment

from .builders import Exam, auto_submit_at_close, exam

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "bank" / "deep_learning_ch8-14.txt"
DATA = [ROOT / "bench" / "data" / "seed_labelled.jsonl", ROOT / "bench" / "data" / "team_labelled.jsonl"]
CODES = ("8.I.1", "9.1", "10.3", "13.1")  # free-text questions with 3 full and 4 partial team answers
COPIED = CODES[:3]  # the copying pair's answers are the same on these
STUDENTS = 14  # 0-7 near the reference, 8-9 partial answers of their own, 10 and 11 the copiers, 12-13 blank


@cache
def team_answers(code: str) -> dict[str, list[str]]:
    """The team's labelled answers to a bank question, by category ("full", "partial", ...)."""
    by_category: dict[str, list[str]] = {}
    for path in DATA:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["question_id"] == code:
                by_category.setdefault(row["category"], []).append(row["answer"])
    return by_category


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。.!?！？;；])\s*", text) if s.strip()]


def reference_like(reference: str, student: int) -> str:
    """Eight ways of writing the reference: by heart, cut short, reordered, or paraphrased."""
    parts = sentences(reference)
    half = max(1, len(parts) // 2)
    variants = [
        reference,
        " ".join(parts[:-1]) or reference,
        " ".join(parts[1:]) or reference,
        " ".join(parts[:half]),
        " ".join(reversed(parts)),
    ]
    if student < len(variants):
        return variants[student]
    return ""


@dataclass
class SimilarityClass:
    exam: Exam
    questions: list[Question]
    instructor: User

    @property
    def assignment(self) -> Assignment:
        return self.exam.assignment

    def student(self, i: int) -> User:
        return self.exam.attempts[i].student


def bank_questions(section: Section) -> list[Question]:
    """The shipped bank, imported into the section's course (`manage.py import_bank`)."""
    call_command("import_bank", str(BANK), course=section.course.title, stdout=StringIO())
    questions = Question.objects.filter(chapter__course=section.course).select_related("chapter")
    by_code = {q.code: q for q in questions}
    return [by_code[code] for code in CODES]


def respond(question: Question, i: int) -> str:
    code = question.code
    answers = team_answers(code)
    if i < 5:
        return reference_like(question.reference_answer, i)
    if i < 8:
        return answers["full"][i - 5]  # the team's paraphrases (Chinese, English, mixed)
    if i < 10:
        return answers["partial"][i - 8]
    if i in (10, 11) and code in COPIED:
        copied = answers["partial"][3]
        return copied if i == 10 else f"{copied} 大概是这样。"  # the second copy edited a little
    if i in (10, 11):
        return answers["partial"][i - 8]
    return ""


def similarity_class(section: Section) -> SimilarityClass:
    """The class above, every attempt auto-submitted at the close (no grading job enqueued)."""
    questions = bank_questions(section)
    result = exam(section, questions, students=STUDENTS, respond=respond, closes_in=timedelta(minutes=30))
    auto_submit_at_close(result)
    instructor = EnrollmentFactory(section=section, role=Enrollment.Role.INSTRUCTOR).user
    return SimilarityClass(exam=result, questions=questions, instructor=instructor)
