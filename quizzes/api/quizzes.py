"""Quizzes over the API: list, read, build (`quizzes.authoring.quiz_create`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from bank.models import Chapter, Course, Question
from classes import permissions as perms
from classes import policy
from common.api import StrictSerializer

from .. import authoring
from ..models import Quiz, QuizItem
from .fields import MAX_QUIZ_ITEMS


class QuizItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuizItem
        fields = ["position", "question", "chapter", "draw_count", "points"]
        read_only_fields = fields


class QuizSerializer(serializers.ModelSerializer):
    items = QuizItemSerializer(many=True, read_only=True)

    class Meta:
        model = Quiz
        fields = ["id", "course", "title", "description", "created_at", "items"]
        read_only_fields = fields


class QuizItemInSerializer(StrictSerializer):
    question = serializers.PrimaryKeyRelatedField(queryset=Question.objects.all(), required=False, allow_null=True)
    chapter = serializers.PrimaryKeyRelatedField(queryset=Chapter.objects.all(), required=False, allow_null=True)
    draw = serializers.IntegerField(min_value=1, max_value=100, default=1)
    points = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("question")) == bool(attrs.get("chapter")):
            raise serializers.ValidationError("Give either a question or a chapter to draw from, not both.")
        return attrs


class QuizCreateSerializer(StrictSerializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all())
    title = serializers.CharField(max_length=300)
    items = QuizItemInSerializer(many=True, allow_empty=False, max_length=MAX_QUIZ_ITEMS)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        course = attrs["course"]
        for i, item in enumerate(attrs["items"]):
            chapter = item["chapter"] if item.get("chapter") else item["question"].chapter
            if chapter.course_id != course.pk:
                raise serializers.ValidationError({"items": {i: ["This item is not from the quiz's course."]}})
        return attrs


@extend_schema_view(
    list=extend_schema(summary="Quizzes of the courses you teach"),
    retrieve=extend_schema(summary="A quiz with its items"),
    create=extend_schema(
        summary="Create a quiz with its items (instructors of the course)",
        request=QuizCreateSerializer,
        responses={201: QuizSerializer},
    ),
)
class QuizViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = QuizSerializer
    permission_classes = [permissions.IsAuthenticated, perms.allows(policy.quiz_view)]
    filterset_fields = ["course"]
    ordering_fields = ["title", "created_at"]
    ordering = ["title"]

    def get_queryset(self) -> QuerySet[Quiz]:
        return Quiz.objects.filter(course__in=perms.key_courses(self.request.user)).prefetch_related("items")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = QuizCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = data.validated_data["course"]
        items = [
            authoring.ItemSpec(
                question=i.get("question"), chapter=i.get("chapter"), draw=i["draw"], points=i.get("points")
            )
            for i in data.validated_data["items"]
        ]
        quiz = authoring.quiz_create(course=course, title=data.validated_data["title"], items=items, actor=request.user)
        return Response(QuizSerializer(quiz).data, status=status.HTTP_201_CREATED)
