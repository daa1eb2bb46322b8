"""The LMS's pages in a real browser, launched from the platform simulator over loopback: the
deep-linking picker (its answer posted back to the LMS by the browser), the monitor's grade
passback, and a refused launch. With UPDATE_SCREENSHOTS=1 they are saved for docs/lti.md."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from jwcrypto.jwk import JWK
from lti_tool.models import Key
from playwright.sync_api import expect

from common.testing import wait_until
from lti import ags
from lti.tests.conftest import platform, platform_key, registration, tool_key  # noqa: F401 (fixtures)
from lti.tests.lms_class import lms_class
from lti.tests.platform import Platform


def lms_launch(page, live_server, lms: Platform, **claims) -> None:  # type: ignore[no-untyped-def]
    """The LMS starts the tool's login in the browser; the browser follows it to the LMS and back."""
    lms.next_claims = claims
    query = {
        "iss": lms.issuer,
        "client_id": lms.client_id,
        "login_hint": claims.get("sub", "lms-user-1"),
        "target_link_uri": live_server.url + reverse("lti:launch"),
        "lti_deployment_id": lms.deployment_id,
        "lti1p3_new_window": "1",
    }
    page.goto(f"{live_server.url}{reverse('lti:login')}?{urlencode(query)}")


def test_the_lms_pages_in_a_browser(page, live_server, shots, platform, registration):  # noqa: F811
    platform.tool_keyset = Key.objects.as_jwks()
    cls = lms_class(platform)
    cls.assignment.title = "Autoencoders"
    cls.assignment.save(update_fields=["title"])

    # an instructor adds the tool to the LMS course: the picker, then the answer back to the LMS
    lms_launch(page, live_server, platform, role="instructor", sub="teacher-1", **platform.deep_linking_claims())
    expect(page.get_by_role("heading", name="Place an assignment in the LMS")).to_be_visible()
    expect(page.get_by_text("Autoencoders")).to_be_visible()
    shots.take(page, "deep-link", readme="lti-deep-link")
    page.get_by_role("button", name="Place it in the LMS").click()
    assert wait_until(lambda: len(platform.placed) == 1, timeout=15)
    assert platform.placed[0]["item"]["custom"] == {"assignment_id": str(cls.assignment.pk)}

    # two students' scores: one accepted by the LMS, one refused
    (sent,) = ags.passback_attempts([cls.graded("BERT", sub="student-1").pk])
    assert ags.score_send(sent) == "sent"
    (refused,) = ags.passback_attempts([cls.graded("GPT", sub="student-2").pk])
    platform.score_failures = [404]
    assert ags.score_send(refused) == "failed"
    page.goto(live_server.url + reverse("teach:monitor", args=[cls.assignment.pk]))
    section = page.locator("#passback")
    expect(section).to_contain_text("Scores sent to the LMS gradebook")
    expect(section).to_contain_text("HTTP 404")
    shots.take(page, "monitor-passback", readme="lti-monitor-passback")

    # a launch the tool cannot verify (signed with a key the LMS does not publish)
    platform.sign_with = JWK.generate(kty="RSA", size=2048)
    lms_launch(page, live_server, platform, role="student", sub="student-1")
    expect(page.get_by_role("heading", name="The launch did not work")).to_be_visible()
    shots.take(page, "refused", readme="lti-refused")
