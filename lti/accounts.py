"""The platform account of an LMS user: linked on their first launch or roster sync."""

from __future__ import annotations

from django.utils.translation import gettext as _
from lti_tool.models import LtiUser

from accounts.models import User

from .errors import LaunchRefused

USERNAME_MAX = 150


def account_for(lti_user: LtiUser) -> User:
    """The account linked to the LMS user, made on first sight (username `lti-<registration>-<sub>`,
    their name and e-mail from the LMS, no password)."""
    if lti_user.auth_user_id is not None:
        user = lti_user.auth_user
        assert user is not None
        if not user.is_active:
            raise LaunchRefused(_("Your Classroom account is disabled. Ask your school's administrator."))
        return user
    username = f"lti-{lti_user.registration_id}-{lti_user.sub}"[:USERNAME_MAX]
    name = lti_user.name or " ".join(p for p in (lti_user.given_name, lti_user.family_name) if p)
    user = User(username=username, display_name=name[:150], email=lti_user.email or "")
    user.set_unusable_password()
    user.save()
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user"])
    return user
