"""What an enrolment can meet (a kind of `common.errors.Conflict`: the API answers 409)."""

from __future__ import annotations

from common.errors import Conflict


class RoleConflict(Conflict):
    """A person cannot be a student and staff of the same course at once."""

    code = "role_conflict"
