"""The instructor workspace, under /teach/: pages for the instructors and assistants of a section."""

from django.urls import path

from classes import views as classes_views
from grading import views as grading_views
from quizzes import instructor_views

app_name = "teach"

urlpatterns = [
    path("", classes_views.section_list, name="sections"),
    path("sections/new/", classes_views.section_create, name="section_new"),
    path("sections/<int:section_id>/", classes_views.section_detail, name="section"),
    path("sections/<int:section_id>/enrol/", classes_views.section_enrol, name="enrol"),
    path("sections/<int:section_id>/assistants/", classes_views.section_assistant_add, name="assistant_add"),
    path("sections/<int:section_id>/quizzes/new/", instructor_views.quiz_new, name="quiz_new"),
    path("sections/<int:section_id>/assignments/new/", instructor_views.assignment_new, name="assignment_new"),
    path("assignments/<int:assignment_id>/", instructor_views.assignment_monitor_page, name="monitor"),
    path("assignments/<int:assignment_id>/monitor.json", instructor_views.assignment_monitor_json, name="monitor_json"),
    path("assignments/<int:assignment_id>/release/", instructor_views.assignment_release, name="release"),
    path("assignments/<int:assignment_id>/edit/", instructor_views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:assignment_id>/extensions/", instructor_views.assignment_extensions, name="extensions"),
    path(
        "assignments/<int:assignment_id>/extensions/<int:student_id>/revoke/",
        instructor_views.assignment_extension_revoke,
        name="extension_revoke",
    ),
    path("assignments/<int:assignment_id>/review/", grading_views.review_queue, name="review"),
    path(
        "assignments/<int:assignment_id>/review/<int:question_id>/",
        grading_views.review_question,
        name="review_question",
    ),
    path(
        "assignments/<int:assignment_id>/review/<int:question_id>/grade/",
        grading_views.review_grade_group,
        name="review_grade",
    ),
    path("answers/<int:answer_id>/", grading_views.answer_detail, name="answer"),
    path("assignments/<int:assignment_id>/regrade/", grading_views.regrade, name="regrade"),
    path("assignments/<int:assignment_id>/analytics/", grading_views.analytics_page, name="analytics"),
    path(
        "assignments/<int:assignment_id>/analytics/<slug:table>.csv",
        grading_views.analytics_csv,
        name="analytics_csv",
    ),
    path("assignments/<int:assignment_id>/gradebook.csv", grading_views.export_gradebook, name="export_gradebook"),
    path("assignments/<int:assignment_id>/answers.csv", grading_views.export_answers, name="export_answers"),
]
