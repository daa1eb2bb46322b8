"""Deep Linking: an instructor, sent by the LMS to choose content, picks one of the section's
assignments; the answer is a signed LtiDeepLinkingResponse (pylti1p3's `DeepLink`, signed with
the tool's key) that the browser posts back to the LMS's return URL. The content item is a
resource link to our launch URL with the custom parameter `assignment_id`, which the later launch
of the placed activity reads (`services._assignment`), and, when the assignment has points, a
line item, so the LMS makes its gradebook column (Assignment and Grade Services then send to it).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from lti_tool.models import LtiLaunch
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from accounts.models import User
from classes import policy
from classes.models import Section
from quizzes.models import Assignment
from quizzes.selectors import quiz_points

from .models import SectionLink

SESSION_KEY = "lti-deep-linking-launch"  # the deep-linking launch the picker answers (one use)


def section_of(launch: LtiLaunch) -> Section | None:
    link = SectionLink.objects.select_related("section").filter(context=launch.context).first()
    return link.section if link is not None else None


def choices(section: Section, actor: User) -> list[Assignment]:
    policy.section_staff_view(actor, section)
    return list(section.assignments.select_related("quiz").order_by("-opens_at"))


def content_item(request: HttpRequest, assignment: Assignment) -> DeepLinkResource:
    title = assignment.display_title
    item = (
        DeepLinkResource()
        .set_url(request.build_absolute_uri(reverse("lti:launch")))
        .set_title(title)
        .set_custom_params({"assignment_id": str(assignment.pk)})
    )
    points = quiz_points(assignment.quiz)
    if points:
        item.set_lineitem(
            LineItem()
            .set_score_maximum(float(points))
            .set_label(title[:255])
            .set_resource_id(f"assignment-{assignment.pk}")
            .set_tag("classroom")
        )
    return item
