"""API routes of classes (/api/v1/, namespace `api`): sections and their enrolments."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import common.api  # noqa: F401 - registers the <id:...> converter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("sections", api.SectionViewSet, basename="section")

urlpatterns = [
    path("sections/<id:section_id>/enrollments", api.EnrollmentListView.as_view(), name="section-enrollments"),
    path("sections/<id:section_id>/enrollments/<id:pk>", api.EnrollmentDetailView.as_view(), name="section-enrollment"),
    *router.urls,
]
