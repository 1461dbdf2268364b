"""A stay in the case-handling area (执法办案区 / custody suite): the entry with at least two
escorts, the safety check, belongings in and out with both signatures, interviews with their
recording, meals and rest, the notice of rights, and the exit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext

from casetrail import clock
from casetrail.cases.models import Party, Person
from casetrail.custody import clocks
from casetrail.custody.access import case_for_area, require_session_write
from casetrail.custody.actions._common import (
    AREA_ENTRY,
    MEASURE_START,
    area_clock,
    close_all,
    duty_deadlines,
    lock,
    lock_session,
    meet,
    not_before,
    not_future,
    require_running,
)
from casetrail.custody.actions.duties import deliver, meet_interrogation
from casetrail.custody.actions.measures import end
from casetrail.custody.errors import CustodyError
from casetrail.custody.inputs import (
    BelongingInput,
    CareInput,
    ExitInput,
    InterviewInput,
    RightsInput,
    SafetyCheckInput,
    SessionInput,
    SettleInput,
)
from casetrail.custody.measures import REST_PARAM, REST_RULES, Duty, spec
from casetrail.custody.models import (
    Belonging,
    BelongingOutcome,
    CareEvent,
    CareKind,
    CustodySession,
    Deadline,
    Destination,
    EndOutcome,
    Interview,
    InterviewKind,
    Measure,
    MeasureStatus,
    RestInterruption,
)
from casetrail.errors import in_field
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.access import require_staff
from casetrail.org.models import Officer
from casetrail.procedure import load_pack, resolve

MIN_ESCORTS = 2
MIN_INTERROGATORS = 2  # CPL art. 118
ADULT_AGE = 18
# Code C 12.2: an interruption on these grounds does not break the rest; the parts add up.
RESUMING = (RestInterruption.REQUEST, RestInterruption.DUTIES)


@transaction.atomic
def open_session(data: SessionInput, *, actor: Officer) -> CustodySession:
    """A person is brought into the unit's area for a case by at least two of its officers."""
    with in_field("case_id"):
        case = case_for_area(actor, data.case_id)
    if case.unit_id != data.unit_id:
        raise CustodyError(gettext("the case belongs to another unit"), field="case_id")
    unit = case.unit  # case_for_area let through only those who run its area
    party = Party.objects.filter(case=case, person_id=data.person_id).select_related("person")
    found = party.first()
    if found is None:
        raise CustodyError(
            gettext("person #%(person)s is not a party to case %(case)s")
            % {"person": data.person_id, "case": case.number},
            field="person_id",
        )
    person = found.person
    now = clock.now()
    entered_at = not_future(data.entered_at, "entered_at", now=now)
    measure = _entry_measure(data.measure_id, case.pk, person, entered_at)
    if _in_area(person):
        raise CustodyError(_already_in(person), field="person_id")
    if len(set(data.escort_ids)) < MIN_ESCORTS:
        raise CustodyError(
            gettext("a person is brought in by at least %(count)d officers")
            % {"count": MIN_ESCORTS},
            field="escort_ids",
        )
    escorts = require_staff(unit, data.escort_ids, field="escort_ids")
    try:
        with transaction.atomic():
            session = CustodySession.objects.create(
                unit=unit,
                case=case,
                person=person,
                measure=measure,
                entered_at=entered_at,
                entry_reason=data.reason,
                recorded_by=actor,
            )
    except IntegrityError as exc:  # another officer brought the person in at the same moment
        raise CustodyError(_already_in(person), field="person_id") from exc
    session.escorts.set(escorts)
    clock_row = area_clock(measure) if measure is not None else None
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
            "escorts": sorted(o.badge_number for o in escorts),
            "reason": data.reason,
            "clock": clocks.summary(clock_row) if clock_row else None,
            "rest": clocks.summary(rest) if rest else None,
        },
    )
    return session


def _already_in(person: Person) -> str:
    return gettext("person #%(person)s is already in a case-handling area") % {"person": person.pk}


