"""The content-addressed score cache: a response is scored once per key, calibration and grader.

Every path that scores (per attempt, batch chunks, a regrade's dry run, pre-grading during the
window) goes through `writing.score_answers`, which looks its responses up here first and stores
what the engine scored. The digest covers everything a result depends on:

- the question (id) and its key/rubric version, plus the key's content as the engine sees it
  (choices, accepted answers, rubric points, reference, points): a changed key is a new digest even
  if a writer forgot to raise the version;
- the calibration state: the instructor's graded examples given to the engine (normalised
  response and score, in order);
- the grader's version as the engine reports it now (`engine.batch.grader_version`: the trained
  model's version, or the fallback's), and `FORMAT` (how results are stored here);
- the normalised response (`engine.batch.normalised_response`: what the engine itself scores once).

Entries are never updated: a change to any part makes a different digest, so invalidation is
automatic and the old entries are merely unused (deleted with their question). Unused entries
(every draft that pre-grading scored, every result of an older key or grader) would pile up, so
beat prunes entries older than GRADING_SCORE_CACHE_DAYS once a day (`prune`): a response asked
for again after that is simply scored again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..engine.batch import normalised_response
from ..engine.types import GradedExample, KeyPointFeedback, QuestionKey, Result
from ..models import ScoreCacheEntry

logger = logging.getLogger(__name__)

FORMAT = 1  # raise when the stored form of a result changes


def digest(
    *,
    question_id: int,
    question_version: int,
    key: QuestionKey,
    examples: Sequence[GradedExample],
    grader: str,
    response: Any,
) -> str:
    """The cache's name for `response` scored under all of the rest (JSON, so a str enum and its
    value, or a tuple and a list, name the same thing)."""
    calibration = [(normalised_response(key, e.response), e.score) for e in examples]
    parts = [FORMAT, question_id, question_version, asdict(key), calibration, grader]
    named = hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode())
    named.update(b"\0" + normalised_response(key, response).encode())
    return named.hexdigest()


def to_json(result: Result) -> dict[str, Any]:
    return asdict(result)


def from_json(data: Mapping[str, Any]) -> Result:
    return Result(
        **{
            **data,
            "flags": tuple(data.get("flags", ())),
            "recognised": tuple(data.get("recognised", ())),
            "key_points": tuple(KeyPointFeedback(**k) for k in data.get("key_points", ())),
        }
    )


def lookup(digests: Iterable[str]) -> dict[str, Result]:
    """The cached results among `digests` (one query)."""
    wanted = set(digests)
    if not wanted:
        return {}
    rows = ScoreCacheEntry.objects.filter(digest__in=wanted).values_list("digest", "result")
    return {d: from_json(result) for d, result in rows}


def store(entries: Iterable[tuple[str, int, Result]]) -> None:
    """Keep freshly scored results (digest, question id, result); a digest stored meanwhile by
    another worker is left as it is (one query)."""
    rows = {
        d: ScoreCacheEntry(digest=d, question_id=q, grader_version=r.grader, result=to_json(r)) for d, q, r in entries
    }
    if rows:
        ScoreCacheEntry.objects.bulk_create(rows.values(), ignore_conflicts=True)


def prune(*, created_before: datetime, batch: int = 5000) -> int:
    """Delete the entries created before `created_before`, `batch` rows per statement (short
    transactions beside the graders that read and fill the cache); returns how many."""
    deleted = 0
    while True:
        digests = list(
            ScoreCacheEntry.objects.filter(created_at__lt=created_before).values_list("digest", flat=True)[:batch]
        )
        if not digests:
            return deleted
        deleted += ScoreCacheEntry.objects.filter(digest__in=digests).delete()[0]


def score_cache_prune(*, now: datetime | None = None) -> int:
    """Beat's daily pruning: entries older than GRADING_SCORE_CACHE_DAYS (0: keep every entry)."""
    days = settings.GRADING_SCORE_CACHE_DAYS
    if days <= 0:
        return 0
    deleted = prune(created_before=(now or timezone.now()) - timedelta(days=days))
    logger.info("score cache pruned entries=%s older_than_days=%s", deleted, days)
    return deleted
