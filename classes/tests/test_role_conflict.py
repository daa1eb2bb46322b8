"""A person cannot be a student and staff of the same course at once, whichever path enrols them:
the service, the API, the workspace pages, the CSV upload, the Django admin (issue 12, item 3).
And a section never loses its last instructor, not even through a role change (item 6)."""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import token_create
from accounts.tests.factories import UserFactory
from classes import services
from classes.errors import RoleConflict
from classes.models import Enrollment, Section
from classes.tests.factories import EnrollmentFactory, SectionFactory
from grading.tests import probes
from grading.tests.processes import database_url

pytestmark = pytest.mark.django_db

Role = Enrollment.Role


@pytest.fixture
def sibling(section) -> Section:
    """Another section of the same course."""
    return SectionFactory(course=section.course)


@pytest.fixture
def student_of_sibling(sibling):
    return EnrollmentFactory(section=sibling, role=Role.STUDENT, user__username="lin").user


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    return client


def roles_of(user) -> set[tuple[int, str]]:
    return set(Enrollment.objects.filter(user=user).values_list("section_id", "role"))


def test_the_service_refuses_a_student_of_another_section_as_assistant(section, instructor, student_of_sibling):
    with pytest.raises(RoleConflict, match=r"lin is a student of .* cannot also be its staff"):
        services.enrollment_add(section=section, user=student_of_sibling, role=Role.ASSISTANT, actor=instructor)
    with pytest.raises(RoleConflict):
        services.assistant_add(section=section, username="lin", actor=instructor)


def test_the_service_refuses_staff_of_another_section_as_student(section, sibling, instructor):
    assistant_elsewhere = EnrollmentFactory(section=sibling, role=Role.ASSISTANT).user
    with pytest.raises(RoleConflict, match="cannot also be its student"):
        services.enrollment_add(section=section, user=assistant_elsewhere, role=Role.STUDENT, actor=instructor)


def test_sections_of_other_courses_do_not_conflict(section, instructor):
    elsewhere = EnrollmentFactory(role=Role.STUDENT).user  # a student of another course
    services.enrollment_add(section=section, user=elsewhere, role=Role.ASSISTANT, actor=instructor)
    assert Enrollment.objects.get(section=section, user=elsewhere).role == Role.ASSISTANT


