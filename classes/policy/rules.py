"""The rules, named `<entity>_<action>(actor, object)`. Each returns None when the actor may act and
raises otherwise: `NotVisible` (404) when the actor may not even know the object exists,
`NotPermitted` (403) when they may see it but not do this. `RULES` lists them by name, for the
permission matrix and the docs.

Objects of other apps (assignments, attempts, answers, grading jobs) are read by their ids
(`assignment.section_id`, `attempt.student_id`), so this module never imports their services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from common.errors import NotEnrolled, NotPermitted, NotVisible, PolicyRefusal

from .roles import (
    ADMIN,
    STAFF_ROLES,
    Role,
    course_roles,
    courses_for_new_sections,
    is_admin,
    section_role,
    sees_keys_of_course,
    signed_in,
)

Rule = Callable[[Any, Any], None]
RULES: dict[str, Rule] = {}


R = TypeVar("R", bound=Rule)


def rule(function: R) -> R:
    """Register a rule by its name (`RULES`), keeping its own signature."""
    RULES[function.__name__] = function
    return function


def allows(check: Rule, actor: Any, obj: Any = None) -> bool:
    """Ask a rule without raising: whether to show a button, a link, a form."""
    try:
        check(actor, obj)
    except PolicyRefusal:
        return False
    return True


def _not_found() -> NotVisible:
    return NotVisible(_("Not found."))


def _member(actor: Any, section_id: int) -> str:
    """The actor's role in the section (ADMIN for superusers); hidden from everyone else."""
    role = section_role(actor, section_id)
    if role is None:
        raise _not_found()
    return role


def _staff(actor: Any, section_id: int, message: str) -> str:
    role = _member(actor, section_id)
    if role not in (ADMIN, *STAFF_ROLES):
        raise NotPermitted(message)
    return role


def _instructor(actor: Any, section_id: int, message: str) -> str:
    role = _member(actor, section_id)
    if role not in (ADMIN, Role.INSTRUCTOR):
        raise NotPermitted(message)
    return role


def _owner_or_staff(actor: Any, student_id: int, section_id: int, owner_message: str | None) -> None:
    """Owner: allowed, or refused with `owner_message` (they know it exists); staff: allowed;
    anyone else, a classmate included: hidden."""
    if signed_in(actor) and actor.pk == student_id:
        if owner_message is not None:
            raise NotPermitted(owner_message)
        return
    if section_role(actor, section_id) not in (ADMIN, *STAFF_ROLES):
        raise _not_found()


# --- sections and enrolments --------------------------------------------------------------------


@rule
def section_view(actor: Any, section: Any) -> None:
    """See a section and its assignments: its members; superusers."""
    _member(actor, section.pk)


@rule
def section_staff_view(actor: Any, section: Any) -> None:
    """Its roster, its grades, its workspace page: the section's instructors and assistants."""
    _staff(actor, section.pk, _("Only the instructors and assistants of this class can see this."))


@rule
def section_manage(actor: Any, section: Any) -> None:
    """Enrol (one by one or by CSV), change roles, remove people, add assistants: its instructors."""
    _instructor(actor, section.pk, _("Only the instructors of this class can change who is in it."))


@rule
def section_passwords_issue(actor: Any, section: Any) -> None:
    """Hand out (and revoke) one-time set-password links and codes to the section's students, and
    see who used theirs: the section's instructors and assistants, who hand out the sheet in class."""
    _staff(actor, section.pk, _("Only the instructors and assistants of this class can hand out passwords."))


@rule
def section_create(actor: Any, course: Any) -> None:
    """Open a section of a course: the instructors of the course (of any of its sections); superusers.
    The creator becomes the section's instructor."""
    if Role.INSTRUCTOR not in course_roles(actor, course.pk) and not is_admin(actor):
        raise NotPermitted(_("Only instructors of a course may open a section of it."))


@rule
def section_create_somewhere(actor: Any, _obj: Any = None) -> None:
    """The "new section" page: whoever may open a section of at least one course."""
    if not courses_for_new_sections(actor).exists():
        raise NotPermitted(_("Only instructors of a course may open a section of it."))


# --- the bank and quizzes ------------------------------------------------------------------------


@rule
def course_view(actor: Any, course: Any) -> None:
    """A course and its chapters: the members of any of its sections."""
    if not course_roles(actor, course.pk):
        raise _not_found()


@rule
def question_key_view(actor: Any, question: Any) -> None:
    """A question's answer key and rubric: staff of a section of its course who study in none."""
    if not sees_keys_of_course(course_roles(actor, question.chapter.course_id)):
        raise NotPermitted(_("Only the staff of this course see answer keys."))


@rule
def question_view(actor: Any, question: Any) -> None:
    """A question's prompt and options: whoever sees its key, and a student who has started an
    attempt that holds it (never the bank ahead of an exam)."""
    if allows(question_key_view, actor, question):
        return
    if not (signed_in(actor) and question.attempt_questions.filter(attempt__student=actor).exists()):
        raise _not_found()


