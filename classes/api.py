"""REST API of classes: sections (instructors of the course open them) and enrolments (instructors manage them).

Writes go through `classes.services`, which ask `classes.policy`; reads are scoped by the policy too."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from classes import policy
from common.api import StrictModelSerializer, StrictSerializer

from . import permissions as perms
from . import services
from .models import Enrollment, Section


class SectionSerializer(StrictModelSerializer):
    my_role = serializers.CharField(read_only=True, allow_null=True, help_text="Your role here (null: admin).")

    class Meta:
        model = Section
        fields = ["id", "course", "name", "term", "time_zone", "created_at", "my_role"]
        read_only_fields = ["id", "created_at", "my_role"]


@extend_schema_view(
    list=extend_schema(summary="Sections you belong to"),
    retrieve=extend_schema(summary="A section"),
    create=extend_schema(summary="Open a section of a course (its instructors; the creator becomes its instructor)"),
)
class SectionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = SectionSerializer
    permission_classes = [permissions.IsAuthenticated, perms.allows(policy.section_view)]
    filterset_fields = ["course", "term"]
    ordering_fields = ["name", "term", "created_at"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Section]:
        user = self.request.user
        role = Enrollment.objects.filter(section=OuterRef("pk"), user_id=user.pk).values("role")[:1]
        return perms.visible_sections(user).annotate(my_role=Subquery(role)).order_by("name")

    def perform_create(self, serializer: SectionSerializer) -> None:
        data = serializer.validated_data
        section = services.section_create(
            course=data["course"],
            name=data["name"],
            term=data.get("term", ""),
            time_zone=data.get("time_zone", "UTC"),
            actor=self.request.user,
        )
        section.my_role = Enrollment.Role.INSTRUCTOR
        serializer.instance = section


class EnrollmentSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.shown_name", read_only=True)

    class Meta:
        model = Enrollment
        fields = ["id", "section", "user", "username", "display_name", "role", "created_at"]
        read_only_fields = fields


class EnrollmentCreateSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Enrollment.Role.choices, default=Enrollment.Role.STUDENT)

    def validate_username(self, value: str) -> User:
        user = User.objects.filter(username=value).first()
        if user is None:
            raise serializers.ValidationError("No account with this username.")
        return user


class _SectionChildMixin:
    """Views under /sections/{section_id}/: the policy's rule for the section decides (404 / 403)."""

    request: Request
    kwargs: dict[str, Any]

    def section(self, rule: policy.Rule = policy.section_staff_view) -> Section:
        return perms.load(Section.objects.all(), self.kwargs["section_id"], rule, self.request.user)


@extend_schema_view(
    get=extend_schema(summary="People of a section (its staff)"),
    post=extend_schema(
        summary="Enrol a person, or change their role (instructors)",
        request=EnrollmentCreateSerializer,
        responses={201: EnrollmentSerializer},
    ),
)
class EnrollmentListView(_SectionChildMixin, generics.ListCreateAPIView):
    serializer_class = EnrollmentSerializer
    filterset_fields = ["role"]
    ordering_fields = ["created_at", "user__username", "role"]
    ordering = ["user__username"]

    def get_queryset(self) -> QuerySet[Enrollment]:
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        section = self.section()
        return Enrollment.objects.filter(section=section).select_related("user")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        section = self.section(policy.section_manage)
        data = EnrollmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrollment = services.enrollment_add(
            section=section, user=data.validated_data["username"], role=data.validated_data["role"], actor=request.user
        )
        return Response(EnrollmentSerializer(enrollment).data, status=201)


@extend_schema_view(delete=extend_schema(summary="Take a person out of a section (instructors)"))
class EnrollmentDetailView(_SectionChildMixin, generics.DestroyAPIView):
    serializer_class = EnrollmentSerializer

    def get_queryset(self) -> QuerySet[Enrollment]:
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        return Enrollment.objects.filter(section=self.section(policy.section_manage))

    def perform_destroy(self, instance: Enrollment) -> None:
        services.enrollment_remove(enrollment=instance, actor=self.request.user)
