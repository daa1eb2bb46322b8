"""A shuffled assignment in a real browser: the student's own order of questions and options,
the same after a reload, and the answers saved against the right question whatever the order."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from common.testing import wait_until
from quizzes.models import Answer, Attempt
from quizzes.tests.portal_data import many_questions_assignment


def _shown(page) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """The question cards' ids and their legends' numbers, top to bottom."""
    cards = page.locator("fieldset.question")
    return cards.evaluate_all("cards => cards.map(c => c.id)"), page.locator(
        "fieldset.question .qnum"
    ).all_inner_texts()


def test_a_shuffled_attempt_keeps_its_order_on_reload_and_saves_to_the_right_question(
    page, live_server, transactional_db, section, student, shots, sign_in
):
    assignment = many_questions_assignment(section, count=6, shuffle_questions=True, shuffle_choices=True)
    page.goto(live_server.url + "/")
    sign_in(page, live_server.url, student.username)
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/start/")
    page.get_by_role("button", name="Start the attempt").click()
    expect(page.locator("[data-timer-display]")).to_have_text(re.compile(r"\d\d:\d\d:\d\d"))
    attempt = Attempt.objects.get()
    frozen = sorted(attempt.attempt_questions.select_related("question"), key=lambda aq: aq.shown_number)

    ids, numbers = _shown(page)
    assert ids == [f"question-{aq.question_id}" for aq in frozen]
    assert numbers == [f"Question {n}" for n in range(1, 7)]  # numbered in the student's own order
    assert [aq.position for aq in frozen] != [1, 2, 3, 4, 5, 6]
    choice_card = next(aq for aq in frozen if aq.choice_order)
    options = page.locator(f"#question-{choice_card.question_id} input[type=radio]")
    assert [int(v) for v in options.evaluate_all("inputs => inputs.map(i => i.value)")] == choice_card.choice_order
    options.first.check()
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at", timeout=10_000)
    shots.take(page, "shuffled")

    page.reload()
    assert _shown(page) == (ids, numbers)
    expect(page.locator(f"#question-{choice_card.question_id} input[type=radio]").first).to_be_checked()
    assert wait_until(
        lambda: (
            Answer.objects.get(attempt=attempt, question_id=choice_card.question_id).response
            == str(choice_card.choice_order[0])
        ),
        10,
    )
    shots.take(page, "shuffled-reloaded")
