"""Serializer fields and limits the API's resources share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rest_framework import serializers

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_QUIZ_ITEMS = 200


class BoundedDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset; years 2000-2199 (far dates overflow deadline arithmetic)."""

    def to_internal_value(self, value: Any) -> datetime:
        parsed = super().to_internal_value(value)
        if not EARLIEST <= parsed < LATEST:
            raise serializers.ValidationError("Give a date between 2000 and 2199.")
        return parsed


class BoundedDurationField(serializers.DurationField):
    """ "HH:MM:SS", "D HH:MM:SS" or ISO 8601 ("PT1H30M"), from 0 up to `max_value`."""

    def to_internal_value(self, value: Any) -> timedelta:
        try:
            return super().to_internal_value(value)
        except OverflowError as exc:
            raise serializers.ValidationError("That duration is too long.") from exc
