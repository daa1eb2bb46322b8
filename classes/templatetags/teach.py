"""`{% teach_nav_link %}`: the header's link to the instructor workspace, for a section's staff only."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from classes import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def teach_nav_link(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    if not hasattr(request, "_teaches"):  # one query per request, only on pages that show the header
        request._teaches = policy.sections_staffed(user).exists()
    if not request._teaches:
        return ""
    url = reverse("teach:sections")
    if request.path.startswith(url):
        return format_html('<a href="{}" aria-current="page">{}</a>', url, _("Teaching"))
    return format_html('<a href="{}">{}</a>', url, _("Teaching"))
