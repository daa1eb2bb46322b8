"""Attempts over the API: start, read, save answers, submit (`quizzes.services`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from classes import permissions as perms
from classes import policy
from common.api import StrictSerializer

from .. import services
from ..models import Answer, Assignment, Attempt
from .bank import QuestionPublicSerializer


class AttemptSerializer(serializers.ModelSerializer):
    student_username = serializers.CharField(source="student.username", read_only=True)
    accepts_answers_until = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "assignment",
            "student",
            "student_username",
            "number",
            "status",
            "started_at",
            "deadline",
            "accepts_answers_until",
            "submitted_at",
            "last_saved_at",
        ]
        read_only_fields = fields

    def get_accepts_answers_until(self, attempt: Attempt) -> datetime:
        return services.accepts_answers_until(attempt)


class AnswerSerializer(serializers.ModelSerializer):
    response = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = Answer
        fields = ["question", "response", "saved_at"]
        read_only_fields = fields


class AttemptQuestionSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True, help_text="The quiz's order (results and exports use it).")
    shown_position = serializers.IntegerField(
        source="shown_number", read_only=True, help_text="The order to show (the student's own when shuffled)."
    )
    choice_order = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="Choice ids in the order to show; empty: as listed."
    )
    points = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)
    question = QuestionPublicSerializer(read_only=True)


class AttemptDetailSerializer(AttemptSerializer):
    questions = AttemptQuestionSerializer(source="attempt_questions", many=True, read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta(AttemptSerializer.Meta):
        fields = [*AttemptSerializer.Meta.fields, "questions", "answers"]
        read_only_fields = fields


class AnswerInSerializer(StrictSerializer):
    response = serializers.JSONField(
        allow_null=True,
        help_text="Text for text and numeric questions, a choice id, a list of choice ids (multiple choice) "
        "or a list of entries (enumeration); null clears the answer.",
    )


def attempts_visible_to(user: Any) -> QuerySet[Attempt]:
    """Your own attempts, and those of the sections you teach (`policy.attempt_view` as a queryset)."""
    return Attempt.objects.filter(
        Q(student_id=user.pk) | Q(assignment__section__in=perms.staff_sections(user))
    ).select_related("assignment", "student")


def _attempt_detail(attempt_id: int) -> Attempt:
    return (
        Attempt.objects.select_related("assignment", "student")
        .prefetch_related("attempt_questions__question__choices", "answers")
        .get(pk=attempt_id)
    )


@extend_schema_view(
    list=extend_schema(summary="Your attempts (and, for staff, those of your sections)"),
    retrieve=extend_schema(
        summary="An attempt with its questions and saved answers", responses=AttemptDetailSerializer
    ),
)
class AttemptViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AttemptSerializer
    permission_classes = [permissions.IsAuthenticated, perms.allows(policy.attempt_view)]
    filterset_fields = ["assignment", "status", "student"]
    ordering_fields = ["started_at", "number"]
    ordering = ["-started_at"]

    def get_queryset(self) -> QuerySet[Attempt]:
        return attempts_visible_to(self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        attempt = self.get_object()
        return Response(AttemptDetailSerializer(_attempt_detail(attempt.pk)).data)

    @extend_schema(request=None, responses={200: AttemptSerializer}, summary="Submit the attempt (idempotent)")
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated, perms.allows(policy.attempt_answer)],
    )
    def submit(self, request: Request, pk: str | None = None) -> Response:
        attempt = services.attempt_submit(attempt=self.get_object(), actor=request.user)
        return Response(AttemptSerializer(attempt).data)


class AttemptStartView(APIView):
    @extend_schema(
        request=None,
        responses={201: AttemptDetailSerializer, 200: AttemptDetailSerializer},
        summary="Start an attempt, or get the one in progress (idempotent: 201 new, 200 existing)",
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = perms.load(Assignment.objects.all(), assignment_id, policy.attempt_start, request.user)
        before = Attempt.objects.filter(
            assignment=assignment, student_id=request.user.pk, status=Attempt.Status.IN_PROGRESS
        ).exists()
        attempt = services.attempt_start(assignment=assignment, student=request.user)
        return Response(
            AttemptDetailSerializer(_attempt_detail(attempt.pk)).data,
            status=status.HTTP_200_OK if before else status.HTTP_201_CREATED,
        )


class AnswerSaveView(APIView):
    throttle_scope = "answers"

    throttle_classes = [ScopedRateThrottle]

    @extend_schema(
        request=AnswerInSerializer,
        responses={200: AnswerSerializer},
        summary="Save one answer (idempotent: the last save wins; refused after deadline + grace)",
    )
    def put(self, request: Request, attempt_id: int, question_id: int) -> Response:
        attempt = perms.load(attempts_visible_to(request.user), attempt_id, policy.attempt_answer, request.user)
        data = AnswerInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.answer_save(
            attempt=attempt, question_id=question_id, response=data.validated_data["response"], actor=request.user
        )
        return Response(AnswerSerializer(answer).data)
