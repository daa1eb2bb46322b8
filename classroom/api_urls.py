"""Routes of the REST API (docs/api.md): /api/v1/... plus the OpenAPI schema and its docs pages.

No trailing slashes. Ids are integers; `-?\\d+` lets a negative id reach the view and get a JSON 404
(`<int:...>` would not match it and Django would answer with an HTML page). Anything else under
/api/ gets the JSON 404 of `api_not_found`.
"""

from __future__ import annotations

from django.urls import include, path, re_path, register_converter
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import permissions
from rest_framework.decorators import api_view, permission_classes, schema
from rest_framework.exceptions import NotFound
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from classes import api as classes_api
from grading import api as grading_api
from quizzes import api as quizzes_api


class IdConverter:
    regex = r"-?\d+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

router = SimpleRouter(trailing_slash=False)
router.register("courses", quizzes_api.CourseViewSet, basename="course")
router.register("chapters", quizzes_api.ChapterViewSet, basename="chapter")
router.register("questions", quizzes_api.QuestionViewSet, basename="question")
router.register("quizzes", quizzes_api.QuizViewSet, basename="quiz")
router.register("sections", classes_api.SectionViewSet, basename="section")
router.register("assignments", quizzes_api.AssignmentViewSet, basename="assignment")
router.register("attempts", quizzes_api.AttemptViewSet, basename="attempt")
router.register("grading-jobs", grading_api.GradingJobViewSet, basename="grading-job")


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([permissions.AllowAny])
@schema(None)
def api_not_found(request, *args, **kwargs):
    raise NotFound("No such endpoint: see /api/docs/.")


v1 = [
    path("auth/token", accounts_api.TokenView.as_view(), name="auth-token"),
    path("auth/tokens", accounts_api.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<id:pk>", accounts_api.TokenDetailView.as_view(), name="auth-token-detail"),
    path("me", accounts_api.MeView.as_view(), name="me"),
    path("sections/<id:section_id>/enrollments", classes_api.EnrollmentListView.as_view(), name="section-enrollments"),
    path(
        "sections/<id:section_id>/enrollments/<id:pk>",
        classes_api.EnrollmentDetailView.as_view(),
        name="section-enrollment",
    ),
    path("sections/<id:section_id>/grades", grading_api.SectionGradesView.as_view(), name="section-grades"),
    path("assignments/<id:assignment_id>/attempts", quizzes_api.AttemptStartView.as_view(), name="assignment-start"),
    path(
        "assignments/<id:assignment_id>/regrade/<id:question_id>",
        grading_api.RegradeView.as_view(),
        name="assignment-regrade",
    ),
    path("assignments/<id:assignment_id>/gradebook.csv", grading_api.GradebookCSVView.as_view(), name="gradebook-csv"),
    path("assignments/<id:assignment_id>/answers.csv", grading_api.AnswersCSVView.as_view(), name="answers-csv"),
    path(
        "attempts/<id:attempt_id>/answers/<id:question_id>", quizzes_api.AnswerSaveView.as_view(), name="attempt-answer"
    ),
    path("grades/mine", grading_api.MyGradesView.as_view(), name="my-grades"),
    path("grades/override", grading_api.OverrideView.as_view(), name="grade-override"),
    path("answers/<id:answer_id>/history", grading_api.AnswerHistoryView.as_view(), name="answer-history"),
    *router.urls,
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    re_path(r"^.*$", api_not_found, name="not-found"),
]
