"""A student's whole path in a real browser: sign in, start, answer, reload, submit, receipt, result.

The grading is done by a real Celery worker on Redis; the data lives in PostgreSQL (`make test`).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bank.models import AcceptedAnswer, QuestionKind, RubricPoint
from bank.tests.factories import QuestionFactory, single_choice_question
from common.testing import wait_until
from grading.models import Grade
from quizzes.models import Answer, Assignment, Attempt
from quizzes.models.quiz import ReleasePolicy
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.worker

FREE_TEXT_ANSWER = "It learns a compact representation of the input: 学习输入数据的紧凑表示。"


def choice_and_free_text_quiz(section, *, language: str = "en", **fields):  # type: ignore[no-untyped-def]
    # Names as a real class has them, for the screenshots.
    section.course.title = "深度学习 Deep Learning"
    section.course.save()
    section.name = "Deep Learning"
    section.save()
    for enrollment in section.enrollments.select_related("user"):
        enrollment.user.display_name = "李芳"
        enrollment.user.save(update_fields=["display_name"])
    assignment = AssignmentFactory(
        section=section,
        quiz__course=section.course,
        title="Autoencoders",
        release_policy=ReleasePolicy.AFTER_GRADING,
        **fields,
    )
    choice = single_choice_question(chapter__course=section.course, language=language)
    free = QuestionFactory(
        chapter=choice.chapter,
        number=99,
        language=language,
        prompt="What is the aim of using an **autoencoder** to get an embedding?",
        reference_answer="To learn a compact and meaningful representation of the input data.",
    )
    RubricPoint.objects.create(question=free, text="learns a compact representation of the input", keywords=["compact"])
    QuizItemFactory(quiz=assignment.quiz, position=1, question=choice)
    QuizItemFactory(quiz=assignment.quiz, position=2, question=free)
    return assignment, choice, free


def answer_reload_submit(page, live_server, shots, labels, *, readme: bool) -> Attempt:  # type: ignore[no-untyped-def]
    """From the dashboard: start, answer both questions, reload, submit; returns the attempt."""
    page.get_by_role("link", name=re.compile(labels["start"])).first.click()
    expect(page.get_by_role("heading", name=labels["rules"])).to_be_visible()
    shots.take(page, "start")
    page.get_by_role("button", name=labels["start_attempt"]).click()
    expect(page.locator("[data-timer-display]")).to_have_text(re.compile(r"\d\d:\d\d:\d\d"))

    page.get_by_label("BERT").check()
    page.get_by_label(labels["your_answer"], exact=True).fill(FREE_TEXT_ANSWER)
    expect(page.locator("[data-save-status]")).to_contain_text(labels["saved"], timeout=10_000)
    attempt = Attempt.objects.get()
    assert wait_until(lambda: Answer.objects.filter(attempt=attempt).exclude(response=None).count() == 2, 10)
    shots.take(page, "attempt-answered", readme="attempt" if readme else None)

    page.reload()
    expect(page.get_by_label("BERT")).to_be_checked()
    expect(page.get_by_label(labels["your_answer"], exact=True)).to_have_value(FREE_TEXT_ANSWER)
    shots.take(page, "attempt-reloaded")

    page.get_by_role("button", name=labels["review"]).click()
    expect(page.get_by_text(labels["all_answered"])).to_be_visible()
    shots.take(page, "confirm")
    page.get_by_role("button", name=labels["submit_now"]).click()
    page.wait_for_url(f"{live_server.url}/attempts/{attempt.pk}/receipt/")
    expect(page.locator("h1")).to_contain_text(labels["submitted"])
    expect(page.locator(".receipt")).to_contain_text(f"#{attempt.pk}")
    shots.take(page, "receipt", readme="receipt" if readme else None)
    return attempt


def see_result(page, shots, attempt, choice, free, labels, readme: str | None) -> None:  # type: ignore[no-untyped-def]
    """Wait for the worker's grades, then open the released result and check what it shows: while
    the class can still answer, the score but nothing that reveals the key; after the close, all."""
    assert wait_until(
        lambda: Grade.objects.filter(answer__attempt=attempt, is_current=True).count() == 2, timeout=90
    ), "the worker did not grade the attempt in time"
    page.reload()
    page.get_by_role("link", name=labels["see_result"]).click()
    expect(page.locator(".big-score")).to_be_visible()
    expect(page.locator(".score-summary .key-hidden")).to_be_visible()
    expect(page.locator(f"#question-{choice.pk} .feedback")).to_have_count(0)
    expect(page.locator(f"#question-{choice.pk} .score-pill")).not_to_contain_text("2 / 2")
    assert "compact and meaningful representation" not in page.content()  # the reference answer waits
    shots.take(page, "result-while-the-class-answers")

    now = timezone.now()  # the window closes: nobody can answer any more
    Assignment.objects.filter(pk=attempt.assignment_id).update(
        opens_at=now - timedelta(hours=1), closes_at=now - timedelta(seconds=1), grace_period=timedelta(0)
    )
    page.reload()
    expect(page.locator(".key-hidden")).to_have_count(0)
    expect(page.locator(f"#question-{choice.pk} .feedback")).to_contain_text(labels["correct"])
    expect(page.locator(f"#question-{choice.pk} .score-pill")).to_contain_text("2 / 2")
    free_grade = Grade.objects.get(answer__attempt=attempt, answer__question=free, is_current=True)
    free_card = page.locator(f"#question-{free.pk}")
    if free_grade.score is None:
        expect(free_card).to_contain_text(labels["waiting"])
    elif free_grade.details.get("key_points"):
        expect(free_card.locator(".key-points li")).to_have_count(len(free_grade.details["key_points"]))
    shots.take(page, "result", readme=readme)


ENGLISH = {
    "start": r"^Start",
    "rules": "Before you start",
    "start_attempt": "Start the attempt",
    "your_answer": "Your answer",
    "saved": "Saved at",
    "review": "Review and submit",
    "all_answered": "Every question has an answer.",
    "submit_now": "Submit now",
    "submitted": "Submitted",
    "see_result": "See your result",
    "correct": "Correct.",
    "waiting": "Waiting for a person to grade it.",
}
CHINESE = {
    "start": r"^开始",
    "rules": "开始之前",
    "start_attempt": "开始作答",
    "your_answer": "你的答案",
    "saved": "已于",
    "review": "检查并提交",
    "all_answered": "所有题目都已作答。",
    "submit_now": "立即提交",
    "submitted": "已提交",
    "see_result": "查看成绩",
    "correct": "正确。",
    "waiting": "等待人工评分。",
}


def test_student_answers_reloads_submits_and_sees_the_graded_result(
    page, live_server, celery_worker, section, student, shots, sign_in
):
    _assignment, choice, free = choice_and_free_text_quiz(section)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shots.take(page, "login")
    sign_in(page, live_server.url, student.username)
    card = page.locator("article.assignment", has_text="Autoencoders")
    expect(card).to_contain_text("30 minutes")
    expect(card).to_contain_text("Europe/Berlin")  # the browser's own zone, next to the class's
    expect(card.locator("[data-countdown]")).to_have_text(re.compile(r"00:\d\d:\d\d"))
    shots.take(page, "dashboard", readme="dashboard")

    attempt = answer_reload_submit(page, live_server, shots, ENGLISH, readme=True)
    see_result(page, shots, attempt, choice, free, ENGLISH, readme="result")


def test_deadline_passing_while_the_page_is_open_submits_with_the_saved_answers(
    phone_page, live_server, transactional_db, section, student, shots, sign_in
):
    page = phone_page
    assignment, _choice, free = choice_and_free_text_quiz(section, time_limit=timedelta(seconds=7))
    page.goto(live_server.url + "/")
    shots.take(page, "login")
    sign_in(page, live_server.url, student.username)
    shots.take(page, "dashboard")
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/start/")
    shots.take(page, "start")
    page.get_by_role("button", name="Start the attempt").click()
    attempt = Attempt.objects.get()
    page.get_by_label("Your answer", exact=True).fill("saved before the deadline")
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at")
    expect(page.locator("[data-announce]")).to_have_text(re.compile("1 minute left"))  # polite warning
    expect(page.locator(".attempt-bar")).to_have_class(re.compile("danger"))
    shots.take(page, "attempt-last-seconds", readme="attempt-phone")

    page.wait_for_url(f"{live_server.url}/attempts/{attempt.pk}/receipt/", timeout=20_000)  # the page submits
    attempt.refresh_from_db()
    assert attempt.status in (Attempt.Status.AUTO_SUBMITTED, Attempt.Status.SUBMITTED)
    if attempt.status == Attempt.Status.AUTO_SUBMITTED:
        expect(page.locator(".messages")).to_contain_text("deadline")
    assert Answer.objects.get(attempt=attempt, question=free).response == "saved before the deadline"
    expect(page.locator(".receipt")).to_contain_text("1 of 2")
    shots.take(page, "receipt-after-deadline")


def test_the_same_path_in_chinese(page, live_server, celery_worker, section, student, shots, sign_in):
    _assignment, choice, free = choice_and_free_text_quiz(section, language="zh")
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="简体中文").click()  # the switch on every page, here on sign-in
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    shots.take(page, "login-zh")
    sign_in(page, live_server.url, student.username)
    expect(page.get_by_role("heading", name="我的作业")).to_be_visible()
    expect(page.locator("article.assignment", has_text="Autoencoders")).to_contain_text("30 分钟")
    shots.take(page, "dashboard-zh", readme="dashboard-zh")

    attempt = answer_reload_submit(page, live_server, shots, CHINESE, readme=False)
    see_result(page, shots, attempt, choice, free, CHINESE, readme=None)
    expect(page.locator(".big-score")).to_contain_text("总分")


def test_without_javascript_answering_and_submitting_still_work(
    browser, live_server, transactional_db, section, student, shots
):
    assignment, choice, _free = choice_and_free_text_quiz(section)
    listing = QuestionFactory(
        chapter=choice.chapter, number=100, kind=QuestionKind.ENUMERATION, prompt="List two defenses.", min_items=2
    )
    AcceptedAnswer.objects.create(question=listing, text="Filter")
    QuizItemFactory(quiz=assignment.quiz, position=3, question=listing)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    shots.take(page, "login")
    page.fill("#id_username", student.username)
    page.fill("#id_password", "pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    shots.take(page, "dashboard")
    page.get_by_role("link", name=re.compile("^Start")).first.click()
    shots.take(page, "start")
    page.get_by_role("button", name="Start the attempt").click()
    shots.take(page, "attempt")
    page.get_by_label("BERT").check()
    page.get_by_label("Your list, one item per line").fill("Filter\nImage compression")  # the no-JS list
    page.get_by_role("button", name="Save answers").click()
    expect(page.locator(".messages")).to_contain_text("Saved at")
    expect(page.get_by_label("Your list, one item per line")).to_have_value("Filter\nImage compression")
    shots.take(page, "attempt-saved")
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_text("1 question is not answered")).to_be_visible()
    shots.take(page, "confirm")
    page.get_by_role("button", name="Submit now").click()
    expect(page.locator(".receipt")).to_contain_text("2 of 3")
    shots.take(page, "receipt")
    attempt = Attempt.objects.get()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert Answer.objects.get(attempt=attempt, question=listing).response == ["Filter", "Image compression"]
    context.close()


def test_the_whole_path_works_by_keyboard(page, live_server, transactional_db, section, student, shots):
    assignment, choice, _free = choice_and_free_text_quiz(section)
    listing = QuestionFactory(
        chapter=choice.chapter, number=100, kind=QuestionKind.ENUMERATION, prompt="List two defenses.", min_items=0
    )
    AcceptedAnswer.objects.create(question=listing, text="Filter")
    QuizItemFactory(quiz=assignment.quiz, position=3, question=listing)

    def tab_to(matches: str, limit: int = 40) -> None:
        """Press Tab until the focused element matches the JS predicate; it must show a focus ring."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(el => {matches})(document.activeElement)"):
                outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
                assert outline != "none", "the focused control has no visible focus ring"
                return
        raise AssertionError(f"Tab never reached {matches}")

    def enter_and_wait(arrives_at: str) -> None:
        with page.expect_navigation():
            page.keyboard.press("Enter")
        shots.take(page, arrives_at)

    page.goto(live_server.url + "/")
    shots.take(page, "login")
    page.keyboard.type(student.username)  # the username field has the focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type("pass-word-123")
    enter_and_wait("dashboard")
    tab_to("el.textContent.trim().startsWith('Start')")
    enter_and_wait("start")
    tab_to("el.textContent.trim() === 'Start the attempt'")
    enter_and_wait("attempt")
    tab_to("el.type === 'radio'")
    page.keyboard.press("Space")
    tab_to("el.tagName === 'TEXTAREA'")
    page.keyboard.type("Compact codes.")
    tab_to("el.closest('.enum-items') && el.tagName === 'INPUT'")
    page.keyboard.type("Filter")
    page.keyboard.press("Enter")  # adds the next item and moves there
    page.keyboard.type("Compression")
    expect(page.locator(".enum-items input")).to_have_count(2)
    tab_to("el.textContent.trim() === 'Review and submit'")
    enter_and_wait("confirm")
    tab_to("el.textContent.trim() === 'Submit now'")
    enter_and_wait("receipt")
    expect(page.locator(".receipt")).to_contain_text("3 of 3")
    attempt = Attempt.objects.get()
    stored = {a.question_id: a.response for a in attempt.answers.all()}
    assert stored[listing.pk] == ["Filter", "Compression"] and stored[choice.pk] is not None
