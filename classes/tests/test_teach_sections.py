"""Instructor workspace: my sections, a new section, enrolment by CSV, assistants, permissions."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.tests.factories import UserFactory
from classes import services
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory, SectionFactory

pytestmark = pytest.mark.django_db

GOOD_CSV = "username,name,email\nzhangwei,张伟,zhangwei@example.com\nlina,李娜,\n"


def upload(client, section, text: str | bytes, name: str = "class.csv"):
    data = text.encode("utf-8-sig") if isinstance(text, str) else text
    return client.post(reverse("teach:enrol", args=[section.pk]), {"file": SimpleUploadedFile(name, data)})


def test_section_list_shows_only_my_sections_with_counts(client, section, instructor, django_assert_max_num_queries):
    other = SectionFactory()
    for _ in range(30):
        EnrollmentFactory(section=section)
    EnrollmentFactory(section=SectionFactory(course=section.course), user=instructor, role=Enrollment.Role.ASSISTANT)
    client.force_login(instructor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("teach:sections"))
    assert response.status_code == 200
    sections = response.context["sections"]
    assert section in sections and other not in sections and len(sections) == 2
    assert next(s for s in sections if s.pk == section.pk).students == 30


def test_instructor_creates_a_section_and_teaches_it(client, section, instructor):
    client.force_login(instructor)
    response = client.post(
        reverse("teach:section_new"),
        {"course": section.course_id, "name": "B2", "term": "2027 Spring", "time_zone": "Asia/Shanghai"},
    )
    assert response.status_code == 302
    new = section.course.sections.get(name="B2")
    assert Enrollment.objects.get(section=new, user=instructor).role == Enrollment.Role.INSTRUCTOR


def test_csv_with_bom_and_chinese_names_creates_accounts_without_password(section):
    existing = UserFactory(username="lina", email="")
    report = services.enrollment_import_csv(section=section, file=GOOD_CSV.encode("utf-8-sig"))
    assert report.ok and report.created == ["zhangwei"] and report.enrolled == ["lina"]
    new = User.objects.get(username="zhangwei")
    assert new.display_name == "张伟" and not new.has_usable_password()
    assert set(Enrollment.objects.filter(section=section).values_list("user__username", flat=True)) == {
        "zhangwei",
        existing.username,
    }


def test_csv_without_bom_is_read_too_and_a_second_import_changes_nothing(section):
    services.enrollment_import_csv(section=section, file=GOOD_CSV.encode())
    report = services.enrollment_import_csv(section=section, file=GOOD_CSV.encode())
    assert report.ok and report.already == ["zhangwei", "lina"] and not report.created
    assert Enrollment.objects.filter(section=section).count() == 2


def test_bad_rows_are_reported_by_number_and_nothing_is_written(section, instructor):
    text = (
        "username,name,email\n"
        "ok1,好,ok1@example.com\n"
        ",无名,a@example.com\n"  # row 3: empty username
        "bad name,坏,b@example.com\n"  # row 4: space in username
        "ok2,好二,not-an-email\n"  # row 5
        "OK1,重复,\n"  # row 6: duplicate of row 2
        f"{instructor.username},老师,\n"  # row 7: staff of the section
    )
    users_before = User.objects.count()
    report = services.enrollment_import_csv(section=section, file=text.encode())
    assert [e.row for e in report.errors] == [3, 4, 5, 6, 7]
    assert "empty" in report.errors[0].message and "not an e-mail" in report.errors[2].message
    assert "row 2" in report.errors[3].message and "staff" in report.errors[4].message
    assert User.objects.count() == users_before
    assert not Enrollment.objects.filter(section=section, role=Enrollment.Role.STUDENT).exists()


def test_missing_columns_and_non_utf8_are_explained(section):
    assert (
        "missing: email"
        in services.enrollment_import_csv(section=section, file=b"username,name\nx,y\n").errors[0].message
    )
    report = services.enrollment_import_csv(section=section, file="username,name,email\nx,张,\n".encode("gb18030"))
    assert report.errors[0].row == 1 and "UTF-8" in report.errors[0].message


def test_upload_page_reports_errors_and_success(client, section, instructor):
    client.force_login(instructor)
    response = upload(client, section, "username,name,email\n,x,\n")
    assert response.status_code == 200 and "Nothing was imported" in response.content.decode()
    response = upload(client, section, GOOD_CSV)
    body = response.content.decode()
    assert "set-password codes" in body and reverse("teach:passwords", args=[section.pk]) in body
    assert Enrollment.objects.filter(section=section, role=Enrollment.Role.STUDENT).count() == 2


def test_instructor_adds_an_assistant(client, section, instructor):
    ta = UserFactory(username="ta1")
    client.force_login(instructor)
    client.post(reverse("teach:assistant_add", args=[section.pk]), {"username": "TA1"})
    assert Enrollment.objects.get(section=section, user=ta).role == Enrollment.Role.ASSISTANT


@pytest.mark.parametrize("name", ["section", "enrol"])
def test_instructor_of_another_section_sees_nothing_and_students_are_refused(client, section, student, name):
    # the section's own students know it exists (as in the API): refused, not hidden
    outsider = EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user
    for user, status in ((outsider, 404), (student, 403)):
        client.force_login(user)
        assert client.get(reverse(f"teach:{name}", args=[section.pk])).status_code == status
        assert client.post(reverse("teach:assistant_add", args=[section.pk]), {"username": "x"}).status_code == status


def test_assistant_sees_the_section_but_cannot_enrol_or_add_assistants(client, section, assistant):
    client.force_login(assistant)
    assert client.get(reverse("teach:section", args=[section.pk])).status_code == 200
    assert upload(client, section, GOOD_CSV).status_code == 403
    assert client.post(reverse("teach:assistant_add", args=[section.pk]), {"username": "x"}).status_code == 403
    assert not Enrollment.objects.filter(section=section, role=Enrollment.Role.STUDENT).exists()


def test_section_page_query_count_is_bounded(client, section, instructor, django_assert_max_num_queries):
    for _ in range(40):
        EnrollmentFactory(section=section)
    client.force_login(instructor)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("teach:section", args=[section.pk])).status_code == 200


def test_header_links_to_the_workspace_for_staff_only(client, section, instructor, student):
    client.force_login(instructor)
    assert reverse("teach:sections") in client.get(reverse("portal:dashboard")).content.decode()
    client.force_login(student)
    assert reverse("teach:sections") not in client.get(reverse("portal:dashboard")).content.decode()
    assert client.get(reverse("teach:sections")).context["sections"] == []


# --- labels, plurals and the Chinese workspace ---------------------------------------------------


def test_my_role_is_a_translated_label_not_the_stored_value(client, section, instructor):
    EnrollmentFactory(section=SectionFactory(course=section.course), user=instructor, role=Enrollment.Role.ASSISTANT)
    client.force_login(instructor)
    body = client.get(reverse("teach:sections")).content.decode()
    assert "<td>Instructor</td>" in body and "<td>Assistant</td>" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get(reverse("teach:sections")).content.decode()
    assert "<td>教师</td>" in body and "<td>助教</td>" in body
    assert "<td>instructor</td>" not in body and "<td>assistant</td>" not in body


def test_a_superuser_not_enrolled_is_shown_as_administrator(client, section):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get(reverse("teach:sections")).content.decode()
    assert "<td>管理员</td>" in body and "<td>admin</td>" not in body


def test_enrolling_one_student_reads_in_the_singular(client, section, instructor):
    client.force_login(instructor)
    UserFactory(username="lina", email="")
    body = upload(client, section, "username,name,email\nlina,李娜,\n").content.decode()
    assert "1 existing account enrolled." in body and "1 existing accounts" not in body
    assert "0 accounts created." in body and "0 accounts were already enrolled." in body
    body = upload(client, section, "username,name,email\nlina,李娜,\nzhangwei,张伟,\n").content.decode()
    assert "1 account created." in body and "1 account was already enrolled." in body
    assert "1 accounts" not in body


def test_staff_row_error_names_the_role_in_the_reader_s_language(section, instructor):
    text = f"username,name,email\n{instructor.username},老师,\n"
    with translation.override("zh-hans"):
        message = services.enrollment_import_csv(section=section, file=text.encode()).errors[0].message
    assert "（教师）" in message
    assert "instructor" not in message


def test_section_name_and_a_person_s_name_are_translated_apart(client, section, instructor):
    client.force_login(instructor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    form = client.get(reverse("teach:section_new")).content.decode()
    assert '<label for="id_name">名称' in form
    roster = client.get(reverse("teach:section", args=[section.pk])).content.decode()
    assert '<th scope="col">姓名</th>' in roster
