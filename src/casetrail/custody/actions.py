"""Every write to measures, deadlines and the case-handling area: access, validation, the
change and its ledger entry, in one transaction. Refusals raise CustodyError naming the field
(ApprovalRefused, with the citation, for an approver the statute does not name)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from casetrail import clock
from casetrail.cases.access import is_handler, require_case_write
from casetrail.cases.models import Case, Party, PartyRole, Person
from casetrail.custody import clocks
from casetrail.custody.access import (
    may_decide,
    may_run_area,
    require_deadline_write,
    require_measure_write,
    require_session_write,
)
from casetrail.custody.errors import ApprovalRefused, CustodyError
from casetrail.custody.measures import (
    PACE_APPLY,
    PACE_RELEVANT_TIME,
    PACE_REVIEW_NEXT,
    PACE_ROUTES,
    PACE_WARRANT,
    PACE_WARRANT_EXTENSION,
    PROCURATORATE_RULE,
    QUESTIONING_RULES,
    REST_PARAM,
    REST_RULES,
    Duty,
    MeasureKind,
    MeasureSpec,
    org_role,
    spec,
)
from casetrail.custody.models import (
    ApprovalDecision,
    Belonging,
    BelongingOutcome,
    CareEvent,
    CareKind,
    CustodySession,
    Deadline,
    DeadlineStatus,
    Destination,
    EndOutcome,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    InboxItem,
    Interview,
    InterviewKind,
    Measure,
    MeasureApproval,
    MeasureEvent,
    MeasureStatus,
)
from casetrail.errors import AccessDenied
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer, Unit
from casetrail.procedure import load_pack, resolve

ACTIVE = (MeasureStatus.PROPOSED, MeasureStatus.APPROVED, MeasureStatus.RUNNING)
MIN_ESCORTS = 2
MIN_INTERROGATORS = 2  # CPL art. 118
SECOND_REVIEW = 2  # PACE s.42(4)(b)
ADULT_AGE = 18
SHA256 = re.compile(r"^[0-9a-f]{64}$")
NOTIFY_METHODS = ("phone", "in_person", "written", "sms", "other")


# -- shared checks ------------------------------------------------------------------------


def _instant(value: datetime | None, field: str, *, now: datetime) -> datetime:
    """An aware instant that is not in the future."""
    if value is None:
        raise CustodyError(f"{field} is required", field=field)
    if value.tzinfo is None:
        raise CustodyError(f"{field} needs a time zone offset", field=field)
    if value > now:
        raise CustodyError(f"{field} is in the future", field=field)
    return value


def _not_before(value: datetime, earlier: datetime, field: str, what: str) -> None:
    if value < earlier:
        raise CustodyError(
            f"{field} {value.isoformat()} is before {what} ({earlier.isoformat()})", field=field
        )


def _text(value: str, field: str, what: str, *, limit: int = 2000) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise CustodyError(f"{what} is required", field=field)
    return cleaned[:limit]


def _lock(measure: Measure) -> Measure:
    """The measure, re-read under a row lock so concurrent writers queue."""
    return (
        Measure.objects.select_for_update(of=("self",))
        .select_related("case", "case__unit", "unit", "person")
        .get(pk=measure.pk)
    )


def _lock_session(session: CustodySession) -> CustodySession:
    return (
        CustodySession.objects.select_for_update(of=("self",))
        .select_related("case", "case__unit", "unit", "person", "measure")
        .get(pk=session.pk)
    )


def _require_running(measure: Measure, *, allow_ended: bool = False) -> None:
    allowed = {MeasureStatus.RUNNING} | ({MeasureStatus.ENDED} if allow_ended else set())
    if measure.status not in allowed:
        raise CustodyError(
            f"the measure is {measure.get_status_display()}, not running", field="status"
        )


def _duty_deadlines(owner: Measure | CustodySession, duty: Duty) -> list[Deadline]:
    """Open and missed (not yet met) deadlines of a duty, oldest due first, locked."""
    return list(
        owner.deadlines.select_for_update()
        .filter(duty=duty, status__in=[DeadlineStatus.OPEN, DeadlineStatus.MISSED])
        .filter(met_at__isnull=True)
        .order_by("due_at", "id")
    )


def _meet(deadline: Deadline, at: datetime, what: str, *, now: datetime) -> dict[str, Any]:
    """Record the event that satisfies a deadline. It is met if it happened by the due time,
    even when it is recorded later (a sweep may have marked it missed meanwhile); otherwise it
    stays missed, and the event is the account of what happened."""
    deadline.met_at = at
    if at <= deadline.due_at:
        late_entry = deadline.status == DeadlineStatus.MISSED
        deadline.status = DeadlineStatus.MET
        deadline.status_reason = what + (" (recorded after the deadline)" if late_entry else "")
    else:
        deadline.status = DeadlineStatus.MISSED
        deadline.status_reason = f"{what}, {_duration(at - deadline.due_at)} late"
        if deadline.accounted_at is None:
            deadline.accounted_at = now
            deadline.account = deadline.status_reason
    deadline.status_at = now
    deadline.save(
        update_fields=["met_at", "status", "status_reason", "status_at", "accounted_at", "account"]
    )
    return clocks.summary(deadline) | {"status": deadline.status, "met_at": at}


def _duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h {minutes} min"
    return f"{hours} h {minutes} min"


def _close(deadline: Deadline, at: datetime, status: str, reason: str, *, now: datetime) -> None:
    deadline.status = status
    deadline.status_reason = reason
    deadline.status_at = now
    if status == DeadlineStatus.MET:
        deadline.met_at = at
    deadline.save(update_fields=["status", "status_reason", "status_at", "met_at"])


def _close_all(
    owner: Measure | CustodySession, at: datetime, why: str, *, now: datetime
) -> list[dict[str, Any]]:
    """Ending a measure or a stay closes its open deadlines: a limit not yet reached is met, an
    obligation not yet due is waived with the reason, and one already past due is missed.

    An end recorded late can also clear a deadline a sweep marked missed meanwhile: if the
    person was in fact released before it fell due, it was never missed."""
    closed = []
    rows = owner.deadlines.select_for_update().filter(
        Q(status=DeadlineStatus.OPEN)
        | Q(status=DeadlineStatus.MISSED, met_at__isnull=True, accounted_at__isnull=True)
    )
    for deadline in rows:
        late = " (recorded after the deadline)" if deadline.status == DeadlineStatus.MISSED else ""
        if deadline.due_at < at:
            if deadline.status == DeadlineStatus.MISSED:
                continue  # already missed, and still to be accounted for
            _close(
                deadline,
                at,
                DeadlineStatus.MISSED,
                f"{why} at {at.isoformat()}, after the deadline",
                now=now,
            )
        elif deadline.duty == Duty.LIMIT:
            reason = f"{why} within the lawful period{late}"
            _close(deadline, at, DeadlineStatus.MET, reason, now=now)
        else:
            reason = f"{why} before this fell due{late}"
            _close(deadline, at, DeadlineStatus.WAIVED, reason, now=now)
        closed.append(clocks.summary(deadline) | {"status": deadline.status})
    return closed


# -- measures -------------------------------------------------------------------------------


def _check_params(measure_spec: MeasureSpec, params: dict[str, Any], on: date) -> dict[str, Any]:
    """The parameters a measure takes when proposed, checked against its rule in the pack."""
    clean: dict[str, Any] = {}
    unknown = sorted(set(params) - set(measure_spec.params))
    if unknown:
        raise CustodyError(
            f"a {measure_spec.kind.label} takes no parameter {unknown[0]}", field="params"
        )
    if measure_spec.kind == MeasureKind.ADMIN_SUMMONS:
        variant = params.get("questioning", "ordinary")
        if variant not in QUESTIONING_RULES:
            raise CustodyError(
                f"questioning must be one of {', '.join(QUESTIONING_RULES)}",
                field="params.questioning",
            )
        clean["questioning"] = variant
    if measure_spec.kind == MeasureKind.ADMIN_DETENTION:
        rule = resolve(measure_spec.attached[0].rule_id, on, pack=measure_spec.pack)
        days_param = rule.param("days")
        assert days_param is not None  # noqa: S101 - the pack declares it
        days = params.get("days")
        low, high = days_param.min or 1, days_param.max or 1
        if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
            raise CustodyError(
                f"days must be a whole number from {low} to {high} ({days_param.notes})",
                field="params.days",
            )
        clean["days"] = days
    if measure_spec.kind == MeasureKind.PACE_DETENTION:
        route = params.get("route", "arrival")
        if route not in PACE_ROUTES:
            raise CustodyError(
                f"route must be one of {', '.join(PACE_ROUTES)} (PACE s.41(2))",
                field="params.route",
            )
        clean["route"] = route
        for name in ("hospital", "prior_detention"):
            if params.get(name):
                clean[name] = str(params[name])
    return clean


@transaction.atomic
def propose_measure(
    case: Case,
    person: Person,
    kind: str,
    *,
    reason: str,
    actor: Officer,
    params: dict[str, Any] | None = None,
) -> Measure:
    """Propose a measure for a suspect of the case; it waits for the approver the statute names."""
    require_case_write(actor, case)
    if kind not in MeasureKind.values:
        raise CustodyError(
            f"unknown measure {kind}; one of {', '.join(MeasureKind.values)}", field="kind"
        )
    measure_spec = spec(kind)
    unit = case.unit
    if measure_spec.pack != unit.pack:
        raise CustodyError(
            f"a {measure_spec.kind.label} is a measure of the {measure_spec.pack} pack; "
            f"{unit.name} works under {unit.pack}",
            field="kind",
        )
    if not Party.objects.filter(case=case, person=person, role=PartyRole.SUSPECT).exists():
        raise CustodyError(
            f"person #{person.pk} is not a suspect in case {case.number}: a coercive measure is "
            "taken "
            "against a suspect",
            field="person_id",
        )
    if Measure.objects.filter(case=case, person=person, kind=kind, status__in=ACTIVE).exists():
        raise CustodyError(
            f"person #{person.pk} already has a {measure_spec.kind.label} in this case that is "
            "not over",
            field="kind",
        )
    now = clock.now()
    clean = _check_params(measure_spec, dict(params or {}), clock.today_in(unit.timezone))
    measure = Measure.objects.create(
        case=case,
        person=person,
        unit=unit,
        kind=kind,
        pack=measure_spec.pack,
        status=MeasureStatus.PROPOSED,
        reason=_text(reason, "reason", "the reason for the measure", limit=4000),
        params=clean,
        proposed_at=now,
        proposed_by=actor,
        approver_role=measure_spec.approver,
        approval_citation=measure_spec.approval_citation,
    )
    record(
        LedgerKind.MEASURE_PROPOSED,
        subject=measure,
        actor=actor,
        unit_id=unit.pk,
        data={
            "case": case.number,
            "person": person.pk,
            "kind": kind,
            "reason": measure.reason,
            "params": clean,
            "approver": measure_spec.approver,
            "citation": measure_spec.approval_citation,
        },
    )
    return measure


@transaction.atomic
def decide_measure(measure: Measure, *, approve: bool, reason: str, actor: Officer) -> Measure:
    """Approve or refuse a proposed measure. Only the role the statute names may decide."""
    measure = _lock(measure)
    measure_spec = spec(measure.kind)
    if not may_decide(actor, measure.unit, measure.approver_role):
        raise ApprovalRefused(
            f"a {measure_spec.kind.label} is approved by {measure_spec.approver_en} "
            f"(role {measure.approver_role}), which you do not hold at {measure.unit.name} "
            f"({measure.approval_citation})",
            field="approver",
        )
    if measure.status != MeasureStatus.PROPOSED:
        raise CustodyError(
            f"the measure is {measure.get_status_display()}: only a proposed measure is decided",
            field="decision",
        )
    if not approve and not reason.strip():
        raise CustodyError("say why the measure is refused", field="reason")
    now = clock.now()
    decision = ApprovalDecision.APPROVED if approve else ApprovalDecision.REFUSED
    MeasureApproval.objects.create(
        measure=measure,
        decision=decision,
        role=measure.approver_role,
        officer=actor,
        decided_at=now,
        reason=reason.strip()[:2000],
        citation=measure.approval_citation,
    )
    measure.status = MeasureStatus.APPROVED if approve else MeasureStatus.REFUSED
    measure.save(update_fields=["status"])
    record(
        LedgerKind.MEASURE_APPROVED if approve else LedgerKind.MEASURE_REFUSED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "role": measure.approver_role,
            "reason": reason.strip(),
            "citation": measure.approval_citation,
        },
    )
    return measure


@dataclass(frozen=True)
class StartInput:
    started_at: datetime  # PACE: the arrest (route outside_ew: the entry into England and Wales)
    arrived_at: datetime | None = None  # PACE: arrival at the station
    decision_number: str = ""  # arrest: the procuratorate's approval
    decided_on: date | None = None
    replaces: Measure | None = None  # a running measure this one changes


@transaction.atomic
def start_measure(measure: Measure, data: StartInput, *, actor: Officer) -> Measure:
    """Execute an approved measure: the clock starts and every deadline its statute attaches is
    computed by the procedure engine and kept."""
    measure = _lock(measure)
    require_measure_write(actor, measure)
    if measure.status != MeasureStatus.APPROVED:
        raise CustodyError(
            f"the measure is {measure.get_status_display()}: it starts only once approved",
            field="status",
        )
    now = clock.now()
    started_at = _instant(data.started_at, "started_at", now=now)
    approval = measure.approvals.filter(decision=ApprovalDecision.APPROVED).latest("decided_at")
    measure_spec = spec(measure.kind)
    if measure.kind != MeasureKind.PACE_DETENTION:
        _not_before(started_at, approval.decided_at, "started_at", "the approval")
    params: dict[str, Any] = dict(measure.params)
    if measure.kind == MeasureKind.ARREST:
        if not data.decision_number.strip():
            raise CustodyError(
                "an arrest is executed on the procuratorate's approval: give its decision number "
                "(CPL art. 80)",
                field="decision_number",
            )
        if data.decided_on is None:
            raise CustodyError("give the date of the procuratorate's decision", field="decided_on")
        if data.decided_on > started_at.astimezone(clocks_zone(measure)).date():
            raise CustodyError(
                "the procuratorate's decision is dated after the arrest", field="decided_on"
            )
        measure.decision_number = data.decision_number.strip()[:80]
        measure.decided_on = data.decided_on
    calendars = clocks.Calendars()
    triggers = {"start": started_at}
    if measure.kind == MeasureKind.PACE_DETENTION:
        triggers |= _pace_triggers(measure, data, params, approval.decided_at, calendars, now)
    replaced = None
    if data.replaces is not None:
        replaced = _lock(data.replaces)
        if (
            replaced.person_id != measure.person_id
            or replaced.case_id != measure.case_id
            or replaced.status != MeasureStatus.RUNNING
        ):
            raise CustodyError(
                "the measure replaced must be a running measure of the same person and case",
                field="replaces_id",
            )
        _not_before(started_at, replaced.started_at or started_at, "started_at", "that measure")
    measure.started_at = started_at
    measure.started_by = actor
    measure.status = MeasureStatus.RUNNING
    measure.replaces = replaced
    measure.save()
    made = []
    for attached in measure_spec.attached:
        rule_id = attached.rule_id
        if measure.kind == MeasureKind.ADMIN_SUMMONS:
            rule_id = QUESTIONING_RULES[params.get("questioning", "ordinary")]
        rule_params = _rule_params(measure, rule_id, params, started_at)
        computed = clocks.compute(
            rule_id,
            triggers[attached.trigger],
            pack=measure.pack,
            calendars=calendars,
            params=rule_params,
        )
        deadline = clocks.new_deadline(
            duty=attached.duty, computed=computed, params=rule_params, now=now, measure=measure
        )
        made.append(clocks.summary(deadline))
    ended = None
    moved: list[CustodySession] = []
    if replaced is not None:
        ended = _end(
            replaced,
            ended_at=started_at,
            outcome=EndOutcome.CHANGED,
            reason=f"changed to {measure_spec.kind.label} #{measure.pk}",
            actor=actor,
            now=now,
        )
        moved = _move_sessions(replaced, measure)
    record(
        LedgerKind.MEASURE_STARTED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "started_at": started_at,
            "relevant_at": measure.relevant_at,
            "decision_number": measure.decision_number or None,
            "decided_on": measure.decided_on,
            "replaces": replaced.pk if replaced else None,
            "deadlines": made,
        },
    )
    if ended is not None and replaced is not None:
        record(
            LedgerKind.MEASURE_ENDED,
            subject=replaced,
            actor=actor,
            unit_id=measure.unit_id,
            data=ended,
        )
    for session in moved:
        record(
            LedgerKind.SESSION_MEASURE_CHANGED,
            subject=session,
            actor=actor,
            unit_id=session.unit_id,
            data={
                "from": replaced.pk if replaced else None,
                "to": measure.pk,
                "clock": clocks.summary(session.clock) if session.clock else None,
            },
        )
    return measure


def _area_clock(measure: Measure) -> Deadline | None:
    """The deadline of the measure that bounds a stay in the area, if the pack has one."""
    area_duty = spec(measure.kind).area_duty
    if area_duty is None:
        return None
    return (
        measure.deadlines.filter(duty=area_duty, status=DeadlineStatus.OPEN)
        .order_by("due_at")
        .first()
    )


def _in_area(person: Person) -> bool:
    """Whether the person has an open stay (the database refuses a second one in a race)."""
    return CustodySession.objects.filter(person=person, exited_at__isnull=True).exists()


def _refresh_area_clocks(measure: Measure) -> None:
    """The open stays under the measure run on its current area deadline (a warrant replaces it)."""
    sessions = CustodySession.objects.select_for_update().filter(
        measure=measure, exited_at__isnull=True
    )
    for session in sessions:
        area_clock = _area_clock(measure)
        if session.clock_id != (area_clock.pk if area_clock else None):
            session.clock = area_clock
            session.save(update_fields=["clock"])


def _move_sessions(replaced: Measure, measure: Measure) -> list[CustodySession]:
    """A person still in the area stays there under the new measure, on its clock."""
    moved = list(
        CustodySession.objects.select_for_update().filter(measure=replaced, exited_at__isnull=True)
    )
    for session in moved:
        session.measure = measure
        session.clock = _area_clock(measure)
        session.save(update_fields=["measure", "clock"])
    return moved


def clocks_zone(measure: Measure) -> ZoneInfo:
    return load_pack(measure.pack).time_zone


def _pace_triggers(
    measure: Measure,
    data: StartInput,
    params: dict[str, Any],
    authorised_at: datetime,
    calendars: clocks.Calendars,
    now: datetime,
) -> dict[str, datetime]:
    """PACE s.41(2): the relevant time from the arrest, the arrival and the route."""
    arrested_at = data.started_at
    route = params.get("route", "arrival")
    rt_params: dict[str, Any] = {"route": route}
    if route != "voluntary":
        arrived_at = _instant(data.arrived_at, "arrived_at", now=now)
        _not_before(arrived_at, arrested_at, "arrived_at", "the arrest")
        rt_params["arrived"] = arrived_at
    relevant = clocks.compute(
        PACE_RELEVANT_TIME,
        arrested_at,
        pack=measure.pack,
        calendars=calendars,
        params=rt_params,
        field="arrived_at",
    )
    _not_before(authorised_at, relevant.due_at, "authorised_at", "the relevant time")
    measure.relevant_at = relevant.due_at
    measure.authorised_at = authorised_at
    params["arrested_at"] = arrested_at.isoformat()
    if "arrived" in rt_params:
        params["arrived_at"] = rt_params["arrived"].isoformat()
    measure.params = params
    return {"relevant_time": relevant.due_at, "authorised": authorised_at}


def _rule_params(
    measure: Measure, rule_id: str, params: dict[str, Any], on: datetime
) -> dict[str, Any]:
    """The measure's parameters that the rule takes (the engine refuses any others)."""
    zone = clocks_zone(measure)
    rule = resolve(rule_id, on.astimezone(zone).date(), pack=measure.pack)
    return {p.name: params[p.name] for p in rule.params if p.name in params}


