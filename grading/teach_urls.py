"""Grading in the instructor workspace (/teach/, namespace `teach`): review, answers, regrade,
analytics, the similarity report, exports."""

from django.urls import path

from . import views

urlpatterns = [
    path("assignments/<int:assignment_id>/review/", views.review_queue, name="review"),
    path("assignments/<int:assignment_id>/review/<int:question_id>/", views.review_question, name="review_question"),
    path(
        "assignments/<int:assignment_id>/review/<int:question_id>/grade/",
        views.review_grade_group,
        name="review_grade",
    ),
    path("answers/<int:answer_id>/", views.answer_detail, name="answer"),
    path("assignments/<int:assignment_id>/regrade/", views.regrade, name="regrade"),
    path("assignments/<int:assignment_id>/analytics/", views.analytics_page, name="analytics"),
    path("assignments/<int:assignment_id>/analytics/<slug:table>.csv", views.analytics_csv, name="analytics_csv"),
    path("assignments/<int:assignment_id>/similarity/", views.similarity_report, name="similarity"),
    path("assignments/<int:assignment_id>/similarity/compute/", views.similarity_compute, name="similarity_compute"),
    path("assignments/<int:assignment_id>/gradebook.csv", views.export_gradebook, name="export_gradebook"),
    path("assignments/<int:assignment_id>/answers.csv", views.export_answers, name="export_answers"),
]
