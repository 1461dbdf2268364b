"""The supervision pages: the findings of the officer's scope with their counts and filters,
one finding with the records behind it, its steps and the moves the officer may make, and the
registry of checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from casetrail import clock
from casetrail.errors import NotFound, Refused
from casetrail.org import queries as org_queries
from casetrail.org.access import access_unit, request_officer, unit_ids_in_scope
from casetrail.org.models import Officer
from casetrail.supervision import actions, dashboard, inputs, queries
from casetrail.supervision import forms as ui
from casetrail.supervision import scorecard as cards
from casetrail.supervision.access import (
    READERS,
    access_finding,
    access_finding_file,
    access_score_review,
    scorecard_unit_ids,
)
from casetrail.supervision.models import Finding
from casetrail.supervision.queries import file_response
from casetrail.web.inputs import record_number
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
        "attach_form": ui.AttachForm(),
    } | given


@officer_view
def finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    officer = request_officer(request)
    return render(
        request, "supervision/finding.html", _context(officer, access_finding(officer, finding_id))
    )


@officer_view
@require_POST
def attach(request: HttpRequest, finding_id: int) -> HttpResponse:
    officer = request_officer(request)
    found = access_finding(officer, finding_id)
    form = ui.AttachForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        try:
            actions.attach_file(found, form.cleaned_data["file"], actor=officer)
        except Refused as exc:
            error = str(exc)
            form_error(form, exc)
        else:
            return redirect("supervision:finding", found.pk)
    else:
        error = errors_line(form)
    context = _context(officer, found, error=error, failed="attach", attach_form=form)
    return render(request, "supervision/finding.html", context, status=400)


@officer_view
def download(request: HttpRequest, file_id: int) -> HttpResponse | FileResponse:
    officer = request_officer(request)
    stored = access_finding_file(officer, file_id)
    try:
        return file_response(stored, actions.copy_file(stored, actor=officer))
    except Refused as exc:
        context = _context(officer, stored.finding, error=str(exc), failed="download")
        return render(request, "supervision/finding.html", context, status=409)


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
        raise NotFound(gettext("no action '%(action)s'") % {"action": action})
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


# --- the quarterly scorecard ---------------------------------------------------------------


def _scorecard(
    request: HttpRequest, officer: Officer, quarter: str | None = None, **given: Any
) -> HttpResponse:
    """The scorecard page: the card of the quarter asked for (the query's, or the one a form
    was posted for), the reviews the officer may ask for, and those they answer."""
    form = ui.ScorecardFilterForm({"quarter": quarter} if quarter else (request.GET or None))
    filters = form.to_input() if form.is_bound else inputs.ScorecardFilterInput()
    found = None
    if filters is not None:
        try:
            found = queries.scorecard(officer, filters, clock.now())
        except Refused as exc:
            form_error(form, exc)
    now = clock.now()
    context = {
        "form": form,
        "card": found,
        "indicators": cards.INDICATORS,
        "may_ask": queries.may_ask(officer, found, now) if found else set(),
        "to_answer": list(queries.reviews_to_answer(officer)),
        "ask_form": ui.ScoreReviewRequestForm(),
        "answer_form": ui.ScoreReviewAnswerForm(),
        "weights": cards.weights_line(cards.weights()),
        "now": now,
    } | given
    failed = found is None or "error" in given
    return render(request, "supervision/scorecard.html", context, status=400 if failed else 200)


@officer_view
def scorecard_page(request: HttpRequest) -> HttpResponse:
    return _scorecard(request, request_officer(request))


def _export(request: HttpRequest, quarter: str, kind: str) -> HttpResponse:
    officer = request_officer(request)
    try:
        filters = inputs.ScorecardFilterInput(quarter=quarter)
        found = queries.scorecard(officer, filters, clock.now())
    except Refused as exc:
        return HttpResponseBadRequest(str(exc))
    weighting = cards.weights()
    if kind == "xlsx":
        body = cards.xlsx(found, weighting)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = cards.pdf(found, weighting), "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    name = f"casetrail-scorecard-{found.quarter}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@officer_view
def scorecard_xlsx(request: HttpRequest, quarter: str) -> HttpResponse:
    return _export(request, quarter, "xlsx")


@officer_view
def scorecard_pdf(request: HttpRequest, quarter: str) -> HttpResponse:
    return _export(request, quarter, "pdf")


@officer_view
@require_POST
def ask_review(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    named = record_number(request.POST.get("unit_id"))
    if named is not None:
        access_unit(officer, named)  # a unit out of sight is absent (404)
    units = org_queries.units_by_id(scorecard_unit_ids(officer))
    form = ui.ScoreReviewRequestForm(request.POST, choices={"unit_id": units})
    data = form.to_input()
    if data is None:
        quarter = request.POST.get("quarter", "")
        return _scorecard(request, officer, quarter, error=errors_line(form), ask_form=form)
    try:
        actions.request_score_review(data, actor=officer)
    except Refused as exc:
        form_error(form, exc)
        return _scorecard(request, officer, data.quarter, error=str(exc), ask_form=form)
    return redirect(f"{reverse('supervision:scorecard')}?quarter={data.quarter}")


@officer_view
@require_POST
def answer_review(request: HttpRequest, review_id: int) -> HttpResponse:
    officer = request_officer(request)
    review = access_score_review(officer, review_id)
    form = ui.ScoreReviewAnswerForm(request.POST)
    data = form.to_input()
    error = errors_line(form)
    if data is not None:
        try:
            actions.answer_score_review(review, data, actor=officer)
        except Refused as exc:
            error = str(exc)
        else:
            return redirect(f"{reverse('supervision:scorecard')}?quarter={review.quarter}")
    return _scorecard(request, officer, review.quarter, error=error, answer_form=form)
