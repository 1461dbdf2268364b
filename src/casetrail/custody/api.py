"""The custody API: measures, approvals, deadlines and extensions, the case-handling area, the
whiteboard, a person's custody record and the alert inbox. Every POST is one action, and so one
transaction with its ledger entry."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from casetrail import clock
from casetrail.cases.access import access_case
from casetrail.cases.models import Case, Person
from casetrail.custody import actions, queries
from casetrail.custody.access import (
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
from casetrail.custody.errors import CustodyError
from casetrail.custody.measures import SPECS
from casetrail.custody.models import (
    CustodySession,
    Deadline,
    ExtensionRequest,
    InboxItem,
    Measure,
    MeasureEvent,
)
from casetrail.errors import NotFound
from casetrail.ledger.record import record_view
from casetrail.org.access import access_unit, request_officer
from casetrail.org.queries import officers_by_id
from casetrail.procedure import list_extensions

router = Router(tags=["custody"])


# -- schemas --------------------------------------------------------------------------------


class DeadlineOut(Schema):
    id: int
    duty: str
    rule_id: str
    title_en: str
    title_zh: str
    citation: str
    trigger_at: datetime
    due_at: datetime
    warn_at: datetime
    last_day: date | None
    provisional: bool
    provisional_reasons: list[str]
    explanation: list[str]
    extensions: list[str]
    status: str
    status_reason: str
    met_at: datetime | None
    accounted_at: datetime | None
    account: str
    state: str = Field(description="ok, warning, overdue (now), or met, waived, missed")

    @staticmethod
    def resolve_state(obj: Deadline) -> str:
        return queries.deadline_state(obj, clock.now())


class ApprovalOut(Schema):
    decision: str
    role: str
    officer: str
    decided_at: datetime
    reason: str
    citation: str

    @staticmethod
    def resolve_officer(obj: Any) -> str:
        return str(obj.officer.badge_number)


class EventOut(Schema):
    id: int
    kind: str
    at: datetime
    recorded_at: datetime
    recorded_by: str
    details: dict[str, Any]
    meets: list[int]

    @staticmethod
    def resolve_recorded_by(obj: MeasureEvent) -> str:
        return obj.recorded_by.badge_number

    @staticmethod
    def resolve_meets(obj: MeasureEvent) -> list[int]:
        return sorted(d.pk for d in obj.meets.all())


class ExtensionRequestOut(Schema):
    id: int
    deadline_id: int
    extension: str
    reason: str
    status: str
    statute_approver: str
    approver_role: str
    decided_by_body: str
    citation: str
    requested_at: datetime
    due_before: datetime
    due_after: datetime
    decided_at: datetime | None
    decision_reason: str
    decision_reference: str


class MeasureOut(Schema):
    id: int
    case_id: int
    case_number: str
    person_id: int
    person_name: str
    unit: str
    kind: str
    pack: str
    status: str
    proposed_at: datetime
    started_at: datetime | None
    ended_at: datetime | None

    @staticmethod
    def resolve_case_number(obj: Measure | dict[str, Any]) -> str:
        return str(obj["case_number"]) if isinstance(obj, dict) else obj.case.number

    @staticmethod
    def resolve_person_name(obj: Measure | dict[str, Any]) -> str:
        return str(obj["person_name"]) if isinstance(obj, dict) else obj.person.name

    @staticmethod
    def resolve_unit(obj: Measure | dict[str, Any]) -> str:
        return str(obj["unit"]) if isinstance(obj, dict) else obj.unit.code


class MeasureDetailOut(MeasureOut):
    reason: str
    params: dict[str, Any]
    approver_role: str
    approval_citation: str
    relevant_at: datetime | None
    authorised_at: datetime | None
    decision_number: str
    decided_on: date | None
    replaces_id: int | None
    end_outcome: str
    end_reason: str
    deadlines: list[DeadlineOut]
    approvals: list[ApprovalOut]
    events: list[EventOut]
    extension_requests: list[ExtensionRequestOut]


class MeasureKindOut(Schema):
    kind: str
    label: str
    pack: str
    approver: str
    approver_en: str
    approval_citation: str
    rules: list[str]
    extensions: list[str]
    notice_exceptions: list[str]
    params: list[str]


class MeasureIn(Schema):
    case_id: int
    person_id: int
    kind: str = Field(max_length=32)
    reason: str = Field(min_length=1, max_length=4000)
    params: dict[str, int | str] = Field(default_factory=dict, max_length=8)


class DecisionIn(Schema):
    decision: Literal["approve", "refuse"]
    reason: str = Field("", max_length=2000)


class StartIn(Schema):
    started_at: datetime = Field(description="for PACE: the arrest (outside_ew: the entry)")
    arrived_at: datetime | None = Field(None, description="PACE: arrival at the station")
    decision_number: str = Field("", max_length=80, description="arrest: the procuratorate's")
    decided_on: date | None = None
    replaces_id: int | None = Field(None, description="a running measure this one changes")


class EndIn(Schema):
    ended_at: datetime
    outcome: str = Field(max_length=16)
    reason: str = Field(min_length=1, max_length=2000)


class NotificationIn(Schema):
    at: datetime
    method: str = Field(max_length=16, description=", ".join(actions.NOTIFY_METHODS))
    recipient: str = Field(min_length=1, max_length=80)
    relationship: str = Field(min_length=1, max_length=40)


class NoticeExceptionIn(Schema):
    ground: str = Field(max_length=32)
    detail: str = Field(min_length=1, max_length=2000)


class PlaceIn(Schema):
    at: datetime
    place: str = Field(min_length=1, max_length=200)


class ArrestRequestIn(Schema):
    submitted_at: datetime
    received_at: datetime


class ProcuratorateDecisionIn(Schema):
    approved: bool
    decided_at: datetime
    number: str = Field(min_length=1, max_length=80)


class ReviewIn(Schema):
    at: datetime
    outcome: Literal["continue", "release"]
    notes: str = Field("", max_length=2000)


class WarrantApplicationIn(Schema):
    at: datetime
    court: str = Field(min_length=1, max_length=200)


class WarrantIn(Schema):
    issued_at: datetime
    hours: int = Field(ge=1)
    court: str = Field(min_length=1, max_length=200)
    reference: str = Field(min_length=1, max_length=80)
    extension: bool = False


class ExtensionIn(Schema):
    extension: str = Field(min_length=1, max_length=40, description="ID or ID=N, e.g. special=2")
    reason: str = Field(min_length=1, max_length=4000)


class ExtensionDecisionIn(Schema):
    decision: Literal["approve", "refuse"]
    reason: str = Field("", max_length=2000)
    reference: str = Field("", max_length=120, description="the deciding body's decision")


class AccountIn(Schema):
    account: str = Field(min_length=1, max_length=4000)


class BelongingOut(Schema):
    id: int
    number: int
    description: str
    quantity: int
    notes: str
    deposited_at: datetime
    outcome: str
    outcome_at: datetime | None
    transferred_to: str
    person_signed: bool
    refusal_witness_id: int | None
    officer_signed_by_id: int | None


class InterviewOut(Schema):
    id: int
    kind: str
    room: str
    started_at: datetime
    ended_at: datetime
    officers: list[str]
    recording_id: str
    recording_sha256: str
    guardian_name: str
    guardian_relation: str
    interpreter: str

    @staticmethod
    def resolve_officers(obj: Any) -> list[str]:
        return sorted(o.badge_number for o in obj.officers.all())


class CareOut(Schema):
    id: int
    kind: str
    started_at: datetime
    ended_at: datetime | None
    notes: str


class SessionOut(Schema):
    id: int
    unit: str
    case_id: int
    case_number: str
    person_id: int
    person_name: str
    measure_id: int | None
    entered_at: datetime
    exited_at: datetime | None
    destination: str

    @staticmethod
    def resolve_unit(obj: CustodySession | dict[str, Any]) -> str:
        return str(obj["unit"]) if isinstance(obj, dict) else obj.unit.code

    @staticmethod
    def resolve_case_number(obj: CustodySession | dict[str, Any]) -> str:
        return str(obj["case_number"]) if isinstance(obj, dict) else obj.case.number

    @staticmethod
    def resolve_person_name(obj: CustodySession | dict[str, Any]) -> str:
        return str(obj["person_name"]) if isinstance(obj, dict) else obj.person.name


class SessionDetailOut(SessionOut):
    entry_reason: str
    escorts: list[str]
    clock: DeadlineOut | None
    checked_at: datetime | None
    search_record: str
    injuries_observed: str
    search_refused: bool
    rights_given_at: datetime | None
    lawyer_requested: bool
    lawyer_requested_at: datetime | None
    interpreter_language: str
    interpreter_name: str
    destination_detail: str
    belongings: list[BelongingOut]
    interviews: list[InterviewOut]
    care: list[CareOut]
    deadlines: list[DeadlineOut]


class SessionIn(Schema):
    unit_id: int
    case_id: int
    person_id: int
    measure_id: int | None = None
    entered_at: datetime
    escort_ids: list[int] = Field(max_length=10)
    reason: str = Field(min_length=1, max_length=2000)


class SafetyCheckIn(Schema):
    at: datetime
    search_record: str = Field(min_length=1, max_length=4000)
    injuries_observed: str = Field(min_length=1, max_length=4000)
    refused: bool = False


class BelongingIn(Schema):
    description: str = Field(min_length=1, max_length=200)
    quantity: int = Field(1, ge=1, le=100000)
    notes: str = Field("", max_length=200)


class SettleIn(Schema):
    outcome: Literal["returned", "transferred"]
    transferred_to: str = Field("", max_length=200)
    person_signed: bool
    refusal_witness_id: int | None = None


class InterviewIn(Schema):
    kind: Literal["interrogation", "inquiry"]
    room: str = Field(min_length=1, max_length=40)
    started_at: datetime
    ended_at: datetime
    officer_ids: list[int] = Field(min_length=1, max_length=10)
    recording_id: str = Field(min_length=1, max_length=120)
    recording_sha256: str = Field(min_length=64, max_length=64)
    guardian_name: str = Field("", max_length=80)
    guardian_relation: str = Field("", max_length=40)
    interpreter: str = Field("", max_length=80)


class CareIn(Schema):
    kind: Literal["meal", "rest", "medical", "other"]
    started_at: datetime
    ended_at: datetime | None = None
    notes: str = Field("", max_length=400)


class RightsIn(Schema):
    given_at: datetime
    lawyer_requested: bool = False
    lawyer_requested_at: datetime | None = None
    interpreter_language: str = Field("", max_length=40)
    interpreter_name: str = Field("", max_length=80)


class ExitIn(Schema):
    exited_at: datetime
    destination: str = Field(max_length=16)
    destination_detail: str = Field("", max_length=200)


class BriefOut(Schema):
    id: int
    duty: str
    rule_id: str
    title_en: str
    title_zh: str
    citation: str
    due_at: datetime
    status: str


class BoardRowOut(Schema):
    person_id: int
    person_name: str
    case_number: str
    measure_id: int | None
    measure_kind: str | None
    session_id: int | None
    in_area: bool
    clock_start: datetime
    elapsed_seconds: int
    elapsed: str
    limit: BriefOut | None
    left_seconds: int | None
    left: str
    next: BriefOut | None
    state: str
    state_text: str


class BoardOut(Schema):
    unit_id: int
    unit: str
    now: datetime
    counts: dict[str, int]
    rows: list[BoardRowOut]


class PersonRecordOut(Schema):
    person_id: int
    name: str
    measures: list[MeasureDetailOut]
    sessions: list[SessionDetailOut]


class InboxItemOut(Schema):
    id: int
    kind: str
    created_at: datetime
    acknowledged_at: datetime | None
    deadline_id: int
    rule_id: str
    title_en: str
    title_zh: str
    case_number: str
    person_id: int
    due_at: datetime

    @staticmethod
    def resolve_kind(obj: InboxItem) -> str:
        return obj.alert.kind

    @staticmethod
    def resolve_deadline_id(obj: InboxItem) -> int:
        return obj.alert.deadline_id

    @staticmethod
    def resolve_rule_id(obj: InboxItem) -> str:
        return obj.alert.deadline.rule_id

    @staticmethod
    def resolve_title_en(obj: InboxItem) -> str:
        return obj.alert.deadline.title_en

    @staticmethod
    def resolve_title_zh(obj: InboxItem) -> str:
        return obj.alert.deadline.title_zh

    @staticmethod
    def resolve_case_number(obj: InboxItem) -> str:
        return obj.alert.deadline.case.number

    @staticmethod
    def resolve_person_id(obj: InboxItem) -> int:
        return obj.alert.deadline.person_id

    @staticmethod
    def resolve_due_at(obj: InboxItem) -> datetime:
        return obj.alert.due_at


class MeasureFilterIn(Schema):
    unit: int | None = None
    status: str = Field("", max_length=16)
    case: int | None = None


# -- shaping --------------------------------------------------------------------------------


def _measure_detail(measure: Measure) -> dict[str, Any]:
    """The measure as it is now (re-read: the action worked on its own locked copy)."""
    fresh = Measure.objects.select_related("case", "person", "unit").get(pk=measure.pk)
    return _measure_out(queries.measure_detail(fresh))


def _measure_out(detail: queries.MeasureDetail) -> dict[str, Any]:
    m = detail.measure
    return {
        "id": m.pk,
        "case_id": m.case_id,
        "case_number": m.case.number,
        "person_id": m.person_id,
        "person_name": m.person.name,
        "unit": m.unit.code,
        "kind": m.kind,
        "pack": m.pack,
        "status": m.status,
        "proposed_at": m.proposed_at,
        "started_at": m.started_at,
        "ended_at": m.ended_at,
        "reason": m.reason,
        "params": m.params,
        "approver_role": m.approver_role,
        "approval_citation": m.approval_citation,
        "relevant_at": m.relevant_at,
        "authorised_at": m.authorised_at,
        "decision_number": m.decision_number,
        "decided_on": m.decided_on,
        "replaces_id": m.replaces_id,
        "end_outcome": m.end_outcome,
        "end_reason": m.end_reason,
        "deadlines": detail.deadlines,
        "approvals": detail.approvals,
        "events": detail.events,
        "extension_requests": detail.requests,
    }


def _session_detail(session: CustodySession) -> dict[str, Any]:
    return _session_out(queries.session_detail(session))


def _session_out(detail: queries.SessionDetail) -> dict[str, Any]:
    s = detail.session
    return {
        "id": s.pk,
        "unit": s.unit.code,
        "case_id": s.case_id,
        "case_number": s.case.number,
        "person_id": s.person_id,
        "person_name": s.person.name,
        "measure_id": s.measure_id,
        "entered_at": s.entered_at,
        "exited_at": s.exited_at,
        "destination": s.destination,
        "entry_reason": s.entry_reason,
        "escorts": sorted(o.badge_number for o in s.escorts.all()),
        "clock": s.clock,
        "checked_at": s.checked_at,
        "search_record": s.search_record,
        "injuries_observed": s.injuries_observed,
        "search_refused": s.search_refused,
        "rights_given_at": s.rights_given_at,
        "lawyer_requested": s.lawyer_requested,
        "lawyer_requested_at": s.lawyer_requested_at,
        "interpreter_language": s.interpreter_language,
        "interpreter_name": s.interpreter_name,
        "destination_detail": s.destination_detail,
        "belongings": list(s.belongings.all()),
        "interviews": detail.interviews,
        "care": list(s.care.all()),
        "deadlines": detail.deadlines,
    }


def _person(case: Case, person_id: int) -> Person:
    """A party to the case: a person elsewhere is not found, and their name is never told."""
    person = Person.objects.filter(pk=person_id, parties__case=case).distinct().first()
    if person is None:
        raise CustodyError(
            f"person {person_id} is not a party to case {case.number}", field="person_id"
        )
    return person


def _brief(deadline: queries.BoardDeadline | None) -> dict[str, Any] | None:
    if deadline is None:
        return None
    return deadline._asdict() | {"id": deadline.pk}


# -- measures -------------------------------------------------------------------------------


@contextmanager
def _body_field(field: str, message: str | None = None) -> Iterator[None]:
    """A record named in the request body that the officer cannot see is a mistake in that
    field (400 naming it), not a missing page."""
    try:
        yield
    except NotFound as exc:
        raise CustodyError(message or str(exc), field=field) from exc


@router.get("/custody/kinds", response=list[MeasureKindOut])
def list_kinds(request: HttpRequest) -> list[dict[str, Any]]:
    """The measures, who approves each (with the citation) and the rules each attaches."""
    kinds = []
    for spec in SPECS.values():
        limit = spec.attached[0].rule_id
        extensions = [e.id for e in list_extensions(limit, pack=spec.pack)]
        if spec.extensions is not None:
            extensions = [e for e in extensions if e in spec.extensions]
        kinds.append(
            {
                "kind": spec.kind.value,
                "label": str(spec.kind.label),
                "pack": spec.pack,
                "approver": spec.approver.value,
                "approver_en": spec.approver_en,
                "approval_citation": spec.approval_citation,
                "rules": [a.rule_id for a in spec.attached],
                "extensions": extensions,
                "notice_exceptions": [g.code for g in spec.notice_exceptions],
                "params": list(spec.params),
            }
        )
    return kinds


@router.get("/custody/measures", response=list[MeasureOut])
@paginate(PageNumberPagination)
def list_measures(request: HttpRequest, filters: Query[MeasureFilterIn]) -> QuerySet[Measure]:
    return queries.measure_list(
        request_officer(request), unit=filters.unit, status=filters.status, case=filters.case
    )


@router.post("/custody/measures", response={201: MeasureDetailOut})
def propose_measure(request: HttpRequest, payload: MeasureIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    with _body_field("case_id"):
        case = access_case(officer, payload.case_id, for_write=True)
    measure = actions.propose_measure(
        case,
        _person(case, payload.person_id),
        payload.kind,
        reason=payload.reason,
        params=dict(payload.params),
        actor=officer,
    )
    return Status(201, _measure_detail(measure))


@router.get("/custody/measures/{measure_id}", response=MeasureDetailOut)
def get_measure(request: HttpRequest, measure_id: int) -> dict[str, Any]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id)
    record_view(measure, actor=officer, unit_id=measure.unit_id, what="custody measure (API)")
    return _measure_detail(measure)


@router.post("/custody/measures/{measure_id}/decision", response=MeasureDetailOut)
def decide_measure(request: HttpRequest, measure_id: int, payload: DecisionIn) -> dict[str, Any]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id)
    actions.decide_measure(
        measure, approve=payload.decision == "approve", reason=payload.reason, actor=officer
    )
    return _measure_detail(measure)


@router.post("/custody/measures/{measure_id}/start", response=MeasureDetailOut)
def start_measure(request: HttpRequest, measure_id: int, payload: StartIn) -> dict[str, Any]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    replaces = None
    if payload.replaces_id is not None:
        with _body_field("replaces_id"):
            replaces = access_measure(officer, payload.replaces_id)
    actions.start_measure(
        measure,
        actions.StartInput(
            started_at=payload.started_at,
            arrived_at=payload.arrived_at,
            decision_number=payload.decision_number,
            decided_on=payload.decided_on,
            replaces=replaces,
        ),
        actor=officer,
    )
    return _measure_detail(measure)


@router.post("/custody/measures/{measure_id}/end", response=MeasureDetailOut)
def end_measure(request: HttpRequest, measure_id: int, payload: EndIn) -> dict[str, Any]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    actions.end_measure(
        measure,
        ended_at=payload.ended_at,
        outcome=payload.outcome,
        reason=payload.reason,
        actor=officer,
    )
    return _measure_detail(measure)


@router.post("/custody/measures/{measure_id}/notifications", response={201: MeasureDetailOut})
def notify_family(
    request: HttpRequest, measure_id: int, payload: NotificationIn
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    actions.record_family_notice(
        measure,
        at=payload.at,
        method=payload.method,
        recipient=payload.recipient,
        relationship=payload.relationship,
        actor=officer,
    )
    return Status(201, _measure_detail(measure))


@router.post("/custody/measures/{measure_id}/notice-exception", response={201: MeasureDetailOut})
def notice_exception(
    request: HttpRequest, measure_id: int, payload: NoticeExceptionIn
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    actions.record_notice_exception(
        measure, ground=payload.ground, detail=payload.detail, actor=officer
    )
    return Status(201, _measure_detail(measure))


@router.post("/custody/measures/{measure_id}/interrogations", response={201: MeasureDetailOut})
def interrogation(
    request: HttpRequest, measure_id: int, payload: PlaceIn
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    actions.record_interrogation(measure, at=payload.at, place=payload.place, actor=officer)
    return Status(201, _measure_detail(measure))


@router.post("/custody/measures/{measure_id}/delivery", response={201: MeasureDetailOut})
def delivery(request: HttpRequest, measure_id: int, payload: PlaceIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    actions.record_delivery(measure, at=payload.at, place=payload.place, actor=officer)
    return Status(201, _measure_detail(measure))


@router.post("/custody/measures/{measure_id}/arrest-request", response={201: MeasureDetailOut})
def arrest_request(
    request: HttpRequest, measure_id: int, payload: ArrestRequestIn
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    actions.record_arrest_request(
        measure, submitted_at=payload.submitted_at, received_at=payload.received_at, actor=officer
    )
    return Status(201, _measure_detail(measure))


@router.post(
    "/custody/measures/{measure_id}/procuratorate-decision", response={201: MeasureDetailOut}
)
def procuratorate_decision(
    request: HttpRequest, measure_id: int, payload: ProcuratorateDecisionIn
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    actions.record_procuratorate_decision(
        measure,
        approved=payload.approved,
        decided_at=payload.decided_at,
        number=payload.number,
        actor=officer,
    )
    return Status(201, _measure_detail(measure))


@router.post("/custody/measures/{measure_id}/reviews", response={201: MeasureDetailOut})
def review(request: HttpRequest, measure_id: int, payload: ReviewIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id)
    actions.record_review(
        measure, at=payload.at, outcome=payload.outcome, notes=payload.notes, actor=officer
    )
    return Status(201, _measure_detail(measure))


@router.post(
    "/custody/measures/{measure_id}/warrant-applications", response={201: MeasureDetailOut}
)
def warrant_application(
    request: HttpRequest, measure_id: int, payload: WarrantApplicationIn
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    actions.record_warrant_application(measure, at=payload.at, court=payload.court, actor=officer)
    return Status(201, _measure_detail(measure))


@router.post("/custody/measures/{measure_id}/warrants", response={201: MeasureDetailOut})
def warrant(request: HttpRequest, measure_id: int, payload: WarrantIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id, for_write=True)
    actions.record_warrant(
        measure,
        issued_at=payload.issued_at,
        hours=payload.hours,
        court=payload.court,
        reference=payload.reference,
        extension=payload.extension,
        actor=officer,
    )
    return Status(201, _measure_detail(measure))


# -- deadlines and extensions -----------------------------------------------------------------


@router.get("/custody/deadlines/{deadline_id}", response=DeadlineOut)
def get_deadline(request: HttpRequest, deadline_id: int) -> Deadline:
    return access_deadline(request_officer(request), deadline_id)


@router.post("/custody/deadlines/{deadline_id}/extensions", response={201: ExtensionRequestOut})
def request_extension(
    request: HttpRequest, deadline_id: int, payload: ExtensionIn
) -> Status[ExtensionRequest]:
    officer = request_officer(request)
    deadline = access_deadline(officer, deadline_id)
    require_deadline_write(officer, deadline)
    made = actions.request_extension(
        deadline, extension=payload.extension, reason=payload.reason, actor=officer
    )
    return Status(201, made)


@router.post("/custody/extensions/{request_id}/decision", response=ExtensionRequestOut)
def decide_extension(
    request: HttpRequest, request_id: int, payload: ExtensionDecisionIn
) -> ExtensionRequest:
    officer = request_officer(request)
    extension = access_extension_request(officer, request_id)
    return actions.decide_extension(
        extension,
        approve=payload.decision == "approve",
        reason=payload.reason,
        reference=payload.reference,
        actor=officer,
    )


@router.post("/custody/deadlines/{deadline_id}/account", response=DeadlineOut)
def account_for_missed(request: HttpRequest, deadline_id: int, payload: AccountIn) -> Deadline:
    officer = request_officer(request)
    deadline = access_deadline(officer, deadline_id)
    return actions.account_for_missed(deadline, account=payload.account, actor=officer)


# -- the case-handling area -------------------------------------------------------------------


@router.get("/custody/sessions", response=list[SessionOut])
@paginate(PageNumberPagination)
def list_sessions(
    request: HttpRequest, unit: int | None = None, open_only: bool = False
) -> QuerySet[CustodySession]:
    return queries.session_list(request_officer(request), unit=unit, open_only=open_only)


@router.post("/custody/sessions", response={201: SessionDetailOut})
def open_session(request: HttpRequest, payload: SessionIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    with _body_field("unit_id", f"unit {payload.unit_id} is not in your scope"):
        unit = access_unit(officer, payload.unit_id)
    with _body_field("case_id"):
        case = case_for_area(officer, payload.case_id)
    measure = None
    if payload.measure_id is not None:
        with _body_field("measure_id"):
            measure = access_measure(officer, payload.measure_id)
    session = actions.open_session(
        unit,
        case,
        _person(case, payload.person_id),
        actions.EntryInput(
            entered_at=payload.entered_at,
            escorts=officers_by_id(payload.escort_ids, field="escort_ids"),
            reason=payload.reason,
            measure=measure,
        ),
        actor=officer,
    )
    return Status(201, _session_detail(session))


@router.get("/custody/sessions/{session_id}", response=SessionDetailOut)
def get_session(request: HttpRequest, session_id: int) -> dict[str, Any]:
    officer = request_officer(request)
    session = access_session(officer, session_id)
    record_view(session, actor=officer, unit_id=session.unit_id, what="custody session (API)")
    return _session_detail(session)


@router.post("/custody/sessions/{session_id}/safety-check", response=SessionDetailOut)
def safety_check(request: HttpRequest, session_id: int, payload: SafetyCheckIn) -> dict[str, Any]:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    actions.record_safety_check(
        session,
        at=payload.at,
        search_record=payload.search_record,
        injuries_observed=payload.injuries_observed,
        refused=payload.refused,
        actor=officer,
    )
    return _session_detail(session)


@router.post("/custody/sessions/{session_id}/belongings", response={201: SessionDetailOut})
def deposit(request: HttpRequest, session_id: int, payload: BelongingIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    actions.deposit_belonging(
        session,
        description=payload.description,
        quantity=payload.quantity,
        notes=payload.notes,
        actor=officer,
    )
    return Status(201, _session_detail(session))


@router.post(
    "/custody/sessions/{session_id}/belongings/{belonging_id}/settle", response=SessionDetailOut
)
def settle(
    request: HttpRequest, session_id: int, belonging_id: int, payload: SettleIn
) -> dict[str, Any]:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    item = access_belonging(officer, belonging_id)
    if item.session_id != session.pk:
        raise NotFound(f"belonging {belonging_id} not found")
    witness = None
    if payload.refusal_witness_id is not None:
        witness = officers_by_id([payload.refusal_witness_id], field="refusal_witness_id")[0]
    actions.settle_belonging(
        item,
        outcome=payload.outcome,
        transferred_to=payload.transferred_to,
        person_signed=payload.person_signed,
        refusal_witness=witness,
        actor=officer,
    )
    return _session_detail(session)


@router.post("/custody/sessions/{session_id}/interviews", response={201: SessionDetailOut})
def interview(
    request: HttpRequest, session_id: int, payload: InterviewIn
) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    actions.record_interview(
        session,
        actions.InterviewInput(
            kind=payload.kind,
            room=payload.room,
            started_at=payload.started_at,
            ended_at=payload.ended_at,
            officers=officers_by_id(payload.officer_ids, field="officer_ids"),
            recording_id=payload.recording_id,
            recording_sha256=payload.recording_sha256,
            guardian_name=payload.guardian_name,
            guardian_relation=payload.guardian_relation,
            interpreter=payload.interpreter,
        ),
        actor=officer,
    )
    return Status(201, _session_detail(session))


@router.post("/custody/sessions/{session_id}/care", response={201: SessionDetailOut})
def care(request: HttpRequest, session_id: int, payload: CareIn) -> Status[dict[str, Any]]:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    actions.record_care(
        session,
        kind=payload.kind,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        notes=payload.notes,
        actor=officer,
    )
    return Status(201, _session_detail(session))


@router.post("/custody/sessions/{session_id}/rights", response=SessionDetailOut)
def rights(request: HttpRequest, session_id: int, payload: RightsIn) -> dict[str, Any]:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    actions.record_rights(
        session,
        given_at=payload.given_at,
        lawyer_requested=payload.lawyer_requested,
        lawyer_requested_at=payload.lawyer_requested_at,
        interpreter_language=payload.interpreter_language,
        interpreter_name=payload.interpreter_name,
        actor=officer,
    )
    return _session_detail(session)


@router.post("/custody/sessions/{session_id}/exit", response=SessionDetailOut)
def exit_area(request: HttpRequest, session_id: int, payload: ExitIn) -> dict[str, Any]:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    actions.close_session(
        session,
        exited_at=payload.exited_at,
        destination=payload.destination,
        detail=payload.destination_detail,
        actor=officer,
    )
    return _session_detail(session)


# -- the whiteboard, the person's record, the inbox ---------------------------------------------


@router.get("/custody/board/{unit_id}", response=BoardOut)
def board(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    officer = request_officer(request)
    unit = access_board(officer, unit_id)
    found = queries.board(officer, unit, clock.now())
    return {
        "unit_id": unit.pk,
        "unit": unit.code,
        "now": found.now,
        "counts": found.counts,
        "rows": [
            {
                "person_id": r.person.pk,
                "person_name": r.person.name,
                "case_number": r.case_number,
                "measure_id": r.measure.pk if r.measure else None,
                "measure_kind": r.measure.kind if r.measure else None,
                "session_id": r.session_id,
                "in_area": r.in_area,
                "clock_start": r.clock_start,
                "elapsed_seconds": int(r.elapsed.total_seconds()),
                "elapsed": r.elapsed_text,
                "limit": _brief(r.limit),
                "left_seconds": int(r.left.total_seconds()) if r.left is not None else None,
                "left": r.left_text,
                "next": _brief(r.next),
                "state": r.state,
                "state_text": r.state_text,
            }
            for r in found.rows
        ],
    }


@router.get("/custody/persons/{person_id}", response=PersonRecordOut)
def person_record(request: HttpRequest, person_id: int) -> dict[str, Any]:
    officer = request_officer(request)
    person = access_custody_person(officer, person_id)
    record_view(person, actor=officer, unit_id=officer.unit_id, what="custody record (API)")
    found = queries.person_record(officer, person)
    return {
        "person_id": person.pk,
        "name": person.name,
        "measures": [_measure_out(m) for m in found.measures],
        "sessions": [_session_out(s) for s in found.sessions],
    }


@router.get("/custody/inbox", response=list[InboxItemOut])
@paginate(PageNumberPagination)
def inbox(request: HttpRequest, unread_only: bool = False) -> QuerySet[InboxItem]:
    return queries.inbox(request_officer(request), unread_only=unread_only)


@router.post("/custody/inbox/{item_id}/acknowledge", response=InboxItemOut)
def acknowledge(request: HttpRequest, item_id: int) -> InboxItem:
    officer = request_officer(request)
    item = access_inbox_item(officer, item_id)
    actions.acknowledge_alert(item, actor=officer)
    return access_inbox_item(officer, item_id)
