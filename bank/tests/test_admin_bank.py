"""The question bank in the Django admin: pages, the answer key's version, preview, regrade, import/export."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms import BooleanField
from django.urls import reverse

from accounts.models import User
from bank.models import Question, QuestionKind
from grading.models import GradingJob

from .interchange_data import every_kind_bank

pytestmark = pytest.mark.django_db

BANK = Path(settings.BASE_DIR) / "bank" / "deep_learning_ch8-14.txt"


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("boss", "boss@example.edu", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def bank():
    """The shipped bank with proposed rubrics (without its rubric file): these tests are about how
    the admin treats a proposed rubric; the shipped person's rubrics are tested with the importer."""
    call_command("import_bank", str(BANK), "--no-rubrics", stdout=StringIO(), stderr=StringIO())


def change_url(question: Question) -> str:
    return reverse("admin:bank_question_change", args=[question.pk])


def form_data(response) -> dict[str, str | None]:
    """The change form's current values (None: an unticked checkbox, which a browser leaves out)."""
    data: dict[str, str | None] = {}

    def add(form) -> None:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field, BooleanField):
                data[bound.html_name] = "on" if value else None
            else:
                data[bound.html_name] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def post_change(client, question: Question, **changes: str | None):
    data = form_data(client.get(change_url(question)))
    unknown = set(changes) - set(data)
    assert not unknown, unknown
    data.update(changes)
    posted = {key: value for key, value in data.items() if value is not None}
    return client.post(change_url(question), posted, follow=True)


def free_text_with_proposed_rubric() -> Question:
    question = Question.objects.filter(kind=QuestionKind.FREE_TEXT, rubric_is_proposed=True).first()
    assert question is not None and question.rubric_points.exists()
    return question


def test_changelist_renders_with_bounded_queries(admin_client, bank, django_assert_max_num_queries):
    url = reverse("admin:bank_question_changelist")
    with django_assert_max_num_queries(15):
        response = admin_client.get(url, {"kind": "free_text", "q": "autoencoder"})
    assert response.status_code == 200
    assert reverse("admin:bank_question_import") in response.content.decode()


def test_add_and_import_pages_render(admin_client, bank):
    assert admin_client.get(reverse("admin:bank_question_add")).status_code == 200
    page = admin_client.get(reverse("admin:bank_question_import"))
    assert page.status_code == 200 and 'type="file"' in page.content.decode()


@pytest.mark.parametrize("name", ["chapter", "part", "course"])
def test_other_bank_changelists_render(admin_client, bank, name):
    assert admin_client.get(reverse(f"admin:bank_{name}_changelist")).status_code == 200


def test_change_page_renders_with_bounded_queries(admin_client, bank, django_assert_max_num_queries):
    question = free_text_with_proposed_rubric()
    with django_assert_max_num_queries(25):
        response = admin_client.get(change_url(question))
    assert response.status_code == 200
    assert reverse("admin:bank_question_preview", args=[question.pk]) in response.content.decode()


def test_saving_unchanged_keeps_the_version(admin_client, bank):
    question = free_text_with_proposed_rubric()

    response = post_change(admin_client, question)

    assert response.status_code == 200 and not response.context.get("errors")
    question.refresh_from_db()
    assert (question.version, question.rubric_is_proposed) == (1, True)


def test_editing_a_rubric_point_raises_the_version_once_and_makes_the_rubric_a_persons(admin_client, bank):
    question = free_text_with_proposed_rubric()

    response = post_change(admin_client, question, **{"rubric_points-0-text": "A point the instructor rewrote"})

    question.refresh_from_db()
    assert question.version == 2
    assert question.rubric_is_proposed is False
    assert question.rubric_points.order_by("position").first().text == "A point the instructor rewrote"
    page = response.content.decode()
    assert "answer key changed" in page and reverse("admin:bank_question_regrade", args=[question.pk]) in page


def test_fixing_a_typo_in_the_prompt_is_not_a_key_change(admin_client, bank):
    question = free_text_with_proposed_rubric()

    post_change(admin_client, question, prompt=question.prompt + " (typo fixed)")

    question.refresh_from_db()
    assert question.prompt.endswith("(typo fixed)")
    assert (question.version, question.rubric_is_proposed) == (1, True)


