"""REST API of quizzes: the bank (courses, chapters, questions), quizzes, assignments and attempts.

Reference answers, rubrics and correct choices are serialized only for those the policy lets see a
course's keys (its staff, who study in none of its sections: QuestionStaffSerializer); everyone
else gets QuestionPublicSerializer, and a student lists only the questions of attempts they have
started. Writes go through `quizzes.services` / `quizzes.authoring`, which ask `classes.policy`;
the views ask it first through `classroom.api_permissions`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from classes import policy
from classroom import api_permissions as perms
from classroom.api_conventions import StrictModelSerializer, StrictSerializer

from . import authoring, services
from .models import (
    AcceptedAnswer,
    Answer,
    Assignment,
    Attempt,
    Chapter,
    Choice,
    Course,
    Question,
    Quiz,
    QuizItem,
    RubricPoint,
)

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_QUIZ_ITEMS = 200


class BoundedDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset; years 2000-2199 (far dates overflow deadline arithmetic)."""

    def to_internal_value(self, value: Any) -> datetime:
        parsed = super().to_internal_value(value)
        if not EARLIEST <= parsed < LATEST:
            raise serializers.ValidationError("Give a date between 2000 and 2199.")
        return parsed


class BoundedDurationField(serializers.DurationField):
    """ "HH:MM:SS", "D HH:MM:SS" or ISO 8601 ("PT1H30M"), from 0 up to `max_value`."""

    def to_internal_value(self, value: Any) -> timedelta:
        try:
            return super().to_internal_value(value)
        except OverflowError as exc:
            raise serializers.ValidationError("That duration is too long.") from exc


# --- the bank ----------------------------------------------------------------------------------


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


# --- quizzes -------------------------------------------------------------------------------------


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


# --- assignments ---------------------------------------------------------------------------------


class AssignmentSerializer(StrictModelSerializer):
    opens_at = BoundedDateTimeField()
    closes_at = BoundedDateTimeField()
    time_limit = BoundedDurationField(
        required=False, allow_null=True, min_value=timedelta(seconds=1), max_value=timedelta(days=366)
    )
    grace_period = BoundedDurationField(required=False, min_value=timedelta(0), max_value=timedelta(days=30))
    max_attempts = serializers.IntegerField(required=False, min_value=1, max_value=100)
    released_at = BoundedDateTimeField(required=False, allow_null=True)
    display_title = serializers.CharField(read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "quiz",
            "section",
            "title",
            "display_title",
            "opens_at",
            "closes_at",
            "time_limit",
            "max_attempts",
            "grace_period",
            "release_policy",
            "released_at",
            "created_at",
        ]
        read_only_fields = ["id", "display_title", "created_at"]


class AssignmentUpdateSerializer(AssignmentSerializer):
    class Meta(AssignmentSerializer.Meta):
        fields = [f for f in AssignmentSerializer.Meta.fields if f not in ("quiz", "section")]


class AssignmentCreateSerializer(AssignmentSerializer):
    """The section and quiz are checked by the policy in `authoring.assignment_create` (404 for a
    section the caller may not see, 403 when they may not assign there), as on the pages."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["quiz"].course_id != attrs["section"].course_id:
            raise serializers.ValidationError({"quiz": ["This quiz is not from the section's course."]})
        return attrs


@extend_schema_view(
    list=extend_schema(summary="Assignments of your sections"),
    retrieve=extend_schema(summary="An assignment"),
    create=extend_schema(
        summary="Assign a quiz to a section (its instructors)",
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an assignment's window or rules (its instructors)",
        request=AssignmentUpdateSerializer,
        responses={200: AssignmentSerializer},
    ),
)
class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AssignmentSerializer
    permission_classes = [permissions.IsAuthenticated, perms.allows(policy.assignment_view)]
    filterset_fields = ["section", "quiz", "release_policy"]
    ordering_fields = ["opens_at", "closes_at", "created_at"]
    ordering = ["opens_at"]

    def get_queryset(self) -> QuerySet[Assignment]:
        return Assignment.objects.filter(section__in=perms.visible_sections(self.request.user)).select_related("quiz")

    def get_permissions(self) -> list[Any]:
        if self.action == "partial_update":  # asked before the body is read, as the edit page does
            return [*super().get_permissions(), perms.allows(policy.assignment_change)()]
        return super().get_permissions()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AssignmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        assignment = authoring.assignment_create(actor=request.user, **data.validated_data)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assignment = self.get_object()
        data = AssignmentUpdateSerializer(assignment, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        assignment = authoring.assignment_update(assignment=assignment, actor=request.user, **data.validated_data)
        return Response(AssignmentSerializer(assignment).data)


# --- attempts ------------------------------------------------------------------------------------


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
    position = serializers.IntegerField(read_only=True)
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