@rule
def quiz_view(actor: Any, quiz: Any) -> None:
    """A quiz and its items (which questions an exam holds): whoever sees the course's keys."""
    if not sees_keys_of_course(course_roles(actor, quiz.course_id)):
        raise _not_found()


@rule
def quiz_create(actor: Any, course: Any) -> None:
    """Build a quiz from a course's bank: the instructors of the course; superusers."""
    if not {ADMIN, Role.INSTRUCTOR} & course_roles(actor, course.pk):
        raise NotPermitted(_("Only the instructors of this course can build quizzes."))


@rule
def section_quiz_create(actor: Any, section: Any) -> None:
    """The quiz builder on a section's pages: the section's staff see it (404 for others), and
    building is `quiz_create` in the section's course."""
    _staff(actor, section.pk, _("Only the instructors of this course can build quizzes."))
    quiz_create(actor, section.course)


# --- assignments ---------------------------------------------------------------------------------


@rule
def assignment_view(actor: Any, assignment: Any) -> None:
    """An assignment's window and rules: the members of its section."""
    _member(actor, assignment.section_id)


@rule
def assignment_staff_view(actor: Any, assignment: Any) -> None:
    """Monitor, review queue, analytics, exports, regrade dry run: the section's staff."""
    _staff(actor, assignment.section_id, _("Only the instructors and assistants of this class can see this."))


@rule
def assignment_create(actor: Any, section: Any) -> None:
    """Assign a quiz to a section: its instructors."""
    _instructor(actor, section.pk, _("Only the instructors of this class can assign quizzes."))


@rule
def assignment_change(actor: Any, assignment: Any) -> None:
    """Change an assignment's window and rules: the section's instructors."""
    _instructor(actor, assignment.section_id, _("Only the instructors of this class can change its assignments."))


@rule
def assignment_extend(actor: Any, assignment: Any) -> None:
    """Grant or revoke a student's extension: the section's instructors."""
    _instructor(actor, assignment.section_id, _("Only the instructors of this class can grant extensions."))


@rule
def assignment_release(actor: Any, assignment: Any) -> None:
    """Release the results of a manual assignment: the section's instructors."""
    _instructor(actor, assignment.section_id, _("Only the instructors of this class can release results."))


@rule
def assignment_regrade(actor: Any, assignment: Any) -> None:
    """Apply a regrade (the dry run is `assignment_staff_view`): the section's instructors."""
    _instructor(actor, assignment.section_id, _("Only the instructors of this class can apply a regrade."))


# --- attempts, answers, grades -------------------------------------------------------------------


@rule
def attempt_start(actor: Any, assignment: Any) -> None:
    """Start (or continue) an attempt: the students of the assignment's section."""
    if _member(actor, assignment.section_id) != Role.STUDENT:
        raise NotEnrolled(_("You are not a student of this class."))


@rule
def attempt_view(actor: Any, attempt: Any) -> None:
    """An attempt with its questions and saved answers: its student, and the section's staff."""
    _owner_or_staff(actor, attempt.student_id, attempt.assignment.section_id, owner_message=None)


@rule
def attempt_answer(actor: Any, attempt: Any) -> None:
    """Save an answer to an attempt, or submit it: only its student (who must still be a student of
    the section; `quizzes.services` checks that under the attempt's lock)."""
    if signed_in(actor) and actor.pk == attempt.student_id:
        return
    _owner_or_staff(actor, attempt.student_id, attempt.assignment.section_id, owner_message=None)
    raise NotPermitted(_("Only the student who started this attempt can change it."))


@rule
def answer_staff_view(actor: Any, answer: Any) -> None:
    """An answer's page in the workspace and its grade's audit trail: the section's staff."""
    attempt = answer.attempt
    _owner_or_staff(
        actor,
        attempt.student_id,
        attempt.assignment.section_id,
        owner_message=_("Only the instructors and assistants of this class can see this."),
    )


@rule
def answer_grade(actor: Any, answer: Any) -> None:
    """Override an answer's grade, with a reason: the section's instructors and assistants."""
    attempt = answer.attempt
    _owner_or_staff(
        actor,
        attempt.student_id,
        attempt.assignment.section_id,
        owner_message=_("Only the instructors and assistants of the class can grade its answers."),
    )


@rule
def grading_job_view(actor: Any, job: Any) -> None:
    """A grading job's progress: the staff of its assignment's section; a bank-wide job (a regrade
    of every assignment): superusers."""
    assignment = job.assignment or (job.attempt.assignment if job.attempt_id else None)
    if assignment is None:
        if not is_admin(actor):
            raise _not_found()
        return
    if section_role(actor, assignment.section_id) not in (ADMIN, *STAFF_ROLES):
        raise _not_found()
