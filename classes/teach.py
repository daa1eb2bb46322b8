"""Gates of the instructor workspace (/teach/): load an object, then ask `classes.policy`.

Thin adapters: the rule decides, with the same refusals as the API (`NotVisible` is a 404: the
person may not even know the object exists; `NotPermitted` a 403: they see it but may not do this),
and the service the view then calls asks the same rule again. A missing object is a 404 too, so a
page never confirms that an object exists.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from quizzes.errors import NotVisible
from quizzes.models import Answer, Assignment

from . import policy
from .models import Section


def _missing() -> NotVisible:
    return NotVisible(_("Not found."))


def section_for(request: HttpRequest, section_id: int, rule: policy.Rule = policy.section_staff_view) -> Section:
    section = Section.objects.select_related("course").filter(pk=section_id).first()
    if section is None:
        raise _missing()
    rule(request.user, section)
    return section


def assignment_for(
    request: HttpRequest, assignment_id: int, rule: policy.Rule = policy.assignment_staff_view
) -> Assignment:
    assignment = Assignment.objects.select_related("quiz", "section__course").filter(pk=assignment_id).first()
    if assignment is None:
        raise _missing()
    rule(request.user, assignment)
    return assignment


def answer_for(request: HttpRequest, answer_id: int, rule: policy.Rule = policy.answer_staff_view) -> Answer:
    answer = (
        Answer.objects.select_related("attempt__assignment__section", "attempt__student", "question__chapter")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None:
        raise _missing()
    rule(request.user, answer)
    return answer
