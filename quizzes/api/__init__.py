"""REST API of quizzes, one module per resource: the bank (`bank`: courses, chapters, questions),
`quizzes`, `assignments` and `attempts`.

Writes go through `quizzes.services` / `quizzes.authoring`, which ask `classes.policy`; the views
ask it first through `classes.permissions`. Routes: `quizzes.api_urls`.
"""

from .assignments import AssignmentViewSet
from .attempts import AnswerSaveView, AttemptStartView, AttemptViewSet
from .bank import ChapterViewSet, CourseViewSet, QuestionViewSet
from .quizzes import QuizViewSet

__all__ = [
    "AnswerSaveView",
    "AssignmentViewSet",
    "AttemptStartView",
    "AttemptViewSet",
    "ChapterViewSet",
    "CourseViewSet",
    "QuestionViewSet",
    "QuizViewSet",
]