@transaction.atomic
def end_measure(
    measure: Measure, *, ended_at: datetime, outcome: str, reason: str, actor: Officer
) -> Measure:
    """Release, change or transfer: the measure ends and its open deadlines close."""
    measure = _lock(measure)
    require_measure_write(actor, measure)
    now = clock.now()
    data = _end(measure, ended_at=ended_at, outcome=outcome, reason=reason, actor=actor, now=now)
    record(
        LedgerKind.MEASURE_ENDED, subject=measure, actor=actor, unit_id=measure.unit_id, data=data
    )
    return measure


def _end(
    measure: Measure,
    *,
    ended_at: datetime,
    outcome: str,
    reason: str,
    actor: Officer,
    now: datetime,
) -> dict[str, Any]:
    _require_running(measure)
    ended_at = _instant(ended_at, "ended_at", now=now)
    assert measure.started_at is not None  # noqa: S101 - a running measure has started
    if ended_at < measure.started_at:
        raise CustodyError(
            f"a measure cannot end before it starts: ended_at {ended_at.isoformat()} is before "
            f"the start, {measure.started_at.isoformat()}",
            field="ended_at",
        )
    if outcome not in EndOutcome.values:
        raise CustodyError(
            f"unknown outcome {outcome}; one of {', '.join(EndOutcome.values)}", field="outcome"
        )
    reason = _text(reason, "reason", "the reason the measure ends")
    measure.status = MeasureStatus.ENDED
    measure.ended_at = ended_at
    measure.end_outcome = outcome
    measure.end_reason = reason
    measure.ended_by = actor
    measure.save(update_fields=["status", "ended_at", "end_outcome", "end_reason", "ended_by"])
    label = EndOutcome(outcome).label
    closed = _close_all(measure, ended_at, f"the measure ended ({label})", now=now)
    return {"ended_at": ended_at, "outcome": outcome, "reason": reason, "deadlines": closed}


