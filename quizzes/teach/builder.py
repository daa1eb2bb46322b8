"""The quiz builder: questions picked from the course bank (filtered by chapter) with points per
item, plus random draws of N from a chapter, saved through `quizzes.authoring.quiz_create`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from accounts.http import SignedInRequest
from bank.models import Chapter, Question
from classes import policy
from classes.teach import section_for

from .. import authoring

DRAW_ROWS = 3  # "N at random from chapter X" rows on the builder form


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


class PickedField(forms.MultipleChoiceField):
    """The picked question ids; whether each is in the course's bank is checked by the form."""

    def valid_value(self, value: Any) -> bool:
        return True


class QuizBuilderForm(forms.Form):
    """The builder's POST: a title; `question` (the picked ids), each with `points_<id>`; and
    DRAW_ROWS rows `draw_chapter_<i>` / `draw_count_<i>` / `draw_points_<i>`. The fields are made
    for the course's questions and chapters; points count only for what is picked or drawn.
    `items` (after `is_valid`) is what `quiz_create` takes."""

    title = forms.CharField(max_length=300, error_messages={"required": gettext_lazy("Give the quiz a title.")})
    question = PickedField(required=False)

    def __init__(self, data: Any, *, questions: list[Question], chapters: list[Chapter]) -> None:
        super().__init__(data)
        self.questions = {str(q.pk): q for q in questions}
        self.chapters = {str(c.pk): c for c in chapters}
        self.items: list[authoring.ItemSpec] = []
        for pk in self.questions:
            self.fields[f"points_{pk}"] = forms.CharField(required=False)
        for i in range(DRAW_ROWS):
            self.fields[f"draw_chapter_{i}"] = forms.CharField(required=False)
            self.fields[f"draw_count_{i}"] = forms.CharField(required=False)
            self.fields[f"draw_points_{i}"] = forms.CharField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors: list[str] = []

        def item(points_field: str, **spec: Any) -> None:
            try:
                self.items.append(authoring.ItemSpec(points=parse_points(data.get(points_field, "")), **spec))
            except ValidationError as exc:
                errors.extend(exc.messages)

        for pk in data.get("question", []):
            if pk not in self.questions:
                errors.append(_("Question %(pk)s is not in this course's bank.") % {"pk": pk})
            else:
                item(f"points_{pk}", question=self.questions[pk])
        for i in range(DRAW_ROWS):
            chapter = self.chapters.get(data.get(f"draw_chapter_{i}", ""))
            count = data.get(f"draw_count_{i}", "")
            if chapter is None or not count:
                continue
            if not count.isdigit() or int(count) < 1:
                errors.append(_("Draw row %(n)s: the number of questions must be 1 or more.") % {"n": i + 1})
            else:
                item(f"draw_points_{i}", chapter=chapter, draw=int(count))
        if not self.items and not errors and not self.errors:
            errors.append(_("Pick at least one question or one random draw."))
        if errors:
            raise ValidationError(errors)
        return data

    def messages(self) -> list[str]:
        """Every error, as the page lists them: the title's first, then the items'."""
        return [str(m) for name in ("title", "__all__") for m in self.errors.get(name, [])]


@login_required
@require_http_methods(["GET", "POST"])
def quiz_new(request: SignedInRequest, section_id: int) -> HttpResponse:
    """Pick questions from the course bank (filtered by chapter) and/or random draws of N from a chapter."""
    section = section_for(request, section_id, policy.section_quiz_create)
    chapters = list(Chapter.objects.filter(course_id=section.course_id).order_by("position", "number"))
    chapter_id = request.GET.get("chapter") or request.POST.get("chapter_filter") or ""
    bank = Question.objects.filter(chapter__course_id=section.course_id).select_related("chapter")
    if chapter_id.isdigit():
        bank = bank.filter(chapter_id=int(chapter_id))
    questions = list(bank.order_by("chapter__number", "position", "number"))
    errors: list[str] = []
    if request.method == "POST":
        form = QuizBuilderForm(request.POST, questions=questions, chapters=chapters)
        if form.is_valid():
            items = form.items
            quiz = authoring.quiz_create(
                course=section.course, title=form.cleaned_data["title"], items=items, actor=request.user
            )
            saved = ngettext(
                "Quiz %(title)s saved with %(n)s item.", "Quiz %(title)s saved with %(n)s items.", len(items)
            )
            messages.success(request, saved % {"title": quiz, "n": len(items)})
            return redirect(f"{reverse('teach:assignment_new', args=[section.pk])}?quiz={quiz.pk}")
        errors = form.messages()
    return render(
        request,
        "teach/quiz_builder.html",
        {
            "section": section,
            "chapters": chapters,
            "chapter_id": chapter_id,
            "questions": questions,
            "draw_rows": range(DRAW_ROWS),
            "errors": errors,
            "post": request.POST,
        },
    )
