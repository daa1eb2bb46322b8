"""API routes of quizzes (/api/v1/, namespace `api`): the bank, quizzes, assignments, attempts."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import common.api  # noqa: F401 - registers the <id:...> converter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("courses", api.CourseViewSet, basename="course")
router.register("chapters", api.ChapterViewSet, basename="chapter")
router.register("questions", api.QuestionViewSet, basename="question")
router.register("quizzes", api.QuizViewSet, basename="quiz")
router.register("assignments", api.AssignmentViewSet, basename="assignment")
router.register("attempts", api.AttemptViewSet, basename="attempt")

urlpatterns = [
    path("assignments/<id:assignment_id>/attempts", api.AttemptStartView.as_view(), name="assignment-start"),
    path("attempts/<id:attempt_id>/answers/<id:question_id>", api.AnswerSaveView.as_view(), name="attempt-answer"),
    *router.urls,
]
