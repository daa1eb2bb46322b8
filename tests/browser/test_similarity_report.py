"""The similarity report in a real browser: an instructor asks for it, a real worker computes it
with the engine's embedder while the page shows its progress, and the copying pair appears with
the evidence side by side (docs/screenshots/similarity-report.png with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from playwright.sync_api import expect

from grading.tests.similarity_data import similarity_class


def test_an_instructor_computes_the_report_and_sees_the_copying_pair(
    page, live_server, celery_worker, section, shots, sign_in
):
    copying = similarity_class(section)
    first, second = copying.student(10), copying.student(11)
    page.goto(live_server.url + "/")
    sign_in(page, live_server.url, copying.instructor.username)

    page.goto(f"{live_server.url}/teach/assignments/{copying.assignment.pk}/")
    page.get_by_role("link", name="Similarity").click()
    expect(page.locator("#similarity-status")).to_contain_text("No report yet")
    page.get_by_role("button", name="Compute now").click()
    expect(page.locator("#similarity-status")).to_contain_text("this page refreshes every 5 seconds")
    shots.take(page, "similarity-computing")

    pair = page.locator("#pair-1")
    expect(pair).to_be_visible(timeout=300_000)  # the page reloads itself until the worker is done
    expect(page.locator("#similarity-status")).to_contain_text("1 pair flagged")
    expect(pair).to_contain_text(first.username)
    expect(pair).to_contain_text(second.username)
    expect(pair.locator("tbody tr")).to_have_count(3)
    expect(pair).to_contain_text("same wording")
    expect(page.locator("#pair-2")).to_have_count(0)  # the reference-like answers are not flagged
    page.locator("#pair-1").scroll_into_view_if_needed()
    shots.take(page, "similarity-report", readme="similarity-report")
