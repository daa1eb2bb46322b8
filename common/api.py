"""Conventions every endpoint of the REST API shares (docs/api.md): one error format, strict JSON
input, page-number pagination, and serializers that reject fields they do not know.

Error format of every 4xx answer:

    {"error": {"code": "invalid", "message": "…", "fields": {"title": ["This field is required."]}}}

`fields` is present only when named fields are wrong; `message` is always fit to show a person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import register_converter
from rest_framework import exceptions, pagination, parsers, serializers, status
from rest_framework.response import Response

from .errors import ClassroomError, Conflict, NotPermitted, NotVisible
from .json_input import MAX_JSON_DEPTH, json_problem

# A refused action of a service -> the HTTP status the API answers with, by the error's kind (the
# nearest class in its MRO decides; default 400). The policy's refusals: 404 (may not see), 403
# (may not do); a refusal in the current state: 409. The apps' own errors subclass these kinds.
CLASSROOM_ERROR_STATUS: dict[type[ClassroomError], int] = {
    NotVisible: status.HTTP_404_NOT_FOUND,
    NotPermitted: status.HTTP_403_FORBIDDEN,
    Conflict: status.HTTP_409_CONFLICT,
}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


def _too_large_message() -> str:
    return f"The request body is larger than the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."


def _error(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail -> {"items.0.question": ["…"]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = str(key) if key != "non_field_errors" else ""
            out.update(_flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(d, (dict, list)) for d in detail):
            return {prefix or "non_field_errors": [str(d) for d in detail]}
        out = {}
        for i, value in enumerate(detail):
            if value:
                out.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def _first_code(detail: Any) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None) or "invalid"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error the API raises, in one format. Unexpected exceptions stay 500s (they are bugs)."""
    # Imported here: rest_framework.views reads the API settings at import time, and those
    # name this module, so a module-level import is circular when this module loads first.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, ClassroomError):
        code = next(
            (CLASSROOM_ERROR_STATUS[c] for c in type(exc).__mro__ if c in CLASSROOM_ERROR_STATUS),
            status.HTTP_400_BAD_REQUEST,
        )
        return Response(_error(exc.code, exc.message), status=code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError({k if k != "__all__" else "non_field_errors": v for k, v in fields.items()})
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_too_large_message())
    response = drf_exception_handler(exc, context)  # keeps Retry-After, WWW-Authenticate, Allow
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        general = fields.pop("non_field_errors", None)
        message = general[0] if general else "Some fields are not valid: " + ", ".join(fields) + "."
        response.data = _error(_first_code(exc.detail), message, fields)
    elif isinstance(exc, Http404):
        response.data = _error("not_found", "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        response.data = _error("permission_denied", "You do not have permission to perform this action.")
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, (dict, list)) else json.dumps(detail, ensure_ascii=False)
        error_code = _first_code(detail) if not isinstance(detail, str) else str(exc.get_codes())
        response.data = _error(error_code, message)
        wait = getattr(exc, "wait", None)  # set on a Throttled by DRF
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            response.data["error"]["retry_after"] = int(wait) + 1
    return response


def _check_json(value: Any) -> None:
    """Refuse what PostgreSQL cannot store or what would blow the stack, with a 400 naming it."""
    problem = json_problem(value)
    if problem:
        raise exceptions.ParseError(problem)


def check_text(value: str) -> None:
    _check_json(value)


class StrictJSONParser(parsers.JSONParser):
    """DRF's JSON parser plus: a size limit (DATA_UPLOAD_MAX_MEMORY_SIZE -> 413), a depth limit,
    no lone surrogates, no NUL characters, no NaN/Infinity (DRF's strict mode)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise PayloadTooLarge(f"The request body is {length} bytes; the limit is {limit}.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from exc
        except RequestDataTooBig as exc:
            raise PayloadTooLarge(_too_large_message()) from exc
        _check_json(data)
        return data


class IdConverter:
    """`<id:pk>` in API routes: `-?\\d+`, so a negative id reaches the view and gets a JSON 404
    (`<int:...>` would not match it and Django would answer with an HTML page)."""

    regex = r"-?\d+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class StrictSerializerMixin:
    """Reject fields the serializer does not know, naming them (a typo must not be silently ignored)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(self.fields)  # type: ignore[attr-defined]
            unknown = sorted(str(k) for k in data if k not in known)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown}, code="unknown_field")
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass


ERROR_STATUSES = {
    "400": "Invalid input (see `error.fields`).",
    "401": "Not authenticated.",
    "403": "Authenticated but not allowed.",
    "404": "Not found, or not yours to see.",
    "405": "Method not allowed.",
    "409": "Refused in the current state (window closed, deadline passed, attempt submitted, role conflict).",
    "413": "Request body too large.",
    "415": "Unsupported media type (send JSON).",
    "429": "Too many requests (see Retry-After).",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular hook: every operation documents the one error format for every 4xx."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                    "retry_after": {"type": "integer"},
                },
                "required": ["code", "message"],
            }
        },
        "required": ["error"],
    }
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result
