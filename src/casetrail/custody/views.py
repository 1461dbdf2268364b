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
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from casetrail import clock
from casetrail.cases.access import access_case, may_write_case, visible_cases
from casetrail.cases.models import Case
from casetrail.custody import actions, panels, queries
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
    may_run_area,
    require_deadline_write,
)
from casetrail.custody.clocks import rule_of
from casetrail.custody.errors import ApprovalRefused, CustodyError
from casetrail.custody.measures import REST_RULES, Duty, MeasureKind, spec
from casetrail.custody.models import CustodySession, Measure, MeasureStatus
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.record import record_view
from casetrail.org.access import request_officer, units_in_scope
from casetrail.org.models import Officer
from casetrail.org.queries import unit_officers
from casetrail.web.inputs import record_number
from casetrail.web.shortcuts import errors_line, form_error, officer_view

# The forms that end what cannot be resumed ask first, saying what follows (casetrail.js).
CONFIRMS = {
    "end": gettext_lazy(
        "End the measure: the person is no longer held under it and its deadlines stop. This "
        "cannot be undone. Continue?"
    ),
    "exit": gettext_lazy(
        "Record that the person left the case-handling area: the area's clock stops and the "
        "person leaves the whiteboard. This cannot be undone. Continue?"
    ),
}

MEASURE_TITLES = {
    "legal-review": gettext_lazy("Legal review (法制审核)"),
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
    subtree = request.GET.get("subtree") == "1"
    context: dict[str, Any] = {
        "board": queries.board(officer, unit, clock.now(), subtree=subtree),
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
    form = ui.ProposeForm(
        request.POST or None,
        choices={"person_id": queries.case_persons(case, suspects_only=True)},
        pack=case.unit.pack,
        case_kind=case.kind,
    )
    form.offer_the_only_choice("person_id")
    data = form.to_input(case_id=case.pk) if request.method == "POST" else None
    if data is not None:
        try:
            measure = actions.propose_measure(data, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            return redirect("custody:measure", measure.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "custody/measure_new.html", {"case": case, "form": form}, status=status)


def _offered(detail: queries.MeasureDetail) -> list[ui.Offered]:
    """The open deadlines of the measure that an extension its kind allows could move, soonest
    first, each with its rule and those extensions."""
    allowed = spec(detail.measure.kind).extensions
    found: list[ui.Offered] = []
    for deadline in sorted(detail.open_deadlines, key=lambda d: (d.due_at, d.pk)):
        rule = rule_of(deadline)
        extensions = [e for e in rule.extensions if allowed is None or e.id in allowed]
        if extensions:
            found.append((deadline, rule, extensions))
    return found


def _extension_form(data: Any, measure: Measure, detail: queries.MeasureDetail) -> forms.Form:
    offered = _offered(detail)
    deadlines = queries.deadlines_by_id(d.pk for d, _, _ in offered).select_related("unit")
    return ui.ExtensionForm(data, offered=offered, choices={"deadline_id": deadlines})


def _run_extension(measure: Measure, data: Any, *, actor: Officer) -> object:
    return actions.request_extension(data, actor=actor)


# Each action a measure's page offers: the form of its input, made with the records it may offer
# (from the POST, or unbound), and the action.
MEASURE_ACTIONS: dict[str, tuple[Callable[..., forms.Form], Callable[..., object]]] = {
    "legal-review": (lambda d, m, detail: ui.LegalReviewForm(d), actions.review_measure),
    "decision": (lambda d, m, detail: ui.DecisionForm(d), actions.decide_measure),
    "start": (
        lambda d, m, detail: ui.StartForm(
            d,
            choices={
                "replaces_id": queries.running_measures(m.case, person_id=m.person_id).exclude(
                    pk=m.pk
                )
            },
        ),
        actions.start_measure,
    ),
    "end": (lambda d, m, detail: ui.EndForm(d), actions.end_measure),
    "notifications": (lambda d, m, detail: ui.NotificationForm(d), actions.record_family_notice),
    "notice-exception": (
        lambda d, m, detail: ui.NoticeExceptionForm(d, grounds=queries.notice_grounds(m.kind)),
        actions.record_notice_exception,
    ),
    "interrogations": (lambda d, m, detail: ui.InterrogationForm(d), actions.record_interrogation),
    "delivery": (lambda d, m, detail: ui.DeliveryForm(d), actions.record_delivery),
    "arrest-request": (lambda d, m, detail: ui.ArrestRequestForm(d), actions.record_arrest_request),
    "procuratorate-decision": (
        lambda d, m, detail: ui.ProcuratorateForm(d),
        actions.record_procuratorate_decision,
    ),
    "reviews": (lambda d, m, detail: ui.ReviewForm(d), actions.record_review),
    "warrant-applications": (
        lambda d, m, detail: ui.WarrantApplicationForm(d),
        actions.record_warrant_application,
    ),
    "warrants": (lambda d, m, detail: ui.WarrantForm(d), actions.record_warrant),
    "extensions": (_extension_form, _run_extension),
}


def _measure_forms(measure: Measure, detail: queries.MeasureDetail) -> dict[str, forms.Form]:
    """The forms the measure's state calls for, unbound."""
    names: list[str] = []
    if measure.status == MeasureStatus.PROPOSED:
        if actions.needs_legal_review(measure) and not detail.legal_reviewed:
            names.append("legal-review")
        names.append("decision")
    elif measure.status == MeasureStatus.APPROVED:
        names.append("start")
    elif measure.status == MeasureStatus.RUNNING:
        duties = {d.duty for d in detail.open_deadlines}
        if Duty.NOTIFY_FAMILY in duties:
            names.append("notifications")
            if detail.notice_exceptions:
                names.append("notice-exception")
        names += [
            name
            for duty, name in (
                (Duty.INTERROGATE, "interrogations"),
                (Duty.DELIVER, "delivery"),
                (Duty.REQUEST_ARREST, "arrest-request"),
                (Duty.PROCURATORATE_DECISION, "procuratorate-decision"),
            )
            if duty in duties
        ]
        if measure.kind == MeasureKind.PACE_DETENTION:
            names += ["reviews", "warrant-applications", "warrants"]
        if _offered(detail):
            names.append("extensions")
        names.append("end")
    return {name: MEASURE_ACTIONS[name][0](None, measure, detail) for name in names}


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
    listed = [
        (name, MEASURE_TITLES.get(name, name), form, CONFIRMS.get(name, ""))
        for name, form in page_forms.items()
    ]
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
            "panels": panels.measure_panels(request, request_officer(request), measure),
            "case_link": _may_open_case(request, measure.case_id),
        },
        status=status,
    )


@officer_view
def measure_detail(request: HttpRequest, measure_id: int) -> HttpResponse:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id)
    record_view(measure, actor=officer, unit_id=measure.unit_id, what="custody measure")
    return _measure_page(request, measure)