# -- events that meet deadlines ----------------------------------------------------------------


def _event(
    measure: Measure,
    kind: EventKind,
    at: datetime,
    details: dict[str, Any],
    meets: Iterable[Deadline],
    *,
    actor: Officer,
    now: datetime,
) -> MeasureEvent:
    event = MeasureEvent.objects.create(
        measure=measure, kind=kind, at=at, recorded_at=now, recorded_by=actor, details=details
    )
    met = list(meets)
    if met:
        event.meets.set(met)
    return event


def _duty_done(
    measure: Measure,
    deadlines: list[Deadline],
    kind: EventKind,
    ledger_kind: LedgerKind,
    at: datetime,
    what: str,
    details: dict[str, Any],
    data: dict[str, Any],
    *,
    actor: Officer,
    now: datetime,
) -> MeasureEvent:
    """What happened at ``at`` meets ``deadlines`` (each closed as ``what``): the event that
    met them, and its ledger entry with ``data`` and the deadlines met."""
    met = [_meet(d, at, what, now=now) for d in deadlines]
    event = _event(measure, kind, at, details, deadlines, actor=actor, now=now)
    record(
        ledger_kind,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data=data | {"meets": met},
    )
    return event


def _event_time(measure: Measure, at: datetime, field: str, now: datetime) -> datetime:
    at = _instant(at, field, now=now)
    assert measure.started_at is not None  # noqa: S101 - only started measures take events
    _not_before(at, measure.started_at, field, "the start of the measure")
    return at


@transaction.atomic
def record_family_notice(
    measure: Measure,
    *,
    at: datetime,
    method: str,
    recipient: str,
    relationship: str,
    actor: Officer,
) -> MeasureEvent:
    """The family was told (who, how, when): meets the family-notice deadline."""
    measure = _lock(measure)
    require_measure_write(actor, measure)
    _require_running(measure, allow_ended=True)
    now = clock.now()
    at = _event_time(measure, at, "at", now)
    if method not in NOTIFY_METHODS:
        raise CustodyError(f"method must be one of {', '.join(NOTIFY_METHODS)}", field="method")
    recipient = _text(recipient, "recipient", "the person told", limit=80)
    relationship = _text(relationship, "relationship", "their relationship", limit=40)
    details = {"method": method, "recipient": recipient, "relationship": relationship}
    return _duty_done(
        measure,
        _duty_deadlines(measure, Duty.NOTIFY_FAMILY),
        EventKind.FAMILY_NOTIFIED,
        LedgerKind.FAMILY_NOTIFIED,
        at,
        f"family notified ({method}) to {recipient} ({relationship})",
        details,
        {"at": at, **details},
        actor=actor,
        now=now,
    )


