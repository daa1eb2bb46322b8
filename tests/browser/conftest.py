"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Chromium comes from Debian (`make test` installs it if missing, scripts/ensure-chromium.sh); Playwright
never downloads a browser here. Every page a test visits is saved under test-artifacts/screenshots/,
and, with UPDATE_SCREENSHOTS=1 (`make screenshots`), a few main pages are copied to docs/screenshots/
for the README, so an ordinary test run never changes tracked files.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# between page actions are ordinary synchronous calls, so Django's async guard is switched off.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
README_SHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "pass-word-123"  # accounts.tests.factories.UserFactory


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium) or apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser tests, never skip them
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_page(browser, viewport):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, timezone_id="Europe/Berlin", locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context, page, errors = _new_page(browser, DESKTOP)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone_page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context, page, errors = _new_page(browser, PHONE)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


class Screenshots:
    """Saves every page a test visits; `readme=` also copies the visible part for the README."""

    def __init__(self, test_name: str) -> None:
        self.folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def take(self, page, name: str, readme: str | None = None) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        if readme and os.environ.get("UPDATE_SCREENSHOTS") == "1":
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(README_SHOTS / f"{readme}.png"))
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


@pytest.fixture
def shots(request) -> Screenshots:  # type: ignore[no-untyped-def]
    return Screenshots(request.node.name)


def _sign_in(page, base_url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def sign_in():  # type: ignore[no-untyped-def]
    """sign_in(page, live_server.url, username): fill the sign-in form and wait for the dashboard."""
    return _sign_in
