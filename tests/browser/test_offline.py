"""Answers survive the network: the connection drops mid-exam (Playwright's offline mode), the
page says the answers are kept on this device, and nothing typed is lost: it is sent when the
connection returns, or when the page is opened again; a submitted attempt leaves no copy behind."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from common.testing import wait_until
from quizzes.models import Answer, Attempt
from tests.browser.test_student_flow import choice_and_free_text_quiz

KEPT = "Offline: your answers are kept on this device"
WAIT = 30_000  # ms: generous, the retries back off up to 15 s


def _kept(page, attempt: Attempt) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate(f"window.localStorage.getItem('classroom:attempt:{attempt.pk}:unsaved') || ''")


def _start(page, live_server, section, student, sign_in):  # type: ignore[no-untyped-def]
    assignment, _choice, free = choice_and_free_text_quiz(section)
    page.set_default_timeout(WAIT)
    page.goto(live_server.url + "/")
    sign_in(page, live_server.url, student.username)
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/start/")
    page.get_by_role("button", name="Start the attempt").click()
    expect(page.locator("[data-timer-display]")).to_have_text(re.compile(r"\d\d:\d\d:\d\d"), timeout=WAIT)
    return Attempt.objects.get(), free


def _saved(attempt: Attempt, free, text: str) -> bool:  # type: ignore[no-untyped-def]
    return Answer.objects.filter(attempt=attempt, question=free, response=text).exists()


@pytest.mark.usefixtures("transactional_db")
def test_typing_while_offline_is_kept_and_sent_when_the_connection_returns(
    page, live_server, section, student, shots, sign_in
):
    attempt, free = _start(page, live_server, section, student, sign_in)
    answer = page.get_by_label("Your answer", exact=True)
    answer.fill("Typed online.")
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at", timeout=WAIT)

    page.context.set_offline(True)
    answer.fill("Typed online. Then the connection dropped, and this was typed offline.")
    page.get_by_label("BERT").check()
    expect(page.locator("[data-save-status]")).to_have_text(KEPT, timeout=WAIT)
    assert "typed offline" in _kept(page, attempt)
    shots.take(page, "offline", readme="offline")
    assert _saved(attempt, free, "Typed online.")  # the server has the last answer it received

    page.context.set_offline(False)
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at", timeout=WAIT)
    assert wait_until(lambda: _saved(attempt, free, answer.input_value()), 30)
    assert Answer.objects.filter(attempt=attempt).exclude(response=None).count() == 2
    assert _kept(page, attempt) == ""  # the server has everything: nothing left on the device

    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name="Submit now").click()
    page.wait_for_url(f"{live_server.url}/attempts/{attempt.pk}/receipt/")
    assert _kept(page, attempt) == ""


@pytest.mark.usefixtures("transactional_db")
def test_answers_kept_offline_are_put_back_and_sent_when_the_page_is_opened_again(
    page, live_server, section, student, shots, sign_in
):
    attempt, free = _start(page, live_server, section, student, sign_in)
    page.context.set_offline(True)
    page.get_by_label("Your answer", exact=True).fill("Typed offline, then the laptop was closed.")
    expect(page.locator("[data-save-status]")).to_have_text(KEPT, timeout=WAIT)
    context = page.context
    page.close()  # the tab is gone before the connection returns
    assert not _saved(attempt, free, "Typed offline, then the laptop was closed.")

    context.set_offline(False)
    again = context.new_page()
    again.set_default_timeout(WAIT)
    again.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    expect(again.get_by_label("Your answer", exact=True)).to_have_value(
        "Typed offline, then the laptop was closed.", timeout=WAIT
    )
    expect(again.locator("[data-save-status]")).to_contain_text("Saved at", timeout=WAIT)
    assert wait_until(lambda: _saved(attempt, free, "Typed offline, then the laptop was closed."), 30)
    shots.take(again, "restored")


@pytest.mark.usefixtures("transactional_db")
def test_a_copy_older_than_the_servers_answer_is_dropped(page, live_server, section, student, sign_in):
    attempt, free = _start(page, live_server, section, student, sign_in)
    page.evaluate(
        f"""window.localStorage.setItem('classroom:attempt:{attempt.pk}:unsaved',
        JSON.stringify({{"{free.pk}": {{"value": "an old copy", "seq": 1, "at": 1000}}}}))"""
    )
    Answer.objects.create(
        attempt=attempt, question=free, response="newer, from another device", saved_at=attempt.started_at
    )
    page.reload()
    expect(page.get_by_label("Your answer", exact=True)).to_have_value("newer, from another device", timeout=WAIT)
    assert _kept(page, attempt) == ""
