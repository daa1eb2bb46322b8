"""Gates of the instructor workspace for assignments and answers: load the object a URL names,
then ask `classes.policy` (`classes.policy.load`: a missing object is a 404 too). The grading pages
use them as well."""

from __future__ import annotations

from django.http import HttpRequest

from classes import policy

from .models import Answer, Assignment


def assignment_for(
    request: HttpRequest, assignment_id: int, rule: policy.Rule = policy.assignment_staff_view
) -> Assignment:
    return policy.load(Assignment.objects.select_related("quiz", "section__course"), assignment_id, rule, request.user)


def answer_for(request: HttpRequest, answer_id: int, rule: policy.Rule = policy.answer_staff_view) -> Answer:
    answers = Answer.objects.select_related("attempt__assignment__section", "attempt__student", "question__chapter")
    return policy.load(answers, answer_id, rule, request.user)
