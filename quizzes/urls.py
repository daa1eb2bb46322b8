from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("assignments/<int:assignment_id>/start/", views.assignment_start, name="assignment_start"),
    path("attempts/<int:attempt_id>/", views.attempt_detail, name="attempt"),
    path("attempts/<int:attempt_id>/answers/", views.attempt_autosave, name="autosave"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="submit"),
    path("attempts/<int:attempt_id>/receipt/", views.attempt_receipt, name="receipt"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
]
