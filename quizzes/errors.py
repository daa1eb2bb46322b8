"""Errors a student or instructor action can meet. Each carries a message fit to show a person.

`ClassroomError` is the platform's base error: the API answers every one in its one error format
(`classroom.api_conventions`), the pages show the message. The policy's refusals
(`classes.policy`) are also Django's own 404 and 403, so a page that does not catch them answers
with the standard 404 / 403 pages, and the API with the matching status.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


class ClassroomError(Exception):
    """A refused action. `message` is shown as is; `code` is stable for the API."""

    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PolicyRefusal(ClassroomError):
    """The authorization policy refused an action (`classes.policy`)."""

    code = "permission_denied"


class NotPermitted(PolicyRefusal, PermissionDenied):
    """403: the actor may see the object but not do this (an assistant changing an assignment)."""


class NotVisible(PolicyRefusal, Http404):
    """404: the actor may not even know the object exists (another section's work)."""

    code = "not_found"


class NotEnrolled(NotPermitted):
    code = "not_enrolled"


class RoleConflict(ClassroomError):
    """A person cannot be a student and staff of the same course at once."""

    code = "role_conflict"


class WindowNotOpen(ClassroomError):
    code = "window_not_open"


class AttemptLimitReached(ClassroomError):
    code = "attempt_limit_reached"


class DeadlinePassed(ClassroomError):
    code = "deadline_passed"


class AttemptClosed(ClassroomError):
    code = "attempt_closed"


class InvalidResponse(ClassroomError):
    code = "invalid_response"


class AnswerTooLong(ClassroomError):
    code = "answer_too_long"


class AttemptInProgress(ClassroomError):
    """Staff act on an attempt the student may still change (grading it before it is submitted)."""

    code = "attempt_in_progress"
