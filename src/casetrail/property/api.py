"""The property API: a case's items, registering, hand-overs, the store, borrowing, disposal,
stock-takes, labels, and copies of stored files with a ledger receipt."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from casetrail.cases.access import access_case
from casetrail.cases.api import CaseRef
from casetrail.errors import NotFound, in_field
from casetrail.ledger.receipts import receipt_for_entry
from casetrail.org.access import access_unit, request_officer
from casetrail.property import actions, inputs, queries
from casetrail.property.access import (
    access_borrow,
    access_deadline,
    access_disposal,
    access_file,
    access_item,
    access_location,
    access_stocktake,
    access_transfer,
    item_by_code,
    require_room_keeper,
)
from casetrail.property.models import Item, StockTake
from casetrail.web.inputs import RecordId, body

router = Router(tags=["property"])
# What a stored file is, as the multipart form names it (FileRole's values).
FileRoleName = Literal["photo", "image", "receipt", "disposal"]


class LimitOut(Schema):
    rule: str
    title: str
    citation: str
    due_at: datetime
    status: str
    colour: str


class TransferOut(Schema):
    id: int
    from_kind: str
    to_kind: str
    to: str
    location: str | None
    purpose: str
    condition: str
    seal_intact: bool
    sent_at: datetime
    status: str
    answered_at: datetime | None
    received_condition: str
    received_seal_intact: bool | None
    sha256: str


class ItemOut(Schema):
    id: int
    code: str
    case_number: str
    kind: str
    basis: str
    description: str
    quantity: int
    weight: str | None
    amount: str | None
    currency: str
    owner_id: int | None
    found_place: str
    found_at: datetime
    status: str
    holder: str
    holder_kind: str
    location: str | None
    image_sha256: str
    seals: list[str]
    limits: list[LimitOut]
    chain: list[TransferOut]


class PropertyStepOut(Schema):
    id: int
    status: str


class StockTakeOut(Schema):
    id: int
    location: str
    population: int
    full_count: int
    sampled: int
    others: int
    confidence: float
    tolerable_rate: float
    to_count: list[str]
    submitted_at: datetime | None
    missing: list[str]
    unexpected: list[str]


class StoreRowOut(Schema):
    code: str
    kind: str
    description: str
    case_number: str
    location: str | None
    in_room_since: datetime | None


class StoreOut(Schema):
    total: int
    page: int
    pages: int
    items: list[StoreRowOut]


class FileOut(Schema):
    id: int
    role: str
    name: str
    size: int
    sha256: str


def _item(request: HttpRequest, item: Item) -> dict[str, Any]:
    return queries.item_out(request_officer(request), item)


def _stocktake(st: StockTake) -> dict[str, Any]:
    return {
        **{f: getattr(st, f) for f in StockTakeOut.model_fields if f != "location"},
        "location": st.location.code,
    }


@router.get("/cases/{case_ref}/property", response=list[ItemOut])
def case_items(request: HttpRequest, case_ref: CaseRef) -> list[dict[str, Any]]:
    officer = request_officer(request)
    case = access_case(officer, case_ref)
    return [queries.item_out(officer, item) for item in queries.case_items(case)]


@router.post("/cases/{case_ref}/property", response={201: ItemOut})
@body(inputs.ItemInput)
def register(request: HttpRequest, case_ref: CaseRef, data: inputs.ItemInput) -> Status[Any]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    return Status(201, _item(request, actions.register_item(case, data, actor=officer)))


@router.post("/property/from-belonging", response={201: ItemOut})
@body(inputs.BelongingItemInput)
def from_belonging(request: HttpRequest, data: inputs.BelongingItemInput) -> Status[Any]:
    item = actions.register_belonging(data, actor=request_officer(request))
    return Status(201, _item(request, item))


@router.get("/property/items/{item_id}", response=ItemOut)
def get_item(request: HttpRequest, item_id: RecordId) -> dict[str, Any]:
    return _item(request, access_item(request_officer(request), item_id))


@router.get("/property/scan", response=ItemOut)
def scan(request: HttpRequest, code: str) -> dict[str, Any]:
    """The item a label's code names (typed, or from a keyboard-wedge scanner)."""
    return _item(request, item_by_code(request_officer(request), code[:64]))


@router.get("/property/search", response=list[ItemOut])
def search(request: HttpRequest, q: str) -> list[dict[str, Any]]:
    officer = request_officer(request)
    return [queries.item_out(officer, item) for item in queries.search(officer, q)]


@router.get("/property/items/{item_id}/labels.pdf")
def item_label(request: HttpRequest, item_id: RecordId) -> HttpResponse:
    return queries.labels_pdf([access_item(request_officer(request), item_id)])


@router.get("/cases/{case_ref}/property/labels.pdf")
def case_labels(request: HttpRequest, case_ref: CaseRef) -> HttpResponse:
    case = access_case(request_officer(request), case_ref)
    return queries.case_labels_pdf(case)