@transaction.atomic
def record_notice_exception(
    measure: Measure, *, ground: str, detail: str, actor: Officer
) -> MeasureEvent:
    """A lawful ground for not telling the family: the duty is waived with the ground recorded
    (it suspends the duty; once the ground ends, the family must be told at once)."""
    measure = _lock(measure)
    require_measure_write(actor, measure)
    _require_running(measure)
    measure_spec = spec(measure.kind)
    grounds = {g.code: g for g in measure_spec.notice_exceptions}
    if ground not in grounds:
        allowed = ", ".join(grounds) or "none"
        where = measure_spec.notice_exception_citation or "the statute"
        raise CustodyError(
            f"{where} allows no exception {ground!r} for a {measure_spec.kind.label} "
            f"(allowed: {allowed})",
            field="ground",
        )
    detail = _text(detail, "detail", "the facts of the exception")
    now = clock.now()
    deadlines = [
        d
        for d in _duty_deadlines(measure, Duty.NOTIFY_FAMILY)
        if d.status == DeadlineStatus.OPEN or d.accounted_at is None
    ]
    if not deadlines:
        raise CustodyError("there is no pending family-notice deadline to except", field="ground")
    citation = measure_spec.notice_exception_citation
    reason = f"lawful exception ({citation}): {grounds[ground].en}; {detail}"
    for deadline in deadlines:
        if deadline.status == DeadlineStatus.OPEN:
            _close(deadline, now, DeadlineStatus.WAIVED, reason, now=now)
        else:
            # Recorded after the period ran out: it stays missed, and this is its account.
            deadline.accounted_at, deadline.accounted_by = now, actor
            deadline.account = f"recorded late: {reason}"
            deadline.save(update_fields=["accounted_at", "accounted_by", "account"])
    details = {"ground": ground, "detail": detail, "citation": citation}
    event = _event(
        measure, EventKind.NOTICE_EXCEPTION, now, details, deadlines, actor=actor, now=now
    )
    record(
        LedgerKind.NOTICE_EXCEPTION_RECORDED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data=details | {"waives": [clocks.summary(d) for d in deadlines]},
    )
    return event


def _meet_interrogation(
    case: Case, person: Person, at: datetime, what: str, *, now: datetime
) -> tuple[list[Deadline], list[dict[str, Any]]]:
    deadlines = list(
        Deadline.objects.select_for_update()
        .filter(
            case=case,
            person=person,
            duty=Duty.INTERROGATE,
            status__in=[DeadlineStatus.OPEN, DeadlineStatus.MISSED],
            met_at__isnull=True,
            trigger_at__lte=at,
        )
        .order_by("due_at")
    )
    return deadlines, [_meet(d, at, what, now=now) for d in deadlines]


@transaction.atomic
def record_interrogation(
    measure: Measure, *, at: datetime, place: str, actor: Officer
) -> MeasureEvent:
    """An interrogation outside the case-handling area (for example at the detention house)."""
    measure = _lock(measure)
    require_measure_write(actor, measure)
    _require_running(measure, allow_ended=True)
    now = clock.now()
    at = _event_time(measure, at, "at", now)
    place = _text(place, "place", "the place of the interrogation", limit=200)
    deadlines, met = _meet_interrogation(
        measure.case, measure.person, at, f"interrogated at {place}", now=now
    )
    event = _event(
        measure, EventKind.INTERROGATED, at, {"place": place}, deadlines, actor=actor, now=now
    )
    record(
        LedgerKind.INTERROGATION_RECORDED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={"at": at, "place": place, "meets": met},
    )
    return event


@transaction.atomic
def record_delivery(measure: Measure, *, at: datetime, place: str, actor: Officer) -> MeasureEvent:
    """Delivered to the detention house (CPL art. 85(2))."""
    measure = _lock(measure)
    require_measure_write(actor, measure)
    _require_running(measure)
    now = clock.now()
    at = _event_time(measure, at, "at", now)
    place = _text(place, "place", "the detention house", limit=200)
    return _deliver(measure, at, place, actor=actor, now=now)


def _deliver(
    measure: Measure, at: datetime, place: str, *, actor: Officer, now: datetime
) -> MeasureEvent:
    return _duty_done(
        measure,
        _duty_deadlines(measure, Duty.DELIVER),
        EventKind.DELIVERED,
        LedgerKind.DELIVERY_RECORDED,
        at,
        f"delivered to {place}",
        {"place": place},
        {"at": at, "place": place},
        actor=actor,
        now=now,
    )


@transaction.atomic
def record_arrest_request(
    measure: Measure, *, submitted_at: datetime, received_at: datetime, actor: Officer
) -> MeasureEvent:
    """The request to approve arrest went to the procuratorate (CPL art. 87, 91): meets the
    request deadline and starts the procuratorate's seven days (art. 91(3))."""
    measure = _lock(measure)
    require_measure_write(actor, measure)
    if measure.kind != MeasureKind.CRIMINAL_DETENTION:
        raise CustodyError("an arrest is requested for a detained person", field="kind")
    _require_running(measure)
    now = clock.now()
    submitted_at = _event_time(measure, submitted_at, "submitted_at", now)
    received_at = _instant(received_at, "received_at", now=now)
    _not_before(received_at, submitted_at, "received_at", "the submission")
    if measure.events.filter(kind=EventKind.ARREST_REQUESTED).exists():
        raise CustodyError("the arrest was already requested", field="submitted_at")
    computed = clocks.compute(
        PROCURATORATE_RULE,
        received_at,
        pack=measure.pack,
        calendars=clocks.Calendars(),
        field="received_at",
    )
    decision = clocks.new_deadline(
        duty=Duty.PROCURATORATE_DECISION, computed=computed, params={}, now=now, measure=measure
    )
    details = {"submitted_at": submitted_at.isoformat(), "received_at": received_at.isoformat()}
    return _duty_done(
        measure,
        _duty_deadlines(measure, Duty.REQUEST_ARREST),
        EventKind.ARREST_REQUESTED,
        LedgerKind.ARREST_REQUESTED,
        submitted_at,
        "arrest requested",
        details,
        details | {"starts": clocks.summary(decision)},
        actor=actor,
        now=now,
    )


@transaction.atomic
def record_procuratorate_decision(
    measure: Measure, *, approved: bool, decided_at: datetime, number: str, actor: Officer
) -> MeasureEvent:
    """The procuratorate approved or refused the arrest (CPL art. 90-91). On a refusal the
    person must be released at once; the release is recorded by ending the measure."""
    measure = _lock(measure)
    require_measure_write(actor, measure)
    _require_running(measure)
    now = clock.now()
    decided_at = _event_time(measure, decided_at, "decided_at", now)
    number = _text(number, "number", "the decision's number", limit=80)
    deadlines = _duty_deadlines(measure, Duty.PROCURATORATE_DECISION)
    if not deadlines:
        raise CustodyError("no request for approval of arrest is pending", field="decided_at")
    word = "approved" if approved else "refused"
    details = {"approved": approved, "number": number}
    return _duty_done(
        measure,
        deadlines,
        EventKind.PROCURATORATE_DECIDED,
        LedgerKind.PROCURATORATE_DECIDED,
        decided_at,
        f"procuratorate {word} the arrest ({number})",
        details,
        {"decided_at": decided_at, **details},
        actor=actor,
        now=now,
    )


# -- PACE: reviews and warrants ----------------------------------------------------------------


def _require_pace(measure: Measure) -> None:
    if measure.kind != MeasureKind.PACE_DETENTION:
        raise CustodyError("only a PACE detention has reviews and warrants", field="kind")


@transaction.atomic
def record_review(
    measure: Measure, *, at: datetime, outcome: str, notes: str, actor: Officer
) -> MeasureEvent:
    """A review of detention (PACE s.40) by a review officer not directly involved in the
    investigation; the next review falls due nine hours later (s.40(3)(b)-(c), (7))."""
    measure = _lock(measure)
    _require_pace(measure)
    _require_running(measure)
    reviewer = org_role("inspector_review")
    if not may_decide(actor, measure.unit, reviewer) or is_handler(actor, measure.case):
        raise ApprovalRefused(
            f"a review of detention is carried out by an officer of at least the rank of "
            f"inspector (role {reviewer}) not directly involved in the investigation "
            "(PACE s.40(1)(b))",
            field="reviewer",
        )
    if outcome not in ("continue", "release"):
        raise CustodyError("outcome must be continue or release", field="outcome")
    now = clock.now()
    at = _event_time(measure, at, "at", now)
    deadlines = _duty_deadlines(measure, Duty.REVIEW)
    met = [_meet(d, at, f"reviewed ({outcome})", now=now) for d in deadlines]
    previous_due = deadlines[0].due_at if deadlines else at
    following = None
    if outcome == "continue":
        params = {"previous_due": previous_due}
        computed = clocks.compute(
            PACE_REVIEW_NEXT,
            at,
            pack=measure.pack,
            calendars=clocks.Calendars(),
            params=params,
            field="at",
        )
        following = clocks.new_deadline(
            duty=Duty.REVIEW, computed=computed, params=params, now=now, measure=measure
        )
    details = {"outcome": outcome, "notes": notes.strip()[:2000]}
    event = _event(measure, EventKind.REVIEWED, at, details, deadlines, actor=actor, now=now)
    record(
        LedgerKind.DETENTION_REVIEWED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "at": at,
            **details,
            "meets": met,
            "next": clocks.summary(following) if following else None,
        },
    )
    return event


