"""The cases API: incidents, decisions, cases, moves, parties, handlers, persons."""

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from casetrail.cases import actions, queries
from casetrail.cases.access import (
    access_case,
    access_incident,
    access_person,
    parties_visible,
    visible_incidents,
)
from casetrail.cases.machine import Kind
from casetrail.cases.models import Case, IdType, Incident, OffenceCategory, PartyRole
from casetrail.errors import NotFound
from casetrail.ledger.api import ReceiptFileOut
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.receipts import receipt_for
from casetrail.ledger.record import record_view
from casetrail.org.access import access_unit, request_officer
from casetrail.org.models import Officer, Unit
from casetrail.org.queries import officers_by_id

router = Router(tags=["cases"])


class CategoryOut(Schema):
    code: str
    kind: str
    name: str
    name_en: str


class IncidentIn(Schema):
    unit_id: int
    channel: str = Field(max_length=16)
    received_at: datetime
    reporter_name: str = Field(min_length=1, max_length=80)
    reporter_contact: str = Field("", max_length=80)
    location: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=4000)
    category: str | None = Field(None, max_length=32)


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
        "checkable offline (`casetrail ledger check-receipt`); null while no ledger signing "
        "key is configured"
    )


class DecisionIn(Schema):
    decision: str = Field(max_length=32, description=", ".join(actions.Decision.ALL))
    reason: str = Field("", max_length=2000)
    category: str | None = Field(None, max_length=32)
    handler_ids: list[int] = Field(default_factory=list, max_length=10)
    title: str = Field("", max_length=200)
    transfer_to: int | None = None
    notify_method: str = Field("", max_length=40)


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


class CaseIn(Schema):
    unit_id: int
    kind: str = Field(max_length=16)
    category: str = Field(max_length=32)
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=4000)
    handler_ids: list[int] = Field(min_length=2, max_length=10)


class MoveIn(Schema):
    move: str = Field(max_length=40)
    reason: str = Field("", max_length=2000)
    hearing_required: bool | None = None
    hearing_held_on: date | None = None


class PartyIn(Schema):
    role: str = Field(max_length=16, description=", ".join(PartyRole.values))
    person_id: int | None = None
    name: str = Field("", max_length=80)
    id_type: str = Field(IdType.NONE, max_length=24)
    id_number: str = Field("", max_length=40)
    birth_date: date | None = None
    contact: str = Field("", max_length=80)


class HandlerIn(Schema):
    officer_id: int


class ReleaseIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class PersonOut(Schema):
    id: int
    name: str
    id_type: str
    id_number: str
    birth_date: date | None
    contact: str
    cases: list[str]


class CaseFilterIn(Schema):
    status: str = Field("", max_length=32)
    kind: str = Field("", max_length=16)
    unit: int | None = None
    handler: int | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    q: str = Field("", max_length=queries.MAX_QUERY_LENGTH)


def _category(code: str | None, field: str = "category") -> OffenceCategory | None:
    if not code:
        return None
    category = OffenceCategory.objects.filter(code=code).first()
    if category is None:
        raise actions.CaseError(f"unknown offence category {code}", field=field)
    return category


def _unit_for_write(officer: Officer, unit_id: int) -> Unit:
    try:
        return access_unit(officer, unit_id)
    except NotFound as exc:
        raise actions.CaseError(f"unit {unit_id} is not in your scope", field="unit_id") from exc


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest, kind: str = "") -> QuerySet[OffenceCategory]:
    qs = OffenceCategory.objects.all()
    return qs.filter(kind=kind) if kind else qs


@router.get("/incidents", response=list[IncidentOut])
@paginate(PageNumberPagination)
def list_incidents(request: HttpRequest, status: str = "") -> QuerySet[Incident]:
    qs = visible_incidents(request_officer(request)).select_related("unit", "case")
    return qs.filter(status=status) if status else qs


