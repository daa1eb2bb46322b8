"""Instructor workspace: quiz builder, assignment, extensions (service + deadlines), live monitor."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bank.tests.factories import ChapterFactory, QuestionFactory
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from grading import services as grading_services
from grading.models import GradingJob
from grading.release import results_released
from quizzes import authoring
from quizzes import services as quiz_services
from quizzes.errors import WindowNotOpen
from quizzes.models import Assignment, Attempt, Quiz
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(section):
    assignment = AssignmentFactory(section=section, quiz__course=section.course, time_limit=timedelta(minutes=30))
    QuizItemFactory(quiz=assignment.quiz, question=QuestionFactory(chapter=ChapterFactory(course=section.course)))
    return assignment


# Quiz builder and assignment -------------------------------------------------------------------


def test_builder_saves_picked_questions_with_points_and_random_draws(client, section, instructor):
    chapter = ChapterFactory(course=section.course)
    picked, other = QuestionFactory(chapter=chapter), QuestionFactory(chapter=chapter)
    draw_from = ChapterFactory(course=section.course)
    QuestionFactory.create_batch(4, chapter=draw_from)
    client.force_login(instructor)
    page = client.get(reverse("teach:quiz_new", args=[section.pk]), {"chapter": chapter.pk})
    assert {q.pk for q in page.context["questions"]} == {picked.pk, other.pk}
    response = client.post(
        reverse("teach:quiz_new", args=[section.pk]),
        {
            "title": "Week 3",
            "question": [picked.pk],
            f"points_{picked.pk}": "4",
            "draw_chapter_0": draw_from.pk,
            "draw_count_0": "2",
            "draw_points_0": "3",
        },
    )
    assert response.status_code == 302
    quiz = Quiz.objects.get(title="Week 3")
    items = list(quiz.items.order_by("position").values_list("question_id", "chapter_id", "draw_count", "points"))
    assert [(q, c, n, float(p)) for q, c, n, p in items] == [(picked.pk, None, 1, 4.0), (None, draw_from.pk, 2, 3.0)]


def test_builder_confirms_a_one_question_quiz_in_the_singular(client, section, instructor):
    question = QuestionFactory(chapter=ChapterFactory(course=section.course))
    client.force_login(instructor)
    response = client.post(
        reverse("teach:quiz_new", args=[section.pk]),
        {"title": "Pop quiz", "question": [question.pk], f"points_{question.pk}": "1"},
        follow=True,
    )
    assert "Quiz Pop quiz saved with 1 item." in [str(m) for m in response.context["messages"]]


def test_builder_refuses_an_empty_quiz_and_bad_points(client, section, instructor):
    question = QuestionFactory(chapter=ChapterFactory(course=section.course))
    client.force_login(instructor)
    url = reverse("teach:quiz_new", args=[section.pk])
    assert client.post(url, {"title": "x"}).context["errors"]
    response = client.post(url, {"title": "x", "question": [question.pk], f"points_{question.pk}": "-1"})
    assert response.status_code == 200 and response.context["errors"] and not Quiz.objects.filter(title="x").exists()


def test_assign_a_quiz_with_window_limits_and_release_policy(client, section, instructor):
    quiz = Quiz.objects.create(course=section.course, title="Q")
    client.force_login(instructor)
    response = client.post(
        reverse("teach:assignment_new", args=[section.pk]),
        {
            "quiz": quiz.pk,
            "opens_at": "2026-12-01T09:00",
            "closes_at": "2026-12-01T11:00",
            "time_limit_minutes": "45",
            "max_attempts": "2",
            "grace_minutes": "3",
            "release_policy": "manual",
        },
    )
    assert response.status_code == 302
    a = Assignment.objects.get(quiz=quiz)
    assert (a.time_limit, a.max_attempts, a.grace_period, a.release_policy) == (
        timedelta(minutes=45),
        2,
        timedelta(minutes=3),
        "manual",
    )
    assert a.opens_at.isoformat() == "2026-12-01T01:00:00+00:00"  # 09:00 in the section's Asia/Shanghai


def test_assignment_closing_before_it_opens_is_refused(client, section, instructor):
    quiz = Quiz.objects.create(course=section.course, title="Q")
    client.force_login(instructor)
    data = {"quiz": quiz.pk, "opens_at": "2026-12-01T09:00", "closes_at": "2026-12-01T08:00", "max_attempts": "1"}
    response = client.post(
        reverse("teach:assignment_new", args=[section.pk]), {**data, "grace_minutes": "0", "release_policy": "manual"}
    )
    assert response.status_code == 200 and not Assignment.objects.filter(quiz=quiz).exists()


# Extensions -------------------------------------------------------------------------------------


def test_extra_time_lengthens_the_attempt_deadline(assignment, student, instructor):
    authoring.extension_grant(
        assignment=assignment, student=student, extra_time=timedelta(minutes=15), actor=instructor
    )
    now = timezone.now()
    attempt = quiz_services.attempt_start(assignment=assignment, student=student, now=now)
    assert attempt.deadline == now + timedelta(minutes=45)


def test_extra_time_is_still_capped_by_the_close(assignment, student):
    now = assignment.closes_at - timedelta(minutes=10)
    authoring.extension_grant(assignment=assignment, student=student, extra_time=timedelta(minutes=15))
    assert quiz_services.attempt_start(assignment=assignment, student=student, now=now).deadline == assignment.closes_at


def test_a_later_close_lets_the_student_start_after_the_window(assignment, student, section):
    other = EnrollmentFactory(section=section).user
    later = assignment.closes_at + timedelta(hours=2)
    authoring.extension_grant(assignment=assignment, student=student, closes_at=later)
    now = assignment.closes_at + timedelta(minutes=5)
    with pytest.raises(WindowNotOpen):
        quiz_services.attempt_start(assignment=assignment, student=other, now=now)
    attempt = quiz_services.attempt_start(assignment=assignment, student=student, now=now)
    assert attempt.deadline == now + timedelta(minutes=30)


def test_extension_grant_validates(assignment, student, instructor):
    with pytest.raises(ValidationError):
        authoring.extension_grant(assignment=assignment, student=student)
    with pytest.raises(ValidationError):
        authoring.extension_grant(assignment=assignment, student=student, closes_at=assignment.closes_at)
    with pytest.raises(ValidationError, match="not a student"):
        authoring.extension_grant(assignment=assignment, student=instructor, extra_time=timedelta(minutes=5))
    authoring.extension_grant(assignment=assignment, student=student, extra_time=timedelta(minutes=5))
    authoring.extension_grant(assignment=assignment, student=student, extra_time=timedelta(minutes=9))
    assert assignment.extensions.get().extra_time == timedelta(minutes=9)  # replaced, unique per student


def test_batch_job_waits_until_every_extension_has_passed(assignment, student, section):
    later = assignment.closes_at + timedelta(hours=1)
    authoring.extension_grant(assignment=assignment, student=student, closes_at=later)
    after_close = assignment.closes_at + timedelta(minutes=1)
    grading_services.attempts_close_due(now=after_close)
    assert not GradingJob.objects.filter(assignment=assignment, kind="assignment").exists()
    attempt = quiz_services.attempt_start(assignment=assignment, student=student, now=after_close)
    grading_services.attempts_close_due(now=after_close + timedelta(minutes=10))
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert grading_services.attempts_close_due(now=after_close + timedelta(minutes=31)) == (
        1,
        0,
    )  # extension still open
    assert not GradingJob.objects.filter(assignment=assignment, kind="assignment").exists()
    submitted, jobs = grading_services.attempts_close_due(now=later + timedelta(seconds=1))
    assert (submitted, jobs) == (0, 1)


def test_without_extensions_the_batch_job_starts_at_the_close(assignment):
    assert grading_services.attempts_close_due(now=assignment.closes_at + timedelta(seconds=1)) == (0, 1)


def test_extension_page_grants(client, assignment, student, instructor):
    client.force_login(instructor)
    response = client.post(
        reverse("teach:extensions", args=[assignment.pk]), {"student": student.pk, "extra_minutes": "20"}
    )
    assert response.status_code == 302
    assert assignment.extensions.get(student=student).extra_time == timedelta(minutes=20)
    page = client.get(reverse("teach:extensions", args=[assignment.pk]))
    assert reverse("teach:extension_revoke", args=[assignment.pk, student.pk]) in page.content.decode()
    client.post(reverse("teach:extension_revoke", args=[assignment.pk, student.pk]))
    assert not assignment.extensions.exists()


# Monitor ----------------------------------------------------------------------------------------


def test_monitor_counts_and_rows(client, assignment, section, instructor, django_assert_max_num_queries):
    students = [EnrollmentFactory(section=section).user for _ in range(30)]
    question = assignment.quiz.items.get().question
    for i, s in enumerate(students[:20]):
        attempt = quiz_services.attempt_start(assignment=assignment, student=s)
        quiz_services.answer_save(attempt=attempt, question_id=question.pk, response=f"answer {i}")
        if i < 12:
            quiz_services.attempt_submit(attempt=attempt)
    GradingJob.objects.create(kind=GradingJob.Kind.ASSIGNMENT, assignment=assignment, total=12)
    client.force_login(instructor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("teach:monitor", args=[assignment.pk]))
    counts = response.context["monitor"].counts
    assert (counts["not_started"], counts["in_progress"], counts["submitted"]) == (10, 8, 12)
    row = next(r for r in response.context["monitor"].rows if r.student_id == students[15].pk)
    assert row.status == "in_progress" and row.last_saved_at is not None
    with django_assert_max_num_queries(12):
        data = client.get(reverse("teach:monitor_json", args=[assignment.pk])).json()
    assert data["counts"]["submitted"] == 12 and len(data["rows"]) == 30 and data["jobs"][0]["total"] == 12


def test_monitor_and_its_feed_show_job_and_status_labels_in_chinese(client, assignment, section, instructor):
    EnrollmentFactory(section=section)  # a student who has not started
    GradingJob.objects.create(
        kind=GradingJob.Kind.REGRADE,
        status=GradingJob.Status.RUNNING,
        assignment=assignment,
        total=10,
        done=3,
        failed=1,
        started_at=timezone.now(),
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(instructor)
    body = client.get(reverse("teach:monitor", args=[assignment.pk])).content.decode()
    assert '<span class="job-label">答案或评分标准修改后重新评分 #' in body
    assert '<span class="job-status">进行中</span>' in body and "3/10, 1 失败" in body
    assert 'data-field="status">未开始</span>' in body
    assert ">running<" not in body and "regrade #" not in body
    assert 'job.failed + " 失败"' in body  # what the refresh script writes, translated too
    data = client.get(reverse("teach:monitor_json", args=[assignment.pk])).json()
    job = data["jobs"][0]
    assert (job["kind"], job["status"]) == ("regrade", "running")  # raw values kept for scripts and tests
    assert (job["kind_label"], job["status_label"]) == ("答案或评分标准修改后重新评分", "进行中")
    assert (data["rows"][0]["status"], data["rows"][0]["status_label"]) == ("not_started", "未开始")


def test_monitor_feed_labels_follow_the_language(client, assignment, instructor):
    GradingJob.objects.create(kind=GradingJob.Kind.ASSIGNMENT, assignment=assignment, total=4)
    client.force_login(instructor)
    job = client.get(reverse("teach:monitor_json", args=[assignment.pk])).json()["jobs"][0]
    assert (job["kind_label"], job["status_label"]) == ("Grade an assignment when its window closes", "Queued")


# Permissions ------------------------------------------------------------------------------------

ASSIGNMENT_PAGES = [
    "monitor",
    "monitor_json",
    "extensions",
    "review",
    "regrade",
    "analytics",
    "export_gradebook",
    "export_answers",
]


@pytest.mark.parametrize("name", ASSIGNMENT_PAGES)
def test_instructor_of_another_section_gets_404_and_the_sections_students_403(client, assignment, student, name):
    # the section's students see the assignment on their dashboard: refused, not hidden (as in the API)
    outsider = EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user
    for user, status in ((outsider, 404), (student, 403)):
        client.force_login(user)
        assert client.get(reverse(f"teach:{name}", args=[assignment.pk])).status_code == status


@pytest.mark.parametrize("name", ["quiz_new", "assignment_new"])
def test_section_builders_are_404_outside_and_403_for_assistants(client, section, assistant, name):
    client.force_login(EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user)
    assert client.get(reverse(f"teach:{name}", args=[section.pk])).status_code == 404
    client.force_login(assistant)
    assert client.get(reverse(f"teach:{name}", args=[section.pk])).status_code == 403


def test_assistant_cannot_change_the_assignment(client, assignment, assistant, student):
    client.force_login(assistant)
    assert client.get(reverse("teach:monitor", args=[assignment.pk])).status_code == 200
    url = reverse("teach:extensions", args=[assignment.pk])
    assert client.post(url, {"student": student.pk, "extra_minutes": "20"}).status_code == 403
    assert not assignment.extensions.exists()
    authoring.extension_grant(assignment=assignment, student=student, extra_time=timedelta(minutes=5))
    assert client.post(reverse("teach:extension_revoke", args=[assignment.pk, student.pk])).status_code == 403
    assert assignment.extensions.exists()


# --- releasing results -----------------------------------------------------------------------------


@pytest.fixture
def manual_assignment(assignment):
    assignment.release_policy = "manual"
    assignment.save()
    return assignment


def test_instructor_releases_results_of_a_manual_assignment_once(client, manual_assignment, instructor):
    client.force_login(instructor)
    monitor = client.get(reverse("teach:monitor", args=[manual_assignment.pk])).content.decode()
    assert "Release results to students" in monitor

    response = client.post(reverse("teach:release", args=[manual_assignment.pk]), follow=True)
    manual_assignment.refresh_from_db()
    first = manual_assignment.released_at
    assert first is not None and first <= timezone.now()
    body = response.content.decode()
    assert "Results released: students can see their scores and feedback." in body
    assert "Results released to students at" in body and "Release results to students" not in body

    client.post(reverse("teach:release", args=[manual_assignment.pk]))  # twice: the first time stands
    manual_assignment.refresh_from_db()
    assert manual_assignment.released_at == first


def test_releasing_an_assignment_that_releases_by_itself_is_refused(client, assignment, instructor):
    client.force_login(instructor)
    response = client.post(reverse("teach:release", args=[assignment.pk]), follow=True)
    assert "released automatically" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.released_at is None


def test_assistants_cannot_release_and_outsiders_do_not_see_the_assignment(client, manual_assignment, assistant):
    client.force_login(assistant)
    monitor = client.get(reverse("teach:monitor", args=[manual_assignment.pk])).content.decode()
    assert "an instructor releases them" in monitor and "Release results to students" not in monitor
    assert client.post(reverse("teach:release", args=[manual_assignment.pk])).status_code == 403
    client.force_login(EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user)  # another section's instructor
    assert client.post(reverse("teach:release", args=[manual_assignment.pk])).status_code == 404
    manual_assignment.refresh_from_db()
    assert manual_assignment.released_at is None


def test_released_results_reach_the_student(manual_assignment, student):
    attempt = quiz_services.attempt_submit(
        attempt=quiz_services.attempt_start(assignment=manual_assignment, student=student)
    )
    assert not results_released(attempt, timezone.now())
    authoring.results_release(assignment=manual_assignment)
    attempt.assignment.refresh_from_db()
    assert results_released(attempt, timezone.now())


# --- changing an assignment ------------------------------------------------------------------------


def edit_post(assignment, **changes):
    """The settings form as the browser posts it, in the section's time zone (Asia/Shanghai)."""
    data = {
        "title": assignment.title,
        "opens_at": local_input(assignment.opens_at, assignment),
        "closes_at": local_input(assignment.closes_at, assignment),
        "time_limit_minutes": "30",
        "max_attempts": "1",
        "grace_minutes": "2",
        "release_policy": assignment.release_policy,
    }
    return {**data, **changes}


