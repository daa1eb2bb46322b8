"""Gates of the instructor workspace (/teach/): load an object, then ask `classes.policy`.

Thin adapters: the rule decides, with the same refusals as the API (`NotVisible` is a 404: the
person may not even know the object exists; `NotPermitted` a 403: they see it but may not do this),
and the service the view then calls asks the same rule again. A missing object is a 404 too, so a
page never confirms that an object exists.
"""

from __future__ import annotations

from django.http import HttpRequest

from . import policy
from .models import Section


def section_for(request: HttpRequest, section_id: int, rule: policy.Rule = policy.section_staff_view) -> Section:
    return policy.load(Section.objects.select_related("course"), section_id, rule, request.user)
