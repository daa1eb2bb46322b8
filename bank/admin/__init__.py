"""The question bank in the Django admin (registered on import): courses, chapters and parts
(`course`), questions with their answer keys (`question`, with `inlines`, `forms` and the export
`actions`)."""

from .course import ChapterAdmin, CourseAdmin, PartAdmin
from .question import QuestionAdmin

__all__ = ["ChapterAdmin", "CourseAdmin", "PartAdmin", "QuestionAdmin"]