def _attempt(
    form: Any, zone: str, run: Callable[[Any], object], **given: Any
) -> tuple[int | None, object]:
    """The form's input (times typed in ``zone``) handed to ``run``: no status and what it made
    when it was done, else the status to answer with and the refusals beside their fields."""
    with timezone.override(ZoneInfo(zone)):  # typed as shown: the unit's time
        data = form.to_input(**given)
    if data is None:
        return 400, None
    try:
        return None, run(data)
    except ApprovalRefused as exc:
        form_error(form, exc)
        return 403, None
    except Refused as exc:
        form_error(form, exc)
        return 400, None


@officer_view
@require_POST
def measure_act(request: HttpRequest, measure_id: int, action: str) -> HttpResponse:
    if action not in MEASURE_ACTIONS:
        raise Http404(f"no action {action}")
    officer = request_officer(request)
    measure = access_measure(officer, measure_id)
    make_form, run = MEASURE_ACTIONS[action]
    form = make_form(request.POST, measure, queries.measure_detail(measure))
    status, _ = _attempt(form, measure.unit.timezone, lambda d: run(measure, d, actor=officer))
    if status is None:
        return redirect("custody:measure", measure.pk)
    return _measure_page(request, measure, bound=(action, form), status=status)


@officer_view
@require_POST
def extension_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    officer = request_officer(request)
    extension = access_extension_request(officer, request_id)
    form = ui.ExtensionDecisionForm(request.POST)
    status, _ = _attempt(
        form,
        extension.measure.unit.timezone,
        lambda d: actions.decide_extension(extension, d, actor=officer),
    )
    if status is None:
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
    status, _ = _attempt(
        form,
        deadline.unit.timezone,
        lambda d: actions.account_for_missed(deadline, d, actor=officer),
    )
    if status is None:
        if deadline.measure_id:
            return redirect("custody:measure", deadline.measure_id)
        return redirect("custody:session", deadline.session_id)
    if deadline.measure is not None:
        return _measure_page(request, deadline.measure, status=status, error=errors_line(form))
    assert deadline.session is not None  # noqa: S101 - a deadline has an owner
    return _session_page(request, deadline.session, status=status, error=errors_line(form))


# -- the case-handling area --------------------------------------------------------------------


@officer_view
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, case_id: int) -> HttpResponse:
    officer = request_officer(request)
    case = case_for_area(officer, case_id)
    form = ui.EntryForm(
        request.POST or None,
        choices={
            "person_id": queries.case_persons(case),
            "measure_id": queries.running_measures(case),
            "escort_ids": unit_officers(case.unit),
        },
    )
    form.offer_the_only_choice("person_id", "measure_id")
    status: int | None = 200
    if request.method == "POST":
        status, made = _attempt(
            form,
            case.unit.timezone,
            lambda d: actions.open_session(d, actor=officer),
            unit_id=case.unit_id,
            case_id=case.pk,
        )
        if isinstance(made, CustodySession):
            return redirect("custody:session", made.pk)
    return render(request, "custody/session_new.html", {"case": case, "form": form}, status=status)


