"""Custody pages: the whiteboard, a person's custody record, a measure, a stay in the
case-handling area, the inbox. Views parse input, ask access, call one action, render."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from casetrail import clock
from casetrail.cases.access import access_case
from casetrail.cases.models import Person
from casetrail.custody import actions, queries
from casetrail.custody import forms as ui
from casetrail.custody.access import (
    CUSTODY_READERS,
    access_belonging,
    access_board,
    access_custody_person,
    access_deadline,
    access_extension_request,
    access_inbox_item,
    access_measure,
    access_session,
    case_for_area,
    require_deadline_write,
)
from casetrail.custody.errors import ApprovalRefused, CustodyError
from casetrail.custody.measures import Duty, MeasureKind, spec
from casetrail.custody.models import (
    CustodySession,
    Deadline,
    DeadlineStatus,
    Measure,
    MeasureStatus,
)
from casetrail.errors import AccessDenied
from casetrail.ledger.record import record_view
from casetrail.org.access import request_officer, units_in_scope
from casetrail.org.models import Officer
from casetrail.org.queries import unit_officers
from casetrail.web.shortcuts import errors_line, form_error, officer_view

MEASURE_TITLES = {
    "decision": gettext_lazy("Approve or refuse"),
    "start": gettext_lazy("Start the measure"),
    "end": gettext_lazy("End the measure"),
    "notifications": gettext_lazy("Family notified"),
    "notice-exception": gettext_lazy("Lawful exception to family notice"),
    "interrogations": gettext_lazy("Interrogation held"),
    "delivery": gettext_lazy("Delivered to the detention house"),
    "arrest-request": gettext_lazy("Arrest requested"),
    "procuratorate-decision": gettext_lazy("Procuratorate's decision"),
    "reviews": gettext_lazy("Review of detention"),
    "warrant-applications": gettext_lazy("Application for a warrant"),
    "warrants": gettext_lazy("Warrant of further detention"),
    "extensions": gettext_lazy("Ask for an extension"),
}
SESSION_TITLES = {
    "safety-check": gettext_lazy("Safety check"),
    "belongings": gettext_lazy("Deposit a belonging"),
    "interviews": gettext_lazy("Interview or interrogation"),
    "care": gettext_lazy("Meal, rest or medical care"),
    "rights": gettext_lazy("Rights given"),
    "exit": gettext_lazy("Exit"),
}


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _own_ids(page_forms: dict[str, forms.Form]) -> None:
    """Several forms on one page share field names: each gets its own HTML ids."""
    for name, form in page_forms.items():
        form.auto_id = f"id_{name}_%s"


# -- the whiteboard ---------------------------------------------------------------------------


@officer_view
def board_index(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    units = units_in_scope(officer, CUSTODY_READERS)
    if not units:
        raise AccessDenied(_("The whiteboard needs a custody, handler, leader or review role."))
    own = next((u for u in units if u.pk == officer.unit_id), None)
    if own is not None or len(units) == 1:
        return redirect("custody:board", (own or units[0]).pk)
    return render(request, "custody/board_index.html", {"units": units})


@officer_view
def board(request: HttpRequest, unit_id: int) -> HttpResponse:
    """One live page per unit. htmx polls the #board partial every 30 seconds; without
    JavaScript a <noscript> refresh reloads the whole page."""
    officer = request_officer(request)
    unit = access_board(officer, unit_id)
    context: dict[str, Any] = {
        "board": queries.board(officer, unit, clock.now()),
        "refresh_seconds": int(getattr(settings, "CASETRAIL_BOARD_REFRESH_SECONDS", 30)),
    }
    if _htmx(request):  # the #board partial shows no unit list
        return render(request, "custody/board.html#board", context)
    context["units"] = units_in_scope(officer, CUSTODY_READERS)
    return render(request, "custody/board.html", context)


# -- a person's custody record --------------------------------------------------------------------


@officer_view
def person_record(request: HttpRequest, person_id: int) -> HttpResponse:
    officer = request_officer(request)
    person = access_custody_person(officer, person_id)
    record_view(person, actor=officer, unit_id=officer.unit_id, what="custody record")
    return render(
        request,
        "custody/person.html",
        {"record": queries.person_record(officer, person), "now": clock.now()},
    )


# -- measures ---------------------------------------------------------------------------------


@officer_view
@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest, case_id: int) -> HttpResponse:
    officer = request_officer(request)
    case = access_case(officer, case_id, for_write=True)
    persons = Person.objects.filter(parties__case=case, parties__role="suspect").distinct()
    form = ui.ProposeForm(request.POST or None, persons=persons)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            measure = actions.propose_measure(
                case,
                d["person"],
                d["kind"],
                reason=d["reason"],
                params=form.params(),
                actor=officer,
            )
        except CustodyError as exc:
            form_error(form, exc)
        else:
            return redirect("custody:measure", measure.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "custody/measure_new.html", {"case": case, "form": form}, status=status)


def _measure_forms(measure: Measure, detail: queries.MeasureDetail) -> dict[str, forms.Form]:
    """The forms the measure's state calls for, unbound."""
    found: dict[str, forms.Form] = {}
    if measure.status == MeasureStatus.PROPOSED:
        found["decision"] = ui.DecisionForm()
    elif measure.status == MeasureStatus.APPROVED:
        found["start"] = ui.StartForm(measure=measure)
    elif measure.status == MeasureStatus.RUNNING:
        duties = {d.duty for d in detail.open_deadlines}
        if Duty.NOTIFY_FAMILY in duties:
            found["notifications"] = ui.NotificationForm()
            if detail.notice_exceptions:
                found["notice-exception"] = ui.NoticeExceptionForm(grounds=detail.notice_exceptions)
        if Duty.INTERROGATE in duties:
            found["interrogations"] = ui.PlaceForm()
        if Duty.DELIVER in duties:
            found["delivery"] = ui.PlaceForm()
        if Duty.REQUEST_ARREST in duties:
            found["arrest-request"] = ui.ArrestRequestForm()
        if Duty.PROCURATORATE_DECISION in duties:
            found["procuratorate-decision"] = ui.ProcuratorateForm()
        if measure.kind == MeasureKind.PACE_DETENTION:
            found["reviews"] = ui.ReviewForm()
            found["warrant-applications"] = ui.WarrantApplicationForm()
            found["warrants"] = ui.WarrantForm()
        allowed = _extendable(detail)
        extendable = [d.pk for d in detail.open_deadlines if d.pk in allowed]
        if extendable:
            found["extensions"] = ui.ExtensionForm(
                deadlines=Deadline.objects.filter(pk__in=extendable)
            )
        found["end"] = ui.EndForm()
    return found


