"""The bank over the API: courses, chapters and questions. Reference answers, rubrics and correct
choices only for those the policy lets see a course's keys (`QuestionStaffSerializer`); everyone
else gets `QuestionPublicSerializer`, and a student lists only the questions of attempts they have
started."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from bank.models import AcceptedAnswer, Chapter, Choice, Course, Question, RubricPoint
from classes import permissions as perms
from classes import policy


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "title", "slug", "description", "created_at"]
        read_only_fields = fields


class ChapterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chapter
        fields = ["id", "course", "number", "title", "position", "not_a_focus"]
        read_only_fields = fields


class ChoicePublicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text"]
        read_only_fields = fields


class ChoiceStaffSerializer(serializers.ModelSerializer):
    is_correct = serializers.BooleanField(required=False, help_text="Staff of the course only.")

    class Meta:
        model = Choice
        fields = ["id", "text", "is_correct"]
        read_only_fields = ["id", "text"]


class RubricPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = RubricPoint
        fields = ["text", "weight", "keywords"]
        read_only_fields = fields


class AcceptedAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptedAnswer
        fields = ["text", "synonyms", "is_regex"]
        read_only_fields = fields


QUESTION_PUBLIC_FIELDS = ["id", "chapter", "part", "ref", "number", "kind", "prompt", "points", "not_a_focus"]
QUESTION_STAFF_FIELDS = [
    "version",
    "reference_answer",
    "answer_source",
    "errata",
    "language",
    "numeric_value",
    "numeric_abs_tolerance",
    "numeric_rel_tolerance",
    "min_items",
    "rubric_is_proposed",
    "rubric_points",
    "accepted_answers",
]


class QuestionPublicSerializer(serializers.ModelSerializer):
    """What a student may see of a question: never its answer key."""

    choices = ChoicePublicSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [*QUESTION_PUBLIC_FIELDS, "choices"]
        read_only_fields = fields


class QuestionStaffSerializer(serializers.ModelSerializer):
    """A question with its answer key and rubric, for the staff of its course.

    For anyone else each object is serialized by QuestionPublicSerializer instead: the fields
    marked "staff only" are then absent.
    """

    choices = ChoiceStaffSerializer(many=True, read_only=True)
    rubric_points = RubricPointSerializer(many=True, required=False, help_text="Staff of the course only.")
    accepted_answers = AcceptedAnswerSerializer(many=True, required=False, help_text="Staff of the course only.")

    class Meta:
        model = Question
        fields = [*QUESTION_PUBLIC_FIELDS, "choices", *QUESTION_STAFF_FIELDS]
        read_only_fields = QUESTION_PUBLIC_FIELDS
        extra_kwargs = {
            name: {"required": False, "help_text": "Staff of the course only."} for name in QUESTION_STAFF_FIELDS
        }

    def to_representation(self, instance: Question) -> dict[str, Any]:
        key_courses = self.context.get("key_course_ids")
        if key_courses is None or instance.chapter.course_id not in key_courses:
            return QuestionPublicSerializer(instance, context=self.context).data
        return super().to_representation(instance)


@extend_schema_view(list=extend_schema(summary="Courses of your sections"), retrieve=extend_schema(summary="A course"))
class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CourseSerializer
    permission_classes = [permissions.IsAuthenticated, perms.allows(policy.course_view)]
    filterset_fields = ["slug"]
    ordering_fields = ["title", "created_at"]
    ordering = ["title"]

    def get_queryset(self) -> QuerySet[Course]:
        return perms.visible_courses(self.request.user)


@extend_schema_view(list=extend_schema(summary="Chapters of your courses"), retrieve=extend_schema(summary="A chapter"))
class ChapterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ChapterSerializer
    filterset_fields = ["course", "not_a_focus"]
    ordering_fields = ["number", "position"]
    ordering = ["course", "position", "number"]

    def get_queryset(self) -> QuerySet[Chapter]:
        return Chapter.objects.filter(course__in=perms.visible_courses(self.request.user))


@extend_schema_view(
    list=extend_schema(
        summary="Questions you may see: your courses' bank if you are their staff (with keys), "
        "else those of attempts you started"
    ),
    retrieve=extend_schema(summary="A question (answer key for the staff of its course only)"),
)
class QuestionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QuestionStaffSerializer
    permission_classes = [permissions.IsAuthenticated, perms.allows(policy.question_view)]
    filterset_fields = ["chapter", "chapter__course", "kind", "not_a_focus"]
    ordering_fields = ["number", "position", "points"]
    ordering = ["chapter__position", "chapter__number", "position"]

    def get_queryset(self) -> QuerySet[Question]:
        return (
            policy.questions_visible(self.request.user)
            .select_related("chapter")
            .prefetch_related("choices", "rubric_points", "accepted_answers")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["key_course_ids"] = set(perms.key_courses(self.request.user).values_list("pk", flat=True))
        return context
