"""API routes of grading (/api/v1/, namespace `api`): grades, overrides, regrades, exports, jobs."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import common.api  # noqa: F401 - registers the <id:...> converter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("grading-jobs", api.GradingJobViewSet, basename="grading-job")

urlpatterns = [
    path("sections/<id:section_id>/grades", api.SectionGradesView.as_view(), name="section-grades"),
    path(
        "assignments/<id:assignment_id>/regrade/<id:question_id>", api.RegradeView.as_view(), name="assignment-regrade"
    ),
    path("assignments/<id:assignment_id>/gradebook.csv", api.GradebookCSVView.as_view(), name="gradebook-csv"),
    path("assignments/<id:assignment_id>/answers.csv", api.AnswersCSVView.as_view(), name="answers-csv"),
    path("grades/mine", api.MyGradesView.as_view(), name="my-grades"),
    path("grades/override", api.OverrideView.as_view(), name="grade-override"),
    path("answers/<id:answer_id>/history", api.AnswerHistoryView.as_view(), name="answer-history"),
    *router.urls,
]
