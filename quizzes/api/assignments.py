"""Assignments over the API: a quiz given to a section, its window and rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from classes import permissions as perms
from classes import policy
from common.api import StrictModelSerializer

from .. import authoring
from ..authoring import ASSIGNMENT_EDITABLE
from ..models import Assignment
from .fields import BoundedDateTimeField, BoundedDurationField


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
        fields = ["id", "quiz", "section", "display_title", *ASSIGNMENT_EDITABLE, "created_at"]
        read_only_fields = ["id", "display_title", "created_at"]


class AssignmentUpdateSerializer(AssignmentSerializer):
    class Meta(AssignmentSerializer.Meta):
        fields = ["id", "display_title", *ASSIGNMENT_EDITABLE, "created_at"]


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
