"""LMS roles (LTI 1.3 role URIs) as a role in a section. Plain Python."""

from __future__ import annotations

from collections.abc import Iterable

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
SHORT_PREFIXES = (MEMBERSHIP, "http://purl.imsglobal.org/vocab/lis/v2/membership/")

INSTRUCTOR, ASSISTANT, STUDENT = "instructor", "assistant", "student"


def _short(role: str) -> str:
    """`...membership#Instructor` and the deprecated short form `Instructor` are the same role."""
    for prefix in SHORT_PREFIXES:
        if role.startswith(prefix):
            return role[len(prefix) :]
    return role


def section_role(roles: Iterable[str]) -> str | None:
    """The section role of an LMS member: a teaching assistant is an assistant, an instructor or
    administrator of the course an instructor, a learner a student; anything else (a mentor, a
    guest, a system role alone) none."""
    names = {_short(r) for r in roles}
    if "Instructor#TeachingAssistant" in names or "TeachingAssistant" in names:
        return ASSISTANT
    if names & {"Instructor", "Administrator", "ContentDeveloper"}:
        return INSTRUCTOR
    if "Learner" in names or "Learner#Learner" in names:
        return STUDENT
    return None
