"""Sections in the instructor workspace (/teach/, namespace `teach`, composed by classroom/urls.py)."""

from django.urls import path

from . import onboarding_views, views

urlpatterns = [
    path("", views.section_list, name="sections"),
    path("sections/new/", views.section_create, name="section_new"),
    path("sections/<int:section_id>/", views.section_detail, name="section"),
    path("sections/<int:section_id>/enrol/", views.section_enrol, name="enrol"),
    path("sections/<int:section_id>/passwords/", onboarding_views.section_passwords, name="passwords"),
    path(
        "sections/<int:section_id>/passwords/revoke/",
        onboarding_views.section_passwords_revoke,
        name="passwords_revoke",
    ),
    path("sections/<int:section_id>/assistants/", views.section_assistant_add, name="assistant_add"),
]
