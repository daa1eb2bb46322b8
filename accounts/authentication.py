"""DRF authentication by API token (`Authorization: Token <key>`), on `accounts.ApiToken`."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from . import services
from .models import ApiToken, User


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header parsing (and `WWW-Authenticate: Token` on 401); the key is checked by the service."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        try:
            token = services.token_authenticate(key=key)
        except services.TokenRefused as exc:
            raise exceptions.AuthenticationFailed(exc.message) from exc
        return token.user, token
