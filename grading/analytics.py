"""Item analysis of an assignment, as plain functions over rows (no Django in the computations).

Definitions (each tested on a hand-computed case in grading/tests/test_teach_analytics.py):

- An attempt's *fraction* is its total score / its total max points. Analytics use each student's
  best attempt (`best_attempts`, the gradebook's choice too); answers still waiting for review
  (no score) are left out of every per-question mean; in an attempt's total they count 0 out of
  their points, as in the gradebook (total of the scores given, max = all drawn points).
- *Facility* of a question = mean over attempts of score / max points (0 = nobody, 1 = everybody).
- *Discrimination* (upper-lower index) D = mean fraction on the question of the top 27% of attempts
  by total fraction − the same mean for the bottom 27%; the group size is k = max(1, round(0.27 N)).
  With random draws only the group members that drew the question count. D is None when N < 2.
- *Time spent* per attempt = submitted_at − started_at. Per question it can only be approximated:
  the answers of an attempt are ordered by their last save (Answer.saved_at) and each question is
  credited the time since the previous save (the first: since the start). Re-edits move a question
  later, so read it as "time until the answer was last touched", not as time spent thinking.
- *Missed key points*: for free-text answers graded by the engine, the share of graded answers whose
  Grade.details["key_points"] lists the point as not covered.
"""

from __future__ import annotations

import io
import statistics
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.utils.translation import gettext as _

UPPER_LOWER_SHARE = 0.27
HISTOGRAM_BINS = 10  # 0-10%, 10-20%, ..., 90-100%

T = TypeVar("T")


def best_attempts(attempts: Iterable[T], *, student: Callable[[T], int], total: Callable[[T], Decimal]) -> dict[int, T]:
    """Which attempt of each student counts (the gradebook, the analytics): the highest total of
    scores given; on a tie the later one. `attempts` in attempt-number order, per student."""
    best: dict[int, T] = {}
    for attempt in attempts:
        who = student(attempt)
        if who not in best or total(attempt) >= total(best[who]):
            best[who] = attempt
    return best


@dataclass(frozen=True)
class ItemRow:
    question_id: int
    score: Decimal | None  # None: waiting for review
    max_points: Decimal
    saved_at: datetime | None = None
    key_points: tuple[tuple[str, bool], ...] = ()  # (text, covered), free text only


