"""The pages of incidents, cases and persons. Views parse input, ask access, call one action,
render."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from casetrail.cases import actions, queries
from casetrail.cases import forms as ui
from casetrail.cases.access import (
    access_case,
    access_incident,
    access_person,
    may_write_case,
    parties_visible,
    visible_incidents,
)
from casetrail.cases.machine import MoveRefused
from casetrail.cases.models import IncidentStatus
from casetrail.errors import AccessDenied
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.receipts import receipt_for
from casetrail.ledger.record import record_view
from casetrail.org import queries as org_queries
from casetrail.org.access import request_officer, units_in_scope
from casetrail.org.models import Officer
from casetrail.org.roles import CASE_READERS, INTAKE_WRITERS
from casetrail.web.shortcuts import form_error, officer_view


@officer_view
def workbench(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    return render(request, "cases/workbench.html", {"bench": queries.workbench(officer)})


@officer_view
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    units = units_in_scope(officer, INTAKE_WRITERS)
    if not units:
        raise AccessDenied(_("Recording incidents needs the intake officer role."))
    form = ui.IncidentForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            incident, code = actions.record_incident(
                d["unit"],
                actions.IncidentInput(
                    channel=d["channel"],
                    received_at=d["received_at"],
                    reporter_name=d["reporter_name"],
                    reporter_contact=d["reporter_contact"],
                    location=d["location"],
                    summary=d["summary"],
                    category=d["category"],
                ),
                actor=officer,
            )
        except actions.CaseError as exc:
            form_error(form, exc)
        else:
            request.session[f"query_code_{incident.pk}"] = code
            return redirect("cases:incident_receipt", incident.pk)
    return render(request, "cases/incident_form.html", {"form": form})


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
    qs = visible_incidents(request_officer(request)).select_related("unit").order_by("-received_at")
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/incident_list.html",
        {
            "page": page,
            "status": status,
            "statuses": IncidentStatus.choices,
            "params": f"status={status}" if status else "",
        },
    )


@officer_view
@require_http_methods(["GET", "POST"])
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    officer = request_officer(request)
    incident = access_incident(officer, incident_id)
    form = ui.DecisionForm(request.POST or None, handlers=org_queries.unit_handlers(incident.unit))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            incident = access_incident(officer, incident_id, for_write=True)
            case = actions.decide_incident(
                incident,
                actions.DecisionInput(
                    decision=d["decision"],
                    reason=d["reason"],
                    category=d["category"],
                    handlers=list(d["handlers"]),
                    title=d["title"],
                    transfer_to=d["transfer_to"],
                    notify_method=d["notify_method"],
                ),
                actor=officer,
            )
        except (actions.CaseError, MoveRefused) as exc:
            form_error(form, exc)
        else:
            if case is not None:
                return redirect("cases:case_detail", case.number)
            return redirect("cases:incident_detail", incident.pk)
    return render(request, "cases/incident_detail.html", {"incident": incident, "form": form})


@officer_view
def case_list(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    units = units_in_scope(officer, CASE_READERS)
    form = ui.CaseFilterForm(request.GET or None, units=units)
    page = None
    if not request.GET or form.is_valid():
        d = form.cleaned_data if request.GET else {}
        filters = queries.CaseFilters(
            status=d.get("status") or "",
            kind=d.get("kind") or "",
            unit=d["unit"].pk if d.get("unit") else None,
            handler=d["handler"].pk if d.get("handler") else None,
            opened_from=d.get("opened_from"),
            opened_to=d.get("opened_to"),
            q=d.get("q") or "",
        )
        try:
            qs = queries.case_list(officer, filters)
        except queries.FilterError as exc:
            form_error(form, exc)
        else:
            page = Paginator(qs, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    template = "cases/case_list.html#results" if request.htmx else "cases/case_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "page": page, "params": params.urlencode()})


def _case_context(officer: Officer, case_ref: str) -> dict[str, Any]:
    case = access_case(officer, case_ref)
    writable = may_write_case(officer, case)
    return {
        "detail": queries.case_detail(officer, case),
        "party_form": ui.PartyForm(),
        "handler_form": ui.HandlerForm(candidates=queries.handler_candidates(case))
        if writable
        else None,
    }


@officer_view
@require_POST
def case_handlers(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Assign a handler, or release one (a case keeps at least two)."""
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    form = ui.HandlerForm(request.POST, candidates=org_queries.unit_officers(case.unit))
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["release"]:
                actions.release_handler(case, d["officer"], reason=d["reason"], actor=officer)
            else:
                actions.assign_handler(case, d["officer"], actor=officer)
        except actions.CaseError as exc:
            # A release is a one-line form beside the handler's name: its error shows above
            # the handler forms, naming the officer; an assignment's beside its field.
            if d["release"]:
                form.add_error(None, f"{d['officer']}: {exc}")
            else:
                form.add_error("officer", str(exc))
        else:
            return redirect("cases:case_detail", case.number)
    context = _case_context(officer, case_ref) | {"handler_form": form}
    return render(request, "cases/case_detail.html", context, status=400)


@officer_view
def case_detail(request: HttpRequest, case_ref: str) -> HttpResponse:
    officer = request_officer(request)
    case = access_case(officer, case_ref)
    record_view(case, actor=officer, unit_id=case.unit_id, what="case file")
    return render(request, "cases/case_detail.html", _case_context(officer, case_ref))


@officer_view
@require_POST
def case_move(request: HttpRequest, case_ref: str) -> HttpResponse:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    form = ui.MoveForm(request.POST)
    error = ""
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.transition_case(
                case,
                d["move"],
                reason=d["reason"],
                actor=officer,
                hearing_required=d["hearing_required"] if d["move"] == "notify_penalty" else None,
                hearing_held_on=d["hearing_held_on"],
            )
        except (MoveRefused, actions.CaseError) as exc:
            error = str(exc)
    else:
        error = "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items())
    context = _case_context(officer, case_ref) | {"move_error": error}
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
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.add_party(
                case,
                d["role"],
                actions.PersonInput(
                    name=d["name"],
                    id_type=d["id_type"],
                    id_number=d["id_number"],
                    birth_date=d["birth_date"],
                    contact=d["contact"],
                ),
                actor=officer,
            )
        except actions.CaseError as exc:
            form_error(form, exc)
        else:
            return redirect("cases:case_detail", case.number)
    context = _case_context(officer, case_ref) | {"party_form": form}
    return render(request, "cases/case_detail.html", context, status=400)


@officer_view
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    officer = request_officer(request)
    person = access_person(officer, person_id)
    record_view(person, actor=officer, unit_id=officer.unit_id, what="person")
    return render(
        request,
        "cases/person_detail.html",
        {"person": person, "parties": parties_visible(officer, person)},
    )
