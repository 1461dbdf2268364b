"""The property pages: a case's items and registering, one item with its chain of custody and
the actions its holder and its case may take, scanning a code, the hand-overs waiting, the
property room (store, locations, alerts, disposal ratio, stock-takes) and labels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from casetrail.approvals.actions import ApprovalRefused
from casetrail.cases.access import access_case, may_write_case
from casetrail.cases.models import Case, Person
from casetrail.errors import NotFound, Refused
from casetrail.ledger.receipts import receipt_for_entry
from casetrail.org.access import access_unit, request_officer
from casetrail.org.models import Officer, Unit
from casetrail.org.queries import unit_officers
from casetrail.property import actions, queries
from casetrail.property import forms as ui
from casetrail.property.access import (
    access_borrow,
    access_deadline,
    access_disposal,
    access_file,
    access_item,
    access_location,
    access_stocktake,
    access_transfer,
    is_custodian,
    item_by_code,
    locations_near,
    require_room_keeper,
)
from casetrail.property.models import (
    BORROW_UNDER_WAY,
    DISPOSAL_UNDER_WAY,
    EXTERNAL,
    DisposalStatus,
    HolderKind,
    Item,
    ItemStatus,
)
from casetrail.web.inputs import record_number
from casetrail.web.shortcuts import errors_line, form_error, officer_view


def _belonging_choices(case: Case) -> dict[str, QuerySet[Any]]:
    return {
        "belonging_id": queries.unsettled_belongings(case),
        "refusal_witness_id": unit_officers(case.unit),
    }


def _case_context(officer: Officer, case: Case, **given: forms.Form) -> dict[str, Any]:
    writable = may_write_case(officer, case)
    return {
        "case": case,
        "items": queries.case_items(case),
        "form": given.get("form")
        or (ui.ItemForm(choices=queries.case_choices(case)) if writable else None),
        "belonging_form": given.get("belonging_form")
        or (
            ui.BelongingForm(choices=_belonging_choices(case))
            if writable and queries.unsettled_belongings(case).exists()
            else None
        ),
    }


@officer_view
def case_items(request: HttpRequest, case_ref: str) -> HttpResponse:
    officer = request_officer(request)
    case = access_case(officer, case_ref)
    if request.method != "POST":
        return render(request, "property/case_items.html", _case_context(officer, case))
    case = access_case(officer, case_ref, for_write=True)
    belonging = "belonging_id" in request.POST
    form: forms.Form = (
        ui.BelongingForm(request.POST, choices=_belonging_choices(case))
        if belonging
        else ui.ItemForm(request.POST, choices=queries.case_choices(case))
    )
    data = form.to_input()  # type: ignore[attr-defined]
    if data is not None:
        try:
            item = (
                actions.register_belonging(data, actor=officer)
                if belonging
                else actions.register_item(case, data, actor=officer)
            )
        except Refused as exc:
            form_error(form, exc)
        else:
            return redirect("property:item", item.pk)
    name = "belonging_form" if belonging else "form"
    context = _case_context(officer, case, **{name: form})
    return render(request, "property/case_items.html", context, status=400)


@officer_view
def case_labels(request: HttpRequest, case_ref: str) -> HttpResponse:
    case = access_case(request_officer(request), case_ref)
    return queries.case_labels_pdf(case)


def _item_forms(officer: Officer, item: Item, detail: dict[str, Any]) -> dict[str, Any]:
    held = item.status == ItemStatus.HELD
    case_side = may_write_case(officer, item.case) and held
    officers = {
        "to_officer_id": unit_officers(item.unit).exclude(pk=officer.pk),
        "location_id": locations_near(item.unit),
    }
    in_room = item.holder_kind == HolderKind.ROOM
    approved = [d for d in detail["disposals"] if d.status == DisposalStatus.APPROVED]
    open_disposal = any(d.status in DISPOSAL_UNDER_WAY for d in detail["disposals"])
    busy_borrow = any(b.status in BORROW_UNDER_WAY for b in detail["borrows"])
    receiving = (
        item.holder_kind in EXTERNAL
        and held
        and (case_side or any(is_custodian(officer, loc.unit) for loc in locations_near(item.unit)))
    )
    return {
        "transfer_form": ui.TransferForm(choices=officers)
        if detail["holds"] and detail["pending"] is None
        else None,
        "answer_form": ui.AnswerForm(choices={"location_id": locations_near(item.unit)})
        if detail["may_answer"]
        else None,
        "receive_form": ui.ReturnForm(choices={"location_id": locations_near(item.unit)})
        if receiving
        else None,
        "correct_form": ui.CorrectionForm() if case_side else None,
        "file_form": ui.FileForm() if case_side or detail["holds"] else None,
        # Two forms of one input on one page: each its own ids, so a label finds its field.
        "unrelated_form": ui.EventForm(auto_id="unrelated-%s")
        if case_side and item.unrelated_at is None
        else None,
        "notified_form": ui.EventForm(auto_id="notified-%s")
        if case_side and item.owner_notified_at is None
        else None,
        "borrow_form": ui.BorrowForm() if case_side and in_room and not busy_borrow else None,
        "dispose_form": ui.DisposalForm() if case_side and not open_disposal else None,
        # One decision form per row waiting for this officer, each with its own ids.
        "borrow_decisions": [
            (b, ui.DecisionForm(auto_id=f"borrow{b.pk}-%s")) for b in detail["borrow_to_decide"]
        ],
        "disposal_decisions": [
            (d, ui.DecisionForm(auto_id=f"disposal{d.pk}-%s")) for d in detail["disposal_to_decide"]
        ],
        "carry_forms": [
            (
                d,
                ui.CarryOutForm(
                    choices={
                        "witness_ids": unit_officers(item.unit).exclude(pk=officer.pk),
                        "recipient_document_id": queries.issued_documents(item.case),
                    }
                ),
            )
            for d in approved
        ]
        if detail["holds"]
        else [],
        "account_form": ui.AccountForm() if case_side else None,
    }


def _item_context(officer: Officer, item: Item, **given: Any) -> dict[str, Any]:
    detail = queries.item_detail(officer, item)
    return detail | _item_forms(officer, item, detail) | given


@officer_view
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    officer = request_officer(request)
    found = access_item(officer, item_id)
    return render(request, "property/item.html", _item_context(officer, found))


@officer_view
def item_label(request: HttpRequest, item_id: int) -> HttpResponse:
    return queries.labels_pdf([access_item(request_officer(request), item_id)])


def _target(request: HttpRequest) -> int:
    number = record_number(request.POST.get("target", ""))
    if number is None:
        raise NotFound(gettext("no such record"))
    return number


Run = Callable[[HttpRequest, Officer, Item, Any], Any]
# The item page's actions: (form class, name in the template, what runs).
_ACTS: dict[str, tuple[type[forms.Form] | None, str, Run]] = {
    "correct": (
        ui.CorrectionForm,
        "correct_form",
        lambda r, o, i, d: actions.correct_item(i, d, actor=o),
    ),
    "transfer": (ui.TransferForm, "transfer_form", lambda r, o, i, d: actions.send(i, d, actor=o)),
    "answer": (
        ui.AnswerForm,
        "answer_form",
        lambda r, o, i, d: actions.answer(_of_item(access_transfer(o, _target(r)), i), d, actor=o),
    ),
    "withdraw": (
        None,
        "",
        lambda r, o, i, d: actions.withdraw(_of_item(access_transfer(o, _target(r)), i), actor=o),
    ),
    "receive": (
        ui.ReturnForm,
        "receive_form",
        lambda r, o, i, d: actions.receive_back(i, d, actor=o),
    ),
    "unrelated": (
        ui.EventForm,
        "unrelated_form",
        lambda r, o, i, d: actions.found_unrelated(i, d, actor=o),
    ),
    "notified": (
        ui.EventForm,
        "notified_form",
        lambda r, o, i, d: actions.owner_notified(i, d, actor=o),
    ),
    "borrow": (
        ui.BorrowForm,
        "borrow_form",
        lambda r, o, i, d: actions.request_borrow(i, d, actor=o),
    ),
    "borrow-decision": (
        ui.DecisionForm,
        "decision_form",
        lambda r, o, i, d: actions.decide_borrow(
            _of_item(access_borrow(o, _target(r)), i), d, actor=o
        ),
    ),
    "dispose": (
        ui.DisposalForm,
        "dispose_form",
        lambda r, o, i, d: actions.request_disposal(i, d, actor=o),
    ),
    "disposal-decision": (
        ui.DecisionForm,
        "decision_form",
        lambda r, o, i, d: actions.decide_disposal(
            _of_item(access_disposal(o, _target(r)), i), d, actor=o
        ),
    ),
    "carry-out": (
        ui.CarryOutForm,
        "carry_error_form",
        lambda r, o, i, d: actions.carry_out(
            _of_item(access_disposal(o, _target(r)), i), d, actor=o
        ),
    ),
    "account": (
        ui.AccountForm,
        "account_form",
        lambda r, o, i, d: actions.account_for_deadline(
            _of_item(access_deadline(o, _target(r)), i), d, actor=o
        ),
    ),
}


def _of_item(row: Any, item: Item) -> Any:
    """A hand-over, borrowing, disposal or limit named on an item's page belongs to that item."""
    if row.item_id != item.pk:
        raise NotFound(gettext("no such record of this item"))
    return row