@transaction.atomic
def record_warrant_application(
    measure: Measure, *, at: datetime, court: str, actor: Officer
) -> MeasureEvent:
    """The application for a warrant of further detention (PACE s.43(5))."""
    measure = _lock(measure)
    _require_pace(measure)
    require_measure_write(actor, measure)
    _require_running(measure)
    now = clock.now()
    at = _event_time(measure, at, "at", now)
    court = _text(court, "court", "the magistrates' court", limit=200)
    return _duty_done(
        measure,
        _duty_deadlines(measure, Duty.APPLY_WARRANT),
        EventKind.WARRANT_APPLIED,
        LedgerKind.WARRANT_APPLIED,
        at,
        f"applied to {court}",
        {"court": court},
        {"at": at, "court": court},
        actor=actor,
        now=now,
    )


@transaction.atomic
def record_warrant(
    measure: Measure,
    *,
    issued_at: datetime,
    hours: int,
    court: str,
    reference: str,
    extension: bool,
    actor: Officer,
) -> MeasureEvent:
    """A magistrates' court issued (or extended) a warrant of further detention (PACE ss.43-44):
    the warrant's period replaces the limit before it, never past 96 hours."""
    measure = _lock(measure)
    _require_pace(measure)
    require_measure_write(actor, measure)
    _require_running(measure)
    now = clock.now()
    issued_at = _event_time(measure, issued_at, "issued_at", now)
    court = _text(court, "court", "the magistrates' court", limit=200)
    reference = _text(reference, "reference", "the warrant's reference", limit=80)
    assert measure.relevant_at is not None  # noqa: S101 - set when a PACE detention starts
    rule_id = PACE_WARRANT_EXTENSION if extension else PACE_WARRANT
    current = [
        d
        for d in _duty_deadlines(measure, Duty.LIMIT)
        if d.status == DeadlineStatus.OPEN
        and d.rule_id in (("EW-PACE41-24H", PACE_WARRANT, PACE_WARRANT_EXTENSION))
    ]
    in_force = any(d.rule_id != "EW-PACE41-24H" for d in current)
    if extension and not in_force:
        raise CustodyError("there is no warrant in force to extend", field="extension")
    if in_force and not extension:
        raise CustodyError(
            "a warrant is in force: record the court's extension of it (PACE s.44)",
            field="extension",
        )
    params = {"hours": hours, "relevant_time": measure.relevant_at}
    computed = clocks.compute(
        rule_id,
        issued_at,
        pack=measure.pack,
        calendars=clocks.Calendars(),
        params=params,
        field="hours",
    )
    for deadline in current:
        if deadline.due_at < issued_at:
            raise CustodyError(
                f"the period under {deadline.rule_id} ended at {deadline.due_at.isoformat()}, "
                "before the warrant was issued",
                field="issued_at",
            )
    superseded = [
        _meet(d, issued_at, f"superseded by the warrant {reference} of {court}", now=now)
        for d in current
    ]
    applied = [
        _meet(d, issued_at, f"warrant issued by {court}", now=now)
        for d in _duty_deadlines(measure, Duty.APPLY_WARRANT)
    ]
    warrant = clocks.new_deadline(
        duty=Duty.LIMIT, computed=computed, params=params, now=now, measure=measure
    )
    _refresh_area_clocks(measure)
    kind = EventKind.WARRANT_EXTENDED if extension else EventKind.WARRANT_ISSUED
    details = {"hours": hours, "court": court, "reference": reference}
    event = _event(measure, kind, issued_at, details, current, actor=actor, now=now)
    record(
        LedgerKind.WARRANT_EXTENDED if extension else LedgerKind.WARRANT_ISSUED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "issued_at": issued_at,
            **details,
            "supersedes": superseded + applied,
            "deadline": clocks.summary(warrant),
        },
    )
    return event


# -- extensions --------------------------------------------------------------------------------


@transaction.atomic
def request_extension(
    deadline: Deadline, *, extension: str, reason: str, actor: Officer
) -> ExtensionRequest:
    """Ask for an extension the rule allows; refused at once if the statute does not allow it
    (unknown, too often, a missing earlier step, past the ceiling, or after expiry)."""
    deadline = (
        Deadline.objects.select_for_update(of=("self",))
        .select_related("measure")
        .get(pk=deadline.pk)
    )
    if deadline.measure is None:
        raise CustodyError("this deadline takes no extension", field="extension")
    measure = _lock(deadline.measure)
    require_measure_write(actor, measure)
    _require_running(measure)
    if deadline.status != DeadlineStatus.OPEN:
        raise CustodyError(
            f"the deadline is {deadline.get_status_display()}: only an open one is extended",
            field="extension",
        )
    extension = extension.strip()
    name = extension.partition("=")[0]
    allowed = spec(measure.kind).extensions
    if allowed is not None and name not in allowed:
        raise CustodyError(
            f"a {spec(measure.kind).kind.label} may be extended only by {', '.join(allowed)}",
            field="extension",
        )
    if deadline.requests.filter(status=ExtensionStatus.REQUESTED).exists():
        raise CustodyError(
            "an extension of this deadline is already waiting for a decision", field="extension"
        )
    reason = _text(reason, "reason", "the reason for the extension", limit=4000)
    now = clock.now()
    ruling = clocks.check_extension(deadline, extension, calendars=clocks.Calendars(), now=now)
    if not ruling.allowed or ruling.due_after is None:
        raise CustodyError("; ".join(ruling.reasons), field="extension")
    _check_pace_extension(measure, name)
    ext = clocks.rule_of(deadline).extension(name)
    request = ExtensionRequest.objects.create(
        deadline=deadline,
        measure=measure,
        extension=extension,
        extension_id=name,
        reason=reason,
        status=ExtensionStatus.REQUESTED,
        statute_approver=ruling.approver,
        approver_role=org_role(ruling.approver),
        decided_by_body=ruling.decided_by[:200],
        citation=ext.citation[:300],
        requested_at=now,
        requested_by=actor,
        due_before=deadline.due_at,
        due_after=ruling.due_after,
    )
    record(
        LedgerKind.EXTENSION_REQUESTED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "request": request.pk,
            "deadline": deadline.pk,
            "rule": deadline.rule_id,
            "extension": extension,
            "reason": reason,
            "approver": ruling.approver,
            "due_before": deadline.due_at,
            "due_after": ruling.due_after,
        },
    )
    return request


def _check_pace_extension(measure: Measure, name: str) -> None:
    """PACE s.42(4)(b): no superintendent's authorisation before the second review."""
    if measure.kind != MeasureKind.PACE_DETENTION or name != "s42":
        return
    reviews = measure.events.filter(kind=EventKind.REVIEWED).count()
    if reviews < SECOND_REVIEW:
        raise CustodyError(
            f"a superintendent may authorise continued detention only after the second review "
            f"of detention (PACE s.42(4)(b)); {reviews} held so far",
            field="extension",
        )