def local_input(moment, assignment) -> str:
    """A datetime-local input's value in the assignment's section time zone."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(assignment.section.time_zone)).strftime("%Y-%m-%dT%H:%M")


def test_instructor_changes_the_window_and_rules_of_an_assignment(client, assignment, instructor):
    client.force_login(instructor)
    page = client.get(reverse("teach:assignment_edit", args=[assignment.pk])).content.decode()
    assert 'name="time_limit_minutes" value="30"' in page and 'name="quiz"' not in page

    later_close = assignment.closes_at + timedelta(days=1)
    data = edit_post(assignment, closes_at=local_input(later_close, assignment), time_limit_minutes="45", title="Moved")
    response = client.post(reverse("teach:assignment_edit", args=[assignment.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("teach:monitor", args=[assignment.pk])
    assignment.refresh_from_db()
    assert assignment.closes_at == later_close.replace(second=0, microsecond=0)
    assert assignment.time_limit == timedelta(minutes=45) and assignment.title == "Moved"


def test_an_impossible_window_is_refused_with_the_reason(client, assignment, instructor):
    client.force_login(instructor)
    before = assignment.closes_at
    data = edit_post(assignment)
    data["closes_at"] = data["opens_at"]
    response = client.post(reverse("teach:assignment_edit", args=[assignment.pk]), data)
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.closes_at == before


def test_only_the_sections_instructors_change_an_assignment(client, assignment, assistant):
    client.force_login(assistant)
    assert client.get(reverse("teach:assignment_edit", args=[assignment.pk])).status_code == 403
    client.force_login(EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user)
    assert client.post(reverse("teach:assignment_edit", args=[assignment.pk]), edit_post(assignment)).status_code == 404
