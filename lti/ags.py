"""Assignment and Grade Services: an attempt's final, released score goes to the LMS gradebook
column (line item) of the activity the student launched, through pylti1p3's AGS client (OAuth2
client-credentials token with a JWT assertion signed by the tool's key, then the score POST).

- When: `passback_attempts` runs after grading changed scores (`grading.queueing.scores_changed`:
  a grade, an override, a regrade or calibration), after a manual release, and from the beat's
  sweep (`passback_due`), which also finds what a release by time (after close) or a lost message
  left. An attempt is sent once it is `graded` (nothing waits for a person) and its results are
  released to the student (`grading.release.results_released`): the LMS shows the score to them.
- What: one `grading.ScorePassback` per attempt and line item. Scores are absolute and carry the
  time of the attempt's latest grade, so sending one twice changes nothing on the LMS, and a record
  already sent with the score it has is not sent again.
- Errors: a network error or a 5xx (or 429) is retried with backoff by the task; any other refusal
  (4xx) is final: the record is `failed` with the LMS's answer, shown on the monitor.
- Several attempts of one student in one activity: each is sent when final; the LMS keeps the one
  with the latest timestamp (AGS scores replace each other).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade as AgsScore
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from common.queueing import send_task
from grading import selectors as grading_selectors
from grading import services as grading_services
from grading.models import Grade, ScorePassback
from grading.release import results_released
from quizzes.models import Attempt

from .models import AssignmentLink

logger = logging.getLogger(__name__)

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCORE_SCOPE = AGS + "score"
LINEITEM_SCOPE = AGS + "lineitem"
HTTP_TIMEOUT = 10.0  # seconds for one request to the LMS; a worker must not hang on a frozen one
SEND_SCORE = "lti.tasks.send_score"


class LmsUnavailable(Exception):
    """The LMS did not answer, or answered 5xx/429: worth trying again later."""


class _Session(requests.Session):
    """pylti1p3 sends without a timeout; every request of ours has one."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(*args, **kwargs)


def connector(link: AssignmentLink | None = None, *, registration: Any = None) -> ServiceConnector:
    """A service client for the LMS of `link` (or of `registration`), signing with the tool's key."""
    if registration is None:
        assert link is not None
        registration = link.resource_link.context.deployment.registration
    return ServiceConnector(registration.to_registration(), requests_session=_Session())


def classify(exc: Exception) -> tuple[str, bool]:
    """The error as kept on the record, and whether it is worth retrying."""
    if isinstance(exc, LtiServiceException):
        status = exc.response.status_code
        return f"HTTP {status}: {exc.response.text[:500]}", status >= 500 or status == 429
    if isinstance(exc, requests.RequestException):
        return f"{type(exc).__name__}: {exc}", True
    return f"{type(exc).__name__}: {exc}", False


def link_ags_update(link: AssignmentLink, claim: Mapping[str, Any] | None) -> None:
    """Keep the activity's AGS claim of the latest launch (the LMS may move or grant services)."""
    claim = claim or {}
    values = {
        "lineitem_url": str(claim.get("lineitem") or ""),
        "lineitems_url": str(claim.get("lineitems") or ""),
        "ags_scopes": sorted(str(s) for s in claim.get("scope") or []),
    }
    if any(getattr(link, k) != v for k, v in values.items()):
        AssignmentLink.objects.filter(pk=link.pk).update(**values)
        for name, value in values.items():
            setattr(link, name, value)


def _lineitem(link: AssignmentLink, attempt: Attempt, max_score: float) -> str:
    """The activity's line item; when the LMS gave only the container, find the column of this
    resource link there, or make one (needs the lineitem scope), and remember it."""
    if link.lineitem_url or not link.lineitems_url or LINEITEM_SCOPE not in link.ags_scopes:
        return link.lineitem_url
    service = AssignmentsGradesService(
        connector(link),
        {"scope": link.ags_scopes, "lineitems": link.lineitems_url},
    )
    wanted = (
        LineItem()
        .set_label(attempt.assignment.display_title[:255])
        .set_score_maximum(max_score)
        .set_resource_link_id(link.resource_link.id_on_platform)
        .set_resource_id(f"assignment-{attempt.assignment_id}")
    )
    found = service.find_or_create_lineitem(wanted, find_by="resource_link_id")
    url = found.get_id() or ""
    AssignmentLink.objects.filter(pk=link.pk).update(lineitem_url=url)
    link.lineitem_url = url
    return url


def _final_and_released(attempt: Attempt, now: datetime) -> bool:
    return attempt.status == Attempt.Status.GRADED and results_released(attempt, now)