def _entry_measure(
    measure_id: int | None, case_id: int, person: Person, entered_at: datetime
) -> Measure | None:
    """The running measure of this person and case the stay is under, if one is named."""
    if measure_id is None:
        return None
    found = Measure.objects.filter(pk=measure_id, case_id=case_id, person=person).first()
    if found is None:
        raise CustodyError(
            gettext("the measure belongs to another person or case"), field="measure_id"
        )
    measure = lock(found)
    require_running(measure)
    assert measure.started_at is not None  # noqa: S101 - running
    not_before(entered_at, measure.started_at, "entered_at", MEASURE_START)
    return measure


def _in_area(person: Person) -> bool:
    """Whether the person has an open stay (the database refuses a second one in a race)."""
    return CustodySession.objects.filter(person=person, exited_at__isnull=True).exists()


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
        raise CustodyError(gettext("the person has left the area"), field="session")


def _area_time(session: CustodySession, at: datetime, field: str, now: datetime) -> datetime:
    at = not_future(at, field, now=now)
    not_before(at, session.entered_at, field, AREA_ENTRY)
    return at


def _opened(session: CustodySession, actor: Officer, *, open_only: bool = True) -> CustodySession:
    """How every record of a stay begins: the stay locked, the actor one who runs the area."""
    session = lock_session(session)
    require_session_write(actor, session)
    if open_only:
        _require_open(session)
    return session


@transaction.atomic
def record_safety_check(
    session: CustodySession, data: SafetyCheckInput, *, actor: Officer
) -> CustodySession:
    session = _opened(session, actor)
    if session.checked_at is not None:
        raise CustodyError(gettext("the safety check was already recorded"), field="at")
    at = _area_time(session, data.at, "at", clock.now())
    session.checked_at, session.checked_by = at, actor
    session.search_record, session.injuries_observed = data.search_record, data.injuries_observed
    session.search_refused = data.refused
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
            "search_record": data.search_record,
            "injuries_observed": data.injuries_observed,
            "refused": data.refused,
        },
    )
    return session


@transaction.atomic
def deposit_belonging(
    session: CustodySession, data: BelongingInput, *, actor: Officer
) -> Belonging:
    session = _opened(session, actor)
    number = (session.belongings.aggregate(n=Max("number"))["n"] or 0) + 1
    item = Belonging.objects.create(
        session=session,
        number=number,
        description=data.description,
        quantity=data.quantity,
        notes=data.notes,
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
            "description": data.description,
            "quantity": data.quantity,
            "notes": data.notes,
        },
    )
    return item


@transaction.atomic
def settle_belonging(item: Belonging, data: SettleInput, *, actor: Officer) -> Belonging:
    """An item goes back to the person, or on to the property room or another agency, with both
    signatures: the person's (or a second officer of the unit witnessing the refusal) and the
    officer's."""
    item = (
        Belonging.objects.select_for_update(of=("self",)).select_related("session").get(pk=item.pk)
    )
    session = _opened(item.session, actor, open_only=False)
    if item.outcome:
        raise CustodyError(
            gettext("item %(number)s was already %(outcome)s")
            % {"number": item.number, "outcome": item.get_outcome_display()},
            field="outcome",
        )
    if data.outcome == BelongingOutcome.TRANSFERRED and not data.transferred_to:
        raise CustodyError(gettext("where the item went is required"), field="transferred_to")
    witness = None
    if not data.person_signed:
        if data.refusal_witness_id is None:
            raise CustodyError(
                gettext(
                    "item %(number)s (%(description)s) needs the person's signature, or a second "
                    "officer who witnessed the refusal to sign"
                )
                % {"number": item.number, "description": item.description},
                field="person_signed",
            )
        if data.refusal_witness_id == actor.pk:
            raise CustodyError(
                gettext("the witness of a refusal to sign is a second officer"),
                field="refusal_witness_id",
            )
        (witness,) = require_staff(
            session.unit, [data.refusal_witness_id], field="refusal_witness_id"
        )
    item.outcome = data.outcome
    item.outcome_at = clock.now()
    item.transferred_to = (
        data.transferred_to if data.outcome == BelongingOutcome.TRANSFERRED else ""
    )
    item.person_signed = data.person_signed
    item.refusal_witness = witness
    item.officer_signed_by = actor
    item.save()
    record(
        LedgerKind.BELONGING_RETURNED
        if data.outcome == BelongingOutcome.RETURNED
        else LedgerKind.BELONGING_TRANSFERRED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data={
            "item": item.number,
            "description": item.description,
            "transferred_to": item.transferred_to or None,
            "person_signed": data.person_signed,
            "refusal_witness": witness.badge_number if witness else None,
            "officer": actor.badge_number,
        },
    )
    return item