def _extendable(detail: queries.MeasureDetail) -> set[int]:
    from casetrail.custody.clocks import rule_of

    allowed = spec(detail.measure.kind).extensions
    found = set()
    for deadline in detail.open_deadlines:
        ids = {e.id for e in rule_of(deadline).extensions}
        if allowed is not None:
            ids &= set(allowed)
        if ids:
            found.add(deadline.pk)
    return found


def _measure_page(
    request: HttpRequest,
    measure: Measure,
    *,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    detail = queries.measure_detail(measure)
    page_forms = _measure_forms(measure, detail)
    if bound is not None:
        page_forms[bound[0]] = bound[1]
    _own_ids(page_forms)
    listed = [(name, MEASURE_TITLES.get(name, name), form) for name, form in page_forms.items()]
    pending = [r for r in detail.requests if r.status == "requested"]
    return render(
        request,
        "custody/measure.html",
        {
            "detail": detail,
            "forms": listed,
            "pending": [
                (r, ui.ExtensionDecisionForm(auto_id=f"id_decide{r.pk}_%s")) for r in pending
            ],
            "account_form": ui.AccountForm(),
            "now": clock.now(),
            "page_error": error,
        },
        status=status,
    )


@officer_view
def measure_detail(request: HttpRequest, measure_id: int) -> HttpResponse:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id)
    record_view(measure, actor=officer, unit_id=measure.unit_id, what="custody measure")
    return _measure_page(request, measure)


Runner = Callable[[Measure, dict[str, Any], Officer], object]


