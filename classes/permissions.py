"""Who may call what in the REST API: thin adapters of `classes.policy`, the one place that decides.

- The scopes (what a person may list) are the policy's querysets.
- `load(queryset, pk, rule, actor)` fetches the object a URL names and asks a rule; `allows(rule)`
  is the same as a DRF permission class, checked by `get_object()`.
- The services ask the same rules again, so an endpoint that forgot its check still refuses.

Statuses (docs/api.md, docs/security.md): what a person may not even see is 404 (`NotVisible`),
what they see but may not do is 403 (`NotPermitted`); anonymous callers get 401 from DRF first.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework import permissions
from rest_framework.request import Request

from accounts.models import User
from bank.models import Course
from classes import policy
from classes.models import Section

M = TypeVar("M", bound=Model)


def visible_sections(user: User) -> QuerySet[Section]:
    return policy.sections_visible(user)


def staff_sections(user: User) -> QuerySet[Section]:
    return policy.sections_staffed(user)


def visible_courses(user: User) -> QuerySet[Course]:
    return policy.courses_visible(user)


def key_courses(user: User) -> QuerySet[Course]:
    """Courses whose answer keys, rubrics and quizzes the user sees (`policy.courses_with_keys`)."""
    return policy.courses_with_keys(user)


load = policy.load  # the one loader: fetch the object a URL names and ask a rule


def allows(rule: policy.Rule) -> type[permissions.BasePermission]:
    """A DRF permission class asking `rule` about the view's object (its refusal is raised as is:
    the API's exception handler turns NotVisible into 404 and NotPermitted into 403)."""

    class Allows(permissions.BasePermission):
        def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
            rule(request.user, obj)
            return True

    Allows.__name__ = Allows.__qualname__ = f"Allows[{rule.__name__}]"
    return Allows
