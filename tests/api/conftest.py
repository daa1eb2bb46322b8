"""A small world for the API tests: a section, another section of the same course, a section of
another course, the personas of the permission matrix, an assignment with a graded attempt and one
in progress, a grading job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import token_create
from accounts.tests.factories import UserFactory
from bank.models import Chapter, Question, RubricPoint
from bank.tests.factories import ChapterFactory, short_text_question, single_choice_question
from classes.models import Enrollment, Section
from classes.tests.factories import EnrollmentFactory, SectionFactory
from grading.models import GradingJob
from grading.services import grade_answers
from quizzes import services as quiz_services
from quizzes.models import Answer, Assignment, Attempt, Quiz
from quizzes.tests.factories import AssignmentFactory, QuizFactory, QuizItemFactory

# Everyone the permission matrix asks: "other_" = of another section of the same course (they share
# its question bank); the outsider studies in another course.
PERSONAS = (
    "anonymous",
    "student",
    "other_student",
    "outsider",
    "assistant",
    "instructor",
    "other_instructor",
    "admin",
)
PASSWORD = "pass-word-123"  # UserFactory's


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing six passwords per test with PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    section: Section
    other_section: Section  # same course
    outsider_section: Section  # another course
    users: dict[str, User | None]
    tokens: dict[str, str]  # persona -> API token key
    token_ids: dict[str, int]
    spare: Enrollment  # a student the instructor may remove
    scripter: User  # has no token yet
    chapter: Chapter
    choice_q: Question
    text_q: Question
    quiz: Quiz
    assignment: Assignment
    graded: Attempt
    open_attempt: Attempt
    graded_answer: Answer
    job: GradingJob

    def client(self, persona: str) -> APIClient:
        client = APIClient()
        if persona != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[persona]}")
        return client

    def page_client(self, persona: str) -> Client:
        """A browser's session for the server-rendered pages (the instructor workspace)."""
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client


def build_world() -> World:
    section = SectionFactory()
    other_section = SectionFactory(course=section.course)
    outsider_section = SectionFactory()  # another course
    role = Enrollment.Role
    users: dict[str, User | None] = {
        "anonymous": None,
        "student": EnrollmentFactory(section=section, role=role.STUDENT).user,
        "other_student": EnrollmentFactory(section=other_section, role=role.STUDENT).user,
        "outsider": EnrollmentFactory(section=outsider_section, role=role.STUDENT).user,
        "assistant": EnrollmentFactory(section=section, role=role.ASSISTANT).user,
        "instructor": EnrollmentFactory(section=section, role=role.INSTRUCTOR).user,
        "other_instructor": EnrollmentFactory(section=other_section, role=role.INSTRUCTOR).user,
        "admin": UserFactory(is_superuser=True, is_staff=True),
    }
    issued = {name: token_create(user=u) for name, u in users.items() if u is not None}
    spare = EnrollmentFactory(section=section, role=role.STUDENT)
    chapter = ChapterFactory(course=section.course)
    choice_q = single_choice_question(chapter=chapter)
    text_q = short_text_question(chapter=chapter)
    RubricPoint.objects.create(question=text_q, text="names the encoder", weight=1)
    quiz = QuizFactory(course=section.course)
    QuizItemFactory(quiz=quiz, question=choice_q, position=1)
    QuizItemFactory(quiz=quiz, question=text_q, position=2)
    assignment = AssignmentFactory(quiz=quiz, section=section, max_attempts=2, grace_period=timedelta(minutes=1))
    student = users["student"]
    graded = quiz_services.attempt_start(assignment=assignment, student=student)
    correct = str(choice_q.choices.get(is_correct=True).pk)
    quiz_services.answers_save(attempt=graded, responses={choice_q.pk: correct, text_q.pk: "BERT"})
    quiz_services.attempt_submit(attempt=graded)
    grade_answers(list(graded.answers.values_list("pk", flat=True)))
    graded.refresh_from_db()
    open_attempt = quiz_services.attempt_start(assignment=assignment, student=student)
    job = GradingJob.objects.create(kind=GradingJob.Kind.ASSIGNMENT, assignment=assignment)
    return World(
        section=section,
        other_section=other_section,
        outsider_section=outsider_section,
        users=users,
        tokens={name: i.key for name, i in issued.items()},
        token_ids={name: i.token.pk for name, i in issued.items()},
        spare=spare,
        scripter=UserFactory(),
        chapter=chapter,
        choice_q=choice_q,
        text_q=text_q,
        quiz=quiz,
        assignment=assignment,
        graded=graded,
        open_attempt=open_attempt,
        graded_answer=graded.answers.get(question=choice_q),
        job=job,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()
