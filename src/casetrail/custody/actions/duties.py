"""What the statute requires while a measure runs, each recorded as the event that meets its
deadline: the family told (or a lawful exception), an interrogation, the delivery to the
detention house, the arrest requested and decided, and under PACE the reviews and warrants."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from casetrail import clock, steps
from casetrail.cases.access import is_handler
from casetrail.cases.models import Case, Person
from casetrail.custody import clocks
from casetrail.custody.access import may_decide
from casetrail.custody.actions._common import (
    close,
    duty_deadlines,
    duty_done,
    event,
    event_time,
    lock,
    meet,
    not_before,
    not_future,
    opened,
    refresh_area_clocks,
    require_pace,
    require_running,
)
from casetrail.custody.errors import ApprovalRefused, CustodyError
from casetrail.custody.inputs import (
    ArrestRequestInput,
    DeliveryInput,
    InterrogationInput,
    NoticeExceptionInput,
    NoticeInput,
    ProcuratorateDecisionInput,
    ReviewInput,
    WarrantApplicationInput,
    WarrantInput,
)
from casetrail.custody.measures import (
    PACE_REVIEW_NEXT,
    PACE_WARRANT,
    PACE_WARRANT_EXTENSION,
    PROCURATORATE_RULE,
    Duty,
    MeasureKind,
    org_role,
    spec,
)
from casetrail.custody.models import Deadline, DeadlineStatus, EventKind, Measure, MeasureEvent
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer
from casetrail.org.roles import role_label

PACE_FIRST_LIMIT = "EW-PACE41-24H"


@transaction.atomic
def record_family_notice(measure: Measure, data: NoticeInput, *, actor: Officer) -> MeasureEvent:
    """The family was told (who, how, when): meets the family-notice deadline."""
    measure, now = opened(measure, actor, allow_ended=True)
    at = event_time(measure, data.at, "at", now)
    details = {
        "method": data.method,
        "recipient": data.recipient,
        "relationship": data.relationship,
    }
    event = duty_done(
        measure,
        duty_deadlines(measure, Duty.NOTIFY_FAMILY),
        EventKind.FAMILY_NOTIFIED,
        LedgerKind.FAMILY_NOTIFIED,
        at,
        f"family notified ({data.method}) to {data.recipient} ({data.relationship})",
        details,
        {"at": at, **details},
        actor=actor,
        now=now,
    )
    # The notice is a document (拘留通知书): issued and served on the family with this event.
    steps.followed("measure.family_notified", measure, actor=actor, at=at, details=details)
    return event


@transaction.atomic
def record_notice_exception(
    measure: Measure, data: NoticeExceptionInput, *, actor: Officer
) -> MeasureEvent:
    """A lawful ground for not telling the family: the duty is waived with the ground recorded
    (it suspends the duty; once the ground ends, the family must be told at once)."""
    measure, now = opened(measure, actor)
    measure_spec = spec(measure.kind)
    grounds = {g.code: g for g in measure_spec.notice_exceptions}
    if data.ground not in grounds:
        if not grounds:
            raise CustodyError(
                gettext("the statute allows no exception to the family notice for a %(kind)s")
                % {"kind": measure_spec.kind.label},
                field="ground",
            )
        raise CustodyError(
            gettext("%(law)s allows no exception %(ground)r for a %(kind)s (allowed: %(allowed)s)")
            % {
                "law": measure_spec.notice_exception_citation,
                "ground": data.ground,
                "kind": measure_spec.kind.label,
                "allowed": "; ".join(g.label for g in grounds.values()),
            },
            field="ground",
        )
    deadlines = [
        d
        for d in duty_deadlines(measure, Duty.NOTIFY_FAMILY)
        if d.status == DeadlineStatus.OPEN or d.accounted_at is None
    ]
    if not deadlines:
        raise CustodyError(
            gettext("there is no pending family-notice deadline to except"), field="ground"
        )
    citation = measure_spec.notice_exception_citation
    reason = f"lawful exception ({citation}): {grounds[data.ground].en}; {data.detail}"
    for deadline in deadlines:
        if deadline.status == DeadlineStatus.OPEN:
            close(deadline, now, DeadlineStatus.WAIVED, reason, now=now)
        else:
            # Recorded after the period ran out: it stays missed, and this is its account.
            deadline.accounted_at, deadline.accounted_by = now, actor
            deadline.account = f"recorded late: {reason}"
            deadline.save(update_fields=["accounted_at", "accounted_by", "account"])
    details = {"ground": data.ground, "detail": data.detail, "citation": citation}
    made = event(measure, EventKind.NOTICE_EXCEPTION, now, details, deadlines, actor=actor, now=now)
    record(
        LedgerKind.NOTICE_EXCEPTION_RECORDED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data=details | {"waives": [clocks.summary(d) for d in deadlines]},
    )
    return made


def meet_interrogation(
    case: Case, person: Person, at: datetime, what: str, *, now: datetime
) -> tuple[list[Deadline], list[dict[str, Any]]]:
    """An interrogation of the person at ``at`` meets every interrogation deadline of the case
    that had started by then."""
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
    return deadlines, [meet(d, at, what, now=now) for d in deadlines]


@transaction.atomic
def record_interrogation(
    measure: Measure, data: InterrogationInput, *, actor: Officer
) -> MeasureEvent:
    """An interrogation outside the case-handling area (for example at the detention house)."""
    measure, now = opened(measure, actor, allow_ended=True)
    at = event_time(measure, data.at, "at", now)
    deadlines, met = meet_interrogation(
        measure.case, measure.person, at, f"interrogated at {data.place}", now=now
    )
    made = event(
        measure, EventKind.INTERROGATED, at, {"place": data.place}, deadlines, actor=actor, now=now
    )
    record(
        LedgerKind.INTERROGATION_RECORDED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={"at": at, "place": data.place, "meets": met},
    )
    return made


@transaction.atomic
def record_delivery(measure: Measure, data: DeliveryInput, *, actor: Officer) -> MeasureEvent:
    """Delivered to the detention house (CPL art. 85(2))."""
    measure, now = opened(measure, actor)
    at = event_time(measure, data.at, "at", now)
    return deliver(measure, at, data.place, actor=actor, now=now)


def deliver(
    measure: Measure, at: datetime, place: str, *, actor: Officer, now: datetime
) -> MeasureEvent:
    return duty_done(
        measure,
        duty_deadlines(measure, Duty.DELIVER),
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
    measure: Measure, data: ArrestRequestInput, *, actor: Officer
) -> MeasureEvent:
    """The request to approve arrest went to the procuratorate (CPL art. 87, 91): meets the
    request deadline and starts the procuratorate's seven days (art. 91(3))."""
    measure, now = opened(measure, actor)
    if measure.kind != MeasureKind.CRIMINAL_DETENTION:
        raise CustodyError(gettext("an arrest is requested for a detained person"), field="kind")
    submitted_at = event_time(measure, data.submitted_at, "submitted_at", now)
    received_at = not_future(data.received_at, "received_at", now=now)
    not_before(received_at, submitted_at, "received_at", gettext_lazy("the submission"))
    if measure.events.filter(kind=EventKind.ARREST_REQUESTED).exists():
        raise CustodyError(gettext("the arrest was already requested"), field="submitted_at")
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
    return duty_done(
        measure,
        duty_deadlines(measure, Duty.REQUEST_ARREST),
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
    measure: Measure, data: ProcuratorateDecisionInput, *, actor: Officer
) -> MeasureEvent:
    """The procuratorate approved or refused the arrest (CPL art. 90-91). On a refusal the
    person must be released at once; the release is recorded by ending the measure."""
    measure, now = opened(measure, actor)
    decided_at = event_time(measure, data.decided_at, "decided_at", now)
    deadlines = duty_deadlines(measure, Duty.PROCURATORATE_DECISION)
    if not deadlines:
        raise CustodyError(
            gettext("no request for approval of arrest is pending"), field="decided_at"
        )
    word = "approved" if data.approved else "refused"
    details = {"approved": data.approved, "number": data.number}
    return duty_done(
        measure,
        deadlines,
        EventKind.PROCURATORATE_DECIDED,
        LedgerKind.PROCURATORATE_DECIDED,
        decided_at,
        f"procuratorate {word} the arrest ({data.number})",
        details,
        {"decided_at": decided_at, **details},
        actor=actor,
        now=now,
    )


