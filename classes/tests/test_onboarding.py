"""Set-password sheets for students without e-mail: issued by the section's staff after a CSV
enrolment, each link and code valid once and until it expires, revocable, rate-limited, audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import UserFactory
from classes import onboarding
from classes.models import Enrollment, PasswordSetup
from classes.tests.factories import EnrollmentFactory, SectionFactory
from common.errors import NotPermitted, NotVisible

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Long-new-passw0rd"
CSV = "username,name,email\nzhangwei,张伟,\nlina,李娜,\n"


@pytest.fixture
def enrolled(client, section, instructor) -> list[User]:
    """Two students enrolled by CSV, without e-mail or password."""
    client.force_login(instructor)
    upload = SimpleUploadedFile("class.csv", CSV.encode("utf-8-sig"))
    assert client.post(reverse("teach:enrol", args=[section.pk]), {"file": upload}).status_code == 200
    return list(User.objects.filter(username__in=["zhangwei", "lina"]).order_by("username"))


def _issue(section, actor, **kwargs) -> dict[str, onboarding.IssuedSetup]:
    return {i.user.username: i for i in onboarding.password_setups_issue(section=section, actor=actor, **kwargs)}


def _choose(client: Client, password: str = NEW_PASSWORD):
    return client.post(reverse("password_setup_choose"), {"new_password1": password, "new_password2": password})


def _sign_in(username: str, password: str = NEW_PASSWORD) -> bool:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_the_enrolment_report_offers_the_sheet_instead_of_a_dead_end(client, section, instructor):
    client.force_login(instructor)
    upload = SimpleUploadedFile("class.csv", CSV.encode("utf-8-sig"))
    page = client.post(reverse("teach:enrol", args=[section.pk]), {"file": upload}).content.decode()
    assert reverse("teach:passwords", args=[section.pk]) in page
    assert "set one via password reset" not in page


def test_the_printable_sheet_lists_each_new_student_with_a_link_and_a_code(client, section, instructor, enrolled):
    response = client.post(reverse("teach:passwords", args=[section.pk]), {"students": "without", "format": "html"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "张伟" in page and "lina" in page
    assert len(re.findall(r"/welcome/link/[\w-]{40,}/", page)) == 2
    assert len(re.findall(r'class="code">[A-Z2-9]{4}-[A-Z2-9]{4}<', page)) == 2
    assert PasswordSetup.objects.filter(section=section, issued_by=instructor).count() == 2


def test_the_csv_sheet_has_a_row_per_student(client, section, instructor, enrolled):
    response = client.post(reverse("teach:passwords", args=[section.pk]), {"students": "without", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "username,name,code,link,code_page,expires"
    assert [line.split(",")[0] for line in lines[1:]] == ["lina", "zhangwei"]
    assert "/welcome/link/" in lines[1] and "http://testserver/welcome/" in lines[1]


def test_a_student_sets_a_password_with_the_link_once(section, instructor, enrolled):
    issued = _issue(section, instructor)["lina"]
    client = Client()
    opened = client.get(reverse("password_setup_link", args=[issued.link_token]))
    assert opened.status_code == 302 and opened["Location"] == reverse("password_setup_choose")  # secret out of the URL
    page = client.get(reverse("password_setup_choose")).content.decode()
    assert "lina" in page
    assert _choose(client)["Location"] == reverse("password_reset_complete")
    assert _sign_in("lina")

    again = Client().get(reverse("password_setup_link", args=[issued.link_token]))
    assert again.status_code == 400 and "already used" in again.content.decode()


def test_a_student_sets_a_password_with_the_typed_code(section, instructor, enrolled):
    issued = _issue(section, instructor)["zhangwei"]
    client = Client()
    typed = issued.code_shown.lower().replace("-", " ")  # case, spaces and dashes do not matter
    response = client.post(reverse("password_setup"), {"code": typed})
    assert response["Location"] == reverse("password_setup_choose")
    _choose(client)
    assert _sign_in("zhangwei")
    setup = PasswordSetup.objects.get(pk=issued.setup.pk)
    assert setup.used_at is not None and setup.used_from == "127.0.0.1" and setup.issued_by == instructor


def test_the_code_and_the_link_are_one_way_in_used_once(section, instructor, enrolled):
    issued = _issue(section, instructor)["lina"]
    client = Client()
    client.post(reverse("password_setup"), {"code": issued.code})
    _choose(client)
    refused = Client().get(reverse("password_setup_link", args=[issued.link_token]))
    assert "already used" in refused.content.decode()


def test_an_expired_code_is_refused(section, instructor, enrolled, settings):
    issued = _issue(
        section, instructor, now=timezone.now() - timedelta(hours=settings.PASSWORD_SETUP_TTL_HOURS, seconds=1)
    )
    response = Client().post(reverse("password_setup"), {"code": issued["lina"].code})
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_a_code_that_expires_between_the_pages_is_refused_at_the_password(section, instructor, enrolled):
    issued = _issue(section, instructor)["lina"]
    client = Client()
    client.post(reverse("password_setup"), {"code": issued.code})
    past = timezone.now() - timedelta(seconds=1)
    PasswordSetup.objects.filter(pk=issued.setup.pk).update(issued_at=past - timedelta(hours=1), expires_at=past)
    response = _choose(client)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not User.objects.get(username="lina").has_usable_password()


def test_a_revoked_code_is_refused_and_the_revocation_is_audited(client, section, instructor, enrolled):
    issued = _issue(section, instructor)
    response = client.post(reverse("teach:passwords_revoke", args=[section.pk]), {"setup": issued["lina"].setup.pk})
    assert response.status_code == 302
    refused = Client().post(reverse("password_setup"), {"code": issued["lina"].code})
    assert "revoked" in refused.content.decode()
    assert PasswordSetup.objects.get(pk=issued["lina"].setup.pk).revoked_by == instructor
    other = Client()  # the other student's code still works
    assert other.post(reverse("password_setup"), {"code": issued["zhangwei"].code}).status_code == 302


def test_revoke_all_closes_every_open_code_of_the_section(client, section, instructor, enrolled):
    issued = _issue(section, instructor)
    client.post(reverse("teach:passwords_revoke", args=[section.pk]))
    for i in issued.values():
        assert Client().post(reverse("password_setup"), {"code": i.code}).status_code == 400


def test_issuing_again_replaces_the_open_codes(section, instructor, enrolled):
    first = _issue(section, instructor)["lina"]
    second = _issue(section, instructor, users=enrolled)["lina"]
    assert "replaced" in Client().post(reverse("password_setup"), {"code": first.code}).content.decode()
    assert Client().post(reverse("password_setup"), {"code": second.code}).status_code == 302


def test_a_password_set_by_a_code_closes_the_other_ways_in_and_revokes_api_tokens(section, instructor, enrolled):
    lina = enrolled[0]
    lina.set_password("old-pass-word-1")
    lina.save()
    account_services.token_create(user=lina)
    setup = _issue(section, instructor, users=[lina])["lina"].setup
    onboarding.password_setup_redeem(setup_id=setup.pk, password=NEW_PASSWORD)
    assert not lina.api_tokens.exists()
    with pytest.raises(onboarding.SetupRefused):
        onboarding.password_setup_redeem(setup_id=setup.pk, password="another-passw0rd-x")


def test_a_new_password_from_a_code_unlocks_a_locked_out_student(section, instructor, enrolled, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": "lina", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="lina").exists()
    setup = _issue(section, instructor)["lina"].setup
    onboarding.password_setup_redeem(setup_id=setup.pk, password=NEW_PASSWORD)
    assert _sign_in("lina")


def test_a_weak_password_is_refused_and_the_code_stays_open(section, instructor, enrolled):
    issued = _issue(section, instructor)["lina"]
    client = Client()
    client.post(reverse("password_setup"), {"code": issued.code})
    response = _choose(client, "123")
    assert response.status_code == 200 and not User.objects.get(username="lina").has_usable_password()
    assert PasswordSetup.objects.get(pk=issued.setup.pk).used_at is None


def test_wrong_codes_from_one_address_are_limited(section, instructor, enrolled, settings):
    settings.ONBOARDING_FAILURE_LIMIT = 3
    issued = _issue(section, instructor)["lina"]
    client = Client()
    codes = [client.post(reverse("password_setup"), {"code": "WRONG-CODE"}).status_code for _ in range(3)]
    assert codes == [400, 400, 400]
    locked = client.post(reverse("password_setup"), {"code": issued.code})  # even the right one, now
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="10.0.0.2").post(reverse("password_setup"), {"code": issued.code}).status_code == 302


def test_right_codes_do_not_count_so_a_class_behind_one_address_gets_in(section, instructor, settings):
    settings.ONBOARDING_FAILURE_LIMIT = 3
    students = [EnrollmentFactory(section=section).user for _ in range(5)]
    issued = _issue(section, instructor, users=students)
    for i in issued.values():
        assert Client().post(reverse("password_setup"), {"code": i.code}).status_code == 302


def test_only_the_staff_of_the_section_issue_and_revoke(section, instructor, assistant, student, enrolled):
    assert _issue(section, assistant)  # assistants hand the sheet out in class
    other_instructor = EnrollmentFactory(section=SectionFactory(course=section.course), role="instructor").user
    with pytest.raises(NotVisible):
        onboarding.password_setups_issue(section=section, actor=other_instructor)
    with pytest.raises(NotPermitted):
        onboarding.password_setups_issue(section=section, actor=student)
    with pytest.raises(NotPermitted):
        onboarding.password_setups_revoke(section=section, actor=student)
    client = Client()
    client.force_login(student)
    assert client.get(reverse("teach:passwords", args=[section.pk])).status_code == 403


def test_codes_are_only_for_students_of_the_section(section, instructor, assistant):
    outsider = UserFactory()
    with pytest.raises(NotPermitted):
        onboarding.password_setups_issue(section=section, actor=instructor, users=[outsider])
    with pytest.raises(NotPermitted):  # not a way into a colleague's account
        onboarding.password_setups_issue(section=section, actor=assistant, users=[instructor])


def test_the_secrets_are_not_stored(section, instructor, enrolled):
    issued = _issue(section, instructor)["lina"]
    row = PasswordSetup.objects.filter(pk=issued.setup.pk).values().get()
    assert issued.code not in str(row) and issued.link_token not in str(row)


def test_the_audit_page_shows_who_issued_and_who_used(client, section, instructor, enrolled):
    issued = _issue(section, instructor)["lina"]
    onboarding.password_setup_redeem(setup_id=issued.setup.pk, password=NEW_PASSWORD, address="10.1.2.3")
    page = client.get(reverse("teach:passwords", args=[section.pk])).content.decode()
    assert "10.1.2.3" in page and str(instructor) in page


def test_students_without_a_password_are_the_default(section, instructor, enrolled):
    EnrollmentFactory(section=section, role=Enrollment.Role.STUDENT)  # has a password already
    assert set(_issue(section, instructor)) == {"lina", "zhangwei"}
