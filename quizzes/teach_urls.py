"""Quizzes and assignments in the instructor workspace (/teach/, namespace `teach`)."""

from django.urls import path

from .teach import assignments, builder, monitor

urlpatterns = [
    path("sections/<int:section_id>/quizzes/new/", builder.quiz_new, name="quiz_new"),
    path("sections/<int:section_id>/quizzes/<int:quiz_id>/edit/", builder.quiz_edit, name="quiz_edit"),
    path("sections/<int:section_id>/quizzes/<int:quiz_id>/copy/", builder.quiz_copy, name="quiz_copy"),
    path("sections/<int:section_id>/assignments/new/", assignments.assignment_new, name="assignment_new"),
    path("assignments/<int:assignment_id>/", monitor.assignment_monitor_page, name="monitor"),
    path("assignments/<int:assignment_id>/monitor.json", monitor.assignment_monitor_json, name="monitor_json"),
    path("assignments/<int:assignment_id>/release/", assignments.assignment_release, name="release"),
    path("assignments/<int:assignment_id>/edit/", assignments.assignment_edit, name="assignment_edit"),
    path("assignments/<int:assignment_id>/extensions/", assignments.assignment_extensions, name="extensions"),
    path(
        "assignments/<int:assignment_id>/extensions/<int:student_id>/revoke/",
        assignments.assignment_extension_revoke,
        name="extension_revoke",
    ),
]