@dataclass
class AttemptRow:
    attempt_id: int
    username: str
    name: str
    started_at: datetime | None
    submitted_at: datetime | None
    items: list[ItemRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((i.score for i in self.items if i.score is not None), Decimal(0))

    @property
    def max_total(self) -> Decimal:
        return sum((i.max_points for i in self.items), Decimal(0))

    @property
    def fraction(self) -> float | None:
        return float(self.total / self.max_total) if self.max_total else None

    @property
    def minutes(self) -> float | None:
        if self.started_at is None or self.submitted_at is None:
            return None
        return (self.submitted_at - self.started_at).total_seconds() / 60


@dataclass(frozen=True)
class QuestionStats:
    question_id: int
    label: str
    answers: int  # with a score
    pending: int  # waiting for review
    mean_score: float | None
    max_points: float
    facility: float | None
    discrimination: float | None
    median_minutes: float | None  # approximate, see the module docstring


@dataclass(frozen=True)
class KeyPointStats:
    question_id: int
    label: str
    text: str
    graded: int
    missed: int

    @property
    def missed_share(self) -> float:
        return self.missed / self.graded if self.graded else 0.0


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def histogram(rows: Sequence[AttemptRow], bins: int = HISTOGRAM_BINS) -> list[int]:
    """How many attempts fall in each score band of width 1/bins (100% falls in the last band)."""
    counts = [0] * bins
    for row in rows:
        if row.fraction is not None:
            counts[min(bins - 1, int(row.fraction * bins + 1e-9))] += 1
    return counts


def upper_lower_groups(rows: Sequence[AttemptRow]) -> tuple[list[AttemptRow], list[AttemptRow]]:
    ranked = sorted((r for r in rows if r.fraction is not None), key=lambda r: (-r.fraction, r.attempt_id))
    if len(ranked) < 2:
        return [], []
    k = max(1, round(UPPER_LOWER_SHARE * len(ranked)))
    return ranked[:k], ranked[-k:]


def question_minutes(row: AttemptRow) -> dict[int, float]:
    """Approximate minutes per question of one attempt (see the module docstring)."""
    if row.started_at is None:
        return {}
    saved = sorted((i for i in row.items if i.saved_at is not None), key=lambda i: i.saved_at)
    previous = row.started_at
    minutes: dict[int, float] = {}
    for item in saved:
        minutes[item.question_id] = max(0.0, (item.saved_at - previous).total_seconds() / 60)
        previous = max(previous, item.saved_at)
    return minutes


def question_stats(rows: Sequence[AttemptRow], labels: dict[int, str]) -> list[QuestionStats]:
    upper, lower = upper_lower_groups(rows)
    upper_ids = {r.attempt_id for r in upper}
    lower_ids = {r.attempt_id for r in lower}
    fractions: dict[int, list[float]] = defaultdict(list)
    scores: dict[int, list[float]] = defaultdict(list)
    maxima: dict[int, float] = {}
    pending: dict[int, int] = defaultdict(int)
    in_upper: dict[int, list[float]] = defaultdict(list)
    in_lower: dict[int, list[float]] = defaultdict(list)
    times: dict[int, list[float]] = defaultdict(list)
    for row in rows:
        for qid, minutes in question_minutes(row).items():
            times[qid].append(minutes)
        for item in row.items:
            maxima[item.question_id] = max(maxima.get(item.question_id, 0.0), float(item.max_points))
            if item.score is None:
                pending[item.question_id] += 1
                continue
            fraction = float(item.score / item.max_points) if item.max_points else 0.0
            fractions[item.question_id].append(fraction)
            scores[item.question_id].append(float(item.score))
            if row.attempt_id in upper_ids:
                in_upper[item.question_id].append(fraction)
            if row.attempt_id in lower_ids:
                in_lower[item.question_id].append(fraction)
    result = []
    for qid in labels:
        up, low = _mean(in_upper[qid]), _mean(in_lower[qid])
        result.append(
            QuestionStats(
                question_id=qid,
                label=labels[qid],
                answers=len(fractions[qid]),
                pending=pending[qid],
                mean_score=_mean(scores[qid]),
                max_points=maxima.get(qid, 0.0),
                facility=_mean(fractions[qid]),
                discrimination=None if up is None or low is None else up - low,
                median_minutes=statistics.median(times[qid]) if times[qid] else None,
            )
        )
    return result


def key_point_stats(rows: Sequence[AttemptRow], labels: dict[int, str]) -> list[KeyPointStats]:
    graded: dict[tuple[int, str], int] = defaultdict(int)
    missed: dict[tuple[int, str], int] = defaultdict(int)
    order: list[tuple[int, str]] = []
    for row in rows:
        for item in row.items:
            for text, covered in item.key_points:
                key = (item.question_id, text)
                if key not in graded:
                    order.append(key)
                graded[key] += 1
                missed[key] += not covered
    stats = [
        KeyPointStats(qid, labels.get(qid, str(qid)), text, graded[(qid, text)], missed[(qid, text)])
        for qid, text in order
    ]
    return sorted(
        stats, key=lambda s: (list(labels).index(s.question_id) if s.question_id in labels else 0, -s.missed_share)
    )


def time_summary(rows: Sequence[AttemptRow]) -> dict[str, float | None]:
    minutes = [m for m in (r.minutes for r in rows) if m is not None]
    return {
        "attempts": len(minutes),
        "mean": _mean(minutes),
        "median": statistics.median(minutes) if minutes else None,
        "max": max(minutes) if minutes else None,
    }


# Plots (server-side SVG) ------------------------------------------------------------------------


def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    # Text stays text (not glyph outlines): the browser draws the (translated) labels with its own
    # fonts, so Chinese shows even though matplotlib's bundled font has no CJK glyphs.
    with plt.rc_context({"svg.fonttype": "none"}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inlined in HTML


def histogram_svg(counts: Sequence[int]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = len(counts)
    figure, axes = plt.subplots(figsize=(6.4, 2.8), dpi=100)
    labels = [f"{100 * i // bins}–{100 * (i + 1) // bins}%" for i in range(bins)]
    axes.bar(range(bins), counts, color="#0b5cad", width=0.85)
    axes.set_xticks(range(bins), labels, rotation=45, ha="right", fontsize=8)
    axes.set_ylabel(_("students"))
    axes.set_xlabel(_("total score"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def facility_svg(stats: Sequence[QuestionStats]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [s for s in stats if s.facility is not None]
    figure, axes = plt.subplots(figsize=(6.4, max(1.6, 0.32 * len(shown) + 0.8)), dpi=100)
    y = range(len(shown))
    axes.barh(list(y), [s.facility for s in shown], color="#11652a", height=0.6, label=_("facility"))
    axes.scatter(
        [s.discrimination if s.discrimination is not None else float("nan") for s in shown],
        list(y),
        color="#a3121f",
        marker="D",
        s=18,
        zorder=3,
        label=_("discrimination D"),
    )
    axes.set_yticks(list(y), [s.label for s in shown], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(min(-0.2, *(s.discrimination or 0 for s in shown)) if shown else -0.2, 1.0)
    axes.axvline(0, color="#4f5b6a", linewidth=0.8)
    axes.legend(fontsize=8, loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)