@officer_view
@require_POST
def act(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    officer = request_officer(request)
    found = access_item(officer, item_id)
    if action == "file":
        return _add_file(request, officer, found)
    if action not in _ACTS:
        raise NotFound(gettext("no action %(action)s") % {"action": repr(action)})
    form_class, name, run = _ACTS[action]
    offered = {
        "to_officer_id": unit_officers(found.unit),
        "location_id": locations_near(found.unit),
        "witness_ids": unit_officers(found.unit),
        "recipient_document_id": queries.issued_documents(found.case),
    }
    form = None
    if form_class is not None:
        choices = {k: v for k, v in offered.items() if k in form_class.base_fields}
        form = form_class(request.POST, choices=choices)  # type: ignore[call-arg]
    data = form.to_input() if form is not None else None  # type: ignore[attr-defined]
    error, status = "", 400
    if form is None or data is not None:
        try:
            run(request, officer, found, data)
        except Refused as exc:
            status = 403 if isinstance(exc, ApprovalRefused) else 400
            error = str(exc)
            if form is not None:
                form_error(form, exc)
        else:
            return redirect("property:item", found.pk)
    elif form is not None:
        error = errors_line(form)
    context = _item_context(officer, access_item(officer, item_id), error=error, failed=action)
    if form is not None and name:
        context[name] = form
    return render(request, "property/item.html", context, status=status)


def _add_file(request: HttpRequest, officer: Officer, found: Item) -> HttpResponse:
    form = ui.FileForm(request.POST, request.FILES)
    data = form.to_input()
    if data is not None:
        try:
            actions.add_file(found, data, form.cleaned_data["file"], actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            return redirect("property:item", found.pk)
    context = _item_context(officer, found, file_form=form, failed="file")
    return render(request, "property/item.html", context, status=400)


@officer_view
def download(request: HttpRequest, file_id: int) -> HttpResponse | FileResponse:
    officer = request_officer(request)
    stored = access_file(officer, file_id)
    try:
        content, seq = actions.download_file(stored, actor=officer)
    except Refused as exc:
        context = _item_context(officer, stored.item, error=str(exc), failed="download")
        return render(request, "property/item.html", context, status=409)
    response = FileResponse(
        content,
        as_attachment=True,
        filename=f"{stored.item.code}-{stored.name}",
        content_type="application/octet-stream",
    )
    response["X-Casetrail-SHA256"] = stored.sha256
    response["X-Casetrail-Ledger-Seq"] = str(seq)
    return response


@officer_view
def receipt(request: HttpRequest, copy_seq: int) -> HttpResponse:
    entry = queries.download_entry(request_officer(request), copy_seq)
    if entry is None:
        raise NotFound(gettext("no copy %(copy)s of yours") % {"copy": copy_seq})
    made = receipt_for_entry(entry)
    if made is None:
        raise NotFound(gettext("no signing key is configured: no receipt can be made"))
    response = JsonResponse(made.file(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="receipt-{copy_seq}.json"'
    return response


def _index_context(officer: Officer, text: str = "", **given: Any) -> dict[str, Any]:
    return {
        "q": text,
        "results": queries.search(officer, text) if text.strip() else None,
        "held": queries.held_by(officer),
        "rooms": queries.room_units(officer),
        "handovers_waiting": queries.waiting_handovers(officer),
    } | given


@officer_view
def index(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    context = _index_context(officer, request.GET.get("q", "")[:100])
    return render(request, "property/index.html", context)


@officer_view
def scan(request: HttpRequest) -> HttpResponse:
    """A code typed or read by a keyboard-wedge scanner opens its item."""
    officer = request_officer(request)
    code = request.GET.get("code", "")[:64]
    try:
        return redirect("property:item", item_by_code(officer, code).pk)
    except NotFound:
        context = _index_context(officer, code=code, scan_error=True)
        return render(request, "property/index.html", context, status=404)


@officer_view
def handovers(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    return render(
        request,
        "property/handovers.html",
        {"handovers_waiting": queries.waiting_handovers(officer)},
    )


def _store_filter(request: HttpRequest) -> queries.StoreFilter:
    return queries.StoreFilter(
        location=record_number(request.GET.get("location", "")),
        age=request.GET.get("age", "")[:16],
        case_status=request.GET.get("case_status", "")[:32],
        limit=request.GET.get("limit", "")[:16],
        page=min(record_number(request.GET.get("page", "")) or 1, 100_000),
    )


def _room_context(request: HttpRequest, unit: Unit, **given: Any) -> dict[str, Any]:
    officer = request_officer(request)
    return {
        "unit": unit,
        "store": queries.store(unit, _store_filter(request)),
        "locations": queries.locations(unit),
        "alerts": queries.room_alerts(unit),
        "ratio": queries.disposal_ratio(unit),
        "stocktakes": queries.stocktakes(unit),
        "custodian": is_custodian(officer, unit),
        "location_form": ui.LocationForm(),
        "ages": list(queries.AGES),
    } | given


@officer_view
def room(request: HttpRequest, unit_id: int) -> HttpResponse:
    officer = request_officer(request)
    unit = access_unit(officer, unit_id)
    require_room_keeper(officer, unit, doing=gettext("reading the property room"))
    if request.method != "POST":
        return render(request, "property/room.html", _room_context(request, unit))
    if "location_id" in request.POST:
        number = record_number(request.POST.get("location_id", ""))
        try:
            location = access_location(officer, number or 0)
            started = actions.start_stocktake(location, actor=officer)
        except (Refused, NotFound) as exc:
            return render(
                request,
                "property/room.html",
                _room_context(request, unit, stocktake_error=str(exc)),
                status=400,
            )
        return redirect("property:stocktake", started.pk)
    form = ui.LocationForm(request.POST)
    data = form.to_input()
    if data is not None:
        try:
            actions.add_location(unit, data, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            return redirect("property:room", unit.pk)
    return render(
        request, "property/room.html", _room_context(request, unit, location_form=form), status=400
    )


@officer_view
def stocktake(request: HttpRequest, stocktake_id: int) -> HttpResponse:
    officer = request_officer(request)
    found = access_stocktake(officer, stocktake_id)
    form = ui.ScanForm(request.POST) if request.method == "POST" else ui.ScanForm()
    status = 200
    if request.method == "POST":
        data = form.to_input()
        status = 400
        if data is not None:
            try:
                actions.reconcile(found, data, actor=officer)
            except Refused as exc:
                form_error(form, exc)
            else:
                return redirect("property:stocktake", found.pk)
    found = access_stocktake(officer, stocktake_id)
    return render(
        request,
        "property/stocktake.html",
        {
            "st": found,
            "form": form,
            "custodian": is_custodian(officer, found.location.unit),
            "differences": list(found.differences.all()),
        },
        status=status,
    )


def case_panel(request: HttpRequest, officer: Officer, case: Case) -> SafeString:
    return SafeString(
        render_to_string(
            "property/panel_case.html",
            {
                "case": case,
                "items": queries.case_items(case),
                "writable": may_write_case(officer, case),
            },
            request=request,
        )
    )


def person_panel(request: HttpRequest, officer: Officer, person: Person) -> SafeString:
    items = list(queries.person_items(officer, person)[:100])
    if not items:
        return SafeString("")
    return SafeString(
        render_to_string("property/panel_person.html", {"items": items}, request=request)
    )
