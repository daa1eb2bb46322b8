"""Fetch the object a URL names and ask a rule about it: the one loader of the pages' gates
(`classes.teach`, `quizzes.gates`) and the API (`classes.permissions`)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from common.errors import NotVisible

from .rules import Rule

M = TypeVar("M", bound=Model)


def load(queryset: QuerySet[M], pk: int, rule: Rule, actor: Any) -> M:
    """The object with this id, if `rule` lets `actor` act on it; `NotVisible` (404) when it does
    not exist, so nobody learns whether an id exists without the right to see it."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotVisible(_("Not found."))
    rule(actor, obj)
    return obj