def _juvenile(session: CustodySession, on: date) -> bool:
    age = session.person.age_on(on)
    if age is not None:
        return age < ADULT_AGE
    return Party.objects.filter(case=session.case, person=session.person, juvenile=True).exists()


@transaction.atomic
def record_interview(session: CustodySession, data: InterviewInput, *, actor: Officer) -> Interview:
    """An interview or interrogation in the area, by qualified officers of the unit, with its
    recording and, for a juvenile, the guardian or appropriate adult present. An interrogation
    meets the interrogation deadlines."""
    session = _opened(session, actor, open_only=False)
    now = clock.now()
    started_at = _area_time(session, data.started_at, "started_at", now)
    ended_at = not_future(data.ended_at, "ended_at", now=now)
    if ended_at < started_at:
        raise CustodyError(gettext("the interview ends before it starts"), field="ended_at")
    if session.exited_at is not None and ended_at > session.exited_at:
        raise CustodyError(
            gettext("the interview ends after the person left the area"), field="ended_at"
        )
    two = data.kind == InterviewKind.INTERROGATION and session.unit.pack == "cn"
    minimum = MIN_INTERROGATORS if two else 1
    if len(set(data.officer_ids)) < minimum:
        if two:
            message = gettext(
                "an interrogation needs at least %(count)d officers (CPL art. 118: at least two "
                "investigators)"
            ) % {"count": minimum}
        else:
            message = gettext("%(kind)s needs at least one officer") % {
                "kind": InterviewKind(data.kind).label
            }
        raise CustodyError(message, field="officer_ids")
    zone = load_pack(session.unit.pack).time_zone
    day = started_at.astimezone(zone).date()
    officers = require_staff(session.unit, data.officer_ids, field="officer_ids", qualified_on=day)
    if _juvenile(session, day):
        citation = "CPL art. 281" if session.unit.pack == "cn" else "PACE Code C 11.15"
        if not data.guardian_name or not data.guardian_relation:
            raise CustodyError(
                gettext(
                    "%(person)s is a juvenile: name the guardian or appropriate adult present and "
                    "their relation (%(citation)s)"
                )
                % {"person": session.person, "citation": citation},
                field="guardian_name",
            )
    digest = data.recording_sha256.lower()
    interview = Interview.objects.create(
        session=session,
        kind=data.kind,
        room=data.room,
        started_at=started_at,
        ended_at=ended_at,
        recording_id=data.recording_id,
        recording_sha256=digest,
        guardian_name=data.guardian_name,
        guardian_relation=data.guardian_relation,
        interpreter=data.interpreter,
        recorded_by=actor,
    )
    interview.officers.set(officers)
    met: list[dict[str, Any]] = []
    if data.kind == InterviewKind.INTERROGATION:
        _, met = meet_interrogation(
            session.case, session.person, started_at, f"interrogated in room {data.room}", now=now
        )
    record(
        LedgerKind.INTERVIEW_RECORDED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data={
            "kind": data.kind,
            "room": data.room,
            "started_at": started_at,
            "ended_at": ended_at,
            "officers": sorted(o.badge_number for o in officers),
            "recording_id": data.recording_id,
            "recording_sha256": digest,
            "guardian": data.guardian_name or None,
            "guardian_relation": data.guardian_relation or None,
            "interpreter": data.interpreter or None,
            "meets": met,
        },
    )
    return interview


def _rest_parts(session: CustodySession, rest: CareEvent) -> list[CareEvent]:
    """The rest just recorded and the parts of it taken before an interruption that does not
    break it (Code C 12.2(b), (c)), earliest first."""
    parts = [rest]
    earlier = session.care.filter(kind=CareKind.REST, started_at__lt=rest.started_at).exclude(
        pk=rest.pk
    )
    for part in earlier.order_by("-started_at", "-id"):
        if part.interruption not in RESUMING:
            break
        parts.insert(0, part)
    return parts


