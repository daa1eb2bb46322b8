"""Sign-in and a person's own settings: language (remembered on the account and in a cookie) and time zone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from common.throttling import FailureLimit

from . import selectors, services
from .forms import PasswordResetForm, PreferencesForm
from .http import SignedInRequest
from .lockout import throttled_response


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LoginView(auth_views.LoginView):
    """Django's sign-in, plus the person's language.

    A language chosen on this browser (the cookie, set only by an explicit choice) wins and is
    remembered on the account; otherwise the account's language is applied to this browser.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in dict(settings.LANGUAGES):
            services.user_language_set(user=user, language=chosen)
        elif user.language:
            set_language_cookie(response, user.language)
        return response


def reset_limit() -> FailureLimit:
    """Reset mails asked for per client address: every request counts (each may send a mail)."""
    window = timedelta(minutes=settings.ONBOARDING_WINDOW_MINUTES)
    return FailureLimit("password_reset", settings.ONBOARDING_FAILURE_LIMIT, window)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "forgot password" page (the same answer whether or not the address is known),
    limited per client address so that it cannot be used to flood someone's mailbox."""

    form_class = PasswordResetForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = reset_limit()
        seconds = limit.retry_after(request)
        if seconds is not None:
            return throttled_response(request, seconds)
        limit.record(request)
        return super().post(request, *args, **kwargs)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's `set_language` (cookie, safe redirect to `next`), and the choice kept on the account."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return response


@login_required
def preferences(request: SignedInRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(request.POST or None, initial={"language": user.language, "time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        services.user_preferences_update(user=user, language=language, time_zone=form.cleaned_data["time_zone"])
        response = redirect("preferences")
        if language:
            set_language_cookie(response, language)
            translation.activate(language)
        else:
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
        messages.success(request, _("Your settings are saved."))
        return response
    context = {"form": form, "password_url": reverse("password_change"), "tokens": selectors.user_tokens(user)}
    return render(request, "accounts/preferences.html", context)


@login_required
@require_POST
def token_revoke(request: SignedInRequest, token_id: int) -> HttpResponse:
    if services.token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("The API token is revoked."))
    return redirect("preferences")


@login_required
@require_POST
def tokens_revoke_all(request: SignedInRequest) -> HttpResponse:
    count = services.tokens_revoke_all(user=request.user)
    if count:
        messages.success(request, _("All your API tokens are revoked."))
    return redirect("preferences")
