"""Deep Linking against the platform simulator: an instructor sent by the LMS picks an assignment;
the signed response reaches the LMS (checked against the tool's key set) with a resource link and
a line item; a later launch of the placed activity opens the assignment and sends scores there."""

from __future__ import annotations

import re

import pytest
import requests
from django.test import Client
from django.urls import reverse

from lti.models import AssignmentLink

from .conftest import LAUNCH_URL, launch
from .lms_class import lms_class
from .platform import Platform

pytestmark = pytest.mark.django_db


def deep_linking(platform: Platform, role: str = "instructor", sub: str = "teacher-1"):
    client = Client()
    response, _form = launch(client, platform, role=role, sub=sub, **platform.deep_linking_claims())
    return client, response


def post_back(html: str) -> requests.Response:
    """What the browser does with the auto-submitting form: post the JWT to the LMS."""
    action = re.search(r'action="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    return requests.post(action, data={"JWT": token}, timeout=10)


def test_an_instructor_places_an_assignment_and_a_later_launch_opens_it(trusting):
    cls = lms_class(trusting)
    client, response = deep_linking(trusting)
    assert response.status_code == 302 and response["Location"] == reverse("lti:deep_link")
    picker = client.get(response["Location"]).content.decode()
    assert cls.assignment.display_title in picker

    answer = client.post(reverse("lti:deep_link"), {"assignment": str(cls.assignment.pk)})
    assert answer.status_code == 200
    placed = post_back(answer.content.decode())
    assert placed.status_code == 200, placed.text  # the LMS verified the signature and the request
    (item,) = [p["item"] for p in trusting.placed]
    assert item["type"] == "ltiResourceLink" and item["url"] == LAUNCH_URL
    assert item["custom"] == {"assignment_id": str(cls.assignment.pk)} and item["title"] == cls.assignment.display_title
    assert item["lineItem"]["scoreMaximum"] == 2.0

    student = Client()
    launched, _form = launch(
        student, trusting, role="student", sub="student-1", **trusting.placed_launch_claims(trusting.placed[0])
    )
    assert launched["Location"] == reverse("portal:assignment_start", args=[cls.assignment.pk])
    link = AssignmentLink.objects.get(resource_link__id_on_platform="placed-1")
    assert link.assignment == cls.assignment and link.lineitem_url == trusting.placed[0]["lineitem"]


def test_the_choice_is_made_once(trusting):
    cls = lms_class(trusting)
    client, _response = deep_linking(trusting)
    client.post(reverse("lti:deep_link"), {"assignment": str(cls.assignment.pk)})
    again = client.post(reverse("lti:deep_link"), {"assignment": str(cls.assignment.pk)})
    assert again.status_code == 400 and "expired or was already made" in again.content.decode()


def test_a_student_cannot_place_content(trusting):
    lms_class(trusting)
    _client, response = deep_linking(trusting, role="student", sub="student-1")
    assert response.status_code == 403 and "choose what to place" in response.content.decode()


def test_the_picker_opened_without_the_lms_says_so(trusting, instructor):
    client = Client()
    client.force_login(instructor)
    page = client.get(reverse("lti:deep_link"))
    assert page.status_code == 400 and "expired or was already made" in page.content.decode()


def test_a_response_signed_with_another_key_is_refused_by_the_lms(trusting):
    cls = lms_class(trusting)
    client, _response = deep_linking(trusting)
    answer = client.post(reverse("lti:deep_link"), {"assignment": str(cls.assignment.pk)})
    trusting.tool_keyset = {"keys": []}
    assert post_back(answer.content.decode()).status_code == 400 and not trusting.placed
