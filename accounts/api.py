"""REST API of accounts: API tokens for scripts (create with username + password, list, revoke) and "me"."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from common.api import StrictSerializer

from . import selectors, services
from .models import ApiToken


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class TokenSerializer(serializers.Serializer):
    """A new token. `token` (the key) is shown this once: only its digest is kept."""

    token = serializers.CharField(read_only=True)
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    username = serializers.CharField(read_only=True)
    created = serializers.DateTimeField(read_only=True)
    expires = serializers.DateTimeField(read_only=True)


class TokenInfoSerializer(serializers.ModelSerializer):
    """One of your tokens, without its key: `prefix` is how it starts."""

    created = serializers.DateTimeField(source="created_at", read_only=True)
    expires = serializers.DateTimeField(source="expires_at", read_only=True)
    last_used = serializers.DateTimeField(source="last_used_at", read_only=True, allow_null=True)
    current = serializers.SerializerMethodField(help_text="The token this request is authenticated with.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "expires", "last_used", "current"]

    def get_current(self, token: ApiToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    is_superuser = serializers.BooleanField(read_only=True)


class TokenView(APIView):
    """POST: a new API token (expires after API_TOKEN_TTL_HOURS). DELETE: revoke the token you send."""

    throttle_scope = "login"

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_throttles(self) -> list[ScopedRateThrottle]:
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenSerializer},
        auth=[],
        summary="Get a new API token with your username and password",
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError({"non_field_errors": ["Wrong username or password."]})
        # A token is a sign-in: the lockout resets its failure count on this signal, as on the portal.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        issued = services.token_create(user=user, name=data.validated_data["name"])
        body = {
            "token": issued.key,
            "id": issued.token.pk,
            "name": issued.token.name,
            "username": user.get_username(),
            "created": issued.token.created_at,
            "expires": issued.token.expires_at,
        }
        return Response(TokenSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Token revoked")},
        summary="Revoke the token this request is authenticated with",
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        "This request carries no token: revoke one with DELETE /api/v1/auth/tokens/{id}."
                    ]
                }
            )
        services.token_revoke(user=request.user, token_id=request.auth.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(generics.ListAPIView):
    """Your API tokens that still work, newest first (never their keys)."""

    serializer_class = TokenInfoSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.user_tokens(self.request.user)


class TokenDetailView(APIView):
    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Token revoked")},
        summary="Revoke one of your tokens",
    )
    def delete(self, request: Request, pk: int) -> Response:
        if not services.token_revoke(user=request.user, token_id=pk):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="Who am I")
    def get(self, request: Request) -> Response:
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.username,
                    "display_name": user.shown_name,
                    "is_superuser": user.is_superuser,
                }
            ).data
        )