@transaction.atomic
def decide_extension(
    request: ExtensionRequest,
    *,
    approve: bool,
    reason: str,
    reference: str = "",
    actor: Officer,
) -> ExtensionRequest:
    """Approve or refuse by the role the rule names. An approval recomputes every open deadline
    of the measure the extension applies to; none ever moves earlier."""
    request = (
        ExtensionRequest.objects.select_for_update(of=("self",))
        .select_related("deadline", "measure")
        .get(pk=request.pk)
    )
    measure = _lock(request.measure)
    if not may_decide(actor, measure.unit, request.approver_role):
        raise ApprovalRefused(
            f"extension {request.extension} of {request.deadline.rule_id} is approved by "
            f"{request.statute_approver} (role {request.approver_role}), which you do not hold "
            f"at {measure.unit.name} ({request.citation})",
            field="approver",
        )
    if request.status != ExtensionStatus.REQUESTED:
        raise CustodyError(
            f"the request was already {request.get_status_display()}", field="decision"
        )
    now = clock.now()
    if not approve:
        reason = _text(reason, "reason", "the reason for the refusal")
        request.status = ExtensionStatus.REFUSED
        request.decided_at, request.decider, request.decision_reason = now, actor, reason
        request.save(update_fields=["status", "decided_at", "decider", "decision_reason"])
        record(
            LedgerKind.EXTENSION_REFUSED,
            subject=measure,
            actor=actor,
            unit_id=measure.unit_id,
            data={"request": request.pk, "extension": request.extension, "reason": reason},
        )
        return request
    if request.decided_by_body and not reference.strip():
        raise CustodyError(
            f"{request.citation}: {request.decided_by_body} decides; give its decision's reference",
            field="reference",
        )
    _require_running(measure)
    calendars = clocks.Calendars()
    target = Deadline.objects.select_for_update().get(pk=request.deadline_id)
    ruling = clocks.check_extension(target, request.extension, calendars=calendars, now=now)
    if not ruling.allowed:
        raise CustodyError("; ".join(ruling.reasons), field="decision")
    moves = []
    for deadline in measure.deadlines.select_for_update().filter(status=DeadlineStatus.OPEN):
        names = {e.id for e in clocks.rule_of(deadline).extensions}
        if request.extension_id not in names:
            continue
        if deadline.pk != target.pk:
            sibling = clocks.check_extension(
                deadline, request.extension, calendars=calendars, now=now
            )
            if not sibling.allowed:
                continue
        moves.append(_extend(deadline, request.extension, calendars))
    if request.extension_id == "s42":
        moves += _after_superintendent(measure, now, calendars)
    request.status = ExtensionStatus.APPROVED
    request.decided_at, request.decider = now, actor
    request.decision_reason = reason.strip()[:2000]
    request.decision_reference = reference.strip()[:120]
    request.save(
        update_fields=["status", "decided_at", "decider", "decision_reason", "decision_reference"]
    )
    record(
        LedgerKind.EXTENSION_APPROVED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "request": request.pk,
            "extension": request.extension,
            "role": request.approver_role,
            "reason": request.decision_reason,
            "reference": request.decision_reference or None,
            "decided_by": request.decided_by_body or None,
            "deadlines": moves,
        },
    )
    return request


def _extend(deadline: Deadline, extension: str, calendars: clocks.Calendars) -> dict[str, Any]:
    before = deadline.due_at
    computed = clocks.compute(
        deadline.requested_id,
        deadline.trigger_at,
        pack=deadline.pack,
        calendars=calendars,
        extensions=[*deadline.extensions, extension],
        params=deadline.params,
        field="extension",
    )
    if computed.due_at < before:
        # The engine never shortens a period by an extension; refuse rather than store it.
        raise CustodyError(f"{extension} would move {deadline.rule_id} earlier", field="extension")
    clocks.fill(deadline, computed)
    deadline.warning_sent = deadline.warning_sent and deadline.due_at == before
    deadline.save()
    return clocks.summary(deadline) | {"due_before": before}


def _after_superintendent(
    measure: Measure, now: datetime, calendars: clocks.Calendars
) -> list[dict[str, Any]]:
    """A superintendent's authorisation meets the s.42(4) deadline and, the first time, opens
    the deadline for applying for a warrant of further detention (s.43(5))."""
    changed = [
        _meet(d, now, "superintendent's authorisation given", now=now)
        for d in _duty_deadlines(measure, Duty.AUTHORISE)
    ]
    if not measure.deadlines.filter(rule_id=PACE_APPLY).exists():
        assert measure.relevant_at is not None  # noqa: S101 - set when a PACE detention starts
        computed = clocks.compute(
            PACE_APPLY, measure.relevant_at, pack=measure.pack, calendars=calendars
        )
        apply = clocks.new_deadline(
            duty=Duty.APPLY_WARRANT, computed=computed, params={}, now=now, measure=measure
        )
        changed.append(clocks.summary(apply))
    return changed


# -- missed deadlines and alerts -------------------------------------------------------------------


@transaction.atomic
def account_for_missed(deadline: Deadline, *, account: str, actor: Officer) -> Deadline:
    """Say what happened about a missed deadline; until then it stays on the board."""
    deadline = (
        Deadline.objects.select_for_update(of=("self",))
        .select_related("measure", "session", "measure__case", "session__case", "unit")
        .get(pk=deadline.pk)
    )
    require_deadline_write(actor, deadline)
    if deadline.status != DeadlineStatus.MISSED or deadline.accounted_at is not None:
        raise CustodyError(
            "only a missed deadline nobody has accounted for takes an account", field="account"
        )
    deadline.account = _text(account, "account", "what happened", limit=4000)
    deadline.accounted_at = clock.now()
    deadline.accounted_by = actor
    deadline.save(update_fields=["account", "accounted_at", "accounted_by"])
    record(
        LedgerKind.DEADLINE_ACCOUNTED_FOR,
        subject=deadline.subject,
        actor=actor,
        unit_id=deadline.unit_id,
        data=clocks.summary(deadline) | {"account": deadline.account},
    )
    return deadline


@transaction.atomic
def acknowledge_alert(item: InboxItem, *, actor: Officer) -> InboxItem:
    item = InboxItem.objects.select_for_update(of=("self",)).select_related("alert").get(pk=item.pk)
    if item.officer_id != actor.pk:
        raise CustodyError("only the recipient acknowledges an alert", field="item")
    if item.acknowledged_at is not None:
        raise CustodyError("the alert was already acknowledged", field="item")
    item.acknowledged_at = clock.now()
    item.save(update_fields=["acknowledged_at"])
    record(
        LedgerKind.ALERT_ACKNOWLEDGED,
        subject=item.alert,
        actor=actor,
        unit_id=actor.unit_id,
        data={"deadline": item.alert.deadline_id, "kind": item.alert.kind},
    )
    return item


# -- the case-handling area --------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    entered_at: datetime
    escorts: Sequence[Officer]
    reason: str
    measure: Measure | None = None


@transaction.atomic
def open_session(
    unit: Unit, case: Case, person: Person, data: EntryInput, *, actor: Officer
) -> CustodySession:
    """A person is brought into the case-handling area by at least two officers."""
    if not may_run_area(actor, unit, case):
        raise AccessDenied(
            "the case-handling area is run by the unit's custody officers and the case's handlers"
        )
    if case.unit_id != unit.pk:
        raise CustodyError("the case belongs to another unit", field="case_id")
    if not Party.objects.filter(case=case, person=person).exists():
        raise CustodyError(
            f"person #{person.pk} is not a party to case {case.number}", field="person_id"
        )
    now = clock.now()
    entered_at = _instant(data.entered_at, "entered_at", now=now)
    measure = data.measure
    if measure is not None:
        measure = _lock(measure)
        if measure.person_id != person.pk or measure.case_id != case.pk:
            raise CustodyError("the measure belongs to another person or case", field="measure_id")
        _require_running(measure)
        assert measure.started_at is not None  # noqa: S101 - running
        _not_before(entered_at, measure.started_at, "entered_at", "the start of the measure")
    if _in_area(person):
        raise CustodyError(
            f"person #{person.pk} is already in a case-handling area", field="person_id"
        )
    escorts = {o.pk: o for o in data.escorts}
    if len(escorts) < MIN_ESCORTS:
        raise CustodyError(
            f"a person is brought in by at least {MIN_ESCORTS} officers", field="escort_ids"
        )
    for officer in escorts.values():
        if not officer.is_active:
            raise CustodyError(f"{officer} is not an active officer", field="escort_ids")
    reason = _text(data.reason, "reason", "the reason for bringing the person in")
    try:
        with transaction.atomic():
            session = CustodySession.objects.create(
                unit=unit,
                case=case,
                person=person,
                measure=measure,
                entered_at=entered_at,
                entry_reason=reason,
                recorded_by=actor,
            )
    except IntegrityError as exc:  # another officer brought the person in at the same moment
        raise CustodyError(
            f"person #{person.pk} is already in a case-handling area", field="person_id"
        ) from exc
    session.escorts.set(list(escorts.values()))
    clock_row = _area_clock(measure) if measure is not None else None
    session.clock = clock_row
    session.save(update_fields=["clock"])
    rest = _rest_deadline(session, entered_at, now=now)
    record(
        LedgerKind.SESSION_OPENED,
        subject=session,
        actor=actor,
        unit_id=unit.pk,
        data={
            "case": case.number,
            "person": person.pk,
            "measure": measure.pk if measure else None,
            "entered_at": entered_at,
            "escorts": sorted(o.badge_number for o in escorts.values()),
            "reason": reason,
            "clock": clocks.summary(clock_row) if clock_row else None,
            "rest": clocks.summary(rest) if rest else None,
        },
    )
    return session


