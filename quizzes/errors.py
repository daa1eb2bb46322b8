"""What a student's or an instructor's action on quizzes, assignments and attempts can meet
(kinds of `common.errors`: a `Conflict` is answered 409 by the API, the others 400)."""

from __future__ import annotations

from common.errors import ClassroomError, Conflict


class WindowNotOpen(Conflict):
    code = "window_not_open"


class AttemptLimitReached(Conflict):
    code = "attempt_limit_reached"


class DeadlinePassed(Conflict):
    code = "deadline_passed"


class AttemptClosed(Conflict):
    code = "attempt_closed"


class AttemptInProgress(Conflict):
    """Staff act on an attempt the student may still change (grading it before it is submitted)."""

    code = "attempt_in_progress"


class InvalidResponse(ClassroomError):
    code = "invalid_response"


class AnswerTooLong(ClassroomError):
    code = "answer_too_long"


class QuizHasAttempts(Conflict):
    """A quiz students have started stays as they saw it: edit a copy (`authoring.quiz_copy`)."""

    code = "quiz_has_attempts"
