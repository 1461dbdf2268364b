"""What every custody action shares: times that may not lie in the future or before what they
follow, the locked rows, meeting and closing deadlines, and the event that records a duty done.
Private to the actions package."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from casetrail import clock
from casetrail.custody import clocks
from casetrail.custody.access import require_measure_write
from casetrail.custody.errors import CustodyError
from casetrail.custody.measures import Duty, MeasureKind, spec
from casetrail.custody.models import (
    CustodySession,
    Deadline,
    DeadlineStatus,
    EventKind,
    Measure,
    MeasureEvent,
    MeasureStatus,
)
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer

ACTIVE = (MeasureStatus.PROPOSED, MeasureStatus.APPROVED, MeasureStatus.RUNNING)

# The times the actions check, in the officer's words (a refusal names the field to correct too).
TIMES = {
    "at": gettext_lazy("the time given"),
    "started_at": gettext_lazy("the start time"),
    "ended_at": gettext_lazy("the end time"),
    "arrived_at": gettext_lazy("the time of arrival at the station"),
    "authorised_at": gettext_lazy("the time detention was authorised"),
    "submitted_at": gettext_lazy("the time submitted"),
    "received_at": gettext_lazy("the time received"),
    "decided_at": gettext_lazy("the time of the decision"),
    "issued_at": gettext_lazy("the time of issue"),
    "entered_at": gettext_lazy("the time of entry"),
    "given_at": gettext_lazy("the time the rights were given"),
    "lawyer_requested_at": gettext_lazy("the time a lawyer was requested"),
    "exited_at": gettext_lazy("the time of exit"),
}
# What a time may not precede, in the officer's words.
MEASURE_START = gettext_lazy("the start of the measure")
AREA_ENTRY = gettext_lazy("the entry into the area")


def time_named(field: str) -> str | Promise:
    return TIMES.get(field, field)


def not_future(value: datetime, field: str, *, now: datetime) -> datetime:
    """An instant that is not in the future (the input already made sure it has an offset)."""
    if value > now:
        raise CustodyError(
            gettext("%(time)s is in the future") % {"time": time_named(field)}, field=field
        )
    return value


def not_before(value: datetime, earlier: datetime, field: str, what: str | Promise) -> None:
    """Refuses a time before an earlier event's. A page types times to the minute while the
    application records its own events to the microsecond, so a time in the same minute as
    the earlier event is not before it (a summons started in the minute it was approved). The
    refusal says both times in the zone the time was given in."""
    if value < earlier.replace(second=0, microsecond=0):
        raise CustodyError(
            gettext("%(time)s %(value)s is before %(what)s (%(earlier)s)")
            % {
                "time": time_named(field),
                "value": value.isoformat(timespec="seconds"),
                "what": what,
                "earlier": earlier.astimezone(value.tzinfo).isoformat(timespec="seconds"),
            },
            field=field,
        )


def lock(measure: Measure) -> Measure:
    """The measure, re-read under a row lock so concurrent writers queue."""
    return (
        Measure.objects.select_for_update(of=("self",))
        .select_related("case", "case__unit", "unit", "person")
        .get(pk=measure.pk)
    )


def lock_session(session: CustodySession) -> CustodySession:
    return (
        CustodySession.objects.select_for_update(of=("self",))
        .select_related("case", "case__unit", "unit", "person", "measure")
        .get(pk=session.pk)
    )


def require_running(measure: Measure, *, allow_ended: bool = False) -> None:
    allowed = {MeasureStatus.RUNNING} | ({MeasureStatus.ENDED} if allow_ended else set())
    if measure.status not in allowed:
        raise CustodyError(
            gettext("the measure is %(status)s, not running")
            % {"status": measure.get_status_display()},
            field="status",
        )


def require_pace(measure: Measure) -> None:
    if measure.kind != MeasureKind.PACE_DETENTION:
        raise CustodyError(gettext("only a PACE detention has reviews and warrants"), field="kind")


def opened(
    measure: Measure, actor: Officer, *, allow_ended: bool = False, pace: bool = False
) -> tuple[Measure, datetime]:
    """How every recorder of a measure's duty begins: the measure locked, the actor allowed to
    act on it, the measure running (or, where a duty outlives it, ended), and now."""
    measure = lock(measure)
    if pace:
        require_pace(measure)
    require_measure_write(actor, measure)
    require_running(measure, allow_ended=allow_ended)
    return measure, clock.now()


def event_time(measure: Measure, at: datetime, field: str, now: datetime) -> datetime:
    """When something happened under a measure: not in the future, not before its start."""
    at = not_future(at, field, now=now)
    assert measure.started_at is not None  # noqa: S101 - only started measures take events
    not_before(at, measure.started_at, field, MEASURE_START)
    return at


def duty_deadlines(owner: Measure | CustodySession, duty: Duty) -> list[Deadline]:
    """Open and missed (not yet met) deadlines of a duty, oldest due first, locked."""
    return list(
        owner.deadlines.select_for_update()
        .filter(duty=duty, status__in=[DeadlineStatus.OPEN, DeadlineStatus.MISSED])
        .filter(met_at__isnull=True)
        .order_by("due_at", "id")
    )


def duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h {minutes} min"
    return f"{hours} h {minutes} min"


def meet(deadline: Deadline, at: datetime, what: str, *, now: datetime) -> dict[str, Any]:
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
        deadline.status_reason = f"{what}, {duration(at - deadline.due_at)} late"
        if deadline.accounted_at is None:
            deadline.accounted_at = now
            deadline.account = deadline.status_reason
    deadline.status_at = now
    deadline.save(
        update_fields=["met_at", "status", "status_reason", "status_at", "accounted_at", "account"]
    )
    return clocks.summary(deadline) | {"status": deadline.status, "met_at": at}


def close(deadline: Deadline, at: datetime, status: str, reason: str, *, now: datetime) -> None:
    deadline.status = status
    deadline.status_reason = reason
    deadline.status_at = now
    if status == DeadlineStatus.MET:
        deadline.met_at = at
    deadline.save(update_fields=["status", "status_reason", "status_at", "met_at"])


def close_all(
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
            close(
                deadline,
                at,
                DeadlineStatus.MISSED,
                f"{why} at {at.isoformat()}, after the deadline",
                now=now,
            )
        elif deadline.duty == Duty.LIMIT:
            reason = f"{why} within the lawful period{late}"
            close(deadline, at, DeadlineStatus.MET, reason, now=now)
        else:
            reason = f"{why} before this fell due{late}"
            close(deadline, at, DeadlineStatus.WAIVED, reason, now=now)
        closed.append(clocks.summary(deadline) | {"status": deadline.status})
    return closed


def event(
    measure: Measure,
    kind: EventKind,
    at: datetime,
    details: dict[str, Any],
    meets: Iterable[Deadline],
    *,
    actor: Officer,
    now: datetime,
) -> MeasureEvent:
    made = MeasureEvent.objects.create(
        measure=measure, kind=kind, at=at, recorded_at=now, recorded_by=actor, details=details
    )
    met = list(meets)
    if met:
        made.meets.set(met)
    return made


def duty_done(
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
    met = [meet(d, at, what, now=now) for d in deadlines]
    made = event(measure, kind, at, details, deadlines, actor=actor, now=now)
    record(
        ledger_kind,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data=data | {"meets": met},
    )
    return made


# -- the clock of a stay in the area ---------------------------------------------------------


def area_clock(measure: Measure) -> Deadline | None:
    """The deadline of the measure that bounds a stay in the area, if the pack has one."""
    area_duty = spec(measure.kind).area_duty
    if area_duty is None:
        return None
    return (
        measure.deadlines.filter(duty=area_duty, status=DeadlineStatus.OPEN)
        .order_by("due_at")
        .first()
    )


def refresh_area_clocks(measure: Measure) -> None:
    """The open stays under the measure run on its current area deadline (a warrant replaces it)."""
    CustodySession.objects.filter(measure=measure, exited_at__isnull=True).update(
        clock=area_clock(measure)
    )


def move_sessions(replaced: Measure, measure: Measure) -> list[CustodySession]:
    """A person still in the area stays there under the new measure, on its clock."""
    moved = list(
        CustodySession.objects.select_for_update().filter(measure=replaced, exited_at__isnull=True)
    )
    for session in moved:
        session.measure = measure
        session.clock = area_clock(measure)
        session.save(update_fields=["measure", "clock"])
    return moved