# -- PACE: reviews and warrants ----------------------------------------------------------------


@transaction.atomic
def record_review(measure: Measure, data: ReviewInput, *, actor: Officer) -> MeasureEvent:
    """A review of detention (PACE s.40) by a review officer not directly involved in the
    investigation; the next review falls due nine hours later (s.40(3)(b)-(c), (7))."""
    measure = lock(measure)
    require_pace(measure)
    require_running(measure)
    reviewer = org_role("inspector_review")
    if not may_decide(actor, measure.unit, reviewer) or is_handler(actor, measure.case):
        raise ApprovalRefused(
            gettext(
                "a review of detention is carried out by an officer of at least the rank of "
                "inspector (role %(role)s) not directly involved in the investigation "
                "(PACE s.40(1)(b))"
            )
            % {"role": role_label(reviewer)},
            field="reviewer",
        )
    now = clock.now()
    at = event_time(measure, data.at, "at", now)
    deadlines = duty_deadlines(measure, Duty.REVIEW)
    met = [meet(d, at, f"reviewed ({data.outcome})", now=now) for d in deadlines]
    previous_due = deadlines[0].due_at if deadlines else at
    following = None
    if data.outcome == "continue":
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
    details = {"outcome": data.outcome, "notes": data.notes}
    made = event(measure, EventKind.REVIEWED, at, details, deadlines, actor=actor, now=now)
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
    return made


