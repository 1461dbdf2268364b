"""The cases API: incidents, decisions, cases, moves, parties, handlers, persons."""

from datetime import date, datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from casetrail import clock
from casetrail.cases import actions, inputs, panels, queries
from casetrail.cases.access import access_case, access_incident, access_person, parties_visible
from casetrail.cases.models import Case, Incident, OffenceCategory
from casetrail.errors import NotFound
from casetrail.ledger import heads
from casetrail.ledger.api import ReceiptFileOut
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.receipts import receipt_for
from casetrail.ledger.record import record_view
from casetrail.org.access import request_officer
from casetrail.org.models import Officer
from casetrail.web.inputs import RecordId, body, query
from casetrail.web.pagination import Pages

router = Router(tags=["cases"])

CaseRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        # One path segment: a "/" (or a "." or ".." segment) would route elsewhere.
        pattern=r"^[^/.][^/]*$",
        description="the case's number (S1-2026-000001) or its record number",
    ),
]


class CategoryOut(Schema):
    code: str
    kind: str
    name: str
    name_en: str


class IncidentOut(Schema):
    id: int
    receipt_number: str
    unit: str
    channel: str
    received_at: datetime
    reporter_name: str
    location: str
    summary: str
    status: str
    decision_reason: str
    case_number: str | None

    @staticmethod
    def resolve_unit(obj: Incident) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_case_number(obj: Incident) -> str | None:
        case = getattr(obj, "case", None)
        return case.number if case else None


class ReceiptOut(Schema):
    incident: IncidentOut
    query_code: str = Field(description="shown once; stored only as a hash")
    ledger: ReceiptFileOut | None = Field(
        description="the intake entry's receipt: a signed tree head and its inclusion proof, "
        "checkable offline (`casetrail ledger check-receipt`), when a signed head already "
        "covers the entry; null until one does (see ledger_pending), or while no ledger "
        "signing key is configured"
    )
    ledger_pending: bool = Field(
        default=False,
        description="true when no signed head covers the intake entry yet: the background job "
        "signs one within CASETRAIL_LEDGER_HEAD_EVERY_SECONDS, and "
        "GET /incidents/{id}/receipt answers the receipt at once (signing a head if need be)",
    )


class HandlerOut(Schema):
    officer_id: int
    name: str
    badge_number: str
    lead: bool


class CaseOut(Schema):
    id: int
    number: str
    unit: str
    kind: str
    category: str
    status: str
    title: str
    opened_at: datetime
    sealed: bool

    @staticmethod
    def resolve_unit(obj: Case | dict[str, Any]) -> str:
        return str(obj["unit"]) if isinstance(obj, dict) else obj.unit.code

    @staticmethod
    def resolve_category(obj: Case | dict[str, Any]) -> str:
        return str(obj["category"]) if isinstance(obj, dict) else obj.category.code


class PartyOut(Schema):
    person_id: int
    name: str
    role: str
    juvenile: bool
    # Other persons the caller sees with the same name and birth date: perhaps one person
    # recorded twice, to check (queries.alike).
    alike: list[int]


class TimelineOut(Schema):
    seq: int
    at: datetime
    actor: str
    action: str
    data: dict[str, Any]


class MoveOut(Schema):
    name: str
    label_en: str
    label_zh: str
    needs_reason: bool


class CaseDetailOut(CaseOut):
    summary: str
    hearing_required: bool
    hearing_held_on: date | None
    parties: list[PartyOut]
    handlers: list[HandlerOut]
    timeline: list[TimelineOut]
    moves: list[MoveOut]


class PersonOut(Schema):
    id: int
    name: str
    id_type: str
    id_number: str
    birth_date: date | None
    contact: str
    cases: list[str]


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest, kind: str = "") -> QuerySet[OffenceCategory]:
    return queries.categories(kind)


@router.get("/incidents", response=list[IncidentOut])
@paginate(Pages)
@query(inputs.IncidentFilterInput)
def list_incidents(request: HttpRequest, data: inputs.IncidentFilterInput) -> QuerySet[Incident]:
    return queries.incident_list(request_officer(request), data)


@router.post("/incidents", response={201: ReceiptOut})
@body(inputs.IncidentInput)
def create_incident(request: HttpRequest, data: inputs.IncidentInput) -> Status[dict[str, Any]]:
    incident, code = actions.record_incident(data, actor=request_officer(request))
    # No head is signed for an intake (issue 16: one head per intake under load); the receipt
    # comes with the answer when a head already covers the entry, else from GET .../receipt.
    receipt = receipt_for(incident, LedgerKind.INCIDENT_RECORDED, sign=False)
    return Status(
        201,
        {
            "incident": incident,
            "query_code": code,
            "ledger": receipt.file() if receipt else None,
            "ledger_pending": receipt is None and heads.has_key(),
        },
    )


@router.get("/incidents/{incident_id}/receipt", response=ReceiptFileOut)
def get_incident_receipt(request: HttpRequest, incident_id: RecordId) -> dict[str, Any]:
    """The intake entry's receipt against the first signed head that covers it (signed now if
    none does yet): the same file every time. 404 while no ledger signing key is configured."""
    incident = access_incident(request_officer(request), incident_id)
    receipt = receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    if receipt is None:
        raise NotFound(
            gettext("no ledger signing key is configured yet, so there is no signed receipt")
        )
    return receipt.file()


@router.get("/incidents/{incident_id}", response=IncidentOut)
def get_incident(request: HttpRequest, incident_id: RecordId) -> Incident:
    return access_incident(request_officer(request), incident_id)


