"""The quiz builder: questions picked from the course bank (filtered by chapter) with points and
order per item, plus random draws of N from a chapter, saved through `quizzes.authoring`
(`quiz_create`, `quiz_update`). A quiz students have started is not edited: the page offers a
copy (`quiz_copy`) and opens it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import SignedInRequest
from bank.models import Chapter, Question
from classes import policy
from classes.models import Section
from classes.teach import section_for

from .. import authoring
from ..errors import QuizHasAttempts
from ..models import Quiz
from .builder_form import QuizBuilderForm, page_rows, quiz_as_post


def _section_quiz(request: SignedInRequest, section_id: int, quiz_id: int) -> tuple[Section, Quiz]:
    """The section (its staff who may build quizzes) and a quiz of its course (404 otherwise)."""
    section = section_for(request, section_id, policy.section_quiz_create)
    quiz = get_object_or_404(Quiz.objects.select_related("course"), pk=quiz_id)
    if quiz.course_id != section.course_id:
        raise Http404
    return section, quiz


def _builder(request: SignedInRequest, section: Section, quiz: Quiz | None) -> HttpResponse:
    """The builder page for a new quiz (`quiz` None) or for editing one; on a valid POST, saves."""
    chapters = list(Chapter.objects.filter(course_id=section.course_id).order_by("position", "number"))
    chapter_id = request.GET.get("chapter") or request.POST.get("chapter_filter") or ""
    data: Any = request.POST if request.method == "POST" else (quiz_as_post(quiz) if quiz else None)
    bank = Question.objects.filter(chapter__course_id=section.course_id).select_related("chapter")
    if chapter_id.isdigit():  # the filter never hides what is picked: saving would drop it
        picked = [int(pk) for pk in data.getlist("question") if pk.isdigit()] if data is not None else []
        bank = bank.filter(chapter_id=int(chapter_id)) | bank.filter(pk__in=picked)
    questions = list(bank.order_by("chapter__number", "position", "number"))
    has_attempts = quiz is not None and authoring.quiz_has_attempts(quiz)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = QuizBuilderForm(request.POST, questions=questions, chapters=chapters)
        if form.is_valid():
            title, items = form.cleaned_data["title"], form.items
            try:
                if quiz is None:
                    saved = authoring.quiz_create(course=section.course, title=title, items=items, actor=request.user)
                else:
                    saved = authoring.quiz_update(quiz=quiz, title=title, items=items, actor=request.user)
            except QuizHasAttempts as exc:
                errors, status, has_attempts = [exc.message], 409, True
            else:
                text = ngettext(
                    "Quiz %(title)s saved with %(n)s item.", "Quiz %(title)s saved with %(n)s items.", len(items)
                )
                messages.success(request, text % {"title": saved, "n": len(items)})
                return redirect(f"{reverse('teach:assignment_new', args=[section.pk])}?quiz={saved.pk}")
        else:
            errors = form.messages()
    rows, draws = page_rows(data, questions)
    context = {
        "section": section,
        "quiz": quiz,
        "has_attempts": has_attempts,
        "chapters": chapters,
        "chapter_id": chapter_id,
        "questions": questions,
        "rows": rows,
        "draws": draws,
        "errors": errors,
        "title": data.get("title", "") if data is not None else "",
    }
    return render(request, "teach/quiz_builder.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_new(request: SignedInRequest, section_id: int) -> HttpResponse:
    """Pick questions from the course bank (filtered by chapter) and/or random draws of N from a chapter."""
    return _builder(request, section_for(request, section_id, policy.section_quiz_create), None)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request: SignedInRequest, section_id: int, quiz_id: int) -> HttpResponse:
    """Edit a quiz nobody has started; one with attempts shows "edit a copy" instead of saving."""
    section, quiz = _section_quiz(request, section_id, quiz_id)
    return _builder(request, section, quiz)


@login_required
@require_POST
def quiz_copy(request: SignedInRequest, section_id: int, quiz_id: int) -> HttpResponse:
    """Copy a quiz (one with attempts, typically) and open the copy in the builder."""
    section, quiz = _section_quiz(request, section_id, quiz_id)
    copy = authoring.quiz_copy(quiz=quiz, actor=request.user)
    messages.success(request, _("Copied: you are editing %(title)s. Assign it to use it.") % {"title": copy.title})
    return redirect("teach:quiz_edit", section_id=section.pk, quiz_id=copy.pk)
