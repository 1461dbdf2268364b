"""The supervision pages: the findings of the officer's scope with their counts and filters,
one finding with the records behind it, its steps and the moves the officer may make, and the
registry of checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from casetrail import clock
from casetrail.errors import NotFound, Refused
from casetrail.org import queries as org_queries
from casetrail.org.access import request_officer, unit_ids_in_scope
from casetrail.org.models import Officer
from casetrail.supervision import actions, dashboard, inputs, queries
from casetrail.supervision import forms as ui
from casetrail.supervision.access import READERS, access_finding
from casetrail.supervision.models import Finding
from casetrail.web.shortcuts import (
    errors_line,
    form_error,
    officer_view,
    paginate,
    query_without_page,
)


@officer_view
def index(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    units = org_queries.units_by_id(unit_ids_in_scope(officer, READERS))
    form = ui.FindingFilterForm(
        request.GET or None,
        choices={"unit": units, "closed_by": org_queries.units_officers(units)},
    )
    filters = form.to_input() if request.GET else inputs.FindingFilterInput()
    page, tally = None, None
    if filters is not None:
        try:
            rows = queries.finding_list(officer, filters)
            page = paginate(request, rows)
        except Refused as exc:
            form_error(form, exc)
        else:
            tally = queries.counts(rows, clock.now())
    context = {
        "form": form,
        "page": page,
        "tally": tally,
        "params": query_without_page(request),
        "now": clock.now(),
    }
    return render(
        request, "supervision/index.html", context, status=200 if page is not None else 400
    )


@officer_view
def dashboard_page(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    found = dashboard.charts(officer, clock.now(), get_language() or "en")
    context = {"charts": found, "data": {c.id: c.as_json() for c in found}}
    return render(request, "supervision/dashboard.html", context)


@officer_view
def chart_csv(request: HttpRequest, chart_id: str) -> HttpResponse:
    officer = request_officer(request)
    found = dashboard.chart(officer, chart_id, clock.now(), get_language() or "en")
    response = HttpResponse(found.csv(), content_type="text/csv; charset=utf-8")
    stamp = clock.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="casetrail-{found.id}-{stamp}.csv"'
    return response


@officer_view
def checks(request: HttpRequest) -> HttpResponse:
    request_officer(request)
    return render(request, "supervision/checks.html", {"checks": queries.checks()})


def _context(officer: Officer, found: Finding, **given: Any) -> dict[str, Any]:
    detail = queries.finding_detail(officer, found)
    return {
        "detail": detail,
        "f": detail.finding,
        "now": clock.now(),
        "rectify_form": ui.RectifyForm(),
        "review_form": ui.ReviewForm(),
        "dismiss_form": ui.DismissForm(),
    } | given


@officer_view
def finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    officer = request_officer(request)
    return render(
        request, "supervision/finding.html", _context(officer, access_finding(officer, finding_id))
    )


Run = Callable[[Officer, Finding, Any], Any]
# The finding page's moves: (form class, name in the template, what runs).
_ACTS: dict[str, tuple[type[forms.Form], str, Run]] = {
    "rectify": (ui.RectifyForm, "rectify_form", lambda o, f, d: actions.rectify(f, d, actor=o)),
    "review": (ui.ReviewForm, "review_form", lambda o, f, d: actions.review(f, d, actor=o)),
    "dismiss": (ui.DismissForm, "dismiss_form", lambda o, f, d: actions.dismiss(f, d, actor=o)),
}


@officer_view
@require_POST
def act(request: HttpRequest, finding_id: int, action: str) -> HttpResponse:
    officer = request_officer(request)
    found = access_finding(officer, finding_id)
    if action not in _ACTS:
        raise NotFound(f"no action {action!r}")
    form_class, name, run = _ACTS[action]
    form = form_class(request.POST)
    data = form.to_input()  # type: ignore[attr-defined]
    error = ""
    if data is not None:
        try:
            run(officer, found, data)
        except Refused as exc:
            error = str(exc)
            form_error(form, exc)
        else:
            return redirect("supervision:finding", found.pk)
    else:
        error = errors_line(form)
    context = _context(officer, access_finding(officer, finding_id), error=error, failed=action)
    context[name] = form
    return render(request, "supervision/finding.html", context, status=400)
