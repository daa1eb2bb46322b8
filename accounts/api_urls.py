"""API routes of accounts (/api/v1/, namespace `api`): tokens and the signed-in person."""

from django.urls import path

import common.api  # noqa: F401 - registers the <id:...> converter

from . import api

urlpatterns = [
    path("auth/token", api.TokenView.as_view(), name="auth-token"),
    path("auth/tokens", api.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<id:pk>", api.TokenDetailView.as_view(), name="auth-token-detail"),
    path("me", api.MeView.as_view(), name="me"),
]