@router.post("/property/items/{item_id}/corrections", response={201: ItemOut})
@body(inputs.ItemCorrectionInput)
def correct(
    request: HttpRequest, item_id: RecordId, data: inputs.ItemCorrectionInput
) -> Status[Any]:
    officer = request_officer(request)
    correction = actions.correct_item(access_item(officer, item_id), data, actor=officer)
    return Status(201, _item(request, access_item(officer, correction.item_id)))


@router.post("/property/items/{item_id}/files", response={201: FileOut})
def add_file(
    request: HttpRequest, item_id: RecordId, role: Form[FileRoleName], file: File[UploadedFile]
) -> Status[Any]:
    """A photo, a forensic image (a digital device's, once), a signed receipt or a photo of a
    disposal, as multipart form data: ``role`` and ``file``."""
    officer = request_officer(request)
    data = inputs.FileInput(role=role)
    stored = actions.add_file(access_item(officer, item_id), data, file, actor=officer)
    return Status(
        201,
        {
            "id": stored.pk,
            "role": stored.role,
            "name": stored.name,
            "size": stored.size,
            "sha256": stored.sha256,
        },
    )


@router.get("/property/files/{file_id}")
def download(request: HttpRequest, file_id: RecordId) -> FileResponse:
    """A copy of the file; the response names its SHA-256 and the ledger entry that recorded the
    copy, whose receipt is at /property/copies/{copy_seq}/receipt."""
    officer = request_officer(request)
    stored = access_file(officer, file_id)
    content, seq = actions.download_file(stored, actor=officer)
    response = FileResponse(
        content,
        as_attachment=True,
        filename=f"{stored.item.code}-{stored.name}",
        content_type="application/octet-stream",
    )
    response["X-Casetrail-SHA256"] = stored.sha256
    response["X-Casetrail-Ledger-Seq"] = str(seq)
    return response


@router.get("/property/copies/{copy_seq}/receipt")
def download_receipt(request: HttpRequest, copy_seq: RecordId) -> JsonResponse:
    """The receipt of a copy the caller took: the entry with the file's hash, its inclusion
    proof and a signed head, to check offline with `casetrail ledger check-receipt`."""
    entry = queries.download_entry(request_officer(request), copy_seq)
    if entry is None:
        raise NotFound(gettext("no copy %(copy)s of yours") % {"copy": copy_seq})
    receipt = receipt_for_entry(entry)
    if receipt is None:
        raise NotFound(gettext("no signing key is configured: no receipt can be made"))
    return JsonResponse(receipt.file())


@router.post("/property/items/{item_id}/transfers", response={201: TransferOut})
@body(inputs.TransferInput)
def send(request: HttpRequest, item_id: RecordId, data: inputs.TransferInput) -> Status[Any]:
    officer = request_officer(request)
    transfer = actions.send(access_item(officer, item_id), data, actor=officer)
    return Status(201, queries.transfer_out(transfer))


@router.post("/property/transfers/{transfer_id}/answer", response=TransferOut)
@body(inputs.AnswerInput)
def answer(request: HttpRequest, transfer_id: RecordId, data: inputs.AnswerInput) -> Any:
    officer = request_officer(request)
    transfer = actions.answer(access_transfer(officer, transfer_id), data, actor=officer)
    return queries.transfer_out(transfer)


@router.post("/property/transfers/{transfer_id}/withdraw", response=TransferOut)
def withdraw(request: HttpRequest, transfer_id: RecordId) -> Any:
    officer = request_officer(request)
    return queries.transfer_out(
        actions.withdraw(access_transfer(officer, transfer_id), actor=officer)
    )


@router.get("/property/handovers", response=list[TransferOut])
def handovers(request: HttpRequest) -> list[dict[str, Any]]:
    """Hand-overs waiting for the caller: to confirm, or sent and not yet confirmed."""
    return [queries.transfer_out(t) for t in queries.waiting_handovers(request_officer(request))]


@router.post("/property/items/{item_id}/receive", response={201: TransferOut})
@body(inputs.ReturnInput)
def receive(request: HttpRequest, item_id: RecordId, data: inputs.ReturnInput) -> Status[Any]:
    officer = request_officer(request)
    transfer = actions.receive_back(access_item(officer, item_id), data, actor=officer)
    return Status(201, queries.transfer_out(transfer))


@router.post("/property/items/{item_id}/unrelated", response=ItemOut)
@body(inputs.EventInput)
def unrelated(request: HttpRequest, item_id: RecordId, data: inputs.EventInput) -> Any:
    officer = request_officer(request)
    return _item(
        request, actions.found_unrelated(access_item(officer, item_id), data, actor=officer)
    )


