"""Sign-in, sign-out, password change and reset by e-mail (Django's views, our templates) and the
person's own settings (URL names are global: `login`, ...)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import PasswordChangeForm, SetPasswordForm

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("settings/", views.preferences, name="preferences"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("tokens/revoke-all/", views.tokens_revoke_all, name="tokens_revoke_all"),
    path("language/", views.language_set, name="language_set"),
]
