"""Set-password sheets: the staff's page (issue a sheet as a printable page or CSV, revoke, see who
used theirs) and the students' public pages (open a link or type a code, then choose a password).

The public pages count wrong links and codes per client address (`common.throttling`) and answer
429 past `ONBOARDING_FAILURE_LIMIT`. The link's secret leaves the address bar at once: the page
keeps the setup's id in the session and redirects, as Django's own reset confirmation does.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import SetPasswordForm
from accounts.http import SignedInRequest
from accounts.lockout import throttled_response
from common.client_ip import client_ip
from common.spreadsheet import csv_text
from common.throttling import FailureLimit

from . import onboarding, policy
from .models import Section
from .teach import section_for

SESSION_KEY = "password_setup_id"


class IssueForm(forms.Form):
    students = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=[
            ("without", gettext_lazy("Students who have no password yet")),
            ("all", gettext_lazy("Every student of the class (replaces their open codes)")),
        ],
        initial="without",
        widget=forms.RadioSelect,
    )
    format = forms.ChoiceField(
        label=gettext_lazy("As"),
        choices=[("html", gettext_lazy("A page to print")), ("csv", gettext_lazy("A CSV file"))],
        initial="html",
        widget=forms.RadioSelect,
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Your code"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


def _limit() -> FailureLimit:
    window = timedelta(minutes=settings.ONBOARDING_WINDOW_MINUTES)
    return FailureLimit("password_setup", settings.ONBOARDING_FAILURE_LIMIT, window)


# --- staff --------------------------------------------------------------------------------------


def _sheet(request: HttpRequest, section: Section, issued: list[onboarding.IssuedSetup], as_csv: bool) -> HttpResponse:
    code_page = request.build_absolute_uri(reverse("password_setup"))
    rows = [(i, request.build_absolute_uri(reverse("password_setup_link", args=[i.link_token]))) for i in issued]
    if not as_csv:
        context = {"section": section, "rows": rows, "code_page": code_page, "expires": issued[0].setup.expires_at}
        return render(request, "teach/password_sheet.html", context)
    header = ["username", "name", "code", "link", "code_page", "expires"]
    body = [(i.user.username, i.user.shown_name, i.code_shown, link, code_page, i.setup.expires_at.isoformat())
            for i, link in rows]  # fmt: skip
    response = HttpResponse(csv_text(header, body), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="passwords-section-{section.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def section_passwords(request: SignedInRequest, section_id: int) -> HttpResponse:
    """GET: the form and the audit of the class's codes. POST: a new sheet (the only copy)."""
    section = section_for(request, section_id, policy.section_passwords_issue)
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        users = None if form.cleaned_data["students"] == "without" else onboarding.active_students(section)
        issued = onboarding.password_setups_issue(section=section, actor=request.user, users=users)
        if issued:
            response = _sheet(request, section, issued, as_csv=form.cleaned_data["format"] == "csv")
            response["Cache-Control"] = "no-store"
            return response
        messages.info(request, _("Every student of this class already has a password: no sheet to print."))
    context = {
        "section": section,
        "form": form,
        "setups": onboarding.password_setups_of(section)[:500],
        "now": timezone.now(),
        "waiting": len(onboarding.students_without_password(section)),
    }
    return render(request, "teach/passwords.html", context)


@login_required
@require_POST
def section_passwords_revoke(request: SignedInRequest, section_id: int) -> HttpResponse:
    section = section_for(request, section_id, policy.section_passwords_issue)
    raw = request.POST.get("setup", "")
    setup_id = int(raw) if raw.isdigit() else None
    count = onboarding.password_setups_revoke(section=section, actor=request.user, setup_id=setup_id)
    messages.success(request, ngettext("%(n)s code revoked.", "%(n)s codes revoked.", count) % {"n": count})
    return redirect("teach:passwords", section_id=section.pk)


# --- students (public) ----------------------------------------------------------------------------


def _refused(request: HttpRequest, form: CodeForm, exc: onboarding.SetupRefused) -> HttpResponse:
    _limit().record(request)
    context = {"form": form, "refusal": exc.message}
    return render(request, "registration/password_setup_code.html", context, status=400)


@require_http_methods(["GET", "POST"])
def password_setup(request: HttpRequest) -> HttpResponse:
    """Type the code from the sheet."""
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        seconds = _limit().retry_after(request)
        if seconds is not None:
            return throttled_response(request, seconds)
        if form.is_valid():
            try:
                setup = onboarding.password_setup_find(code=form.cleaned_data["code"])
            except onboarding.SetupRefused as exc:
                return _refused(request, form, exc)
            request.session[SESSION_KEY] = setup.pk
            return redirect("password_setup_choose")
    return render(request, "registration/password_setup_code.html", {"form": form})


@require_http_methods(["GET"])
def password_setup_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the sheet: checked, then its secret leaves the address bar."""
    seconds = _limit().retry_after(request)
    if seconds is not None:
        return throttled_response(request, seconds)
    try:
        setup = onboarding.password_setup_find(link_token=token)
    except onboarding.SetupRefused as exc:
        return _refused(request, CodeForm(), exc)
    request.session[SESSION_KEY] = setup.pk
    return redirect("password_setup_choose")


@require_http_methods(["GET", "POST"])
def password_setup_choose(request: HttpRequest) -> HttpResponse:
    setup_id = request.session.get(SESSION_KEY)
    if setup_id is None:
        return redirect("password_setup")
    try:
        setup = onboarding.password_setup_find(setup_id=setup_id)
    except onboarding.SetupRefused as exc:
        del request.session[SESSION_KEY]
        return _refused(request, CodeForm(), exc)
    form = SetPasswordForm(setup.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            onboarding.password_setup_redeem(
                setup_id=setup.pk, password=form.cleaned_data["new_password1"], address=client_ip(request)
            )
        except (onboarding.SetupRefused, ValidationError) as exc:
            form.add_error(None, exc.message if isinstance(exc, onboarding.SetupRefused) else exc)
        else:
            del request.session[SESSION_KEY]
            return redirect("password_reset_complete")
    return render(request, "registration/password_setup_choose.html", {"form": form, "username": setup.user.username})