def _run_decision(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.decide_measure(
        m, approve=d["decision"] == "approve", reason=d["reason"], actor=o
    )


def _run_start(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.start_measure(
        m,
        actions.StartInput(
            started_at=d["started_at"],
            arrived_at=d["arrived_at"],
            decision_number=d["decision_number"],
            decided_on=d["decided_on"],
            replaces=d["replaces"],
        ),
        actor=o,
    )


def _run_end(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.end_measure(
        m, ended_at=d["ended_at"], outcome=d["outcome"], reason=d["reason"], actor=o
    )


def _run_notify(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.record_family_notice(
        m,
        at=d["at"],
        method=d["method"],
        recipient=d["recipient"],
        relationship=d["relationship"],
        actor=o,
    )


def _run_exception(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.record_notice_exception(m, ground=d["ground"], detail=d["detail"], actor=o)


def _run_interrogation(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.record_interrogation(m, at=d["at"], place=d["place"], actor=o)


def _run_delivery(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.record_delivery(m, at=d["at"], place=d["place"], actor=o)


def _run_arrest_request(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.record_arrest_request(
        m, submitted_at=d["submitted_at"], received_at=d["received_at"], actor=o
    )


def _run_procuratorate(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.record_procuratorate_decision(
        m, approved=d["approved"], decided_at=d["decided_at"], number=d["number"], actor=o
    )


def _run_review(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.record_review(m, at=d["at"], outcome=d["outcome"], notes=d["notes"], actor=o)


def _run_application(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.record_warrant_application(m, at=d["at"], court=d["court"], actor=o)


def _run_warrant(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.record_warrant(
        m,
        issued_at=d["issued_at"],
        hours=d["hours"],
        court=d["court"],
        reference=d["reference"],
        extension=d["extension"],
        actor=o,
    )


def _run_extension(m: Measure, d: dict[str, Any], o: Officer) -> object:
    return actions.request_extension(
        d["deadline"], extension=d["extension"], reason=d["reason"], actor=o
    )


def _simple(cls: type[forms.Form]) -> Callable[[HttpRequest, Measure], forms.Form]:
    return lambda request, measure: cls(request.POST)


MEASURE_ACTIONS: dict[str, tuple[Callable[[HttpRequest, Measure], forms.Form], Runner]] = {
    "decision": (_simple(ui.DecisionForm), _run_decision),
    "start": (lambda r, m: ui.StartForm(r.POST, measure=m), _run_start),
    "end": (_simple(ui.EndForm), _run_end),
    "notifications": (_simple(ui.NotificationForm), _run_notify),
    "notice-exception": (
        lambda r, m: ui.NoticeExceptionForm(r.POST, grounds=queries.notice_grounds(m.kind)),
        _run_exception,
    ),
    "interrogations": (_simple(ui.PlaceForm), _run_interrogation),
    "delivery": (_simple(ui.PlaceForm), _run_delivery),
    "arrest-request": (_simple(ui.ArrestRequestForm), _run_arrest_request),
    "procuratorate-decision": (_simple(ui.ProcuratorateForm), _run_procuratorate),
    "reviews": (_simple(ui.ReviewForm), _run_review),
    "warrant-applications": (_simple(ui.WarrantApplicationForm), _run_application),
    "warrants": (_simple(ui.WarrantForm), _run_warrant),
    "extensions": (
        lambda r, m: ui.ExtensionForm(
            r.POST, deadlines=m.deadlines.filter(status=DeadlineStatus.OPEN)
        ),
        _run_extension,
    ),
}


@officer_view
@require_POST
def measure_act(request: HttpRequest, measure_id: int, action: str) -> HttpResponse:
    if action not in MEASURE_ACTIONS:
        raise Http404(f"no action {action}")
    officer = request_officer(request)
    measure = access_measure(officer, measure_id)
    make_form, run = MEASURE_ACTIONS[action]
    form = make_form(request, measure)
    status = 400
    with timezone.override(ZoneInfo(measure.unit.timezone)):  # typed as shown: the unit's time
        valid = form.is_valid()
    if valid:
        try:
            run(measure, form.cleaned_data, officer)
        except ApprovalRefused as exc:
            form_error(form, exc)
            status = 403
        except CustodyError as exc:
            form_error(form, exc)
        else:
            return redirect("custody:measure", measure.pk)
    return _measure_page(request, measure, bound=(action, form), status=status)


@officer_view
@require_POST
def extension_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    officer = request_officer(request)
    extension = access_extension_request(officer, request_id)
    form = ui.ExtensionDecisionForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.decide_extension(
                extension,
                approve=d["decision"] == "approve",
                reason=d["reason"],
                reference=d["reference"],
                actor=officer,
            )
        except ApprovalRefused as exc:
            form_error(form, exc)
            status = 403
        except CustodyError as exc:
            form_error(form, exc)
        else:
            return redirect("custody:measure", extension.measure_id)
    measure = access_measure(officer, extension.measure_id)
    return _measure_page(request, measure, status=status, error=errors_line(form))


@officer_view
@require_POST
def deadline_account(request: HttpRequest, deadline_id: int) -> HttpResponse:
    officer = request_officer(request)
    deadline = access_deadline(officer, deadline_id)
    require_deadline_write(officer, deadline)
    form = ui.AccountForm(request.POST)
    if form.is_valid():
        try:
            actions.account_for_missed(
                deadline, account=form.cleaned_data["account"], actor=officer
            )
        except CustodyError as exc:
            form_error(form, exc)
    target = (
        redirect("custody:measure", deadline.measure_id)
        if deadline.measure_id
        else redirect("custody:session", deadline.session_id)
    )
    if not form.errors:
        return target
    if deadline.measure is not None:
        return _measure_page(request, deadline.measure, status=400, error=errors_line(form))
    assert deadline.session is not None  # noqa: S101 - a deadline has an owner
    return _session_page(request, deadline.session, status=400, error=errors_line(form))


# -- the case-handling area --------------------------------------------------------------------


@officer_view
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, case_id: int) -> HttpResponse:
    officer = request_officer(request)
    case = case_for_area(officer, case_id)
    persons = Person.objects.filter(parties__case=case).distinct()
    measures = Measure.objects.filter(case=case, status=MeasureStatus.RUNNING)
    officers = unit_officers(case.unit)
    form = ui.EntryForm(request.POST or None, persons=persons, measures=measures, officers=officers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            session = actions.open_session(
                case.unit,
                case,
                d["person"],
                actions.EntryInput(
                    entered_at=d["entered_at"],
                    escorts=list(d["escorts"]),
                    reason=d["reason"],
                    measure=d["measure"],
                ),
                actor=officer,
            )
        except CustodyError as exc:
            form_error(form, exc)
        else:
            return redirect("custody:session", session.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "custody/session_new.html", {"case": case, "form": form}, status=status)


def _session_forms(session: CustodySession) -> dict[str, forms.Form]:
    officers = unit_officers(session.unit)
    if session.exited_at is not None:
        return {"interviews": ui.InterviewForm(officers=officers)}
    found: dict[str, forms.Form] = {}
    if session.checked_at is None:
        found["safety-check"] = ui.SafetyCheckForm()
    found["belongings"] = ui.BelongingForm()
    found["interviews"] = ui.InterviewForm(officers=officers)
    found["care"] = ui.CareForm()
    found["rights"] = ui.RightsForm()
    found["exit"] = ui.ExitForm()
    return found


def _session_page(
    request: HttpRequest,
    session: CustodySession,
    *,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    detail = queries.session_detail(session)
    page_forms = _session_forms(detail.session)
    if bound is not None:
        page_forms[bound[0]] = bound[1]
    _own_ids(page_forms)
    listed = [(name, SESSION_TITLES.get(name, name), form) for name, form in page_forms.items()]
    officers = unit_officers(session.unit)
    settle = [
        (b, ui.SettleForm(officers=officers, auto_id=f"id_settle{b.pk}_%s"))
        for b in detail.session.belongings.all()
        if not b.outcome
    ]
    return render(
        request,
        "custody/session.html",
        {
            "detail": detail,
            "forms": listed,
            "settle": settle,
            "account_form": ui.AccountForm(),
            "now": clock.now(),
            "page_error": error,
        },
        status=status,
    )


@officer_view
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    officer = request_officer(request)
    session = access_session(officer, session_id)
    record_view(session, actor=officer, unit_id=session.unit_id, what="custody session")
    return _session_page(request, session)


SessionRunner = Callable[[CustodySession, dict[str, Any], Officer], object]


def _officers_of(session: CustodySession) -> Any:
    return unit_officers(session.unit)


SESSION_ACTIONS: dict[
    str, tuple[Callable[[HttpRequest, CustodySession], forms.Form], SessionRunner]
] = {
    "safety-check": (
        lambda r, s: ui.SafetyCheckForm(r.POST),
        lambda s, d, o: actions.record_safety_check(
            s,
            at=d["at"],
            search_record=d["search_record"],
            injuries_observed=d["injuries_observed"],
            refused=d["refused"],
            actor=o,
        ),
    ),
    "belongings": (
        lambda r, s: ui.BelongingForm(r.POST),
        lambda s, d, o: actions.deposit_belonging(
            s, description=d["description"], quantity=d["quantity"], notes=d["notes"], actor=o
        ),
    ),
    "interviews": (
        lambda r, s: ui.InterviewForm(r.POST, officers=_officers_of(s)),
        lambda s, d, o: actions.record_interview(
            s,
            actions.InterviewInput(
                kind=d["kind"],
                room=d["room"],
                started_at=d["started_at"],
                ended_at=d["ended_at"],
                officers=list(d["officers"]),
                recording_id=d["recording_id"],
                recording_sha256=d["recording_sha256"],
                guardian_name=d["guardian_name"],
                guardian_relation=d["guardian_relation"],
                interpreter=d["interpreter"],
            ),
            actor=o,
        ),
    ),
    "care": (
        lambda r, s: ui.CareForm(r.POST),
        lambda s, d, o: actions.record_care(
            s,
            kind=d["kind"],
            started_at=d["started_at"],
            ended_at=d["ended_at"],
            notes=d["notes"],
            actor=o,
        ),
    ),
    "rights": (
        lambda r, s: ui.RightsForm(r.POST),
        lambda s, d, o: actions.record_rights(
            s,
            given_at=d["given_at"],
            lawyer_requested=d["lawyer_requested"],
            lawyer_requested_at=d["lawyer_requested_at"],
            interpreter_language=d["interpreter_language"],
            interpreter_name=d["interpreter_name"],
            actor=o,
        ),
    ),
    "exit": (
        lambda r, s: ui.ExitForm(r.POST),
        lambda s, d, o: actions.close_session(
            s,
            exited_at=d["exited_at"],
            destination=d["destination"],
            detail=d["destination_detail"],
            actor=o,
        ),
    ),
}


@officer_view
@require_POST
def session_act(request: HttpRequest, session_id: int, action: str) -> HttpResponse:
    if action not in SESSION_ACTIONS:
        raise Http404(f"no action {action}")
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    make_form, run = SESSION_ACTIONS[action]
    form = make_form(request, session)
    with timezone.override(ZoneInfo(session.unit.timezone)):  # typed as shown: the unit's time
        valid = form.is_valid()
    if valid:
        try:
            run(session, form.cleaned_data, officer)
        except CustodyError as exc:
            form_error(form, exc)
        else:
            return redirect("custody:session", session.pk)
    return _session_page(request, session, bound=(action, form), status=400)


@officer_view
@require_POST
def belonging_settle(request: HttpRequest, session_id: int, belonging_id: int) -> HttpResponse:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    item = access_belonging(officer, belonging_id)
    if item.session_id != session.pk:
        raise Http404("belonging not found")
    form = ui.SettleForm(request.POST, officers=_officers_of(session))
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.settle_belonging(
                item,
                outcome=d["outcome"],
                transferred_to=d["transferred_to"],
                person_signed=d["person_signed"],
                refusal_witness=d["refusal_witness"],
                actor=officer,
            )
        except CustodyError as exc:
            form_error(form, exc)
        else:
            return redirect("custody:session", session.pk)
    return _session_page(request, session, status=400, error=errors_line(form))


# -- the inbox --------------------------------------------------------------------------------


@officer_view
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    if request.method == "POST":
        item_id = request.POST.get("item", "")
        if not item_id.isdigit():
            raise Http404("no such alert")
        item = access_inbox_item(officer, int(item_id))
        with contextlib.suppress(CustodyError):  # a second click: already acknowledged
            actions.acknowledge_alert(item, actor=officer)
        return redirect("custody:inbox")
    items = list(queries.inbox(officer)[:200])
    return render(request, "custody/inbox.html", {"items": items, "now": clock.now()})


@officer_view
def cases_for_custody(request: HttpRequest) -> HttpResponse:
    """Where a custody officer or a handler starts: the cases of their units, to propose a
    measure or bring a person into the area."""
    officer = request_officer(request)
    return render(request, "custody/start.html", {"cases": queries.custody_cases(officer)})