def test_editing_the_reference_answer_raises_the_version_once_even_if_the_rubric_is_reproposed(admin_client, bank):
    question = free_text_with_proposed_rubric()

    post_change(admin_client, question, reference_answer="Learning a compact representation of the input data.")

    question.refresh_from_db()
    assert question.version == 2
    assert question.rubric_is_proposed is True


def test_flipping_a_correct_choice_inline_raises_the_version_once(admin_client):
    every_kind_bank()
    question = Question.objects.get(kind=QuestionKind.SINGLE_CHOICE)

    post_change(admin_client, question, **{"choices-1-is_correct": "on"})

    question.refresh_from_db()
    assert question.version == 2
    assert list(question.choices.values_list("is_correct", flat=True)) == [True, True]


def test_preview_shows_the_prompt_and_input_but_no_reference_answer_to_students(admin_client, bank):
    question = free_text_with_proposed_rubric()

    response = admin_client.get(reverse("admin:bank_question_preview", args=[question.pk]))

    page = response.content.decode()
    student, staff = page.split('data-preview="staff"')
    student = student.split('data-preview="student"')[1]
    first_words = question.reference_answer.split("\n")[0][:20]
    assert response.status_code == 200
    assert "<textarea" in student and question.prompt[:30] in student
    assert first_words not in student
    assert "staff only" in staff and first_words in staff
    assert question.rubric_points.first().text[:30] in staff


def test_preview_of_a_choice_question_shows_choices_without_marking_the_correct_one(admin_client):
    every_kind_bank()
    question = Question.objects.get(kind=QuestionKind.SINGLE_CHOICE)

    page = admin_client.get(reverse("admin:bank_question_preview", args=[question.pk])).content.decode()

    student, staff = page.split('data-preview="staff"')
    assert student.count('type="radio"') == 2 and "BERT {encoder}" in student
    assert "<strong>bidirectional</strong>" in student  # the prompt's Markdown, rendered
    assert "correct" not in student.split('data-preview="student"')[1].lower().replace("incorrect", "")
    assert "BERT reads both ways." in staff and "BERT reads both ways." not in student


def test_regrade_page_lists_old_and_new_scores_and_starts_a_job(admin_client, section):
    from grading.tests.builders import auto_submit_at_close, exam, objective_questions
    from grading.tests.test_jobs import assignment_job, grade_all

    question = objective_questions(section)[0]
    class_ = exam(section, [question], students=3)
    auto_submit_at_close(class_)
    grade_all(assignment_job(class_))
    gpt = question.choices.order_by("position")[1]
    post_change(admin_client, question, **{"choices-0-is_correct": None, "choices-1-is_correct": "on"})
    question.refresh_from_db()
    assert question.version == 2 and gpt.text == "GPT"
    url = reverse("admin:bank_question_regrade", args=[question.pk])

    page = admin_client.get(url).content.decode()

    rows = re.findall(r"<tr>\s*<td>", page)
    assert len(rows) == 3
    assert "would change" in page
    response = admin_client.post(url)
    assert response.status_code == 302
    assert GradingJob.objects.filter(kind=GradingJob.Kind.REGRADE, question=question).count() == 1


def test_import_page_imports_an_uploaded_gift_file(admin_client):
    upload = SimpleUploadedFile("q.gift", b"::Q1::Autoencoders compress.{T}\n")

    response = admin_client.post(
        reverse("admin:bank_question_import"), {"file": upload, "course": "Deep Learning"}, follow=True
    )

    assert response.status_code == 200
    assert "1 created" in response.content.decode()
    assert Question.objects.get().kind == QuestionKind.TRUE_FALSE


def test_import_page_shows_problems_with_lines_and_imports_nothing(admin_client):
    upload = SimpleUploadedFile("q.gift", b"::ok::Fine{T}\n\n::bad::Broken {=a\n")

    response = admin_client.post(reverse("admin:bank_question_import"), {"file": upload, "course": "Deep Learning"})

    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-errors"' in page and "line 3" in page
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("action", "marker"),
    [("export_moodle_xml", "<quiz>"), ("export_gift", "$CATEGORY:"), ("export_bank", "Chapter 8")],
)
def test_export_actions_download_the_selected_questions(admin_client, bank, action, marker):
    ids = list(Question.objects.filter(chapter__number=8).values_list("pk", flat=True))

    response = admin_client.post(reverse("admin:bank_question_changelist"), {"action": action, "_selected_action": ids})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert marker in response.content.decode()
