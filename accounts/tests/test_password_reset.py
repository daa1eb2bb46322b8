"""Password reset by e-mail: Django's views with our templates, in English and Chinese, also for
accounts enrolled by CSV that have no password yet; limited per client address."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Long-new-passw0rd"


def _ask(client: Client, email: str, **extra: str):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def _link(message: mail.EmailMessage) -> str:
    found = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def _reset(link: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    form_url = client.get(link)["Location"]  # Django swaps the token for a session value
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response["Location"] == reverse("password_reset_complete")
    return client


def test_the_sign_in_page_links_to_the_reset_and_to_the_code_page(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page and reverse("password_setup") in page


def test_a_student_enrolled_by_csv_without_a_password_gets_the_mail_and_sets_one(client):
    student = UserFactory(username="zhangwei", email="zw@example.com")
    student.set_unusable_password()
    student.save()
    response = _ask(client, "ZW@example.com")
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zw@example.com"]
    assert "zhangwei" in mail.outbox[0].body
    _reset(_link(mail.outbox[0]))
    assert User.objects.get(pk=student.pk).check_password(NEW_PASSWORD)


def test_a_reset_link_works_once_and_revokes_the_api_tokens(client):
    person = UserFactory()
    services.token_create(user=person)
    _ask(client, person.email)
    link = _link(mail.outbox[0])
    _reset(link)
    assert not person.api_tokens.exists()
    again = Client().get(link, follow=True)
    assert "does not work any more" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = _ask(client, "nobody@example.com")
    assert response["Location"] == reverse("password_reset_done") and not mail.outbox


def test_the_mail_and_pages_are_in_chinese_for_a_chinese_reader(client):
    person = UserFactory(display_name="张伟")
    client.cookies["django_language"] = "zh-hans"
    _ask(client, person.email)
    assert mail.outbox[0].subject == "设置你的 Classroom 密码"
    assert "张伟，你好" in mail.outbox[0].body
    assert "请查看邮箱" in client.get(reverse("password_reset_done")).content.decode()


def test_reset_requests_from_one_address_are_limited(client, settings):
    settings.ONBOARDING_FAILURE_LIMIT = 3
    person = UserFactory()
    codes = [_ask(client, person.email).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429] and len(mail.outbox) == 3
    assert _ask(Client(REMOTE_ADDR="10.0.0.9"), person.email).status_code == 302


def test_the_embedded_default_prints_mails_on_the_console(settings):
    """A fresh process without EMAIL_BACKEND in its environment: the console backend."""
    code = "import django, os; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"
    env = {"DJANGO_SETTINGS_MODULE": "classroom.settings", "DEBUG": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    assert out.stdout.strip() == "django.core.mail.backends.console.EmailBackend"
