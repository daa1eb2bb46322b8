"""A class taught through the LMS for the passback tests: a section opened by the instructor's
launch, an assignment of one single-choice question, students who launch it from the LMS (with
the activity's gradebook column in their AGS claim) and answer through the services."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from lti_tool.models import LtiUser

from accounts.models import User
from bank.models import Question
from bank.tests.factories import ChapterFactory, single_choice_question
from grading import services as grading_services
from lti.models import SectionLink
from quizzes import services as quiz_services
from quizzes.models import Assignment, Attempt
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

from .conftest import launch
from .platform import AGS_SCOPE, LTI, Platform

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


@dataclass
class LmsClass:
    platform: Platform
    assignment: Assignment
    question: Question
    instructor: User
    column: str  # the activity's line item URL

    def student(self, sub: str = "student-1") -> User:
        """A student opens the activity from the LMS (made and enrolled on this first launch)."""
        claims = {
            LTI + "custom": {"assignment_id": str(self.assignment.pk)},
            AGS_CLAIM: {
                "scope": [AGS_SCOPE + "lineitem", AGS_SCOPE + "score"],
                "lineitems": self.platform.url("/lineitems"),
                "lineitem": self.column,
            },
        }
        response, _form = launch(Client(), self.platform, role="student", sub=sub, **claims)
        assert response.status_code == 302, response.content
        user = LtiUser.objects.get(sub=sub).auth_user
        assert user is not None
        return user

    def submit(self, student: User, choice: str) -> Attempt:
        attempt = quiz_services.attempt_start(assignment=self.assignment, student=student)
        picked = self.question.choices.get(text=choice)
        quiz_services.answer_save(attempt=attempt, question_id=self.question.pk, response=str(picked.pk))
        return quiz_services.attempt_submit(attempt=attempt)

    def graded(self, choice: str, sub: str = "student-1") -> Attempt:
        """A student of the LMS answers and is graded on the spot (the per-attempt path, no worker)."""
        attempt = self.submit(self.student(sub), choice)
        grading_services.attempt_grade(attempt.pk)
        attempt.refresh_from_db()
        assert attempt.status == Attempt.Status.GRADED
        return attempt


def lms_class(platform: Platform, **assignment_fields: object) -> LmsClass:
    response, _form = launch(Client(), platform, role="instructor", sub="teacher-1")
    assert response.status_code == 302, response.content
    section = SectionLink.objects.select_related("section").get().section
    question = single_choice_question(chapter=ChapterFactory(course=section.course))
    assignment = AssignmentFactory(section=section, quiz__course=section.course, **assignment_fields)
    QuizItemFactory(quiz=assignment.quiz, question=question)
    column = platform.url("/lineitems/column-1")
    platform.lineitems.append({"id": column, "label": "Quiz 1", "scoreMaximum": 2, "resourceLinkId": "resource-1"})
    instructor = LtiUser.objects.get(sub="teacher-1").auth_user
    assert instructor is not None
    return LmsClass(platform, assignment, question, instructor, column)