def _rest_deadline(session: CustodySession, trigger: datetime, *, now: datetime) -> Deadline | None:
    rule_id = REST_RULES.get(session.unit.pack)
    if rule_id is None:
        return None
    computed = clocks.compute(
        rule_id, trigger, pack=session.unit.pack, calendars=clocks.Calendars(), field="entered_at"
    )
    return clocks.new_deadline(
        duty=Duty.REST, computed=computed, params={}, now=now, session=session
    )


def _rest_minimum(session: CustodySession, at: datetime) -> timedelta | None:
    """The continuous rest that meets the pack's rest rule (Code C 12.2: 8 hours), if it has one."""
    rule_id = REST_RULES.get(session.unit.pack)
    if rule_id is None:
        return None
    day = at.astimezone(ZoneInfo(session.unit.timezone)).date()
    rule = resolve(rule_id, day, pack=session.unit.pack)
    hours = next(p.default for p in rule.params if p.name == REST_PARAM)
    assert isinstance(hours, int)  # noqa: S101 - the pack declares it an int
    return timedelta(hours=hours)


def _require_open(session: CustodySession) -> None:
    if session.exited_at is not None:
        raise CustodyError("the person has left the area", field="session")


def _area_time(session: CustodySession, at: datetime, field: str, now: datetime) -> datetime:
    at = _instant(at, field, now=now)
    _not_before(at, session.entered_at, field, "the entry into the area")
    return at


@transaction.atomic
def record_safety_check(
    session: CustodySession,
    *,
    at: datetime,
    search_record: str,
    injuries_observed: str,
    refused: bool,
    actor: Officer,
) -> CustodySession:
    session = _lock_session(session)
    require_session_write(actor, session)
    _require_open(session)
    if session.checked_at is not None:
        raise CustodyError("the safety check was already recorded", field="at")
    now = clock.now()
    at = _area_time(session, at, "at", now)
    search_record = _text(
        search_record,
        "search_record",
        "the search record (what was done, or how the refusal was handled)",
        limit=4000,
    )
    injuries = _text(
        injuries_observed, "injuries_observed", "the injuries observed (or 'none')", limit=4000
    )
    session.checked_at, session.checked_by = at, actor
    session.search_record, session.injuries_observed = search_record, injuries
    session.search_refused = refused
    session.save(
        update_fields=[
            "checked_at",
            "checked_by",
            "search_record",
            "injuries_observed",
            "search_refused",
        ]
    )
    record(
        LedgerKind.SAFETY_CHECKED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data={
            "at": at,
            "search_record": search_record,
            "injuries_observed": injuries,
            "refused": refused,
        },
    )
    return session


@transaction.atomic
def deposit_belonging(
    session: CustodySession,
    *,
    description: str,
    quantity: int,
    notes: str,
    actor: Officer,
) -> Belonging:
    session = _lock_session(session)
    require_session_write(actor, session)
    _require_open(session)
    description = _text(description, "description", "what the item is", limit=200)
    if quantity < 1:
        raise CustodyError("quantity must be at least 1", field="quantity")
    number = (session.belongings.aggregate(n=Max("number"))["n"] or 0) + 1
    item = Belonging.objects.create(
        session=session,
        number=number,
        description=description,
        quantity=quantity,
        notes=notes.strip()[:200],
        deposited_at=clock.now(),
        deposited_by=actor,
    )
    record(
        LedgerKind.BELONGING_DEPOSITED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data={
            "item": number,
            "description": description,
            "quantity": quantity,
            "notes": item.notes,
        },
    )
    return item


@transaction.atomic
def settle_belonging(
    item: Belonging,
    *,
    outcome: str,
    transferred_to: str,
    person_signed: bool,
    refusal_witness: Officer | None,
    actor: Officer,
) -> Belonging:
    """An item goes back to the person, or on to the property room or another agency, with both
    signatures: the person's (or a second officer witnessing the refusal) and the officer's."""
    item = (
        Belonging.objects.select_for_update(of=("self",)).select_related("session").get(pk=item.pk)
    )
    session = _lock_session(item.session)
    require_session_write(actor, session)
    if item.outcome:
        raise CustodyError(f"item {item.number} was already {item.outcome}", field="outcome")
    if outcome not in BelongingOutcome.values:
        raise CustodyError("outcome must be returned or transferred", field="outcome")
    if outcome == BelongingOutcome.TRANSFERRED:
        transferred_to = _text(transferred_to, "transferred_to", "where the item went", limit=200)
    if not person_signed:
        if refusal_witness is None:
            raise CustodyError(
                f"item {item.number} ({item.description}) needs the person's signature, or a "
                "second officer who witnessed the refusal to sign",
                field="person_signed",
            )
        if refusal_witness.pk == actor.pk:
            raise CustodyError(
                "the witness of a refusal to sign is a second officer", field="refusal_witness_id"
            )
    item.outcome = outcome
    item.outcome_at = clock.now()
    item.transferred_to = transferred_to.strip()[:200] if outcome == "transferred" else ""
    item.person_signed = person_signed
    item.refusal_witness = None if person_signed else refusal_witness
    item.officer_signed_by = actor
    item.save()
    record(
        LedgerKind.BELONGING_RETURNED
        if outcome == BelongingOutcome.RETURNED
        else LedgerKind.BELONGING_TRANSFERRED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data={
            "item": item.number,
            "description": item.description,
            "transferred_to": item.transferred_to or None,
            "person_signed": person_signed,
            "refusal_witness": item.refusal_witness.badge_number if item.refusal_witness else None,
            "officer": actor.badge_number,
        },
    )
    return item


@dataclass(frozen=True)
class InterviewInput:
    kind: str
    room: str
    started_at: datetime
    ended_at: datetime
    officers: Sequence[Officer]
    recording_id: str
    recording_sha256: str
    guardian_name: str = ""
    guardian_relation: str = ""
    interpreter: str = ""


def _juvenile(session: CustodySession, on: date) -> bool:
    age = session.person.age_on(on)
    if age is not None:
        return age < ADULT_AGE
    return Party.objects.filter(case=session.case, person=session.person, juvenile=True).exists()


@transaction.atomic
def record_interview(session: CustodySession, data: InterviewInput, *, actor: Officer) -> Interview:
    """An interview or interrogation in the area, with its recording and, for a juvenile, the
    guardian or appropriate adult present. An interrogation meets the interrogation deadlines."""
    session = _lock_session(session)
    require_session_write(actor, session)
    now = clock.now()
    if data.kind not in InterviewKind.values:
        raise CustodyError("kind must be interrogation or inquiry", field="kind")
    room = _text(data.room, "room", "the room", limit=40)
    started_at = _area_time(session, data.started_at, "started_at", now)
    ended_at = _instant(data.ended_at, "ended_at", now=now)
    if ended_at < started_at:
        raise CustodyError("the interview ends before it starts", field="ended_at")
    if session.exited_at is not None and ended_at > session.exited_at:
        raise CustodyError("the interview ends after the person left the area", field="ended_at")
    officers = {o.pk: o for o in data.officers}
    two = data.kind == InterviewKind.INTERROGATION and session.unit.pack == "cn"
    minimum = MIN_INTERROGATORS if two else 1
    if len(officers) < minimum:
        why = " (CPL art. 118: at least two investigators)" if two else ""
        raise CustodyError(
            f"an {data.kind} needs at least {minimum} officer{'s' if minimum > 1 else ''}{why}",
            field="officer_ids",
        )
    recording_id = _text(data.recording_id, "recording_id", "the recording's identifier", limit=120)
    digest = data.recording_sha256.strip().lower()
    if not SHA256.match(digest):
        raise CustodyError(
            "recording_sha256 must be the 64 hexadecimal digits of the recording's SHA-256",
            field="recording_sha256",
        )
    zone = load_pack(session.unit.pack).time_zone
    if _juvenile(session, started_at.astimezone(zone).date()):
        citation = "CPL art. 281" if session.unit.pack == "cn" else "PACE Code C 11.15"
        if not data.guardian_name.strip() or not data.guardian_relation.strip():
            raise CustodyError(
                f"{session.person} is a juvenile: name the guardian or appropriate adult present "
                f"and their relation ({citation})",
                field="guardian_name",
            )
    interview = Interview.objects.create(
        session=session,
        kind=data.kind,
        room=room,
        started_at=started_at,
        ended_at=ended_at,
        recording_id=recording_id,
        recording_sha256=digest,
        guardian_name=data.guardian_name.strip()[:80],
        guardian_relation=data.guardian_relation.strip()[:40],
        interpreter=data.interpreter.strip()[:80],
        recorded_by=actor,
    )
    interview.officers.set(list(officers.values()))
    met: list[dict[str, Any]] = []
    if data.kind == InterviewKind.INTERROGATION:
        _, met = _meet_interrogation(
            session.case, session.person, started_at, f"interrogated in room {room}", now=now
        )
    record(
        LedgerKind.INTERVIEW_RECORDED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data={
            "kind": data.kind,
            "room": room,
            "started_at": started_at,
            "ended_at": ended_at,
            "officers": sorted(o.badge_number for o in officers.values()),
            "recording_id": recording_id,
            "recording_sha256": digest,
            "guardian": interview.guardian_name or None,
            "guardian_relation": interview.guardian_relation or None,
            "interpreter": interview.interpreter or None,
            "meets": met,
        },
    )
    return interview


