"""One-time set-password links and codes for students without e-mail (`PasswordSetup`).

After a CSV enrolment the staff of the section issue a sheet: per student a link and a short code,
each opening the same set-password page once, for `PASSWORD_SETUP_TTL_HOURS`. Issuing again
replaces the student's open ones; staff may revoke them; setting a password closes them all. The
secrets exist only on the sheet: the database keeps keyed digests, so neither a copy of it nor a
second download reveals a code that is still open.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import User
from common.errors import ClassroomError, NotPermitted

from . import policy
from .models import Enrollment, PasswordSetup, Section

LINK_BYTES = 32  # 256 bits: the link cannot be guessed
# No 0/O, 1/I/L: read off paper and typed by hand. 31^8 ≈ 8.5e11 codes; with the per-address
# limit on wrong codes (common.throttling) a guesser tries a few thousand a day.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DIGEST_SALT = "classes.onboarding.PasswordSetup"


class SetupRefused(ClassroomError):
    """The link or code opens nothing; `message` says why, fit to show the student."""


@dataclass(frozen=True)
class IssuedSetup:
    """A new link and code with their secrets, which exist only here (and on the sheet)."""

    setup: PasswordSetup
    user: User
    link_token: str
    code: str

    @property
    def code_shown(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


def _digest(secret: str) -> str:
    return salted_hmac(DIGEST_SALT, secret, algorithm="sha256").hexdigest()


def normalise_code(text: str) -> str:
    """What a student typed, as issued: case, spaces and dashes do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _open(queryset: QuerySet[PasswordSetup], now: datetime) -> QuerySet[PasswordSetup]:
    return queryset.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


def active_students(section: Section) -> list[User]:
    students = User.objects.filter(
        enrollments__section=section, enrollments__role=Enrollment.Role.STUDENT, is_active=True
    )
    return list(students.order_by("username"))


def students_without_password(section: Section) -> list[User]:
    """The students of the section who have not chosen a password yet (new accounts of a CSV)."""
    return [u for u in active_students(section) if not u.has_usable_password()]


def _students(section: Section, users: Iterable[User] | None) -> list[User]:
    if users is None:
        return students_without_password(section)
    chosen = list(users)
    enrolled = set(
        Enrollment.objects.filter(
            section=section, role=Enrollment.Role.STUDENT, user__in=chosen, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if any(u.pk not in enrolled for u in chosen):
        raise NotPermitted(_("Set-password codes are only for active students of this class."))
    return sorted(chosen, key=lambda u: u.username)


@transaction.atomic
def password_setups_issue(
    *, section: Section, actor: User | None, users: Iterable[User] | None = None, now: datetime | None = None
) -> list[IssuedSetup]:
    """A new link and code for each student (default: those of the section without a password).

    The students' open links and codes are revoked first (by `actor`): only the newest sheet works.
    """
    if actor is not None:
        policy.section_passwords_issue(actor, section)
    now = now or timezone.now()
    students = _students(section, users)
    _open(PasswordSetup.objects.filter(user__in=students), now).update(revoked_at=now, revoked_by=actor)
    expires = now + timedelta(hours=settings.PASSWORD_SETUP_TTL_HOURS)
    issued = []
    for user in students:
        link, code = secrets.token_urlsafe(LINK_BYTES), _new_code()
        setup = PasswordSetup(
            user=user,
            section=section,
            issued_by=actor,
            issued_at=now,
            expires_at=expires,
            link_digest=_digest(link),
            code_digest=_digest(code),
        )
        issued.append(IssuedSetup(setup, user, link, code))
    PasswordSetup.objects.bulk_create([i.setup for i in issued])
    return issued


@transaction.atomic
def password_setups_revoke(
    *, section: Section, actor: User | None, setup_id: int | None = None, now: datetime | None = None
) -> int:
    """Revoke one open link and code of the section (`setup_id`) or all of them; how many."""
    if actor is not None:
        policy.section_passwords_issue(actor, section)
    now = now or timezone.now()
    rows = _open(PasswordSetup.objects.filter(section=section), now)
    if setup_id is not None:
        rows = rows.filter(pk=setup_id)
    return rows.update(revoked_at=now, revoked_by=actor)


def password_setup_find(
    *, link_token: str = "", code: str = "", setup_id: int | None = None, now: datetime | None = None
) -> PasswordSetup:
    """The open setup of a link's token, a typed code or an id (kept in the student's session
    between the two pages), or SetupRefused saying why not."""
    now = now or timezone.now()
    if setup_id is not None:
        found = PasswordSetup.objects.filter(pk=setup_id)
    elif link_token:
        found = PasswordSetup.objects.filter(link_digest=_digest(link_token))
    else:
        found = PasswordSetup.objects.filter(code_digest=_digest(normalise_code(code)))
    setup = found.select_related("user").first()
    _check_open(setup, now)
    assert setup is not None
    return setup


def _check_open(setup: PasswordSetup | None, now: datetime) -> None:
    if setup is None or not setup.user.is_active:
        raise SetupRefused(_("This link or code is not valid. Check it, or ask your instructor for a new one."))
    if setup.used_at is not None:
        raise SetupRefused(_("This link or code was already used. Sign in with the password you chose."))
    if setup.revoked_at is not None:
        raise SetupRefused(_("This link or code was replaced or revoked. Ask your instructor for a new one."))
    if setup.expires_at <= now:
        raise SetupRefused(_("This link or code has expired. Ask your instructor for a new one."))


@transaction.atomic
def password_setup_redeem(
    *, setup_id: int, password: str, address: str | None = None, now: datetime | None = None
) -> User:
    """Set the student's password with an open setup, once: the row is locked and checked again,
    marked used (when, from which address), and every other open setup of the student is closed."""
    now = now or timezone.now()
    setup = PasswordSetup.objects.select_for_update(of=("self",)).select_related("user").filter(pk=setup_id).first()
    _check_open(setup, now)
    assert setup is not None
    user = setup.user
    password_validation.validate_password(password, user)
    setup.used_at, setup.used_from = now, address or None
    setup.save(update_fields=["used_at", "used_from"])
    _open(PasswordSetup.objects.filter(user=user), now).exclude(pk=setup.pk).update(revoked_at=now)
    account_services.user_password_set(user=user, password=password)
    account_services.sign_in_failures_reset(user=user)
    return user


def password_setups_of(section: Section) -> QuerySet[PasswordSetup]:
    """The audit of the section's links and codes, newest first, with who issued and revoked them."""
    return PasswordSetup.objects.filter(section=section).select_related("user", "issued_by", "revoked_by")
