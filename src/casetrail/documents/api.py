"""The documents API: a case's documents, drafting, the approval steps, service, the PDF."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status

from casetrail.approvals.inbox import waiting_for
from casetrail.cases.access import access_case
from casetrail.cases.api import CaseRef
from casetrail.documents import actions, inputs, queries
from casetrail.documents.access import access_document
from casetrail.documents.models import Document
from casetrail.org.access import request_officer
from casetrail.web.inputs import RecordId, body

router = Router(tags=["documents"])


class StepOut(Schema):
    round: int
    step: int
    role: str
    verdict: str
    officer: str
    opinion: str
    decided_at: datetime


class ServiceOut(Schema):
    method: str
    served_at: datetime
    recipient: str
    relationship: str
    acknowledgment: str
    witness: str
    signature_sha256: str


class DocumentOut(Schema):
    id: int
    type_id: str
    title: str
    case_number: str
    number: str
    version: int
    supersedes: str | None
    status: str
    person_id: int | None
    measure_id: int | None
    params: dict[str, str]
    particulars: str
    waiting_for_role: str
    content_sha256: str
    sha256: str
    issued_at: datetime | None
    service_due_at: datetime | None
    served_at: datetime | None
    service_rule: str
    steps: list[StepOut]
    services: list[ServiceOut]


class WaitingOut(Schema):
    what: str
    title: str
    case_number: str
    unit: str
    role: str
    since: datetime
    due_at: datetime | None
    url: str


def _out(doc: Document) -> dict[str, Any]:
    return queries.document_out(doc)


@router.get("/approvals/awaiting", response=list[WaitingOut])
def awaiting(request: HttpRequest) -> list[dict[str, Any]]:
    """Everything waiting for the caller's decision, the most urgent first: documents, measures,
    extensions and the case decisions reserved to a leader."""
    return [
        {**item.__dict__, "unit": item.unit_name} for item in waiting_for(request_officer(request))
    ]


@router.get("/cases/{case_ref}/documents", response=list[DocumentOut])
def case_documents(request: HttpRequest, case_ref: CaseRef) -> list[dict[str, Any]]:
    case = access_case(request_officer(request), case_ref)
    return [_out(doc) for doc in queries.case_documents(case)]


@router.post("/cases/{case_ref}/documents", response={201: DocumentOut})
@body(inputs.DraftInput)
def draft(
    request: HttpRequest, case_ref: CaseRef, data: inputs.DraftInput
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    return Status(201, _out(actions.draft_document(case, data, actor=officer)))


@router.get("/documents/{document_id}", response=DocumentOut)
def get_document(request: HttpRequest, document_id: RecordId) -> dict[str, Any]:
    return _out(access_document(request_officer(request), document_id))


@router.get("/documents/{document_id}/pdf")
def get_pdf(request: HttpRequest, document_id: RecordId) -> HttpResponse:
    """The PDF as it stands: the draft with the approvals so far, or the issued file."""
    doc = access_document(request_officer(request), document_id)
    return queries.pdf_response(request_officer(request), doc)


@router.post("/documents/{document_id}/submit", response=DocumentOut)
def submit(request: HttpRequest, document_id: RecordId) -> dict[str, Any]:
    officer = request_officer(request)
    doc = access_document(officer, document_id, for_write=True)
    return _out(actions.submit_document(doc, actor=officer))


@router.post("/documents/{document_id}/decision", response=DocumentOut)
@body(inputs.DecisionInput)
def decide(
    request: HttpRequest, document_id: RecordId, data: inputs.DecisionInput
) -> dict[str, Any]:
    officer = request_officer(request)
    doc = access_document(officer, document_id)
    return _out(actions.decide_document(doc, data, actor=officer))


@router.post("/documents/{document_id}/cancel", response=DocumentOut)
@body(inputs.ReasonInput)
def cancel(request: HttpRequest, document_id: RecordId, data: inputs.ReasonInput) -> dict[str, Any]:
    officer = request_officer(request)
    doc = access_document(officer, document_id, for_write=True)
    return _out(actions.cancel_document(doc, data, actor=officer))


@router.post("/documents/{document_id}/revoke", response=DocumentOut)
@body(inputs.ReasonInput)
def revoke(request: HttpRequest, document_id: RecordId, data: inputs.ReasonInput) -> dict[str, Any]:
    officer = request_officer(request)
    doc = access_document(officer, document_id)
    return _out(actions.revoke_document(doc, data, actor=officer))


@router.post("/documents/{document_id}/correction", response={201: DocumentOut})
@body(inputs.CorrectionInput)
def correct(
    request: HttpRequest, document_id: RecordId, data: inputs.CorrectionInput
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    doc = access_document(officer, document_id, for_write=True)
    return Status(201, _out(actions.correct_document(doc, data, actor=officer)))


@router.post("/documents/{document_id}/services", response={201: DocumentOut})
@body(inputs.ServiceInput)
def serve(
    request: HttpRequest, document_id: RecordId, data: inputs.ServiceInput
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    doc = access_document(officer, document_id, for_write=True)
    actions.serve_document(doc, data, actor=officer)
    return Status(201, _out(access_document(officer, document_id)))


@router.post("/documents/{document_id}/service-account", response=DocumentOut)
@body(inputs.ServiceAccountInput)
def account(
    request: HttpRequest, document_id: RecordId, data: inputs.ServiceAccountInput
) -> dict[str, Any]:
    officer = request_officer(request)
    doc = access_document(officer, document_id, for_write=True)
    return _out(actions.account_for_service(doc, data, actor=officer))
