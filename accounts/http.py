"""The request of a page behind `login_required`, for the type checker: Django has already set its
user to a signed-in `User` (the services then ask the policy what that person may do)."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class SignedInRequest(HttpRequest):
    user: User
