"""Writes for classes: sections and who is enrolled in them in which role.

Every function takes `actor`: the person acting, checked against `classes.policy` first (None: the
platform itself, e.g. a management command or the demo seed, which the policy does not restrict).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import User
from bank.models import Course
from classes.errors import RoleConflict

from . import policy
from .models import Enrollment, Section


def section_create(
    *, course: Course, name: str, term: str = "", time_zone: str = "UTC", actor: User | None = None
) -> Section:
    """Open a section of a course; its creator becomes its instructor (the pages and the API alike).
    `actor=None` (the platform: seeding, imports) creates it without anyone enrolled."""
    if actor is not None:
        policy.section_create(actor, course)
    with transaction.atomic():
        section = Section(course=course, name=name, term=term, time_zone=time_zone)
        section.full_clean()
        section.save()
        if actor is not None:
            enrollment_add(section=section, user=actor, role=Enrollment.Role.INSTRUCTOR, actor=None)
    return section


@transaction.atomic
def enrollment_add(
    *, section: Section, user: User, role: str = Enrollment.Role.STUDENT, actor: User | None = None
) -> Enrollment:
    """Enrol `user`, or change their role if they are already in the section.

    Refused: by the policy (instructors of the section only), when the role would make them a
    student and staff of the same course (RoleConflict), and when it demotes the last instructor.
    """
    if actor is not None:
        policy.section_manage(actor, section)
    # Lock the person: two enrolments of one person (student here, staff in another section) run
    # one after the other, so the second one's check sees the first.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    policy.enrollment_check(user, section, role)
    current = Enrollment.objects.select_for_update().filter(section=section, user=user).first()
    if current is not None:
        policy.last_instructor_check(current, role)
    enrollment, _ = Enrollment.objects.update_or_create(section=section, user=user, defaults={"role": role})
    return enrollment


# Enrolment by CSV -----------------------------------------------------------------------------

CSV_COLUMNS = ("username", "name", "email")
CSV_MAX_ROWS = 5000  # one class; bigger files are a mistake, not a class


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file, the header being row 1
    message: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # usernames of new accounts (unusable password)
    enrolled: list[str] = field(default_factory=list)  # existing accounts newly enrolled
    already: list[str] = field(default_factory=list)  # already students of the section
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    number: int
    username: str
    name: str
    email: str


def _decode(data: bytes) -> str:
    # utf-8-sig strips a byte-order mark when there is one (Excel writes one) and reads plain UTF-8 too.
    return data.decode("utf-8-sig")


def _parse_rows(text: str, report: ImportReport) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        report.errors.append(
            RowError(
                1,
                _("The header must name the columns %(cols)s; missing: %(missing)s.")
                % {"cols": ", ".join(CSV_COLUMNS), "missing": ", ".join(missing)},
            )
        )
        return []
    index = {c: header.index(c) for c in CSV_COLUMNS}
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    validate_username = UnicodeUsernameValidator()
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines are not errors
        if len(rows) >= CSV_MAX_ROWS:
            report.errors.append(RowError(number, _("Too many rows: at most %(n)s.") % {"n": CSV_MAX_ROWS}))
            break
        values = {c: (cells[i].strip() if i < len(cells) else "") for c, i in index.items()}
        problems = []
        if not values["username"]:
            problems.append(_("the username is empty"))
        else:
            try:
                validate_username(values["username"])
            except ValidationError:
                problems.append(
                    _("the username %(u)s may contain only letters, digits and @.+-_") % {"u": values["username"]}
                )
            if len(values["username"]) > 150:
                problems.append(_("the username is longer than 150 characters"))
        if len(values["name"]) > 150:
            problems.append(_("the name is longer than 150 characters"))
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                problems.append(_("%(e)s is not an e-mail address") % {"e": values["email"]})
        key = values["username"].lower()
        if key and key in seen:
            problems.append(
                _("the username %(u)s is already on row %(row)s") % {"u": values["username"], "row": seen[key]}
            )
        if problems:
            report.errors.append(RowError(number, "; ".join(problems)))
        else:
            seen[key] = number
            rows.append(_Row(number, values["username"], values["name"], values["email"]))
    return rows


def enrollment_import_csv(*, section: Section, file: IO[bytes] | bytes, actor: User | None = None) -> ImportReport:
    """Enrol the students listed in a CSV file (columns username, name, email; UTF-8, BOM or not).

    All or nothing: every row is checked first and, if any row is wrong, nothing is written and the
    report lists each bad row with its line number and what is wrong. Otherwise all rows are written
    in one transaction: existing accounts (matched by username, case-insensitively) are reused,
    new ones are created with an unusable password, so their owners must set one via password reset.
    A staff member of the section listed in the file keeps their role (reported as an error), and so
    does the staff of another section of the course (a person cannot be student and staff of one
    course).
    """
    if actor is not None:
        policy.section_manage(actor, section)
    report = ImportReport()
    data = file if isinstance(file, bytes) else file.read()
    try:
        text = _decode(data)
    except UnicodeDecodeError as exc:
        report.errors.append(
            RowError(1, _("The file is not UTF-8 text (byte %(pos)s). Save it as CSV UTF-8.") % {"pos": exc.start})
        )
        return report
    rows = _parse_rows(text, report)
    lowered = [r.username.lower() for r in rows]
    existing = {u.username.lower(): u for u in User.objects.annotate(lower=Lower("username")).filter(lower__in=lowered)}
    roles = dict(
        Enrollment.objects.filter(section=section, user__in=list(existing.values())).values_list("user_id", "role")
    )
    conflicts = policy.student_conflicts(existing.values(), section)
    for row in rows:
        user = existing.get(row.username.lower())
        if user is not None and roles.get(user.pk) in Enrollment.STAFF_ROLES:
            report.errors.append(
                RowError(
                    row.number,
                    _("%(u)s is staff of this section (%(role)s), not a student")
                    % {"u": row.username, "role": Enrollment.Role(roles[user.pk]).label},
                )
            )
        elif user is not None and user.pk in conflicts:
            report.errors.append(RowError(row.number, conflicts[user.pk]))
        if user is not None and row.email and user.email and user.email.lower() != row.email.lower():
            report.errors.append(
                RowError(
                    row.number, _("the account %(u)s already exists with another e-mail address") % {"u": row.username}
                )
            )
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report
    with transaction.atomic():
        # Checked again under the people's locks (see enrollment_add): a concurrent enrolment as
        # staff elsewhere in the course refuses the whole file.
        list(User.objects.select_for_update().filter(pk__in=[u.pk for u in existing.values()]).values_list("pk"))
        conflict = next(iter(policy.student_conflicts(existing.values(), section).values()), None)
        if conflict is not None:
            raise RoleConflict(conflict)
        new_users: list[User] = []
        for row in rows:
            user = existing.get(row.username.lower())
            if user is None:
                user = User(username=row.username, display_name=row.name, email=row.email)
                user.set_unusable_password()
                new_users.append(user)
                report.created.append(row.username)
            elif roles.get(user.pk) == Enrollment.Role.STUDENT:
                report.already.append(user.username)
            else:
                report.enrolled.append(user.username)
        User.objects.bulk_create(new_users)
        users = [existing.get(r.username.lower()) for r in rows]
        created = {u.username: u for u in User.objects.filter(username__in=report.created)}
        users = [u or created[r.username] for u, r in zip(users, rows, strict=True)]
        Enrollment.objects.bulk_create(
            [Enrollment(section=section, user=u, role=Enrollment.Role.STUDENT) for u in users if u.pk not in roles]
        )
    return report


def assistant_add(*, section: Section, username: str, actor: User | None = None) -> Enrollment:
    """Make an existing account an assistant of the section (a student of it is promoted)."""
    if actor is not None:
        policy.section_manage(actor, section)
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise ValidationError(_("No account with the username %(u)s.") % {"u": username})
    if Enrollment.objects.filter(section=section, user=user, role=Enrollment.Role.INSTRUCTOR).exists():
        raise ValidationError(_("%(u)s is already an instructor of this section.") % {"u": username})
    return enrollment_add(section=section, user=user, role=Enrollment.Role.ASSISTANT, actor=None)


@transaction.atomic
def enrollment_remove(*, enrollment: Enrollment, actor: User | None = None) -> None:
    """Take a person out of a section. Their attempts and grades stay on record; an attempt in
    progress can no longer be saved (`quizzes.services.answers_save`).

    The last instructor cannot be removed: a section nobody can manage would be stuck.
    """
    if actor is not None:
        policy.section_manage(actor, enrollment.section)
    policy.last_instructor_check(enrollment, None)
    enrollment.delete()
