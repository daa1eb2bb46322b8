"""Languages (English, Simplified Chinese) and the person's account: sign-in, password, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings as django_settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from quizzes import services
from quizzes.models import Attempt
from quizzes.tests.factories import AssignmentFactory
from quizzes.tests.portal_data import every_kind_assignment

pytestmark = pytest.mark.django_db

CATALOG = Path(django_settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COOKIE = django_settings.LANGUAGE_COOKIE_NAME


def test_switching_language_sets_the_cookie_and_remembers_it_on_the_account(client, student):
    client.force_login(student)
    response = client.post(reverse("language_set"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies[COOKIE].value == "zh-hans"
    student.refresh_from_db()
    assert student.language == "zh-hans"
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert '<html lang="zh-hans">' in body and "我的作业" in body and "我的班级" in body


def test_language_switch_refuses_an_unsafe_next(client, student):
    client.force_login(student)
    response = client.post(reverse("language_set"), {"language": "zh-hans", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_signing_in_applies_the_language_stored_on_the_account(client):
    UserFactory(username="li", language="zh-hans")
    response = client.post(reverse("login"), {"username": "li", "password": "pass-word-123"})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "zh-hans"


def test_a_language_chosen_before_signing_in_is_kept_and_stored(client):
    user = UserFactory(username="wang", language="en")
    client.cookies[COOKIE] = "zh-hans"
    assert "登录" in client.get(reverse("login")).content.decode()
    client.post(reverse("login"), {"username": "wang", "password": "pass-word-123"})
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_every_page_offers_the_language_switch(client, section, student):
    assignment = every_kind_assignment(section)
    attempt = services.attempt_start(assignment=assignment, student=student)

    def assert_switch(url: str) -> None:
        body = client.get(url).content.decode()
        assert f'action="{reverse("language_set")}"' in body and 'value="zh-hans"' in body, url

    assert_switch(reverse("login"))
    client.force_login(student)
    for url in (
        reverse("portal:dashboard"),
        reverse("portal:assignment_start", args=[assignment.pk]),
        reverse("portal:attempt", args=[attempt.pk]),
        reverse("portal:submit", args=[attempt.pk]),
        reverse("preferences"),
        reverse("password_change"),
    ):
        assert_switch(url)
    services.attempt_submit(attempt=attempt)
    assert_switch(reverse("portal:receipt", args=[attempt.pk]))


def test_pages_dates_and_service_errors_in_chinese(client, section, student):
    opens = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assignment = every_kind_assignment(section, opens_at=opens, closes_at=opens + timedelta(days=3650))
    client.cookies[COOKIE] = "zh-hans"
    client.force_login(student)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "正在开放" in body and "作答窗口（班级时间）" in body
    assert "2026年3月1日" in body and "09:00" in body  # localised date, in the class's zone
    attempt = services.attempt_start(assignment=assignment, student=student)
    page = client.get(reverse("portal:attempt", args=[attempt.pk])).content.decode()
    assert "剩余时间" in page and "你的答案" in page and "检查并提交" in page and "对</span>" in page
    services.attempt_submit(attempt=attempt)
    refused = client.post(reverse("portal:assignment_start", args=[assignment.pk]), follow=True)
    assert "你已用完该作业允许的全部 1 次作答机会。" in refused.content.decode()
    assert Attempt.objects.count() == 1


def test_password_change_keeps_the_person_signed_in(client, student):
    client.force_login(student)
    page = client.get(reverse("password_change")).content.decode()
    assert 'for="id_old_password"' in page and 'for="id_new_password1"' in page
    response = client.post(
        reverse("password_change"),
        {"old_password": "pass-word-123", "new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"},
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    assert client.get(reverse("portal:dashboard")).status_code == 200
    student.refresh_from_db()
    assert student.check_password("a-new-Secret-42")


def test_wrong_old_password_is_explained_next_to_the_field(client, student):
    client.force_login(student)
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"},
    )
    assert response.status_code == 200 and 'class="field-error"' in response.content.decode()


def test_settings_store_language_and_time_zone(client, student):
    client.force_login(student)
    response = client.post(reverse("preferences"), {"language": "zh-hans", "time_zone": "Europe/Berlin"})
    assert response.status_code == 302 and response.cookies[COOKIE].value == "zh-hans"
    student.refresh_from_db()
    assert (student.language, student.time_zone) == ("zh-hans", "Europe/Berlin")
    bad = client.post(reverse("preferences"), {"language": "fr", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200 and bad.content.decode().count('class="field-error"') == 2


def test_login_page_is_labelled_and_explains_a_wrong_password(client):
    UserFactory(username="zhao")
    page = client.post(reverse("login"), {"username": "zhao", "password": "wrong"}).content.decode()
    assert 'for="id_username"' in page and 'for="id_password"' in page
    assert "Please enter a correct username and password" in page


def test_upcoming_assignment_start_page_in_chinese(client, section, student):
    later = datetime.now(UTC) + timedelta(days=2)
    assignment = AssignmentFactory(
        section=section, quiz__course=section.course, opens_at=later, closes_at=later + timedelta(days=1)
    )
    client.cookies[COOKIE] = "zh-hans"
    client.force_login(student)
    assert "该作业尚未开放。" in client.get(reverse("portal:assignment_start", args=[assignment.pk])).content.decode()


# --- the catalog itself -------------------------------------------------------------------------------


def test_catalog_translates_every_portal_string_and_compiles_with_babel():
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    portal_sources = (
        "templates/base.html",
        "templates/portal/",
        "templates/registration/",
        "templates/accounts/",
        "templates/includes/",
        "quizzes/views/",
        "quizzes/templatetags/portal.py",
        "accounts/",
        "quizzes/services.py",
        "quizzes/responses.py",
    )
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and any(path.startswith(portal_sources) for path, _line in message.locations)
        and not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert untranslated == []
    problems = [(m.id, errors) for m, errors in catalog.check() if errors]
    assert problems == []  # placeholders (%(name)s) agree between English and Chinese
    write_mo(BytesIO(), catalog)