def _rest_taken(
    session: CustodySession, rest: CareEvent, *, now: datetime
) -> tuple[list[dict[str, Any]], Deadline | None]:
    """What a rest does to the rest deadline (Code C 12.2). Its parts before interruptions on
    grounds (b) or (c) count with it; once they make the continuous period the code sets, the
    deadline is met at the first part's start and the next 24 hours run from this part's end
    (unless it is itself interrupted, to resume). An interruption on ground (a) breaks the rest:
    a fresh period is owed, starting no earlier than the interruption."""
    minimum = _rest_minimum(session, rest.started_at)
    assert rest.ended_at is not None  # noqa: S101 - a rest has an end
    if minimum is None:
        return [], None
    parts = _rest_parts(session, rest)
    first = parts[0].started_at
    deadlines = [d for d in duty_deadlines(session, Duty.REST) if d.trigger_at <= first]
    if not deadlines:
        return [], None
    if rest.interruption == RestInterruption.HARM:
        return [_owe_fresh_rest(d, rest.ended_at) for d in deadlines if d.status == "open"], None
    taken = sum((p.ended_at - p.started_at for p in parts if p.ended_at), timedelta())
    if taken < minimum:
        return [], None
    what = "continuous rest started" if len(parts) == 1 else "rest started (resumed after breaks)"
    met = [meet(d, first, what, now=now) for d in deadlines]
    if rest.interruption in RESUMING:
        return met, None
    return met, _rest_deadline(session, rest.ended_at, now=now)


def _owe_fresh_rest(deadline: Deadline, interrupted_at: datetime) -> dict[str, Any]:
    """Code C 12.2(a): the rest taken so far does not count and a fresh continuous period is
    owed, its latest start never before the interruption (whose end is not recorded, so the
    fresh period is owed from the moment of the interruption on)."""
    before = deadline.due_at
    params = {**deadline.params, "fresh_rest_from": interrupted_at}
    computed = clocks.compute(
        deadline.requested_id,
        deadline.trigger_at,
        pack=deadline.pack,
        calendars=clocks.Calendars(),
        params=params,
        field="interruption",
    )
    clocks.fill(deadline, computed)
    deadline.params = clocks.json_params(params)
    deadline.warning_sent = deadline.warning_sent and deadline.due_at == before
    deadline.save()
    return clocks.summary(deadline) | {"due_before": before, "fresh_period": True}


@transaction.atomic
def record_care(session: CustodySession, data: CareInput, *, actor: Officer) -> CareEvent:
    """A meal, a rest or medical care. Under PACE Code C 12.2 a rest of the length the code sets
    meets the rest deadline and the next 24 hours run from its end; a rest interrupted says on
    which ground (only (a) owes a fresh period)."""
    session = _opened(session, actor)
    now = clock.now()
    started_at = _area_time(session, data.started_at, "started_at", now)
    ended_at = None
    if data.ended_at is not None:
        ended_at = not_future(data.ended_at, "ended_at", now=now)
        if ended_at < started_at:
            raise CustodyError(gettext("it ends before it starts"), field="ended_at")
    if data.kind == CareKind.REST and ended_at is None:
        raise CustodyError(gettext("a rest has an end"), field="ended_at")
    if data.interruption and data.kind != CareKind.REST:
        raise CustodyError(gettext("only a rest is interrupted"), field="interruption")
    if data.interruption and session.unit.pack not in REST_RULES:
        raise CustodyError(
            gettext(
                "the grounds of an interruption are PACE Code C 12.2's; this pack sets no rest "
                "period"
            ),
            field="interruption",
        )
    if data.kind == CareKind.MEDICAL and not data.notes:
        raise CustodyError(gettext("say who gave what care"), field="notes")
    care = CareEvent.objects.create(
        session=session,
        kind=data.kind,
        started_at=started_at,
        ended_at=ended_at,
        notes=data.notes,
        interruption=data.interruption or "",
        recorded_by=actor,
    )
    met: list[dict[str, Any]] = []
    following = None
    if data.kind == CareKind.REST:
        met, following = _rest_taken(session, care, now=now)
    record(
        LedgerKind.CARE_RECORDED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data={
            "kind": data.kind,
            "started_at": started_at,
            "ended_at": ended_at,
            "notes": data.notes,
            "interruption": data.interruption or None,
            "meets": met,
            "next": clocks.summary(following) if following else None,
        },
    )
    return care


