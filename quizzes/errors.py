"""Errors a student or instructor action can meet. Each carries a message fit to show a person."""

from __future__ import annotations


class ClassroomError(Exception):
    """A refused action. `message` is shown as is; `code` is stable for the API."""

    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotEnrolled(ClassroomError):
    code = "not_enrolled"


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
