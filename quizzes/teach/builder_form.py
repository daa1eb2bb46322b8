"""The quiz builder's form: picked questions with points and order, random draws, and the rows
the page shows (from what was posted, or from a quiz being edited)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bank.models import Chapter, Question

from .. import authoring
from ..models import Quiz

DRAW_ROWS = 3  # empty "N at random from chapter X" rows on the builder form
MAX_DRAW_ROWS = 50  # what a posted `draw_rows` may ask for


def parse_points(text: str) -> Decimal | None:
    """Points of an item: empty (the question's own), or a number of zero or more."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("%(v)s is not a number.") % {"v": text}) from exc
    if not number.is_finite() or number < 0:
        raise ValidationError(_("Points must be zero or more."))
    return number


def draw_row_count(data: Any) -> int:
    """How many draw rows the form reads: `draw_rows` as posted (an edited quiz may have more
    than DRAW_ROWS), within bounds."""
    text = str(data.get("draw_rows", "")) if data is not None else ""
    return min(int(text), MAX_DRAW_ROWS) if text.isdigit() else DRAW_ROWS


class PickedField(forms.MultipleChoiceField):
    """The picked question ids; whether each is in the course's bank is checked by the form."""

    def valid_value(self, value: Any) -> bool:
        return True


class QuizBuilderForm(forms.Form):
    """The builder's POST: a title; `question` (the picked ids), each with `points_<id>` and an
    optional `order_<id>`; and `draw_rows` rows `draw_chapter_<i>` / `draw_count_<i>` /
    `draw_points_<i>` / `draw_order_<i>`. Items are sorted by their order (empty: where they
    stand on the page, questions before draws). `items` (after `is_valid`) is what
    `quiz_create` and `quiz_update` take."""

    title = forms.CharField(max_length=300, error_messages={"required": gettext_lazy("Give the quiz a title.")})
    question = PickedField(required=False)

    def __init__(self, data: Any, *, questions: list[Question], chapters: list[Chapter]) -> None:
        super().__init__(data)
        self.questions = {str(q.pk): q for q in questions}
        self.chapters = {str(c.pk): c for c in chapters}
        self.draw_rows = draw_row_count(data)
        self.items: list[authoring.ItemSpec] = []
        for pk in self.questions:
            self.fields[f"points_{pk}"] = forms.CharField(required=False)
            self.fields[f"order_{pk}"] = forms.CharField(required=False)
        for i in range(self.draw_rows):
            for name in ("chapter", "count", "points", "order"):
                self.fields[f"draw_{name}_{i}"] = forms.CharField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors: list[str] = []
        ordered: list[tuple[float, int, authoring.ItemSpec]] = []

        def item(points_field: str, order_field: str, **spec: Any) -> None:
            order_text = (data.get(order_field) or "").strip()
            if order_text and not order_text.isdigit():
                errors.append(_("The order must be a whole number: %(v)s.") % {"v": order_text})
                return
            try:
                built = authoring.ItemSpec(points=parse_points(data.get(points_field, "")), **spec)
            except ValidationError as exc:
                errors.extend(exc.messages)
                return
            ordered.append((int(order_text) if order_text else float("inf"), len(ordered), built))

        for pk in data.get("question", []):
            if pk not in self.questions:
                errors.append(_("Question %(pk)s is not in this course's bank.") % {"pk": pk})
            else:
                item(f"points_{pk}", f"order_{pk}", question=self.questions[pk])
        for i in range(self.draw_rows):
            chapter = self.chapters.get(data.get(f"draw_chapter_{i}", ""))
            count = data.get(f"draw_count_{i}", "")
            if chapter is None or not count:
                continue
            if not count.isdigit() or int(count) < 1:
                errors.append(_("Draw row %(n)s: the number of questions must be 1 or more.") % {"n": i + 1})
            else:
                item(f"draw_points_{i}", f"draw_order_{i}", chapter=chapter, draw=int(count))
        self.items = [spec for _order, _index, spec in sorted(ordered, key=lambda o: (o[0], o[1]))]
        if not self.items and not errors and not self.errors:
            errors.append(_("Pick at least one question or one random draw."))
        if errors:
            raise ValidationError(errors)
        return data

    def messages(self) -> list[str]:
        """Every error, as the page lists them: the title's first, then the items'."""
        return [str(m) for name in ("title", "__all__") for m in self.errors.get(name, [])]


def quiz_as_post(quiz: Quiz) -> QueryDict:
    """A quiz as the builder would post it, to show it on the page for editing."""
    data = QueryDict(mutable=True)
    data["title"] = quiz.title
    draws = 0
    for position, item in enumerate(quiz.items.order_by("position"), start=1):
        points = "" if item.points is None else f"{item.points.normalize():f}"
        if item.question_id:
            data.appendlist("question", str(item.question_id))
            data[f"points_{item.question_id}"] = points
            data[f"order_{item.question_id}"] = str(position)
        else:
            data[f"draw_chapter_{draws}"] = str(item.chapter_id)
            data[f"draw_count_{draws}"] = str(item.draw_count)
            data[f"draw_points_{draws}"] = points
            data[f"draw_order_{draws}"] = str(position)
            draws += 1
    data["draw_rows"] = str(max(DRAW_ROWS, draws + 1))
    return data


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    picked: bool
    points: str
    order: str


@dataclass(frozen=True)
class DrawRow:
    index: int
    chapter: str
    count: str
    points: str
    order: str


def page_rows(data: Any, questions: list[Question]) -> tuple[list[QuestionRow], list[DrawRow]]:
    """What the page shows in each row: the posted (or the edited quiz's) values, so nothing
    the instructor picked is lost when the page comes back with an error."""
    if data is None:
        data = QueryDict()
    picked = set(data.getlist("question"))
    rows = [
        QuestionRow(q, str(q.pk) in picked, data.get(f"points_{q.pk}", ""), data.get(f"order_{q.pk}", ""))
        for q in questions
    ]
    draws = [
        DrawRow(
            i,
            data.get(f"draw_chapter_{i}", ""),
            data.get(f"draw_count_{i}", ""),
            data.get(f"draw_points_{i}", ""),
            data.get(f"draw_order_{i}", ""),
        )
        for i in range(draw_row_count(data))
    ]
    return rows, draws
