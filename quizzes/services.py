"""Writes of the student's path: start an attempt, save answers, submit, auto-submit at the deadline.

Every function validates first (raising a `ClassroomError` whose message is fit to show), then
writes inside one transaction. The person acting is checked against `classes.policy`: the student
who starts an attempt, and `actor` for saving and submitting (None: the platform itself, e.g. the
beat's auto-submit at the deadline). Grading is enqueued by task name with `transaction.on_commit`
(`common.queueing`), so a worker never sees an attempt before it is committed, and a broker outage
never fails the student's submit.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from bank.models import Question
from classes import policy
from classes.models import Enrollment
from common.errors import NotEnrolled
from common.queueing import send_task

from . import selectors
from .errors import AttemptClosed, AttemptLimitReached, DeadlinePassed, InvalidResponse, WindowNotOpen
from .models import Answer, Assignment, Attempt, AttemptQuestion, Extension, QuizItem
from .responses import clean_response
from .shuffle import choice_order, shown_positions

logger = logging.getLogger(__name__)

# The grading app's task, sent by name through the broker: quizzes never imports grading.
GRADE_ATTEMPT = "grading.tasks.grade_attempt"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock_student_enrollment(assignment: Assignment, student: User) -> Enrollment:
    """Lock the student's enrolment row: concurrent starts by one student run one after the other."""
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(section_id=assignment.section_id, user=student, role=Enrollment.Role.STUDENT)
        .first()
    )
    if enrollment is None:
        raise NotEnrolled(_("You are not a student of this class."))
    return enrollment


def _draw_questions(assignment: Assignment, seed: str) -> list[tuple[Question, Any]]:
    """The quiz's questions for one attempt: fixed items as they are, random draws seeded per attempt."""
    rng = random.Random(seed)
    items = (
        QuizItem.objects.filter(quiz_id=assignment.quiz_id)
        .select_related("question")
        .prefetch_related("question__choices")
        .order_by("position")
    )
    drawn: list[tuple[Question, Any]] = []
    taken: set[int] = set()
    for item in items:
        if item.question_id:
            candidates = [item.question]
        else:
            pool = list(Question.objects.filter(chapter_id=item.chapter_id).exclude(pk__in=taken).order_by("pk"))
            candidates = rng.sample(pool, min(item.draw_count, len(pool)))
        for question in candidates:
            if question.pk not in taken:
                taken.add(question.pk)
                drawn.append((question, item.points if item.points is not None else question.points))
    return drawn


def _frozen_questions(
    attempt: Attempt, assignment: Assignment, drawn: list[tuple[Question, Any]], seed: str
) -> list[AttemptQuestion]:
    """The attempt's questions in quiz order, with the order shown to the student when the
    assignment shuffles (its own seed, so shuffling never changes which questions are drawn)."""
    rng = random.Random(f"{seed}:shown")
    shown = shown_positions(len(drawn), rng) if assignment.shuffle_questions else [None] * len(drawn)
    return [
        AttemptQuestion(
            attempt=attempt,
            position=i,
            shown_position=shown[i - 1],
            choice_order=choice_order(question, rng) if assignment.shuffle_choices else [],
            question=question,
            question_version=question.version,
            points=points,
        )
        for i, (question, points) in enumerate(drawn, start=1)
    ]