@router.post("/incidents", response={201: ReceiptOut})
def create_incident(request: HttpRequest, payload: IncidentIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    unit = _unit_for_write(officer, payload.unit_id)
    incident, code = actions.record_incident(
        unit,
        actions.IncidentInput(
            channel=payload.channel,
            received_at=payload.received_at,
            reporter_name=payload.reporter_name,
            reporter_contact=payload.reporter_contact,
            location=payload.location,
            summary=payload.summary,
            category=_category(payload.category),
        ),
        actor=officer,
    )
    receipt = receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    return Status(
        201,
        {"incident": incident, "query_code": code, "ledger": receipt.file() if receipt else None},
    )


@router.get("/incidents/{incident_id}", response=IncidentOut)
def get_incident(request: HttpRequest, incident_id: int) -> Incident:
    return access_incident(request_officer(request), incident_id)


@router.post("/incidents/{incident_id}/decision", response=IncidentOut)
def decide_incident(request: HttpRequest, incident_id: int, payload: DecisionIn) -> Incident:
    officer = request_officer(request)
    incident = access_incident(officer, incident_id, for_write=True)
    transfer_to = None
    if payload.transfer_to is not None:
        transfer_to = Unit.objects.filter(pk=payload.transfer_to).first()
        if transfer_to is None:
            raise actions.CaseError(f"no unit {payload.transfer_to}", field="transfer_to")
    actions.decide_incident(
        incident,
        actions.DecisionInput(
            decision=payload.decision,
            reason=payload.reason,
            category=_category(payload.category),
            handlers=officers_by_id(payload.handler_ids, field="handler_ids"),
            title=payload.title,
            transfer_to=transfer_to,
            notify_method=payload.notify_method,
        ),
        actor=officer,
    )
    return access_incident(officer, incident_id)


@router.get("/cases", response=list[CaseOut])
@paginate(PageNumberPagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilterIn]) -> QuerySet[Case]:
    return queries.case_list(request_officer(request), queries.CaseFilters(**filters.dict()))


@router.post("/cases", response={201: CaseDetailOut})
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    unit = _unit_for_write(officer, payload.unit_id)
    if payload.kind not in {k.value for k in Kind}:
        raise actions.CaseError(f"unknown kind {payload.kind}", field="kind")
    category = _category(payload.category)
    assert category is not None  # noqa: S101 - the schema requires a category
    case = actions.open_case(
        unit,
        kind=payload.kind,
        category=category,
        title=payload.title,
        summary=payload.summary,
        handlers=officers_by_id(payload.handler_ids, field="handler_ids"),
        actor=officer,
    )
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
def get_case(request: HttpRequest, case_ref: str) -> dict[str, Any]:
    officer = request_officer(request)
    case = access_case(officer, case_ref)
    record_view(case, actor=officer, unit_id=case.unit_id, what="case file (API)")
    return _detail(officer, case)


@router.post("/cases/{case_ref}/transitions", response=CaseDetailOut)
def move_case(request: HttpRequest, case_ref: str, payload: MoveIn) -> dict[str, Any]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    actions.transition_case(
        case,
        payload.move,
        reason=payload.reason,
        actor=officer,
        hearing_required=payload.hearing_required,
        hearing_held_on=payload.hearing_held_on,
    )
    return _detail(officer, case)


@router.post("/cases/{case_ref}/parties", response={201: CaseDetailOut})
def add_party(request: HttpRequest, case_ref: str, payload: PartyIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    person: actions.PersonInput | Any
    if payload.person_id is not None:
        person = access_person(officer, payload.person_id)
    else:
        person = actions.PersonInput(
            name=payload.name,
            id_type=payload.id_type,
            id_number=payload.id_number,
            birth_date=payload.birth_date,
            contact=payload.contact,
        )
    actions.add_party(case, payload.role, person, actor=officer)
    return Status(201, _detail(officer, case))


@router.post("/cases/{case_ref}/handlers", response={201: CaseDetailOut})
def assign_handler(
    request: HttpRequest, case_ref: str, payload: HandlerIn
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    actions.assign_handler(
        case, officers_by_id([payload.officer_id], field="officer_id")[0], actor=officer
    )
    return Status(201, _detail(officer, case))


@router.post("/cases/{case_ref}/handlers/{officer_id}/release", response=CaseDetailOut)
def release_handler(
    request: HttpRequest, case_ref: str, officer_id: int, payload: ReleaseIn
) -> dict[str, Any]:
    officer = request_officer(request)
    case = access_case(officer, case_ref, for_write=True)
    actions.release_handler(
        case,
        officers_by_id([officer_id], field="officer_id")[0],
        reason=payload.reason,
        actor=officer,
    )
    return _detail(officer, case)


@router.get("/persons/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
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
