"""What the custody API answers: the shapes of measures, deadlines, stays, the whiteboard and
the inbox, and the functions that fill them from the queries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from casetrail import clock
from casetrail.custody import clocks, queries
from casetrail.custody.models import CustodySession, Deadline, InboxItem, Measure, MeasureEvent


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

    @staticmethod
    def resolve_provisional_reasons(obj: Deadline) -> list[str]:
        return [clocks.in_english(reason) for reason in obj.provisional_reasons]

    @staticmethod
    def resolve_explanation(obj: Deadline) -> list[str]:
        """The engine's English lines, as the API has always given them (the row keeps each
        as a sentence a page says in the reader's language)."""
        return [clocks.in_english(step) for step in obj.explanation]


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
    unit_name: str
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


# -- shaping ---------------------------------------------------------------------------------


def measure_detail(measure: Measure) -> dict[str, Any]:
    """The measure as it is now (re-read: the action worked on its own locked copy)."""
    return measure_out(queries.measure_detail(queries.fresh_measure(measure)))


def measure_out(detail: queries.MeasureDetail) -> dict[str, Any]:
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


def session_detail(session: CustodySession) -> dict[str, Any]:
    return session_out(queries.session_detail(session))


def session_out(detail: queries.SessionDetail) -> dict[str, Any]:
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


def brief(deadline: queries.BoardDeadline | None) -> dict[str, Any] | None:
    if deadline is None:
        return None
    return deadline._asdict() | {"id": deadline.pk}