@transaction.atomic
def record_rights(session: CustodySession, data: RightsInput, *, actor: Officer) -> CustodySession:
    """The notice of rights was given; whether a lawyer was asked for, and when; the
    interpreter, if one is needed."""
    session = _opened(session, actor, open_only=False)
    now = clock.now()
    given_at = _area_time(session, data.given_at, "given_at", now)
    lawyer_requested_at = None
    if data.lawyer_requested:
        asked = data.lawyer_requested_at or given_at
        lawyer_requested_at = _area_time(session, asked, "lawyer_requested_at", now)
    if data.interpreter_language and not data.interpreter_name:
        raise CustodyError(gettext("name the interpreter"), field="interpreter_name")
    session.rights_given_at = given_at
    session.lawyer_requested = data.lawyer_requested
    session.lawyer_requested_at = lawyer_requested_at
    session.interpreter_language = data.interpreter_language
    session.interpreter_name = data.interpreter_name
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
            "lawyer_requested": data.lawyer_requested,
            "lawyer_requested_at": lawyer_requested_at,
            "interpreter_language": data.interpreter_language or None,
            "interpreter": data.interpreter_name or None,
        },
    )
    return session


@transaction.atomic
def close_session(session: CustodySession, data: ExitInput, *, actor: Officer) -> CustodySession:
    """The person leaves the area. Every belonging must be returned or transferred first.
    Leaving for the detention house meets the delivery deadline (CPL art. 85(2)); leaving
    released ends a measure that holds the person in the area."""
    session = _opened(session, actor)
    now = clock.now()
    exited_at = not_future(data.exited_at, "exited_at", now=now)
    if exited_at < session.entered_at:
        raise CustodyError(
            gettext("the time of exit %(exited)s is before the entry (%(entered)s)")
            % {"exited": exited_at.isoformat(), "entered": session.entered_at.isoformat()},
            field="exited_at",
        )
    if data.destination != Destination.RELEASED and not data.destination_detail:
        raise CustodyError(gettext("where the person went is required"), field="destination_detail")
    open_items = list(session.belongings.filter(outcome=""))
    if open_items:
        listed = "; ".join(
            gettext("item %(number)s (%(description)s)")
            % {"number": i.number, "description": i.description}
            for i in open_items
        )
        raise CustodyError(
            gettext("belongings not yet returned or transferred with both signatures: %(items)s")
            % {"items": listed},
            field="belongings",
        )
    session.exited_at = exited_at
    session.destination = data.destination
    session.destination_detail = data.destination_detail
    session.exited_by = actor
    session.save(update_fields=["exited_at", "destination", "destination_detail", "exited_by"])
    closed = close_all(session, exited_at, "the person left the area", now=now)
    measure = session.measure
    ledger_data: dict[str, Any] = {
        "exited_at": exited_at,
        "destination": data.destination,
        "detail": data.destination_detail or None,
        "deadlines": closed,
    }
    ended = None
    if measure is not None and measure.status == MeasureStatus.RUNNING:
        if data.destination == Destination.DETENTION_HOUSE:
            deliver(measure, exited_at, data.destination_detail, actor=actor, now=now)
        elif (
            data.destination == Destination.RELEASED
            and spec(measure.kind).ends_on_release_from_area
        ):
            ended = end(
                lock(measure),
                ended_at=exited_at,
                outcome=EndOutcome.RELEASED,
                reason="released from the case-handling area",
                actor=actor,
                now=now,
            )
    record(
        LedgerKind.SESSION_CLOSED,
        subject=session,
        actor=actor,
        unit_id=session.unit_id,
        data=ledger_data,
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
    "close_session",
    "deposit_belonging",
    "open_session",
    "record_care",
    "record_interview",
    "record_rights",
    "record_safety_check",
    "settle_belonging",
]