def passback_attempts(attempt_ids: Iterable[int], *, now: datetime | None = None) -> list[int]:
    """Prepare the records of the attempts' current scores and send each after commit (one task
    per record). Attempts not final or not released, or of activities without a gradebook column,
    are skipped. Returns the ids of the records to send."""
    now = now or timezone.now()
    attempts = Attempt.objects.filter(pk__in=list(attempt_ids), status=Attempt.Status.GRADED).select_related(
        "assignment"
    )
    links_of: dict[int, list[AssignmentLink]] = {}
    for link in AssignmentLink.objects.filter(assignment__in={a.assignment_id for a in attempts}).select_related(
        "resource_link__context__deployment__registration"
    ):
        if SCORE_SCOPE in link.ags_scopes:
            links_of.setdefault(link.assignment_id, []).append(link)
    to_send: list[int] = []
    for attempt in attempts:
        links = links_of.get(attempt.assignment_id)
        if not links or not _final_and_released(attempt, now):
            continue
        total = grading_selectors.attempt_score(attempt.pk)
        for link in links:
            if not _student_on(link, attempt.student_id):
                continue  # enrolled here, not through this LMS: it has no one to give the score to
            try:
                target = _lineitem(link, attempt, float(total.max_score))
            except (LtiException, requests.RequestException) as exc:
                error, transient = classify(exc)
                if transient:  # the task tries the whole batch again: what is prepared stays prepared
                    raise LmsUnavailable(error) from exc
                logger.warning("lti no line item for link=%s: %s", link.pk, error)
                continue
            if not target:
                continue
            record = grading_services.passback_prepare(
                attempt_id=attempt.pk,
                target=target,
                score=total.score,
                max_score=total.max_score,
                graded_at=total.changed_at or now,
            )
            if record is not None:
                to_send.append(record.pk)
    for pk in to_send:
        transaction.on_commit(lambda pk=pk: send_task(SEND_SCORE, [pk], f"passback={pk}"))  # type: ignore[misc]
    return to_send


def _student_on(link: AssignmentLink, student_id: int) -> LtiUser | None:
    return LtiUser.objects.filter(
        registration_id=link.resource_link.context.deployment.registration_id, auth_user_id=student_id
    ).first()


def score_send(passback_id: int) -> str:
    """Send one record's score (holding its row lock). Returns "sent", "failed" or "nothing" (sent
    already, or no longer pending); raises LmsUnavailable after recording a try worth retrying."""
    with transaction.atomic():
        record = grading_services.passback_claim(passback_id)
        if record is None:
            return "nothing"
        retry_error = _send(record)
    if retry_error is not None:
        raise LmsUnavailable(retry_error)
    return str(record.status)


def _send(record: ScorePassback) -> str | None:
    """The POST of the score; the record updated. The error when a later try may succeed."""
    link = (
        AssignmentLink.objects.filter(assignment_id=record.attempt.assignment_id, lineitem_url=record.target)
        .select_related("resource_link__context__deployment__registration")
        .first()
    )
    user = _student_on(link, record.attempt.student_id) if link is not None else None
    if link is None or user is None:
        grading_services.passback_failed(record, "The LMS activity or the student's LMS account is gone.", final=True)
        return None
    score = (
        AgsScore()
        .set_score_given(float(record.score))
        .set_score_maximum(float(record.max_score))
        .set_timestamp(record.graded_at.isoformat())
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(user.sub)
    )
    service = AssignmentsGradesService(
        connector(link),
        {"scope": link.ags_scopes, "lineitem": record.target},
    )
    try:
        service.put_grade(score)
    except (LtiException, requests.RequestException) as exc:
        error, transient = classify(exc)
        grading_services.passback_failed(record, error, final=not transient)
        logger.warning("lti passback=%s try=%s failed: %s", record.pk, record.tries, error)
        return error if transient else None
    grading_services.passback_sent(record)
    logger.info("lti passback=%s sent score=%s/%s", record.pk, record.score, record.max_score)
    return None


# --- the sweep ---------------------------------------------------------------------------------

STALE_AFTER = timedelta(minutes=10)  # a pending record untouched this long lost its message


def attempts_due(*, now: datetime | None = None) -> list[int]:
    """Graded attempts of activities with a gradebook column that have no record yet, a record
    older than their latest grade, or one pending for long (its message lost). Whether they are
    released is for `passback_attempts` to decide (after close: released by time, not by an event)."""
    now = now or timezone.now()
    records = ScorePassback.objects.filter(attempt=OuterRef("pk"))
    latest_grade = (
        Grade.objects.filter(answer__attempt=OuterRef("pk"), is_current=True)
        .order_by("-created_at")
        .values("created_at")
    )
    due = (
        Attempt.objects.filter(status=Attempt.Status.GRADED)
        .filter(
            Exists(AssignmentLink.objects.filter(assignment=OuterRef("assignment"), ags_scopes__contains=[SCORE_SCOPE]))
        )
        .annotate(last_grade=Subquery(latest_grade[:1]))
        .filter(
            ~Exists(records)
            | Exists(records.filter(graded_at__lt=OuterRef("last_grade")))
            | Exists(records.filter(status=ScorePassback.Status.PENDING, updated_at__lt=now - STALE_AFTER))
        )
    )
    return list(due.values_list("pk", flat=True))


def attempts_of(assignment_id: int) -> list[int]:
    return list(
        Attempt.objects.filter(assignment_id=assignment_id, status=Attempt.Status.GRADED).values_list("pk", flat=True)
    )
