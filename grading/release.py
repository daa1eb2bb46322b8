"""The release rule (reads): when a student may see the scores of an attempt, and when what would
reveal an answer key. Every surface asks this module: the result page, the receipt and dashboard
links, the API's `grades/mine`. When anyone can still answer is `quizzes.windows`.

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bank.models import Question, QuestionKind
from quizzes.models import Attempt, ReleasePolicy
from quizzes.windows import answerable_until, questions_answerable_until

from .selectors import attempt_grading_done


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
