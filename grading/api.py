"""REST API of grading: released grades for students, a section's grades and overrides for its
staff, grading jobs with progress, regrade (dry run and apply) and the CSV exports.

Reads go through `grading.selectors` / `quizzes.selectors`, writes through `grading.services`
(only they write grades); permissions come from `classroom.api_permissions`.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, renderers, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bank.models import Question
from classes import permissions as perms
from classes import policy
from classes.models import Section
from common.api import StrictSerializer
from quizzes import windows
from quizzes.models import Answer, Assignment, Attempt

from . import exports, release, selectors, services
from .models import Grade, GradingJob

# --- a student's own released grades -------------------------------------------------------------


class ReleasedAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    position = serializers.IntegerField()
    score = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        help_text="null: not graded yet, or an objective question whose key is still hidden (see key_shown).",
    )
    max_points = serializers.DecimalField(max_digits=7, decimal_places=2)
    status = serializers.CharField(allow_null=True, help_text="auto | needs_review | overridden; null: not graded")
    feedback = serializers.CharField(help_text="Empty while the key is hidden: feedback names key points.")
    override_reason = serializers.CharField(help_text="The instructor's comment; empty while the key is hidden.")
    key_shown = serializers.BooleanField(
        help_text="Whether what reveals the answer key is shown: false while anyone can still answer the question."
    )
    key_hidden_until = serializers.DateTimeField(
        allow_null=True, help_text="When the key of this question appears (null: it is shown)."
    )


class ReleasedAttemptSerializer(serializers.Serializer):
    attempt = serializers.IntegerField()
    assignment = serializers.IntegerField()
    assignment_title = serializers.CharField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    score = serializers.DecimalField(max_digits=9, decimal_places=2)
    max_score = serializers.DecimalField(max_digits=9, decimal_places=2)
    key_hidden_until = serializers.DateTimeField(
        allow_null=True, help_text="When the last hidden answer key of the attempt appears (null: nothing is hidden)."
    )
    answers = ReleasedAnswerSerializer(many=True)

    def to_representation(self, attempt: Attempt) -> dict[str, Any]:
        rows = selectors.attempt_rows(attempt)
        shown = release.attempt_release(attempt, self.context["now"], questions=[r.item.question for r in rows])
        score, max_score = selectors.attempt_total(rows)
        answers = []
        for r in rows:
            question = r.item.question
            key = shown.key_shown(question.pk)
            score_shown = key or not release.reveals_right_or_wrong(question)
            answers.append(
                {
                    "question": r.item.question_id,
                    "position": r.item.position,
                    "score": r.grade.score if r.grade and score_shown else None,
                    "max_points": r.item.points,
                    "status": r.grade.status if r.grade else None,
                    "feedback": r.grade.feedback if r.grade and key else "",
                    "override_reason": r.grade.override_reason if r.grade and key else "",
                    "key_shown": key,
                    "key_hidden_until": shown.hidden_until(question.pk),
                }
            )
        data = {
            "attempt": attempt.pk,
            "assignment": attempt.assignment_id,
            "assignment_title": attempt.assignment.display_title,
            "number": attempt.number,
            "status": attempt.status,
            "submitted_at": attempt.submitted_at,
            "score": score,
            "max_score": max_score,
            "key_hidden_until": shown.keys_hidden_until,
            "answers": answers,
        }
        return super().to_representation(data)


@extend_schema_view(
    get=extend_schema(
        summary="Your own grades, for attempts whose results are released (answer keys once nobody can answer)"
    )
)
class MyGradesView(generics.ListAPIView):
    serializer_class = ReleasedAttemptSerializer
    filter_backends: list[Any] = []

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": getattr(self, "_now", None) or timezone.now()}

    def get_queryset(self) -> list[Attempt]:  # type: ignore[override]
        self._now = now = timezone.now()
        assignments = windows.with_answer_window(Assignment.objects.select_related("quiz"))
        attempts = (
            Attempt.objects.filter(student_id=self.request.user.pk)
            .exclude(status=Attempt.Status.IN_PROGRESS)
            .prefetch_related(Prefetch("assignment", queryset=assignments))
            .order_by("-submitted_at", "-pk")
        )
        return [a for a in attempts if release.results_released(a, now)]


# --- a section's grades, overrides, history ------------------------------------------------------


class GradeSerializer(serializers.ModelSerializer):
    attempt = serializers.IntegerField(source="answer.attempt_id", read_only=True)
    assignment = serializers.IntegerField(source="answer.attempt.assignment_id", read_only=True)
    question = serializers.IntegerField(source="answer.question_id", read_only=True)
    student = serializers.IntegerField(source="answer.attempt.student_id", read_only=True)
    student_username = serializers.CharField(source="answer.attempt.student.username", read_only=True)
    overridden_by = serializers.CharField(source="overridden_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Grade
        fields = [
            "id",
            "answer",
            "attempt",
            "assignment",
            "question",
            "student",
            "student_username",
            "status",
            "score",
            "max_points",
            "feedback",
            "confidence",
            "grader",
            "grader_version",
            "question_version",
            "overridden_by",
            "overridden_at",
            "override_reason",
            "created_at",
        ]
        read_only_fields = fields


class SectionGradeFilter(django_filters.FilterSet):
    assignment = django_filters.NumberFilter(field_name="answer__attempt__assignment_id")
    question = django_filters.NumberFilter(field_name="answer__question_id")
    student = django_filters.NumberFilter(field_name="answer__attempt__student_id")
    status = django_filters.ChoiceFilter(choices=Grade.Status.choices)

    class Meta:
        model = Grade
        fields = ["assignment", "question", "student", "status"]


def _section_for_staff(request: Request, section_id: int) -> Section:
    return perms.load(Section.objects.all(), section_id, policy.section_staff_view, request.user)


@extend_schema_view(get=extend_schema(summary="Current grades of every answer in a section (its staff)"))
class SectionGradesView(generics.ListAPIView):
    serializer_class = GradeSerializer
    filterset_class = SectionGradeFilter
    ordering_fields = ["created_at", "score", "status"]
    ordering = ["answer__attempt__student__username", "answer_id"]

    def get_queryset(self) -> QuerySet[Grade]:
        if getattr(self, "swagger_fake_view", False):
            return Grade.objects.none()
        section = _section_for_staff(self.request, self.kwargs["section_id"])
        return Grade.objects.filter(is_current=True, answer__attempt__assignment__section=section).select_related(
            "answer__attempt__student", "overridden_by"
        )


class OverrideSerializer(StrictSerializer):
    answer_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=1000, help_text="Answers to grade."
    )
    score = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    reason = serializers.CharField(max_length=2000, help_text="Required; students see it with their grade.")


@extend_schema_view(
    post=extend_schema(
        summary="Override the grade of one or more answers, with a reason (staff of their section)",
        request=OverrideSerializer,
        responses={200: GradeSerializer(many=True)},
    )
)
class OverrideView(APIView):
    """The service asks the policy about every answer (`policy.answer_grade`): 404 when one of them
    does not exist or is not the caller's to see, 403 for the answer's own student."""

    def post(self, request: Request) -> Response:
        data = OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grades = services.grade_override(
            answer_ids=sorted(set(data.validated_data["answer_ids"])),
            score=data.validated_data["score"],
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        fresh = Grade.objects.filter(pk__in=[g.pk for g in grades]).select_related(
            "answer__attempt__student", "overridden_by"
        )
        return Response(GradeSerializer(fresh.order_by("answer_id"), many=True).data)


class GradeChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField()
    old_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    new_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    status = serializers.CharField()
    why = serializers.CharField()


class AnswerHistoryView(APIView):
    @extend_schema(
        responses={200: GradeChangeSerializer(many=True)}, summary="Audit trail of an answer's grade (staff)"
    )
    def get(self, request: Request, answer_id: int) -> Response:
        answers = Answer.objects.select_related("attempt__assignment")
        answer = perms.load(answers, answer_id, policy.answer_staff_view, request.user)
        return Response(GradeChangeSerializer(selectors.grade_history(answer.pk), many=True).data)


# --- grading jobs ---------------------------------------------------------------------------------


class JobProgressSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=GradingJob.Kind.choices)
    status = serializers.ChoiceField(choices=GradingJob.Status.choices)
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    percent = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    seconds = serializers.FloatField(allow_null=True)
    error = serializers.CharField(allow_blank=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, GradingJob):
            instance = selectors.progress_of(instance)
        return super().to_representation(instance)


@extend_schema_view(
    list=extend_schema(summary="Grading jobs of your sections"),
    retrieve=extend_schema(summary="A grading job's status and progress"),
)
class GradingJobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JobProgressSerializer
    permission_classes = [permissions.IsAuthenticated, perms.allows(policy.grading_job_view)]
    filterset_fields = ["status", "kind", "assignment"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[GradingJob]:
        user = self.request.user
        if user.is_authenticated and user.is_superuser:
            return GradingJob.objects.all()
        sections = perms.staff_sections(user)
        return GradingJob.objects.filter(
            Q(assignment__section__in=sections) | Q(attempt__assignment__section__in=sections)
        )


# --- regrade -------------------------------------------------------------------------------------


class RegradeRowSerializer(serializers.Serializer):
    answer_id = serializers.IntegerField()
    student = serializers.CharField()
    old_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    new_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    overridden = serializers.BooleanField(help_text="Overrides are kept: the regrade does not change them.")
    changes = serializers.BooleanField()


def _assignment_for(request: Request, assignment_id: int, rule: policy.Rule) -> Assignment:
    return perms.load(Assignment.objects.select_related("section"), assignment_id, rule, request.user)


def _assignment_for_staff(request: Request, assignment_id: int) -> Assignment:
    return _assignment_for(request, assignment_id, policy.assignment_staff_view)


class RegradeView(APIView):
    """A question's answers in one assignment, after its key or rubric changed (its version rose)."""

    def _question(
        self, request: Request, assignment_id: int, question_id: int, rule: policy.Rule
    ) -> tuple[Assignment, Question]:
        assignment = _assignment_for(request, assignment_id, rule)
        question = get_object_or_404(
            Question.objects.filter(chapter__course_id=assignment.section.course_id), pk=question_id
        )
        return assignment, question

    @extend_schema(responses={200: RegradeRowSerializer(many=True)}, summary="Dry run: what a regrade would change")
    def get(self, request: Request, assignment_id: int, question_id: int) -> Response:
        assignment, question = self._question(request, assignment_id, question_id, policy.assignment_staff_view)
        rows = services.regrade_preview(question.pk, assignment_id=assignment.pk, actor=request.user)
        return Response(
            RegradeRowSerializer(
                [{**r.__dict__, "changes": r.changes} for r in rows],
                many=True,
            ).data
        )

    @extend_schema(
        request=None, responses={202: JobProgressSerializer}, summary="Apply: start a regrade job (instructors)"
    )
    def post(self, request: Request, assignment_id: int, question_id: int) -> Response:
        assignment, question = self._question(request, assignment_id, question_id, policy.assignment_regrade)
        job = services.regrade_start(question.pk, assignment_id=assignment.pk, actor=request.user)
        return Response(JobProgressSerializer(selectors.job_progress(job.pk)).data, status=status.HTTP_202_ACCEPTED)


# --- exports -------------------------------------------------------------------------------------


class _ExportView(APIView):
    """A CSV file on success; errors in the API's one JSON format, whatever the client accepts."""

    renderer_classes = [renderers.JSONRenderer]
    filename = ""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        return renderers.JSONRenderer(), renderers.JSONRenderer.media_type

    def build(self, assignment: Assignment) -> str:
        raise NotImplementedError

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV with BOM")})
    def get(self, request: Request, assignment_id: int) -> HttpResponse:
        assignment = _assignment_for_staff(request, assignment_id)
        response = HttpResponse(self.build(assignment), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="assignment-{assignment.pk}-{self.filename}"'
        return response


class GradebookCSVView(_ExportView):
    """One row per student (best attempt), one column per question, and the total."""

    filename = "gradebook.csv"

    def build(self, assignment: Assignment) -> str:
        return exports.gradebook_csv(assignment)


class AnswersCSVView(_ExportView):
    """One row per answer of every submitted attempt, with its current grade."""

    filename = "answers.csv"

    def build(self, assignment: Assignment) -> str:
        return exports.answers_csv(assignment)
