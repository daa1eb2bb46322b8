from bank.models import AcceptedAnswer, AnswerSource, Chapter, Choice, Course, Part, Question, QuestionKind, RubricPoint

from .attempt import Answer, Attempt, AttemptQuestion
from .extension import Extension
from .quiz import Assignment, Quiz, QuizItem, ReleasePolicy

__all__ = [
    "AcceptedAnswer",
    "Answer",
    "AnswerSource",
    "Assignment",
    "Attempt",
    "AttemptQuestion",
    "Chapter",
    "Choice",
    "Course",
    "Extension",
    "Part",
    "Question",
    "QuestionKind",
    "Quiz",
    "QuizItem",
    "ReleasePolicy",
    "RubricPoint",
]