@transaction.atomic
def record_care(
    session: CustodySession,
    *,
    kind: str,
    started_at: datetime,
    ended_at: datetime | None,
    notes: str,
    actor: Officer,
) -> CareEvent:
    """A meal, a rest or medical care. Under PACE Code C 12.2 a continuous rest of the length
    the code sets meets the rest deadline and the next 24 hours run from its end."""
    session = _lock_session(session)
    require_session_write(actor, session)
    _require_open(session)
    if kind not in CareKind.values:
        raise CustodyError(f"kind must be one of {', '.join(CareKind.values)}", field="kind")
    now = clock.now()
    started_at = _area_time(session, started_at, "started_at", now)
    if ended_at is not None:
        ended_at = _instant(ended_at, "ended_at", now=now)
        if ended_at < started_at:
            raise CustodyError("it ends before it starts", field="ended_at")
    if kind == CareKind.REST and ended_at is None:
        raise CustodyError("a rest has an end", field="ended_at")
    if kind == CareKind.MEDICAL and not notes.strip():
        raise CustodyError("say who gave what care", field="notes")
    event = CareEvent.objects.create(
        session=session,
        kind=kind,
        started_at=started_at,
        ended_at=ended_at,
        notes=notes.strip()[:400],
        recorded_by=actor,
    )
    met: list[dict[str, Any]] = []
    following = None
    minimum = _rest_minimum(session, started_at)
    if (
        kind == CareKind.REST
        and ended_at is not None
        and minimum is not None
        and ended_at - started_at >= minimum
    ):
        deadlines = [d for d in _duty_deadlines(session, Duty.REST) if d.trigger_at <= started_at]
        met = [_meet(d, started_at, "continuous rest started", now=now) for d in deadlines]
        if deadlines:
            following = _rest_deadline(session, ended_at, now=now)
    record(
        LedgerKind.CARE_RECORDED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data={
            "kind": kind,
            "started_at": started_at,
            "ended_at": ended_at,
            "notes": event.notes,
            "meets": met,
            "next": clocks.summary(following) if following else None,
        },
    )
    return event


@transaction.atomic
def record_rights(
    session: CustodySession,
    *,
    given_at: datetime,
    lawyer_requested: bool,
    lawyer_requested_at: datetime | None,
    interpreter_language: str,
    interpreter_name: str,
    actor: Officer,
) -> CustodySession:
    """The notice of rights was given; whether a lawyer was asked for, and when; the
    interpreter, if one is needed."""
    session = _lock_session(session)
    require_session_write(actor, session)
    now = clock.now()
    given_at = _area_time(session, given_at, "given_at", now)
    if lawyer_requested:
        lawyer_requested_at = _area_time(
            session, lawyer_requested_at or given_at, "lawyer_requested_at", now
        )
    else:
        lawyer_requested_at = None
    if interpreter_language.strip() and not interpreter_name.strip():
        raise CustodyError("name the interpreter", field="interpreter_name")
    session.rights_given_at = given_at
    session.lawyer_requested = lawyer_requested
    session.lawyer_requested_at = lawyer_requested_at
    session.interpreter_language = interpreter_language.strip()[:40]
    session.interpreter_name = interpreter_name.strip()[:80]
    session.save(
        update_fields=[
            "rights_given_at",
            "lawyer_requested",
            "lawyer_requested_at",
            "interpreter_language",
            "interpreter_name",
        ]
    )
    record(
        LedgerKind.RIGHTS_RECORDED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data={
            "given_at": given_at,
            "lawyer_requested": lawyer_requested,
            "lawyer_requested_at": lawyer_requested_at,
            "interpreter_language": session.interpreter_language or None,
            "interpreter": session.interpreter_name or None,
        },
    )
    return session


@transaction.atomic
def close_session(
    session: CustodySession,
    *,
    exited_at: datetime,
    destination: str,
    detail: str,
    actor: Officer,
) -> CustodySession:
    """The person leaves the area. Every belonging must be returned or transferred first.
    Leaving for the detention house meets the delivery deadline (CPL art. 85(2)); leaving
    released ends a measure that holds the person in the area."""
    session = _lock_session(session)
    require_session_write(actor, session)
    _require_open(session)
    now = clock.now()
    exited_at = _instant(exited_at, "exited_at", now=now)
    if exited_at < session.entered_at:
        raise CustodyError(
            f"exited_at {exited_at.isoformat()} is before the entry "
            f"({session.entered_at.isoformat()})",
            field="exited_at",
        )
    if destination not in Destination.values:
        raise CustodyError(
            f"destination must be one of {', '.join(Destination.values)}", field="destination"
        )
    if destination != Destination.RELEASED:
        detail = _text(detail, "destination_detail", "where the person went", limit=200)
    open_items = list(session.belongings.filter(outcome=""))
    if open_items:
        listed = "; ".join(f"item {i.number} ({i.description})" for i in open_items)
        raise CustodyError(
            f"belongings not yet returned or transferred with both signatures: {listed}",
            field="belongings",
        )
    session.exited_at = exited_at
    session.destination = destination
    session.destination_detail = detail.strip()[:200]
    session.exited_by = actor
    session.save(update_fields=["exited_at", "destination", "destination_detail", "exited_by"])
    closed = _close_all(session, exited_at, "the person left the area", now=now)
    measure = session.measure
    data: dict[str, Any] = {
        "exited_at": exited_at,
        "destination": destination,
        "detail": session.destination_detail or None,
        "deadlines": closed,
    }
    ended = None
    if measure is not None and measure.status == MeasureStatus.RUNNING:
        if destination == Destination.DETENTION_HOUSE:
            _deliver(measure, exited_at, session.destination_detail, actor=actor, now=now)
        elif destination == Destination.RELEASED and spec(measure.kind).ends_on_release_from_area:
            ended = _end(
                _lock(measure),
                ended_at=exited_at,
                outcome=EndOutcome.RELEASED,
                reason="released from the case-handling area",
                actor=actor,
                now=now,
            )
    record(
        LedgerKind.SESSION_CLOSED, subject=session, actor=actor, unit_id=session.unit_id, data=data
    )
    if ended is not None and measure is not None:
        record(
            LedgerKind.MEASURE_ENDED,
            subject=measure,
            actor=actor,
            unit_id=measure.unit_id,
            data=ended,
        )
    return session


__all__ = [
    "ApprovalRefused",
    "CustodyError",
    "EntryInput",
    "InterviewInput",
    "StartInput",
    "account_for_missed",
    "acknowledge_alert",
    "close_session",
    "decide_extension",
    "decide_measure",
    "deposit_belonging",
    "end_measure",
    "open_session",
    "propose_measure",
    "record_arrest_request",
    "record_care",
    "record_delivery",
    "record_family_notice",
    "record_interrogation",
    "record_interview",
    "record_notice_exception",
    "record_procuratorate_decision",
    "record_review",
    "record_rights",
    "record_safety_check",
    "record_warrant",
    "record_warrant_application",
    "request_extension",
    "settle_belonging",
    "start_measure",
]