# Each action a stay's page offers: the form of its input, with the records it may offer, and
# the action.
SESSION_ACTIONS: dict[str, tuple[Callable[..., forms.Form], Callable[..., object]]] = {
    "safety-check": (lambda d, s: ui.SafetyCheckForm(d), actions.record_safety_check),
    "belongings": (lambda d, s: ui.BelongingForm(d), actions.deposit_belonging),
    "interviews": (
        lambda d, s: ui.InterviewForm(
            d,
            choices={"officer_ids": unit_officers(s.unit)},
            # A criminal suspect is interrogated (讯问), anyone else questioned (询问): the
            # person's own kind is offered chosen.
            initial={"kind": queries.interview_kind(s)},
        ),
        actions.record_interview,
    ),
    "care": (
        lambda d, s: ui.CareForm(d, rest_rules=s.unit.pack in REST_RULES),
        actions.record_care,
    ),
    "rights": (lambda d, s: ui.RightsForm(d), actions.record_rights),
    "exit": (lambda d, s: ui.ExitForm(d), actions.close_session),
}


def _session_forms(session: CustodySession) -> dict[str, forms.Form]:
    if session.exited_at is not None:
        names = ["interviews"]
    else:
        names = ["safety-check"] if session.checked_at is None else []
        names += ["belongings", "interviews", "care", "rights", "exit"]
    return {name: SESSION_ACTIONS[name][0](None, session) for name in names}


def _may_open_case(request: HttpRequest, case_id: int) -> bool:
    """Whether the case's page opens for the officer: a custody officer keeps a sealed case's
    person in the area without reading the case, and is offered no link that would refuse."""
    return visible_cases(request_officer(request)).filter(pk=case_id).exists()


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
    listed = [
        (name, SESSION_TITLES.get(name, name), form, CONFIRMS.get(name, ""))
        for name, form in page_forms.items()
    ]
    officers = unit_officers(session.unit)
    settle = [
        (
            b,
            ui.SettleForm(choices={"refusal_witness_id": officers}, auto_id=f"id_settle{b.pk}_%s"),
        )
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
            "case_link": _may_open_case(request, session.case_id),
        },
        status=status,
    )


@officer_view
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    officer = request_officer(request)
    session = access_session(officer, session_id)
    record_view(session, actor=officer, unit_id=session.unit_id, what="custody session")
    return _session_page(request, session)


@officer_view
@require_POST
def session_act(request: HttpRequest, session_id: int, action: str) -> HttpResponse:
    if action not in SESSION_ACTIONS:
        raise Http404(f"no action {action}")
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    make_form, run = SESSION_ACTIONS[action]
    form = make_form(request.POST, session)
    status, _ = _attempt(form, session.unit.timezone, lambda d: run(session, d, actor=officer))
    if status is None:
        return redirect("custody:session", session.pk)
    return _session_page(request, session, bound=(action, form), status=status)


@officer_view
@require_POST
def belonging_settle(request: HttpRequest, session_id: int, belonging_id: int) -> HttpResponse:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    item = access_belonging(officer, belonging_id)
    if item.session_id != session.pk:
        raise Http404("belonging not found")
    form = ui.SettleForm(request.POST, choices={"refusal_witness_id": unit_officers(session.unit)})
    status, _ = _attempt(
        form, session.unit.timezone, lambda d: actions.settle_belonging(item, d, actor=officer)
    )
    if status is None:
        return redirect("custody:session", session.pk)
    return _session_page(request, session, status=status, error=errors_line(form))


# -- the inbox --------------------------------------------------------------------------------


@officer_view
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    if request.method == "POST":
        item_id = record_number(request.POST.get("item", ""))
        if item_id is None:
            raise Http404("no such alert")
        item = access_inbox_item(officer, item_id)
        with contextlib.suppress(CustodyError):  # a second click: already acknowledged
            actions.acknowledge_alert(item, actor=officer)
        return redirect("custody:inbox")
    items = list(queries.inbox(officer)[:200])
    return render(request, "custody/inbox.html", {"items": items, "now": clock.now()})


def case_panel(request: HttpRequest, officer: Officer, case: Case) -> SafeString:
    """The case page's custody section: the measures and stays the officer may see, and the
    ways in (a measure, the case-handling area) offered only to whoever may use them."""
    custody = queries.case_custody(officer, case)
    may_propose = may_write_case(officer, case)
    may_bring_in = may_run_area(officer, case.unit, case)
    if not (custody.measures or custody.sessions or may_propose or may_bring_in):
        return SafeString("")
    return SafeString(
        render_to_string(
            "custody/panel_case.html",
            {
                "case": case,
                "measures": custody.measures,
                "sessions": custody.sessions,
                "may_propose": may_propose,
                "may_bring_in": may_bring_in,
            },
            request=request,
        )
    )


@officer_view
def cases_for_custody(request: HttpRequest) -> HttpResponse:
    """Where a custody officer or a handler starts: the cases of their units, to propose a
    measure or bring a person into the area."""
    officer = request_officer(request)
    return render(request, "custody/start.html", {"cases": queries.custody_cases(officer)})
