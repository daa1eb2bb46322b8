"""`seed_demo`: people, a section, one quiz per chapter, open assignments; safe to run twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from bank.models import Question, QuestionKind
from classes.models import Enrollment, Section
from quizzes.models import Assignment

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_demo_and_prints_logins(settings):
    settings.DEBUG = True  # as `make run` sets it
    call_command("import_bank", "bank/deep_learning_ch8-14.txt", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", stdout=out)

    section = Section.objects.get()
    roles = dict(Enrollment.objects.filter(section=section).values_list("user__username", "role"))
    assert sum(role == Enrollment.Role.STUDENT for role in roles.values()) == 30
    assert roles["teacher"] == Enrollment.Role.INSTRUCTOR and roles["assistant"] == Enrollment.Role.ASSISTANT
    assert User.objects.filter(username="student01").get().check_password("classroom-demo")
    now = timezone.now()
    assert Assignment.objects.count() == 8  # 7 chapters + the warm-up
    assert all(a.opens_at <= now < a.closes_at for a in Assignment.objects.all())
    warm_up = Question.objects.filter(chapter__number=0)
    assert set(warm_up.values_list("kind", flat=True)) == {
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.TRUE_FALSE,
        QuestionKind.NUMERIC,
        QuestionKind.SHORT_TEXT,
        QuestionKind.ENUMERATION,
    }
    assert warm_up.get(kind=QuestionKind.ENUMERATION).accepted_answers.count() == 5
    assert warm_up.get(kind=QuestionKind.SINGLE_CHOICE).choices.filter(is_correct=True).get().text == "BERT"
    assert "student01" in out.getvalue() and "classroom-demo" in out.getvalue()

    call_command("seed_demo", stdout=StringIO())
    assert (Assignment.objects.count(), Section.objects.count(), warm_up.count()) == (8, 1, 5)


def test_seed_demo_refuses_to_run_without_debug_or_force(settings):
    """Its accounts share one published password: on a real site they would be open doors."""
    settings.DEBUG = False
    call_command("import_bank", "bank/deep_learning_ch8-14.txt", stdout=StringIO())
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists() and not Section.objects.exists()


def test_seed_demo_runs_without_debug_when_forced(settings):
    settings.DEBUG = False
    call_command("import_bank", "bank/deep_learning_ch8-14.txt", stdout=StringIO())
    call_command("seed_demo", "--force", "--students", "2", stdout=StringIO())
    assert User.objects.filter(username="student02").exists()
