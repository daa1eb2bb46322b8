"""Where the API used to disagree with the pages (issue 12, item 6): now both ask one policy."""

from __future__ import annotations

from classes.models import Enrollment
from grading.models import GradingJob
from quizzes.models import Quiz

from .conftest import World


def test_an_assistant_cannot_apply_a_regrade(world: World) -> None:
    url = f"/api/v1/assignments/{world.assignment.pk}/regrade/{world.text_q.pk}"
    assert world.client("assistant").get(url).status_code == 200  # the dry run is theirs
    refused = world.client("assistant").post(url)
    assert refused.status_code == 403 and "instructors" in refused.json()["error"]["message"]
    assert not GradingJob.objects.filter(kind=GradingJob.Kind.REGRADE).exists()


def test_an_assistant_cannot_build_a_quiz(world: World) -> None:
    body = {"course": world.section.course_id, "title": "By the TA", "items": [{"question": world.choice_q.pk}]}
    refused = world.client("assistant").post("/api/v1/quizzes", body, format="json")
    assert refused.status_code == 403
    assert not Quiz.objects.filter(title="By the TA").exists()


def test_an_instructor_of_the_course_opens_a_section_and_teaches_it(world: World) -> None:
    body = {"course": world.section.course_id, "name": "Evening class", "term": "2027", "time_zone": "UTC"}
    response = world.client("instructor").post("/api/v1/sections", body, format="json")
    assert response.status_code == 201 and response.json()["my_role"] == "instructor"
    enrollment = Enrollment.objects.get(section_id=response.json()["id"])
    assert (enrollment.user, enrollment.role) == (world.users["instructor"], Enrollment.Role.INSTRUCTOR)


def test_an_assistant_cannot_open_a_section(world: World) -> None:
    body = {"course": world.section.course_id, "name": "Shadow class", "term": "2027", "time_zone": "UTC"}
    assert world.client("assistant").post("/api/v1/sections", body, format="json").status_code == 403
