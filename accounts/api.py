"""REST API of accounts: API tokens for scripts (create with username + password, revoke) and "me"."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from classroom.api_conventions import StrictSerializer


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    username = serializers.CharField(read_only=True)
    created = serializers.DateTimeField(read_only=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    is_superuser = serializers.BooleanField(read_only=True)


class TokenView(APIView):
    """POST: your API token (created on first request, the same one afterwards). DELETE: revoke it."""

    throttle_scope = "login"

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_throttles(self) -> list[ScopedRateThrottle]:
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenSerializer, 200: TokenSerializer},
        auth=[],
        summary="Get an API token with your username and password",
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
        token, created = Token.objects.get_or_create(user=user)
        body = {"token": token.key, "username": user.get_username(), "created": token.created}
        return Response(TokenSerializer(body).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Token revoked")}, summary="Revoke your token"
    )
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
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