@transaction.atomic
def attempt_start(*, assignment: Assignment, student: User, now: datetime | None = None) -> Attempt:
    """Start an attempt, or return the one in progress: starting twice gives one attempt."""
    now = _now(now)
    policy.attempt_start(student, assignment)
    _lock_student_enrollment(assignment, student)
    existing = Attempt.objects.filter(assignment=assignment, student=student, status=Attempt.Status.IN_PROGRESS).first()
    if existing is not None:
        return existing
    if now < assignment.opens_at:
        raise WindowNotOpen(
            _("This assignment opens at %(when)s.")
            % {"when": date_format(timezone.localtime(assignment.opens_at), "DATETIME_FORMAT")}
        )
    extension = Extension.objects.filter(assignment=assignment, student=student).first()
    closes_at = assignment.close_for(extension)
    if now >= closes_at:
        raise WindowNotOpen(
            _("This assignment closed at %(when)s.")
            % {"when": date_format(timezone.localtime(closes_at), "DATETIME_FORMAT")}
        )
    used = Attempt.objects.filter(assignment=assignment, student=student).count()
    if used >= assignment.max_attempts:
        raise AttemptLimitReached(
            _("You have used all %(count)s attempts allowed for this assignment.") % {"count": assignment.max_attempts}
        )
    deadline = closes_at
    if assignment.time_limit is not None:
        extra = extension.extra_time if extension and extension.extra_time else timedelta(0)
        deadline = min(deadline, now + assignment.time_limit + extra)
    attempt = Attempt.objects.create(
        assignment=assignment, student=student, number=used + 1, started_at=now, deadline=deadline
    )
    seed = f"{assignment.pk}:{student.pk}:{attempt.number}"
    drawn = _draw_questions(assignment, seed=seed)
    AttemptQuestion.objects.bulk_create(_frozen_questions(attempt, assignment, drawn, seed))
    logger.info("attempt started attempt=%s student=%s assignment=%s", attempt.pk, student.pk, assignment.pk)
    return attempt


def accepts_answers_until(attempt: Attempt) -> datetime:
    return attempt.deadline + attempt.assignment.grace_period


def _lock_open_attempt(attempt_id: int, now: datetime) -> Attempt:
    # of=("self",): lock the attempt only. A plain FOR UPDATE would lock the joined assignment row
    # too, and every save and submit of the whole class would queue behind one another.
    # The enrolment is read in the same query as the lock (one round trip less on every save).
    enrolled = Enrollment.objects.filter(
        section_id=OuterRef("assignment__section_id"), user_id=OuterRef("student_id"), role=Enrollment.Role.STUDENT
    )
    locked: Any = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("assignment")
        .annotate(still_enrolled=Exists(enrolled))
        .get(pk=attempt_id)
    )
    attempt: Attempt = locked
    if attempt.status != Attempt.Status.IN_PROGRESS:
        raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))
    if now > accepts_answers_until(attempt):
        raise DeadlinePassed(
            _("The deadline of this attempt has passed (%(when)s). Answers saved before it are kept and submitted.")
            % {"when": date_format(timezone.localtime(attempt.deadline), "DATETIME_FORMAT")}
        )
    if not locked.still_enrolled:  # taken out of the class (or made its staff) while answering
        raise NotEnrolled(_("You are no longer a student of this class: your answers can no longer change."))
    return attempt


@transaction.atomic
def answers_save(
    *,
    attempt: Attempt,
    responses: Mapping[int, Any],
    now: datetime | None = None,
    actor: User | None = None,
    questions: Mapping[int, Question] | None = None,
) -> list[Answer]:
    """Save several answers at once (a whole page, or one autosave). All or nothing.

    `questions`: the attempt's questions with their choices (`selectors.attempt_questions`), when
    the caller has read them already (the portal checks each answer first).
    """
    now = _now(now)
    if actor is not None:
        policy.attempt_answer(actor, attempt)
    attempt = _lock_open_attempt(attempt.pk, now)
    if questions is None:
        questions = selectors.attempt_questions(attempt)
    rows = []
    for question_id, value in responses.items():
        question = questions.get(int(question_id))
        if question is None:
            raise InvalidResponse(_("Question %(id)s is not part of this attempt.") % {"id": question_id})
        choice_ids = {str(c.pk) for c in question.choices.all()}
        rows.append(
            Answer(
                attempt=attempt, question=question, response=clean_response(question, value, choice_ids), saved_at=now
            )
        )
    # One INSERT … ON CONFLICT DO UPDATE for the whole save, however many answers (an autosave used
    # to cost a SELECT and an UPDATE per answer). The attempt row is locked, so nobody else writes
    # these answers meanwhile.
    saved = (
        Answer.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["attempt", "question"], update_fields=["response", "saved_at"]
        )
        if rows
        else []
    )
    attempt.last_saved_at = now
    attempt.save(update_fields=["last_saved_at"])
    return saved


