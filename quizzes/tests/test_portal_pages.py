"""What each portal page shows: dashboard, start, attempt, confirmation, receipt and result."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bank.tests.factories import QuestionFactory
from classes.tests.factories import EnrollmentFactory, SectionFactory
from grading.models import Grade
from grading.selectors import attempt_rows
from quizzes import authoring, services
from quizzes.models import Answer, Attempt, ReleasePolicy
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory
from quizzes.tests.portal_data import every_kind_assignment, grade, many_questions_assignment, questions_of
from quizzes.views import answers_digest

pytestmark = pytest.mark.django_db


def fieldset_of(body: str, question_id: int) -> str:
    return body[body.index(f'id="question-{question_id}"') :].split("</fieldset>")[0]


# --- dashboard ---------------------------------------------------------------------------------------


def test_dashboard_groups_assignments_and_shows_windows_limits_and_attempts(client, section, student):
    now = timezone.now()
    AssignmentFactory(section=section, quiz__course=section.course, title="Open quiz", max_attempts=3)
    AssignmentFactory(
        section=section,
        quiz__course=section.course,
        title="Later quiz",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    AssignmentFactory(
        section=section,
        quiz__course=section.course,
        title="Past quiz",
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(days=1),
    )
    client.force_login(student)
    body = client.get(reverse("portal:dashboard")).content.decode()

    open_part = body[body.index('id="open-h"') : body.index('id="upcoming-h"')]
    upcoming_part = body[body.index('id="upcoming-h"') : body.index('id="closed-h"')]
    closed_part = body[body.index('id="closed-h"') :]
    assert "Open quiz" in open_part and "Later quiz" in upcoming_part and "Past quiz" in closed_part
    assert "My classes" in body and section.name in body and "Asia/Shanghai" in body
    assert "30 minutes" in open_part  # time limit
    assert "0 of 3 used" in open_part  # attempts
    assert "data-countdown=" in open_part  # live countdown to close
    assert "data-local" in open_part  # your time, re-rendered by the script in the browser's zone


def test_dashboard_shows_window_in_the_sections_time_zone(client, section, student):
    opens = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    AssignmentFactory(
        section=section, quiz__course=section.course, opens_at=opens, closes_at=opens + timedelta(days=400)
    )
    client.force_login(student)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "Sun, 1 Mar 2026, 09:00" in body  # 01:00 UTC is 09:00 in Asia/Shanghai
    assert 'datetime="2026-03-01T01:00:00Z"' in body


def test_dashboard_uses_the_persons_chosen_time_zone_for_your_time(client, section, student):
    opens = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    AssignmentFactory(
        section=section, quiz__course=section.course, opens_at=opens, closes_at=opens + timedelta(days=400)
    )
    student.time_zone = "America/New_York"
    student.save()
    client.force_login(student)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "Sat, 28 Feb 2026, 20:00" in body and "America/New_York" in body


def test_dashboard_links_attempts_to_receipts_and_released_results(client, section, student):
    assignment = every_kind_assignment(section, max_attempts=2)
    attempt = services.attempt_submit(attempt=services.attempt_start(assignment=assignment, student=student))
    for answer in attempt.answers.select_related("question"):
        grade(answer, Decimal(1))
    client.force_login(student)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("portal:receipt", args=[attempt.pk]) in body
    assert reverse("portal:result", args=[attempt.pk]) in body
    assert "Start another attempt" in body and "1 of 2 used" in body


def test_dashboard_query_count_is_bounded_with_realistic_data(client, section, student, django_assert_max_num_queries):
    other = SectionFactory(course=section.course)
    EnrollmentFactory(section=other, user=student)
    for i in range(6):
        assignment = many_questions_assignment(section if i % 2 else other, count=3, max_attempts=3)
        for _ in range(2):
            attempt = services.attempt_start(assignment=assignment, student=student)
            services.attempt_submit(attempt=attempt)
            for answer in attempt.answers.select_related("question"):
                grade(answer, Decimal(1))
        services.attempt_start(assignment=assignment, student=student)
    later = timezone.now() + timedelta(days=1)
    AssignmentFactory(section=section, quiz__course=section.course, opens_at=later, closes_at=later + timedelta(days=1))
    client.force_login(student)
    # session, user, header's staff check, my classes, assignments, attempts: 6, whatever the number of rows
    with django_assert_max_num_queries(7):
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert response.content.decode().count("Continue attempt") == 6


# --- start page ---------------------------------------------------------------------------------------


def test_start_page_shows_the_rules_before_starting(client, section, student):
    assignment = every_kind_assignment(section, max_attempts=2, grace_period=timedelta(minutes=2))
    client.force_login(student)
    body = client.get(reverse("portal:assignment_start", args=[assignment.pk])).content.decode()
    assert "Before you start" in body
    assert "30 minutes" in body  # time limit
    assert "2 of 2" in body  # attempts left
    assert "As soon as your attempt is graded" in body  # when results are released
    assert "for 2 minutes after the deadline" in body  # grace
    assert ">7<" in body  # questions
    assert "Start the attempt" in body
    assert not Attempt.objects.exists()  # looking at the rules starts nothing


def test_start_page_explains_each_release_policy(client, section, student):
    client.force_login(student)
    for policy, text in (
        (ReleasePolicy.AFTER_CLOSE, "After the window closes and every answer is graded."),
        (ReleasePolicy.MANUAL, "When your instructor releases them."),
    ):
        assignment = AssignmentFactory(section=section, quiz__course=section.course, release_policy=policy)
        assert text in client.get(reverse("portal:assignment_start", args=[assignment.pk])).content.decode()


def test_start_page_offers_to_continue_an_attempt_in_progress(client, student, section):
    assignment = every_kind_assignment(section)
    attempt = services.attempt_start(assignment=assignment, student=student)
    client.force_login(student)
    body = client.get(reverse("portal:assignment_start", args=[assignment.pk])).content.decode()
    assert "Continue your attempt" in body and reverse("portal:attempt", args=[attempt.pk]) in body


# --- attempt page -------------------------------------------------------------------------------------


def test_attempt_page_has_the_right_labelled_input_for_each_kind(client, section, student):
    attempt = services.attempt_start(assignment=every_kind_assignment(section), student=student)
    kinds = questions_of(attempt)
    client.force_login(student)
    body = client.get(reverse("portal:attempt", args=[attempt.pk])).content.decode()

    single = fieldset_of(body, kinds["single_choice"].pk)
    assert single.count('type="radio"') == 2 and "BERT" in single
    assert fieldset_of(body, kinds["true_false"].pk).count('type="radio"') == 2
    assert fieldset_of(body, kinds["multiple_choice"].pk).count('type="checkbox"') == 3
    assert 'type="number"' in fieldset_of(body, kinds["numeric"].pk)
    assert 'type="text"' in fieldset_of(body, kinds["short_text"].pk)
    enumeration = fieldset_of(body, kinds["enumeration"].pk)
    assert "<textarea" in enumeration and "data-enum" in enumeration and "List at least 2 items." in enumeration
    assert "<textarea" in fieldset_of(body, kinds["free_text"].pk)
    # every input has a label: wrapped (choices) or <label for=id> (the others)
    for match in re.finditer(r"<(input|textarea)([^>]*)>", body):
        attrs = match.group(2)
        if 'type="hidden"' in attrs:
            continue
        field_id = re.search(r'id="([^"]+)"', attrs).group(1)
        assert f'for="{field_id}"' in body, field_id


def test_attempt_page_shows_the_servers_deadline_and_autosave_endpoint(client, section, student):
    attempt = services.attempt_start(assignment=every_kind_assignment(section), student=student)
    client.force_login(student)
    body = client.get(reverse("portal:attempt", args=[attempt.pk])).content.decode()
    assert f'data-deadline="{attempt.deadline.isoformat()}"' in body
    assert "data-server-now=" in body
    assert f'data-autosave-url="{reverse("portal:autosave", args=[attempt.pk])}"' in body
    assert 'aria-live="polite"' in body and 'role="timer"' in body
    assert "Not saved yet" in body


def test_form_post_saves_every_kind_and_reload_shows_them(client, section, student):
    attempt = services.attempt_start(assignment=every_kind_assignment(section), student=student)
    kinds = questions_of(attempt)
    bert = kinds["single_choice"].choices.get(text="BERT")
    encoders = list(kinds["multiple_choice"].choices.filter(is_correct=True))
    true = kinds["true_false"].choices.get(text="True")
    form = {
        f"q-{kinds['single_choice'].pk}": str(bert.pk),
        f"q-{kinds['multiple_choice'].pk}": [str(c.pk) for c in encoders],
        f"q-{kinds['true_false'].pk}": str(true.pk),
        f"q-{kinds['numeric'].pk}": "1623",
        f"q-{kinds['short_text'].pk}": "Model-Agnostic Meta-Learning",
        f"q-{kinds['enumeration'].pk}": "Filter\n\n Compression \n",
        f"q-{kinds['free_text'].pk}": "紧凑的表示 compact",
        "action": "save",
    }
    client.force_login(student)
    response = client.post(reverse("portal:attempt", args=[attempt.pk]), form, follow=True)
    assert "Saved at" in response.content.decode()
    stored = {a.question.kind: a.response for a in Answer.objects.filter(attempt=attempt).select_related("question")}
    assert stored["enumeration"] == ["Filter", "Compression"]
    assert stored["multiple_choice"] == sorted(str(c.pk) for c in encoders)
    body = client.get(reverse("portal:attempt", args=[attempt.pk])).content.decode()
    assert re.search(rf'value="{bert.pk}" checked', body)
    for choice in encoders:
        assert re.search(rf'value="{choice.pk}" checked', body)
    assert 'value="1623"' in body and 'value="Model-Agnostic Meta-Learning"' in body
    assert "Filter\nCompression</textarea>" in body and "紧凑的表示 compact</textarea>" in body


def test_autosave_stores_answers_and_reports_the_time(client, section, student):
    attempt = services.attempt_start(assignment=every_kind_assignment(section), student=student)
    kinds = questions_of(attempt)
    client.force_login(student)
    response = client.post(
        reverse("portal:autosave", args=[attempt.pk]),
        data=json.dumps({"answers": {str(kinds["enumeration"].pk): ["Filter", " ", "Compression"]}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["saved"] == [str(kinds["enumeration"].pk)] and body["saved_at"]
    assert Answer.objects.get(attempt=attempt, question=kinds["enumeration"]).response == ["Filter", "Compression"]


def test_attempt_page_query_count_is_bounded_with_twelve_questions(
    client, section, student, django_assert_max_num_queries
):
    attempt = services.attempt_start(assignment=many_questions_assignment(section, count=12), student=student)
    for aq in attempt.attempt_questions.select_related("question"):
        services.answer_save(attempt=attempt, question_id=aq.question_id, response=None)
    client.force_login(student)
    # session, user, header's staff check, attempt, questions, choices, answers, grades: 8 for any size
    with django_assert_max_num_queries(9):
        response = client.get(reverse("portal:attempt", args=[attempt.pk]))
    assert response.content.decode().count('class="card question') == 12


def test_review_lists_unanswered_questions_then_submit_gives_the_receipt(client, section, student):
    attempt = services.attempt_start(assignment=every_kind_assignment(section), student=student)
    kinds = questions_of(attempt)
    client.force_login(student)
    response = client.post(
        reverse("portal:attempt", args=[attempt.pk]),
        {f"q-{kinds['free_text'].pk}": "an answer", "action": "review"},
    )
    assert response["Location"] == reverse("portal:submit", args=[attempt.pk])
    body = client.get(response["Location"]).content.decode()
    assert "6 questions are not answered" in body and "You answered 1 of 7 questions." in body
    assert f"#question-{kinds['numeric'].pk}" in body and f"#question-{kinds['free_text'].pk}" not in body
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS  # reviewing submits nothing

    receipt = client.post(reverse("portal:submit", args=[attempt.pk]), follow=True)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    body = receipt.content.decode()
    assert f"#{attempt.pk}" in body and "1 of 7" in body
    assert answers_digest(attempt_rows(attempt)) in body


def test_receipt_digest_is_sha256_of_the_stored_answers(section, student):
    attempt = services.attempt_start(assignment=every_kind_assignment(section), student=student)
    free = questions_of(attempt)["free_text"]
    services.answer_save(attempt=attempt, question_id=free.pk, response="first")
    first = answers_digest(attempt_rows(attempt))
    services.answer_save(attempt=attempt, question_id=free.pk, response="second")
    assert answers_digest(attempt_rows(attempt)) != first and len(first) == 16


# --- result -------------------------------------------------------------------------------------------


@pytest.fixture
def graded_attempt(section, student, instructor):
    attempt = services.attempt_start(assignment=every_kind_assignment(section), student=student)
    kinds = questions_of(attempt)
    services.answer_save(attempt=attempt, question_id=kinds["free_text"].pk, response="Compression, mostly.")
    services.attempt_submit(attempt=attempt)
    answers = {a.question.kind: a for a in attempt.answers.select_related("question")}
    for answer in answers.values():
        grade(answer, Decimal(0), feedback="No answer was given.")
    Grade.objects.filter(answer=answers["free_text"]).delete()
    grade(
        answers["free_text"],
        Decimal("6.5"),
        feedback="Covers the main idea.",
        details={
            "key_points": [
                {"text": "compact representation", "covered": True, "strength": 0.91},
                {"text": "reconstruction by a decoder", "covered": False, "strength": 0.2},
            ],
            "flags": ["keyword_stuffing"],
        },
    )
    Grade.objects.filter(answer=answers["numeric"]).delete()
    grade(
        answers["numeric"],
        Decimal(3),
        status=Grade.Status.OVERRIDDEN,
        overridden_by=instructor,
        override_reason="Close enough: <b>partial credit</b>",
    )
    Grade.objects.filter(answer=answers["short_text"]).delete()
    grade(answers["short_text"], None, status=Grade.Status.NEEDS_REVIEW)
    return attempt


def test_result_shows_scores_feedback_key_points_comments_and_waiting(client, student, graded_attempt):
    # once nobody can answer any more: while classmates can, what reveals the key waits (test_release.py)
    assignment = graded_attempt.assignment
    assignment.opens_at = timezone.now() - timedelta(days=2)
    assignment.closes_at = timezone.now() - timedelta(days=1)
    assignment.save()
    client.force_login(student)
    body = client.get(reverse("portal:result", args=[graded_attempt.pk])).content.decode()
    assert "9.5" in body and "/ 70" in body  # overall: 6.5 + 3 of 7 × 10
    assert "1 answer is waiting for a person to grade it" in body
    assert "Covers the main idea." in body
    assert 'Covered</span> <span class="kp-text">compact representation' in body
    assert 'Missing</span> <span class="kp-text">reconstruction by a decoder' in body
    assert "looks like a list of keywords" in body
    assert "Instructor&#x27;s comment" in body or "Instructor's comment" in body
    assert "Close enough: &lt;b&gt;partial credit&lt;/b&gt;" in body
    assert "Waiting for a person to grade it." in body
    assert "Compression, mostly." in body  # the student's own answer


def test_result_after_close_shows_reference_answers_with_source_badges(client, student, graded_attempt):
    assignment = graded_attempt.assignment
    assignment.opens_at = timezone.now() - timedelta(days=2)
    assignment.closes_at = timezone.now() - timedelta(days=1)
    assignment.save()
    free = questions_of(graded_attempt)["free_text"]
    free.reference_answer = "Compact codes. <script>x</script>\n\nMy own note: decoders matter."
    author_starts = free.reference_answer.index("My own note")
    free.source_marks = [{"offset": 0, "source": "ai"}, {"offset": author_starts, "source": "author"}]
    free.answer_source = "mixed"
    free.save()
    client.force_login(student)
    body = client.get(reverse("portal:result", args=[graded_attempt.pk])).content.decode()
    reference = body[body.index(f'id="question-{free.pk}"') :].split("</details>")[0]
    assert '<span class="badge badge-ai"' in reference and ">AI-written</span>" in reference
    assert '<span class="badge badge-author"' in reference and ">Author&#x27;s note</span>" in reference
    assert reference.index("badge-ai") < reference.index("Compact codes")
    assert reference.index("Compact codes") < reference.index("badge-author") < reference.index("My own note")
    assert "<script>x" not in reference and "&lt;script&gt;" in reference


def test_result_is_not_shown_while_automatic_grading_is_unfinished(client, section, student):
    attempt = services.attempt_start(assignment=every_kind_assignment(section), student=student)
    services.attempt_submit(attempt=attempt)
    client.force_login(student)
    response = client.get(reverse("portal:result", args=[attempt.pk]), follow=True)
    assert "Results are not released yet." in response.content.decode()
    assert "See your result" not in response.content.decode()


def test_manual_release_shows_the_result_only_once_released(client, section, student):
    assignment = every_kind_assignment(section, release_policy=ReleasePolicy.MANUAL)
    attempt = services.attempt_submit(attempt=services.attempt_start(assignment=assignment, student=student))
    for answer in attempt.answers.select_related("question"):
        grade(answer, Decimal(1))
    client.force_login(student)
    assert client.get(reverse("portal:result", args=[attempt.pk])).status_code == 302
    assignment.released_at = timezone.now()
    assignment.save()
    assert client.get(reverse("portal:result", args=[attempt.pk])).status_code == 200


def test_free_text_question_alone_in_a_quiz(client, section, student):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, question=QuestionFactory(chapter__course=section.course))
    client.force_login(student)
    response = client.post(reverse("portal:assignment_start", args=[assignment.pk]), follow=True)
    assert response.status_code == 200 and "1 question." in response.content.decode()


# --- extensions ------------------------------------------------------------------------------------


@pytest.fixture
def closed_for_the_class(section):
    """An assignment whose window closed an hour ago for the class."""
    now = timezone.now()
    return AssignmentFactory(
        section=section,
        quiz__course=section.course,
        title="Extended quiz",
        opens_at=now - timedelta(days=1),
        closes_at=now - timedelta(hours=1),
    )


def test_a_student_with_an_extension_sees_the_assignment_open_with_their_own_close(
    client, section, student, closed_for_the_class
):
    # bug: the dashboard and start page used the class's close, so an extended student found the
    # assignment under "closed" with no start button although attempt_start would let them in
    later = timezone.now() + timedelta(hours=2)
    authoring.extension_grant(assignment=closed_for_the_class, student=student, closes_at=later)
    client.force_login(student)

    body = client.get(reverse("portal:dashboard")).content.decode()
    open_part = body[body.index('id="open-h"') : body.index('id="upcoming-h"')]
    assert "Extended quiz" in open_part and "Your instructor extended your window." in open_part
    start = client.get(reverse("portal:assignment_start", args=[closed_for_the_class.pk])).content.decode()
    assert "Your instructor extended your window." in start
    assert "Start the attempt" in start and "This assignment has closed." not in start


def test_a_classmate_without_an_extension_still_sees_it_closed(client, section, student, closed_for_the_class):
    classmate = EnrollmentFactory(section=section).user
    authoring.extension_grant(
        assignment=closed_for_the_class, student=classmate, closes_at=timezone.now() + timedelta(hours=2)
    )
    client.force_login(student)
    body = client.get(reverse("portal:dashboard")).content.decode()
    closed_part = body[body.index('id="closed-h"') :]
    assert "Extended quiz" in closed_part and "extended your window" not in body


def test_reference_answers_wait_until_every_extension_has_passed(client, section, student, graded_attempt):
    # given a graded attempt whose window closed for the class, and a classmate still working
    assignment = graded_attempt.assignment
    assignment.opens_at = timezone.now() - timedelta(days=2)
    assignment.closes_at = timezone.now() - timedelta(days=1)
    assignment.save()
    classmate = EnrollmentFactory(section=section).user
    extension = authoring.extension_grant(
        assignment=assignment, student=classmate, closes_at=timezone.now() + timedelta(hours=1)
    )
    client.force_login(student)
    secret = "SECRET-REFERENCE"

    # then the reference answers stay hidden while the classmate may still answer
    assert secret not in client.get(reverse("portal:result", args=[graded_attempt.pk])).content.decode()

    # and appear once the extension (and the grace period) has passed
    extension.closes_at = timezone.now() - assignment.grace_period - timedelta(minutes=1)
    extension.save()
    assert secret in client.get(reverse("portal:result", args=[graded_attempt.pk])).content.decode()
