"""The platform's base error and the refusals every app shares. Each carries a message fit to show
a person.

`ClassroomError` is a refused action: the API answers every one in its one error format
(`common.api`), the pages show the message. Its kinds decide the API's status: a plain
`ClassroomError` is 400, a `Conflict` (refused in the current state) 409, and the policy's
refusals (`classes.policy`) are also Django's own 404 and 403, so a page that does not catch them
answers with the standard 404 / 403 pages, and the API with the matching status. Each app keeps
its own errors next to its services (`quizzes.errors`, `classes.errors`), as subclasses of these.
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


class Conflict(ClassroomError):
    """Refused in the current state (a window closed, a deadline passed, a role held elsewhere): 409."""


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