def answer_save(
    *, attempt: Attempt, question_id: int, response: Any, now: datetime | None = None, actor: User | None = None
) -> Answer:
    return answers_save(attempt=attempt, responses={question_id: response}, now=now, actor=actor)[0]


@transaction.atomic
def attempt_submit(*, attempt: Attempt, now: datetime | None = None, actor: User | None = None) -> Attempt:
    """Submit an attempt. Idempotent: submitting a submitted attempt changes nothing.

    Past deadline + grace the attempt is still closed, as `auto_submitted`, with the answers
    saved in time; nothing sent with a late submit is stored (callers save answers first and
    that save is refused).
    """
    now = _now(now)
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("assignment").get(pk=attempt.pk)
    if actor is not None:
        policy.attempt_answer(actor, attempt)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return attempt
    late = now > accepts_answers_until(attempt)
    attempt.status = Attempt.Status.AUTO_SUBMITTED if late else Attempt.Status.SUBMITTED
    attempt.submitted_at = now
    attempt.save(update_fields=["status", "submitted_at"])
    # Every drawn question gets an answer row, so an unanswered question is graded 0, not forgotten.
    answered = set(attempt.answers.values_list("question_id", flat=True))
    Answer.objects.bulk_create(
        Answer(attempt=attempt, question_id=qid, response=None, saved_at=now)
        for qid in attempt.attempt_questions.values_list("question_id", flat=True)
        if qid not in answered
    )
    if now < attempt.assignment.closes_at:
        # Submitted while the window is open: grade now. After the close the assignment's batch
        # job grades every attempt together, which batches the free-text work far better.
        attempt_id = attempt.pk
        transaction.on_commit(lambda: send_task(GRADE_ATTEMPT, [attempt_id], f"attempt={attempt_id}"))
    logger.info("attempt submitted attempt=%s status=%s", attempt.pk, attempt.status)
    return attempt


def assignments_closed(*, among: QuerySet[Assignment], now: datetime | None = None) -> list[Assignment]:
    """The assignments of `among` that nobody can answer any more at `now`: their window plus grace
    has closed, every extension has passed and no attempt is still running. Grading starts their
    batch job (`grading.services.attempts_close_due`, the beat's tick, passes those without one)."""
    now = _now(now)
    cutoff = ExpressionWrapper(F("closes_at") + F("grace_period"), output_field=DateTimeField())
    closed = among.annotate(cutoff=cutoff).filter(cutoff__lt=now).prefetch_related("extensions")
    # a student with an extension may still start or save: grade when it has passed
    return [assignment for assignment in closed if not extensions_pending(assignment, now)]


def extensions_pending(assignment: Assignment, now: datetime) -> bool:
    """Whether a student's extension keeps the assignment open at `now` (its close + grace not passed)."""
    return (
        any(assignment.close_for(ext) + assignment.grace_period >= now for ext in assignment.extensions.all())
        or assignment.attempts.filter(status=Attempt.Status.IN_PROGRESS).exists()
    )


def attempts_auto_submit_due(*, now: datetime | None = None) -> int:
    """Submit every in-progress attempt whose deadline + grace has passed. Returns how many."""
    now = _now(now)
    cutoff = ExpressionWrapper(F("deadline") + F("assignment__grace_period"), output_field=DateTimeField())
    due = (
        Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS)
        .annotate(cutoff=cutoff)
        .filter(cutoff__lt=now)
        .values_list("pk", flat=True)
    )
    count = 0
    for attempt_id in list(due):
        attempt_submit(attempt=Attempt(pk=attempt_id), now=now)
        count += 1
    if count:
        logger.info("auto-submitted attempts count=%s", count)
    return count