@transaction.atomic
def record_warrant_application(
    measure: Measure, data: WarrantApplicationInput, *, actor: Officer
) -> MeasureEvent:
    """The application for a warrant of further detention (PACE s.43(5))."""
    measure, now = opened(measure, actor, pace=True)
    at = event_time(measure, data.at, "at", now)
    return duty_done(
        measure,
        duty_deadlines(measure, Duty.APPLY_WARRANT),
        EventKind.WARRANT_APPLIED,
        LedgerKind.WARRANT_APPLIED,
        at,
        f"applied to {data.court}",
        {"court": data.court},
        {"at": at, "court": data.court},
        actor=actor,
        now=now,
    )


@transaction.atomic
def record_warrant(measure: Measure, data: WarrantInput, *, actor: Officer) -> MeasureEvent:
    """A magistrates' court issued (or extended) a warrant of further detention (PACE ss.43-44):
    the warrant's period replaces the limit before it, never past 96 hours."""
    measure, now = opened(measure, actor, pace=True)
    issued_at = event_time(measure, data.issued_at, "issued_at", now)
    assert measure.relevant_at is not None  # noqa: S101 - set when a PACE detention starts
    rule_id = PACE_WARRANT_EXTENSION if data.extension else PACE_WARRANT
    current = [
        d
        for d in duty_deadlines(measure, Duty.LIMIT)
        if d.status == DeadlineStatus.OPEN
        and d.rule_id in (PACE_FIRST_LIMIT, PACE_WARRANT, PACE_WARRANT_EXTENSION)
    ]
    in_force = any(d.rule_id != PACE_FIRST_LIMIT for d in current)
    if data.extension and not in_force:
        raise CustodyError(gettext("there is no warrant in force to extend"), field="extension")
    if in_force and not data.extension:
        raise CustodyError(
            gettext("a warrant is in force: record the court's extension of it (PACE s.44)"),
            field="extension",
        )
    params = {"hours": data.hours, "relevant_time": measure.relevant_at}
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
                gettext("the period under %(rule)s ended at %(due)s, before the warrant was issued")
                % {"rule": deadline.rule_id, "due": deadline.due_at.isoformat()},
                field="issued_at",
            )
    superseded = [
        meet(d, issued_at, f"superseded by the warrant {data.reference} of {data.court}", now=now)
        for d in current
    ]
    applied = [
        meet(d, issued_at, f"warrant issued by {data.court}", now=now)
        for d in duty_deadlines(measure, Duty.APPLY_WARRANT)
    ]
    warrant = clocks.new_deadline(
        duty=Duty.LIMIT, computed=computed, params=params, now=now, measure=measure
    )
    refresh_area_clocks(measure)
    kind = EventKind.WARRANT_EXTENDED if data.extension else EventKind.WARRANT_ISSUED
    details = {"hours": data.hours, "court": data.court, "reference": data.reference}
    made = event(measure, kind, issued_at, details, current, actor=actor, now=now)
    record(
        LedgerKind.WARRANT_EXTENDED if data.extension else LedgerKind.WARRANT_ISSUED,
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
    return made


__all__ = [
    "deliver",
    "meet_interrogation",
    "record_arrest_request",
    "record_delivery",
    "record_family_notice",
    "record_interrogation",
    "record_notice_exception",
    "record_procuratorate_decision",
    "record_review",
    "record_warrant",
    "record_warrant_application",
]