@router.post("/property/items/{item_id}/owner-notified", response=ItemOut)
@body(inputs.EventInput)
def notified(request: HttpRequest, item_id: RecordId, data: inputs.EventInput) -> Any:
    officer = request_officer(request)
    return _item(
        request, actions.owner_notified(access_item(officer, item_id), data, actor=officer)
    )


@router.post("/property/items/{item_id}/borrows", response={201: PropertyStepOut})
@body(inputs.BorrowInput)
def borrow(request: HttpRequest, item_id: RecordId, data: inputs.BorrowInput) -> Status[Any]:
    officer = request_officer(request)
    made = actions.request_borrow(access_item(officer, item_id), data, actor=officer)
    return Status(201, {"id": made.pk, "status": made.status})


@router.post("/property/borrows/{borrow_id}/decision", response=PropertyStepOut)
@body(inputs.PropertyDecisionInput)
def decide_borrow(
    request: HttpRequest, borrow_id: RecordId, data: inputs.PropertyDecisionInput
) -> Any:
    officer = request_officer(request)
    made = actions.decide_borrow(access_borrow(officer, borrow_id), data, actor=officer)
    return {"id": made.pk, "status": made.status}


@router.post("/property/items/{item_id}/disposals", response={201: PropertyStepOut})
@body(inputs.DisposalInput)
def dispose(request: HttpRequest, item_id: RecordId, data: inputs.DisposalInput) -> Status[Any]:
    officer = request_officer(request)
    made = actions.request_disposal(access_item(officer, item_id), data, actor=officer)
    return Status(201, {"id": made.pk, "status": made.status})


@router.post("/property/disposals/{disposal_id}/decision", response=PropertyStepOut)
@body(inputs.PropertyDecisionInput)
def decide_disposal(
    request: HttpRequest, disposal_id: RecordId, data: inputs.PropertyDecisionInput
) -> Any:
    officer = request_officer(request)
    made = actions.decide_disposal(access_disposal(officer, disposal_id), data, actor=officer)
    return {"id": made.pk, "status": made.status}


@router.post("/property/disposals/{disposal_id}/carry-out", response=PropertyStepOut)
@body(inputs.CarryOutInput)
def carry_out(request: HttpRequest, disposal_id: RecordId, data: inputs.CarryOutInput) -> Any:
    officer = request_officer(request)
    made = actions.carry_out(access_disposal(officer, disposal_id), data, actor=officer)
    return {"id": made.pk, "status": made.status}


@router.post("/property/limits/{limit_id}/account", response=PropertyStepOut)
@body(inputs.LimitAccountInput)
def account(request: HttpRequest, limit_id: RecordId, data: inputs.LimitAccountInput) -> Any:
    officer = request_officer(request)
    row = actions.account_for_deadline(access_deadline(officer, limit_id), data, actor=officer)
    return {"id": row.pk, "status": row.status}


@router.get("/units/{unit_id}/property/store", response=StoreOut)
def store(
    request: HttpRequest,
    unit_id: RecordId,
    location: RecordId | None = None,
    age: str = "",
    case_status: str = "",
    limit: str = "",
    page: int = 1,
) -> dict[str, Any]:
    officer = request_officer(request)
    unit = access_unit(officer, unit_id)
    require_room_keeper(officer, unit, doing=gettext("reading the property room"))
    view = queries.store(
        unit,
        queries.StoreFilter(
            location, age[:16], case_status[:32], limit[:16], max(1, min(page, 100_000))
        ),
    )
    return {
        **{k: view[k] for k in ("total", "page", "pages")},
        "items": [
            {
                "code": i.code,
                "kind": i.kind,
                "description": i.description,
                "case_number": i.case.number,
                "location": i.location.code if i.location else None,
                "in_room_since": i.in_room_since,
            }
            for i in view["items"]
        ],
    }


@router.post("/units/{unit_id}/property/locations", response={201: PropertyStepOut})
@body(inputs.LocationInput)
def add_location(request: HttpRequest, unit_id: RecordId, data: inputs.LocationInput) -> Any:
    officer = request_officer(request)
    location = actions.add_location(access_unit(officer, unit_id), data, actor=officer)
    return Status(201, {"id": location.pk, "status": "added"})


@router.post("/property/stocktakes", response={201: StockTakeOut})
@body(inputs.StockTakeInput)
def start_stocktake(request: HttpRequest, data: inputs.StockTakeInput) -> Status[Any]:
    officer = request_officer(request)
    with in_field("location_id"):
        location = access_location(officer, data.location_id)
    return Status(201, _stocktake(actions.start_stocktake(location, actor=officer)))


@router.post("/property/stocktakes/{stocktake_id}/reconcile", response=StockTakeOut)
@body(inputs.ScanInput)
def reconcile(request: HttpRequest, stocktake_id: RecordId, data: inputs.ScanInput) -> Any:
    officer = request_officer(request)
    return _stocktake(
        actions.reconcile(access_stocktake(officer, stocktake_id), data, actor=officer)
    )
