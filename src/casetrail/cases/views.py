"""The pages of incidents, cases and persons. Views parse input, ask access, call one action,
render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from casetrail import clock
from casetrail.cases import actions, inputs, panels, queries
from casetrail.cases import forms as ui
from casetrail.cases.access import (
    access_case,
    access_incident,
    access_person,
    may_write_case,
    parties_visible,
)
from casetrail.cases.models import Incident
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.receipts import receipt_for
from casetrail.ledger.record import record_view
from casetrail.org import queries as org_queries
from casetrail.org.access import request_officer, unit_ids_in_scope
from casetrail.org.models import Officer
from casetrail.org.roles import CASE_READERS, INTAKE_WRITERS
from casetrail.web.shortcuts import (
    errors_line,
    form_error,
    officer_view,
    paginate,
    query_without_page,
)

WORKBENCH_PAGE = 20  # rows of each of the workbench's lists on one page


@officer_view
def workbench(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    bench = queries.workbench(officer)
    lists = {
        "mine": bench.my_cases,
        "waiting": bench.awaiting_approval,
        "incidents": bench.incidents_to_decide,
    }
    # Each list pages on its own (?mine=2&incidents=3), keeping the others where they were.
    pages = {
        name: {
            "page": paginate(request, rows, WORKBENCH_PAGE, param=name),
            "param": name,
            "params": query_without_page(request, name),
        }
        for name, rows in lists.items()
    }
    return render(request, "cases/workbench.html", {"lists": pages})


@officer_view
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    units = org_queries.units_by_id(unit_ids_in_scope(officer, INTAKE_WRITERS))
    if not units.exists():
        raise AccessDenied(_("Recording incidents needs the intake officer role."))
    form = ui.IncidentForm(
        request.POST or None,
        choices={"unit_id": units, "category": queries.categories()},
        initial={"unit_id": officer.unit_id},
    )
    data = form.to_input() if request.method == "POST" else None
    if data is not None:
        try:
            incident, code = actions.record_incident(data, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            request.session[f"query_code_{incident.pk}"] = code
            return redirect("cases:incident_receipt", incident.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/incident_form.html", {"form": form}, status=status)


@officer_view
def incident_receipt(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = access_incident(request_officer(request), incident_id)
    code = request.session.pop(f"query_code_{incident.pk}", None)
    ledger = receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    return render(
        request,
        "cases/incident_receipt.html",
        {"incident": incident, "code": code, "ledger": ledger},
    )


@officer_view
def incident_receipt_json(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The ledger receipt as a file for the reporter to keep (`casetrail ledger check-receipt`)."""
    incident = access_incident(request_officer(request), incident_id)
    ledger = receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    if ledger is None:
        return HttpResponse(
            _("No ledger signing key is configured yet, so there is no signed receipt."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = JsonResponse(ledger.file(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    name = f"{incident.receipt_number}.receipt.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@officer_view
def incident_list(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    form = ui.IncidentFilterForm(request.GET or None)
    filters = form.to_input() if request.GET else inputs.IncidentFilterInput()
    page = None
    if filters is not None:
        page = paginate(request, queries.incident_list(officer, filters))
    return render(
        request,
        "cases/incident_list.html",
        {
            "page": page,
            "form": form,
            "params": query_without_page(request),
        },
        status=200 if page is not None else 400,
    )


def _decision_form(incident: Incident, data: Any = None) -> Any:
    return ui.DecisionForm(
        data,
        choices={
            "category": queries.categories(),
            "handler_ids": org_queries.unit_handlers(incident.unit),
            "transfer_to": org_queries.transfer_targets(incident.unit),
        },
    )


@officer_view
@require_http_methods(["GET", "POST"])
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    officer = request_officer(request)
    incident = access_incident(officer, incident_id)
    form = _decision_form(incident, request.POST or None)
    data = form.to_input() if request.method == "POST" else None
    if data is not None:
        try:
            incident = access_incident(officer, incident_id, for_write=True)
            case = actions.decide_incident(incident, data, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            if case is not None:
                return redirect("cases:case_detail", case.number)
            return redirect("cases:incident_detail", incident.pk)
    status = 400 if request.method == "POST" else 200
    context = {"incident": incident, "form": form}
    return render(request, "cases/incident_detail.html", context, status=status)


@officer_view
def case_list(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    units = org_queries.units_by_id(unit_ids_in_scope(officer, CASE_READERS))
    form = ui.CaseFilterForm(
        request.GET or None,
        choices={"unit": units, "handler": org_queries.units_officers(units)},
    )
    filters = form.to_input() if request.GET else inputs.CaseFilterInput()
    page = None
    if filters is not None:
        try:
            page = paginate(request, queries.case_list(officer, filters))
        except Refused as exc:
            form_error(form, exc)
    template = "cases/case_list.html#results" if request.htmx else "cases/case_list.html"  # type: ignore[attr-defined]
    context = {"form": form, "page": page, "params": query_without_page(request)}
    return render(request, template, context, status=200 if page is not None else 400)


def _case_context(request: HttpRequest, officer: Officer, case_ref: str) -> dict[str, Any]:
    case = access_case(officer, case_ref)
    writable = may_write_case(officer, case)
    return {
        "detail": queries.case_detail(officer, case),
        # Every pending time limit of the case, whichever app keeps it, the soonest first.
        "limits": panels.case_limits(case, clock.now()),
        # The report the case came from, linked only for an officer who may open it.
        "report": queries.report_of(officer, case),
        # Offered only to whoever may use it (the case's handlers, its leaders).
        "party_form": ui.PartyForm() if writable else None,
        "panels": panels.case_panels(request, officer, case),
        "handler_form": ui.HandlerForm(choices={"officer_id": queries.handler_candidates(case)})
        if writable
        else None,
    }


@officer_view
@require_POST
def case_handlers(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Assign a handler, or release one (a case keeps at least two)."""
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    officers = {"officer_id": org_queries.unit_officers(case.unit)}
    releasing = "release" in request.POST
    form = (ui.ReleaseForm if releasing else ui.HandlerForm)(request.POST, choices=officers)
    data = form.to_input()
    if data is not None:
        try:
            if isinstance(data, inputs.ReleaseInput):
                actions.release_handler(case, data, actor=officer)
            else:
                actions.assign_handler(case, data, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            return redirect("cases:case_detail", case.number)
    context = _case_context(request, officer, case_ref)
    if releasing:
        # A release is a one-line form beside the handler's name: its refusal shows above
        # the handler forms.
        context["release_error"] = errors_line(form)
    else:
        context["handler_form"] = form
    return render(request, "cases/case_detail.html", context, status=400)


@officer_view
def case_detail(request: HttpRequest, case_ref: str) -> HttpResponse:
    officer = request_officer(request)
    case = access_case(officer, case_ref)
    record_view(case, actor=officer, unit_id=case.unit_id, what="case file")
    context = _case_context(request, officer, case_ref)
    return render(request, "cases/case_detail.html", context)


@officer_view
@require_POST
def case_move(request: HttpRequest, case_ref: str) -> HttpResponse:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    form = ui.MoveForm(request.POST)
    data = form.to_input()
    error = errors_line(form) if data is None else ""
    if data is not None:
        try:
            actions.transition_case(case, data, actor=officer)
        except Refused as exc:
            error = str(exc)
    context = _case_context(request, officer, case_ref) | {"move_error": error}
    status = 400 if error else 200
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "cases/case_detail.html#case-main", context, status=status)
    if error:
        return render(request, "cases/case_detail.html", context, status=status)
    return redirect("cases:case_detail", case.number)


@officer_view
@require_POST
def case_add_party(request: HttpRequest, case_ref: str) -> HttpResponse:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    form = ui.PartyForm(request.POST)
    data = form.to_input()
    if data is not None:
        try:
            actions.add_party(case, data, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            return redirect("cases:case_detail", case.number)
    context = _case_context(request, officer, case_ref) | {"party_form": form}
    return render(request, "cases/case_detail.html", context, status=400)


@officer_view
@require_http_methods(["GET", "POST"])
def party_correct(request: HttpRequest, case_ref: str, party_id: int) -> HttpResponse:
    """The form that corrects a party's particulars, filled with the record as it stands."""
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    party = queries.party_of(case, party_id)
    person = party.person
    if request.method == "POST":
        form = ui.PartyCorrectionForm(request.POST)
        data = form.to_input()
        if data is not None:
            try:
                actions.correct_party(case, party.pk, data, actor=officer)
            except Refused as exc:
                form_error(form, exc)
            else:
                return redirect("cases:case_detail", case.number)
        status = 400
    else:
        form = ui.PartyCorrectionForm(
            initial={name: getattr(person, name) for name in actions.PARTICULARS}
        )
        status = 200
    context = {"case": case, "party": party, "form": form}
    return render(request, "cases/party_correct.html", context, status=status)


@officer_view
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    officer = request_officer(request)
    person = access_person(officer, person_id)
    record_view(person, actor=officer, unit_id=officer.unit_id, what="person")
    return render(
        request,
        "cases/person_detail.html",
        {
            "person": person,
            "parties": parties_visible(officer, person),
            "panels": panels.person_panels(request, officer, person),
        },
    )