def test_the_api_refuses_it_with_a_clear_message(section, instructor, student_of_sibling):
    before = roles_of(student_of_sibling)
    response = api(instructor).post(
        f"/api/v1/sections/{section.pk}/enrollments", {"username": "lin", "role": "assistant"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "role_conflict"
    assert "cannot also be its staff" in response.json()["error"]["message"]
    assert roles_of(student_of_sibling) == before


def test_the_workspace_page_refuses_it_with_the_message(client, section, instructor, student_of_sibling):
    client.force_login(instructor)
    page = client.post(reverse("teach:assistant_add", args=[section.pk]), {"username": "lin"}, follow=True)
    assert "cannot also be its staff" in page.content.decode()
    assert not Enrollment.objects.filter(section=section, user=student_of_sibling).exists()


def test_the_csv_upload_lists_the_conflict_by_row_and_enrols_nobody(client, section, sibling, instructor):
    EnrollmentFactory(section=sibling, role=Role.ASSISTANT, user__username="wang")
    data = b"username,name,email\nnew1,New One,\nwang,Wang,\n"
    report = services.enrollment_import_csv(section=section, file=data, actor=instructor)
    assert [(e.row, "cannot also be its student" in e.message) for e in report.errors] == [(3, True)]
    assert not Enrollment.objects.filter(section=section, role=Role.STUDENT).exists()
    client.force_login(instructor)
    upload = SimpleUploadedFile("class.csv", data, content_type="text/csv")
    page = client.post(reverse("teach:enrol", args=[section.pk]), {"file": upload})
    assert "cannot also be its student" in page.content.decode()


def test_the_admin_refuses_it_on_the_enrolment_form(client, section, student_of_sibling):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.post(
        reverse("admin:classes_enrollment_add"),
        {"section": section.pk, "user": student_of_sibling.pk, "role": Role.ASSISTANT},
    )
    assert page.status_code == 200 and "cannot also be its staff" in page.content.decode()
    assert not Enrollment.objects.filter(section=section, user=student_of_sibling).exists()


def test_the_admin_refuses_it_in_the_sections_enrolment_rows(client, section, student_of_sibling):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:classes_section_change", args=[section.pk])
    form = {
        "course": section.course_id,
        "name": section.name,
        "term": section.term,
        "time_zone": section.time_zone,
        "enrollments-TOTAL_FORMS": "1",
        "enrollments-INITIAL_FORMS": "0",
        "enrollments-MIN_NUM_FORMS": "0",
        "enrollments-MAX_NUM_FORMS": "1000",
        "enrollments-0-user": student_of_sibling.pk,
        "enrollments-0-role": Role.ASSISTANT,
        "enrollments-0-section": section.pk,
    }
    page = client.post(url, form)
    assert page.status_code == 200 and "cannot also be its staff" in page.content.decode()
    assert not Enrollment.objects.filter(section=section, user=student_of_sibling).exists()


def _section_form(section, rows):
    data = {
        "course": section.course_id,
        "name": section.name,
        "term": section.term,
        "time_zone": section.time_zone,
        "enrollments-TOTAL_FORMS": str(len(rows)),
        "enrollments-INITIAL_FORMS": str(sum(1 for r in rows if "id" in r)),
        "enrollments-MIN_NUM_FORMS": "0",
        "enrollments-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"enrollments-{i}-{k}": v for k, v in {"section": section.pk, **row}.items()})
    return data


def test_the_admin_saves_enrolment_rows_through_the_service(client, section, instructor):
    # given an admin adding one person and changing another row's person in the section's page
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    newcomer, replacement = UserFactory(), UserFactory()
    kept = Enrollment.objects.get(section=section, user=instructor)
    student_row = EnrollmentFactory(section=section, role=Role.STUDENT)
    rows = [
        {"id": kept.pk, "user": instructor.pk, "role": Role.INSTRUCTOR},
        {"id": student_row.pk, "user": replacement.pk, "role": Role.STUDENT},
        {"user": newcomer.pk, "role": Role.ASSISTANT},
    ]
    response = client.post(reverse("admin:classes_section_change", args=[section.pk]), _section_form(section, rows))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Enrollment.objects.filter(section=section).values_list("user_id", "role")) == {
        (instructor.pk, Role.INSTRUCTOR),
        (replacement.pk, Role.STUDENT),
        (newcomer.pk, Role.ASSISTANT),
    }


def test_the_admin_enrolment_form_enrols_through_the_service(client, section):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    person = UserFactory()
    response = client.post(
        reverse("admin:classes_enrollment_add"), {"section": section.pk, "user": person.pk, "role": Role.ASSISTANT}
    )
    assert response.status_code == 302
    assert roles_of(person) == {(section.pk, Role.ASSISTANT)}


# --- the last instructor ---------------------------------------------------------------------------


def test_enrollment_add_cannot_demote_the_last_instructor(section, instructor):
    with pytest.raises(ValidationError, match="at least one instructor"):
        services.enrollment_add(section=section, user=instructor, role=Role.STUDENT, actor=instructor)
    assert Enrollment.objects.get(section=section, user=instructor).role == Role.INSTRUCTOR


def test_the_api_cannot_demote_the_last_instructor_either(section, instructor):
    response = api(instructor).post(
        f"/api/v1/sections/{section.pk}/enrollments",
        {"username": instructor.username, "role": "assistant"},
        format="json",
    )
    assert response.status_code == 400 and "at least one instructor" in response.json()["error"]["message"]
    assert Enrollment.objects.get(section=section, user=instructor).role == Role.INSTRUCTOR


def test_with_a_second_instructor_the_role_change_goes_through(section, instructor):
    EnrollmentFactory(section=section, role=Role.INSTRUCTOR)
    services.enrollment_add(section=section, user=instructor, role=Role.ASSISTANT, actor=instructor)
    assert Enrollment.objects.get(section=section, user=instructor).role == Role.ASSISTANT


def test_the_admin_cannot_remove_the_last_instructor(client, section, instructor):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    enrollment = Enrollment.objects.get(section=section, user=instructor)
    client.post(reverse("admin:classes_enrollment_delete", args=[enrollment.pk]), {"post": "yes"}, follow=True)
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_enrolments_of_one_person_run_one_after_the_other(section):
    # given another session enrolling the same person as a student of a sibling section, not yet
    # committed (it holds the person's row, as enrollment_add does)
    sibling = SectionFactory(course=section.course)
    person = UserFactory()
    outcome: dict[str, str] = {}

    def make_assistant() -> None:
        try:
            services.enrollment_add(section=section, user=person, role=Role.ASSISTANT)
            outcome["result"] = "enrolled"
        except RoleConflict:
            outcome["result"] = "refused"
        finally:
            connection.close()

    with psycopg.connect(database_url()) as other:
        other.execute("SELECT id FROM accounts_user WHERE id = %s FOR UPDATE", [person.pk])
        worker = threading.Thread(target=make_assistant)
        worker.start()
        # when this enrolment waits for the person's lock, and the other one commits meanwhile
        probes.wait_for_lock_waiters(1, timeout=10)
        other.execute(
            "INSERT INTO classes_enrollment (section_id, user_id, role, created_at) VALUES (%s, %s, 'student', now())",
            [sibling.pk, person.pk],
        )
        other.commit()
    worker.join(timeout=30)

    # then it sees the other enrolment and refuses
    assert outcome == {"result": "refused"}
    assert roles_of(person) == {(sibling.pk, Role.STUDENT)}
