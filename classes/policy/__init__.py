"""Who may do what in Classroom: the one authorization policy.

Why here, in `classes`: every right comes from an enrolment (a role in a section, or a superuser),
and `classes` owns enrolments; the policy sits next to the model it reads. It imports the models
of `classes`, `bank` and `accounts` and the errors of `common` only, never a view, an API module, a
service or an app above `classes` (the layers contract, docs/architecture.md), so the services of
every app can call it and nothing else decides. What it needs of the apps above is read off the
objects it is given (`attempt.student_id`, `answer.attempt.assignment.section_id`) or through the
ORM relation from the bank's questions to the attempts that drew them
(`Question.attempt_questions`).

How it is used:
- The **services** enforce it: `<entity>_<action>(..., actor=user)` calls the rule of the same
  name first, so the pages, the API, the admin and the commands cannot disagree. `actor=None`
  is the platform itself (beat, workers, management commands, imports) and skips the rules.
- The `/teach/` gates (`classes.teach`) and the DRF permission classes
  (`classes.permissions`) are thin adapters: they load an object and ask a rule, so a page
  refuses before it renders a form.
- Lists use the scopes (`sections_visible`, `questions_visible`, ...): the same rules as querysets.

Refusals (`common.errors`): `NotVisible` (404, the actor may not even know the object exists) and
`NotPermitted` (403, they may see it but not do this), both a `ClassroomError` in the API's one
error format and Django's own Http404 / PermissionDenied on the pages. Rules by name: `RULES`;
the table of who gets what is `tests/api/test_permission_matrix.py` and docs/security.md.
"""

from .enrolment import enrollment_check, last_instructor_check, role_conflict, student_conflicts
from .loading import load
from .roles import (
    ADMIN,
    STAFF_ROLES,
    Role,
    course_roles,
    courses_for_new_sections,
    courses_visible,
    courses_with_keys,
    is_admin,
    is_instructor_of,
    is_staff_of,
    questions_visible,
    section_role,
    sections_instructed,
    sections_of,
    sections_staffed,
    sections_visible,
    sees_keys_of_course,
    signed_in,
)
from .rules import (
    RULES,
    Rule,
    allows,
    answer_grade,
    answer_staff_view,
    assignment_change,
    assignment_create,
    assignment_extend,
    assignment_regrade,
    assignment_release,
    assignment_staff_view,
    assignment_view,
    attempt_answer,
    attempt_start,
    attempt_view,
    course_view,
    grading_job_view,
    question_key_view,
    question_view,
    quiz_create,
    quiz_view,
    section_create,
    section_create_somewhere,
    section_manage,
    section_passwords_issue,
    section_quiz_create,
    section_staff_view,
    section_view,
)

__all__ = [
    "ADMIN",
    "RULES",
    "STAFF_ROLES",
    "Role",
    "Rule",
    "allows",
    "answer_grade",
    "answer_staff_view",
    "assignment_change",
    "assignment_create",
    "assignment_extend",
    "assignment_regrade",
    "assignment_release",
    "assignment_staff_view",
    "assignment_view",
    "attempt_answer",
    "attempt_start",
    "attempt_view",
    "course_roles",
    "course_view",
    "courses_for_new_sections",
    "courses_visible",
    "courses_with_keys",
    "enrollment_check",
    "grading_job_view",
    "is_admin",
    "is_instructor_of",
    "is_staff_of",
    "last_instructor_check",
    "load",
    "question_key_view",
    "question_view",
    "questions_visible",
    "quiz_create",
    "quiz_view",
    "role_conflict",
    "section_create",
    "section_create_somewhere",
    "section_manage",
    "section_passwords_issue",
    "section_quiz_create",
    "section_role",
    "section_staff_view",
    "section_view",
    "sections_instructed",
    "sections_of",
    "sections_staffed",
    "sections_visible",
    "sees_keys_of_course",
    "signed_in",
    "student_conflicts",
]
