"""System checks of grading's settings: a typo in the grader's name stops start-up, not grading."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from .engine.batch import FREE_TEXT_GRADERS


@register()
def free_text_grader_is_known(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    name = settings.GRADING_FREE_TEXT_GRADER
    if name and name not in FREE_TEXT_GRADERS:
        return [
            Error(
                f"GRADING_FREE_TEXT_GRADER={name!r} is not a free-text grader",
                hint=f"use one of {', '.join(sorted(FREE_TEXT_GRADERS))}, or leave it empty for the default",
                id="grading.E001",
            )
        ]
    return []