@router.post("/incidents/{incident_id}/decision", response=IncidentOut)
@body(inputs.IncidentDecisionInput)
def decide_incident(
    request: HttpRequest, incident_id: RecordId, data: inputs.IncidentDecisionInput
) -> Incident:
    officer = request_officer(request)
    incident = access_incident(officer, incident_id, for_write=True)
    actions.decide_incident(incident, data, actor=officer)
    return access_incident(officer, incident_id)


@router.get("/cases", response=list[CaseOut])
@paginate(Pages)
@query(inputs.CaseFilterInput)
def list_cases(request: HttpRequest, data: inputs.CaseFilterInput) -> QuerySet[Case]:
    return queries.case_list(request_officer(request), data)


@router.post("/cases", response={201: CaseDetailOut})
@body(inputs.CaseInput)
def create_case(request: HttpRequest, data: inputs.CaseInput) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    case = actions.open_case(data, actor=officer)
    return Status(201, _detail(officer, case))


def _detail(officer: Officer, case: Case) -> dict[str, Any]:
    detail = queries.case_detail(officer, access_case(officer, case.pk))
    c = detail.case
    return {
        "id": c.pk,
        "number": c.number,
        "unit": c.unit.code,
        "kind": c.kind,
        "category": c.category.code,
        "status": c.status,
        "title": c.title,
        "opened_at": c.opened_at,
        "sealed": c.sealed,
        "summary": c.summary,
        "hearing_required": c.hearing_required,
        "hearing_held_on": c.hearing_held_on,
        "parties": [
            {
                "person_id": p.person_id,
                "name": p.person.name,
                "role": p.role,
                "juvenile": p.juvenile,
                "alike": [other.pk for other in detail.alike.get(p.person_id, [])],
            }
            for p in detail.parties
        ],
        "handlers": [
            {
                "officer_id": h.officer_id,
                "name": h.officer.name,
                "badge_number": h.officer.badge_number,
                "lead": h.lead,
            }
            for h in detail.handlers
        ],
        "timeline": [vars(t) for t in detail.timeline],
        "moves": [
            {
                "name": m.name,
                "label_en": m.label_en,
                "label_zh": m.label_zh,
                "needs_reason": m.needs_reason,
            }
            for m in detail.moves
        ],
    }


@router.get("/cases/{case_ref}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_ref: CaseRef) -> dict[str, Any]:
    officer = request_officer(request)
    case = access_case(officer, case_ref)
    record_view(case, actor=officer, unit_id=case.unit_id, what="case file (API)")
    return _detail(officer, case)


class CaseLimitOut(Schema):
    area: str
    title: str
    subject: str
    due_at: datetime
    state: str = Field(description="ok, warning or overdue at the time of the request")
    citation: str = Field(description="as shown in the request's language")
    citation_full: str
    steps: list[str] = Field(description="how it was computed, in the request's language")
    url: str


@router.get("/cases/{case_ref}/limits", response=list[CaseLimitOut])
def list_case_limits(request: HttpRequest, case_ref: CaseRef) -> list[panels.Limit]:
    """Every pending time limit of the case, whichever module keeps it, the soonest first: the
    case page's list (said in the request's language)."""
    officer = request_officer(request)
    case = access_case(officer, case_ref)
    record_view(case, actor=officer, unit_id=case.unit_id, what="time limits (API)")
    return panels.case_limits(case, clock.now())


@router.post("/cases/{case_ref}/transitions", response=CaseDetailOut)
@body(inputs.MoveInput)
def move_case(request: HttpRequest, case_ref: CaseRef, data: inputs.MoveInput) -> dict[str, Any]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    actions.transition_case(case, data, actor=officer)
    return _detail(officer, case)


@router.post("/cases/{case_ref}/parties", response={201: CaseDetailOut})
@body(inputs.PartyInput)
def add_party(
    request: HttpRequest, case_ref: CaseRef, data: inputs.PartyInput
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    actions.add_party(case, data, actor=officer)
    return Status(201, _detail(officer, case))


@router.post("/cases/{case_ref}/parties/{party_id}", response=CaseDetailOut)
@body(inputs.PartyCorrectionInput)
def correct_party(
    request: HttpRequest, case_ref: CaseRef, party_id: RecordId, data: inputs.PartyCorrectionInput
) -> dict[str, Any]:
    """Correct a party's particulars (the person's record, in every case they are a party to)."""
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    actions.correct_party(case, party_id, data, actor=officer)
    return _detail(officer, case)


@router.post("/cases/{case_ref}/handlers", response={201: CaseDetailOut})
@body(inputs.HandlerInput)
def assign_handler(
    request: HttpRequest, case_ref: CaseRef, data: inputs.HandlerInput
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    actions.assign_handler(case, data, actor=officer)
    return Status(201, _detail(officer, case))


@router.post("/cases/{case_ref}/handlers/{officer_id}/release", response=CaseDetailOut)
@body(inputs.ReleaseInput, exclude=["officer_id"])
def release_handler(
    request: HttpRequest, case_ref: CaseRef, officer_id: RecordId, data: inputs.ReleaseInput
) -> dict[str, Any]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    actions.release_handler(case, data, actor=officer)
    return _detail(officer, case)


@router.get("/persons/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: RecordId) -> dict[str, Any]:
    officer = request_officer(request)
    person = access_person(officer, person_id)
    record_view(person, actor=officer, unit_id=officer.unit_id, what="person (API)")
    cases = sorted({p.case.number for p in parties_visible(officer, person)})
    return {
        "id": person.pk,
        "name": person.name,
        "id_type": person.id_type,
        "id_number": person.id_number,
        "birth_date": person.birth_date,
        "contact": person.contact,
        "cases": cases,
    }
