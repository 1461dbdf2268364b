"""The officer's own account: API tokens and the second factor. (Logging in and out with the
password are Django's views; the code step after it is `second_factor`.)"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from casetrail import clock
from casetrail.errors import NotFound, Refused
from casetrail.org import actions, queries
from casetrail.org.access import (
    needs_second_factor,
    request_officer,
    require_verified_session,
    second_factor_verified,
)
from casetrail.org.forms import CodeForm, TokenForm
from casetrail.web.inputs import record_number
from casetrail.web.shortcuts import form_error, officer_view


@officer_view
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and "revoke" in request.POST:
        revoke = record_number(request.POST.get("revoke", ""))
        if revoke is None:
            raise NotFound(gettext("token not found"))
        actions.revoke_token(queries.token_of(officer, revoke), actor=officer)
        return redirect("org:tokens")
    data = form.to_input() if request.method == "POST" else None
    if data is not None:
        require_verified_session(request, doing=gettext("creating an API token"))
        try:
            _, new_key = actions.issue_token(data, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "org/tokens.html",
        {
            "form": form,
            "tokens": queries.tokens_of(officer),
            "new_key": new_key,
            "now": clock.now(),
            "default_days": settings.CASETRAIL_TOKEN_DAYS,
            "max_days": settings.CASETRAIL_TOKEN_MAX_DAYS,
        },
    )


# The secret being enrolled, kept in the session until a code from it confirms it.
PENDING_KEY = "casetrail_pending_totp_key"


def _next(request: HttpRequest) -> str:
    """Where to go once the second factor is done: the page asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


@officer_view
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the officer's authenticator app."""
    officer = request_officer(request)
    target = _next(request)
    if second_factor_verified(request.user) or not needs_second_factor(officer):
        return redirect(target)
    if not queries.has_second_factor(officer):
        return redirect(_with_next("org:enrol", target))
    form = CodeForm(request.POST or None)
    data = form.to_input() if request.method == "POST" else None
    if data is not None:
        try:
            device = actions.verify_second_factor(data, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            otp_login(request, device)
            return redirect(target)
    return render(request, "org/second_factor.html", {"form": form, "next": target})


@officer_view
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    officer = request_officer(request)
    target = _next(request)
    if queries.has_second_factor(officer):
        return redirect(_with_next("org:second_factor", target))
    key = request.session.get(PENDING_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = request.session[PENDING_KEY] = actions.new_second_factor_key()
    form = CodeForm(request.POST or None)
    data = form.to_input() if request.method == "POST" else None
    if data is not None:
        try:
            device = actions.enrol_second_factor(data, key=key, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            del request.session[PENDING_KEY]
            otp_login(request, device)
            return redirect(target)
    uri = queries.enrolment_uri(officer, key)
    qr = segno.make_qr(uri).svg_inline(scale=4, title="otpauth")
    return render(
        request,
        "org/enrol.html",
        {
            "form": form,
            "next": target,
            "qr": mark_safe(qr),  # noqa: S308 - segno's own SVG of our URI, no user text
            "secret": b32encode(bytes.fromhex(key)).decode("ascii"),
        },
    )
