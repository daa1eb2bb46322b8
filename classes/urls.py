"""The students' set-password pages (public; URL names are global, like the sign-in's)."""

from django.urls import path

from . import onboarding_views

urlpatterns = [
    path("", onboarding_views.password_setup, name="password_setup"),
    path("link/<str:token>/", onboarding_views.password_setup_link, name="password_setup_link"),
    path("password/", onboarding_views.password_setup_choose, name="password_setup_choose"),
]
