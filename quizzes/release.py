"""The release rule (reads): when a student may see the scores of an attempt, and when what would
reveal an answer key. Every surface asks this module: the result page, the receipt and dashboard
links, the API's `grades/mine`.

Two clocks:

- **Scores** (per attempt, the overall score, neutral notes) follow the assignment's release
  policy: `manual` once an instructor released them; `after_grading` as soon as every answer has
  a grade; `after_close` once the attempt is graded and nobody can still answer the assignment
  (its close, every extension, every attempt still running, plus grace).
- **What reveals the key** (correct options, accepted answers, reference answers, rubric key points
  and the feedback that names them, an instructor's comment, and the per-question right/wrong of
  objective questions) waits, question by question, until nobody can still answer *any*
  assignment that uses the question, in any section of the course, now or later: through a fixed
  quiz item, a random draw from its chapter, or an attempt in progress that drew it. A student who
  submits early must not be able to pass the key to one still writing, here or in another class.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, Q, QuerySet

from .models import Assignment, Attempt, AttemptQuestion, Question, QuestionKind, QuizItem, ReleasePolicy
from .selectors import attempt_grading_done

_UNSET = object()


def _latest_running_deadline() -> Max:
    """Annotation: the latest deadline of the assignment's attempts still in progress."""
    return Max("attempts__deadline", filter=Q(attempts__status=Attempt.Status.IN_PROGRESS))


def with_answer_window(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """The queryset with what `answerable_until` reads, so a list costs no query per assignment."""
    return assignments.annotate(latest_running_deadline=_latest_running_deadline()).prefetch_related("extensions")


def answerable_until(assignment: Assignment) -> datetime:
    """The last moment anyone can still save an answer to the assignment: the latest of its close,
    each student's extended close and each running attempt's deadline, plus the grace period.

    Running attempts count because they keep the deadline they started with when the close is
    moved earlier or an extension is revoked. Uses `with_answer_window` when the assignment was
    loaded with it; otherwise two queries.
    """
    moments = [assignment.closes_at, *(assignment.close_for(ext) for ext in assignment.extensions.all())]
    running = getattr(assignment, "latest_running_deadline", _UNSET)
    if running is _UNSET:
        running = assignment.attempts.filter(status=Attempt.Status.IN_PROGRESS).aggregate(latest=Max("deadline"))[
            "latest"
        ]
    if running is not None:
        moments.append(running)
    return max(moments) + assignment.grace_period


def results_released(attempt: Attempt, now: datetime) -> bool:
    """Whether the student may see the scores of the attempt (never while it is in progress).

    - manual: once an instructor has released the assignment;
    - after_grading: as soon as every answer has a grade; answers waiting for a person show as
      waiting (the attempt becomes `graded` only once a person has graded them, which may take days);
    - after_close: once the attempt is fully `graded` and nobody can still answer the assignment.
    """
    assignment = attempt.assignment
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return False
    if assignment.release_policy == ReleasePolicy.MANUAL:
        return assignment.released_at is not None and assignment.released_at <= now
    if assignment.release_policy == ReleasePolicy.AFTER_GRADING:
        return attempt_grading_done(attempt)
    return attempt.status == Attempt.Status.GRADED and now > answerable_until(assignment)


def questions_answerable_until(questions: Iterable[Question]) -> dict[int, datetime]:
    """For each question, the last moment anyone can still answer an assignment that uses it.

    Four queries whatever the number of questions and assignments. A question no assignment uses
    any more (and no running attempt holds) is absent: nothing keeps its key hidden.
    """
    questions = list(questions)
    ids = {q.pk for q in questions}
    by_chapter: dict[int, set[int]] = defaultdict(set)
    for question in questions:
        by_chapter[question.chapter_id].add(question.pk)
    uses: dict[int, set[int]] = defaultdict(set)  # quiz -> the given questions it holds or may draw
    items = QuizItem.objects.filter(Q(question_id__in=ids) | Q(question__isnull=True, chapter_id__in=by_chapter))
    for quiz_id, question_id, chapter_id in items.values_list("quiz_id", "question_id", "chapter_id"):
        uses[quiz_id] |= {question_id} if question_id else by_chapter[chapter_id]
    until: dict[int, datetime] = {}

    def later(question_id: int, moment: datetime) -> None:
        until[question_id] = max(until.get(question_id, moment), moment)

    for assignment in with_answer_window(Assignment.objects.filter(quiz_id__in=uses)):
        moment = answerable_until(assignment)
        for question_id in uses[assignment.quiz_id]:
            later(question_id, moment)
    running = AttemptQuestion.objects.filter(question_id__in=ids, attempt__status=Attempt.Status.IN_PROGRESS)
    for question_id, deadline, grace in running.values_list(
        "question_id", "attempt__deadline", "attempt__assignment__grace_period"
    ):
        later(question_id, deadline + grace)
    return until


@dataclass(frozen=True)
class AttemptRelease:
    """What a student may see of one attempt at `now`."""

    scores: bool  # the release policy allows the scores
    now: datetime
    answerable_until: Mapping[int, datetime] = field(default_factory=dict)  # question -> last answer moment

    def key_shown(self, question_id: int) -> bool:
        """Whether what reveals the question's key may be shown: scores released and nobody can
        still answer it (a save is accepted up to and including the last moment)."""
        until = self.answerable_until.get(question_id)
        return self.scores and (until is None or self.now > until)

    @property
    def keys_hidden_until(self) -> datetime | None:
        """When the last hidden key appears (None: nothing is hidden, or scores are not released)."""
        hidden = [moment for q, moment in self.answerable_until.items() if not self.key_shown(q)]
        return max(hidden) if self.scores and hidden else None

    def hidden_until(self, question_id: int) -> datetime | None:
        return None if self.key_shown(question_id) else self.answerable_until.get(question_id)


def attempt_release(attempt: Attempt, now: datetime, questions: Iterable[Question] | None = None) -> AttemptRelease:
    """The release of one attempt. `questions`: the attempt's questions when already loaded."""
    if not results_released(attempt, now):
        return AttemptRelease(scores=False, now=now)
    if questions is None:
        questions = Question.objects.filter(pk__in=attempt.attempt_questions.values("question_id"))
    return AttemptRelease(scores=True, now=now, answerable_until=questions_answerable_until(questions))


def reveals_right_or_wrong(question: Question) -> bool:
    """An objective question's score says whether the answer was right: it is part of the key.
    A free-text score says how complete the answer was, not what the key says."""
    return question.kind != QuestionKind.FREE_TEXT
