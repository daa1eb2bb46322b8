"""The LMS's URLs (docs/lti.md): the values to paste into Moodle and Canvas."""

from django.urls import path
from lti_tool.views import jwks

from . import views

app_name = "lti"
urlpatterns = [
    path("jwks.json", jwks, name="jwks"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/<uuid:registration_uuid>/", views.LoginView.as_view(), name="login_registration"),
    path("launch/", views.LaunchView.as_view(), name="launch"),
    path("deep-link/", views.DeepLinkView.as_view(), name="deep_link"),
    path("sections/<int:section_id>/roster/", views.roster_sync, name="roster_sync"),
]
