"""The sweep: deadlines entering their warning window and deadlines missed, told to the case's
handlers and their leader in the in-app inbox and by e-mail; and the recompute that follows an
official holiday notice.

Safe on several machines at once: each deadline is claimed with a conditional UPDATE (only one
sweeper sees a row count of 1), and an alert is unique per (deadline, kind, due time), so a
second sweeper that got past the claim cannot insert a second alert; its transaction rolls back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from casetrail import clock, procedure
from casetrail.cases.models import CaseHandler
from casetrail.custody import clocks
from casetrail.custody.models import (
    Alert,
    AlertKind,
    Deadline,
    DeadlineStatus,
    InboxItem,
)
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.calendars import RecomputeReport
from casetrail.org.models import Officer, RoleGrant
from casetrail.org.roles import Role, Scope
from casetrail.procedure import Calendar, Notice

log = logging.getLogger("casetrail.custody.sweep")

BATCH = 500
# Kept on the row in English (the sweep writes it with a bulk UPDATE, outside any request);
# the pages say it in the reader's language (custody_tags.status_note).
MISSED_REASON = gettext_noop(
    "not met by the due time; stays on the board until somebody records what happened"
)


@dataclass
class SweepReport:
    warned: int = 0
    missed: int = 0
    mails: int = 0
    # What the inboxes show of the pass: one item per officer told of each deadline.
    items: int = 0
    officers: set[int] = field(default_factory=set)

    def said(self) -> str:
        """The log line, counted as the inboxes count (officers told, not deadlines only)."""
        return (
            f"custody sweep: {self.missed} deadlines missed, {self.warned} entering their "
            f"warning window; {self.items} inbox items for {len(self.officers)} officers, "
            f"{self.mails} e-mails"
        )


def warning_query(now: datetime) -> QuerySet[Deadline]:
    """Open deadlines whose warning time has come and that have not been warned of: a range
    scan of the partial index custody_deadline_to_warn."""
    return Deadline.objects.filter(
        status=DeadlineStatus.OPEN, warning_sent=False, warn_at__lte=now
    ).order_by("warn_at")


def past_due_query(now: datetime) -> QuerySet[Deadline]:
    """Open deadlines whose due time has passed: a range scan of custody_deadline_open_due."""
    return Deadline.objects.filter(status=DeadlineStatus.OPEN, due_at__lt=now).order_by("due_at")


def due_for_warning(now: datetime, limit: int = BATCH) -> list[int]:
    return list(warning_query(now).values_list("pk", flat=True)[:limit])


def past_due(now: datetime, limit: int = BATCH) -> list[int]:
    return list(past_due_query(now).values_list("pk", flat=True)[:limit])


def sweep(*, limit: int = BATCH) -> SweepReport:
    """One pass: mark and tell the missed, then warn of those entering their window.

    A deadline another sweeper holds locked is skipped, not waited for: it is either alerted by
    that sweeper or picked up by the next run (a minute later)."""
    now = clock.now()
    report = SweepReport()
    for kind, find in ((AlertKind.MISSED, past_due), (AlertKind.WARNING, due_for_warning)):
        try:
            candidates = find(now, limit)
        except OperationalError:
            log.warning("custody sweep: %s candidates locked by another sweeper; next run", kind)
            continue
        for pk in candidates:
            claimed, told, mails = _alert(pk, kind, now)
            if kind == AlertKind.MISSED:
                report.missed += claimed
            else:
                report.warned += claimed
            report.mails += mails
            report.items += len(told)
            report.officers.update(told)
    return report


def _claim(pk: int, kind: str, now: datetime) -> bool:
    """The conditional UPDATE that lets exactly one sweeper act on a deadline."""
    rows = Deadline.objects.filter(pk=pk, status=DeadlineStatus.OPEN)
    if kind == AlertKind.MISSED:
        return (
            rows.filter(due_at__lt=now).update(
                status=DeadlineStatus.MISSED,
                status_reason=MISSED_REASON,
                status_at=now,
                warning_sent=True,
            )
            == 1
        )
    # A deadline already past due is the missed pass's to claim, never "due soon": when that
    # pass skipped it (another sweeper held it locked), the warning pass must not warn of it.
    due_soon = rows.filter(warning_sent=False, warn_at__lte=now, due_at__gte=now)
    return due_soon.update(warning_sent=True) == 1


def _alert(pk: int, kind: str, now: datetime) -> tuple[bool, list[int], int]:
    """Claim, alert, record; whether this sweeper claimed it, the officers whose inboxes it
    reached, and the e-mails it queued (they go out after the commit)."""
    try:
        with transaction.atomic():
            if not _claim(pk, kind, now):
                return False, [], 0
            deadline = Deadline.objects.select_related("measure", "session", "unit", "case").get(
                pk=pk
            )
            alert = Alert.objects.create(
                deadline=deadline, kind=kind, due_at=deadline.due_at, created_at=now
            )
            officers = recipients(deadline)
            InboxItem.objects.bulk_create(
                [InboxItem(alert=alert, officer=o, created_at=now) for o in officers]
            )
            record(
                LedgerKind.DEADLINE_MISSED
                if kind == AlertKind.MISSED
                else LedgerKind.DEADLINE_WARNED,
                subject=deadline.subject,
                actor=None,
                unit_id=deadline.unit_id,
                data=clocks.summary(deadline)
                | {"by": "casetrail sweep", "told": sorted(o.badge_number for o in officers)},
            )
            messages = _mails(deadline, kind, officers)
            transaction.on_commit(lambda: _send(messages))
    except IntegrityError:
        # Another sweeper alerted this deadline first; nothing of ours was kept.
        log.info("deadline %s: %s alert already sent by another sweeper", pk, kind)
        return False, [], 0
    except OperationalError:
        # Locked by another sweeper (SQLite reports it rather than waiting): rolled back.
        log.warning("deadline %s: locked by another sweeper; left for the next run", pk)
        return False, [], 0
    return True, [o.pk for o in officers], len(messages)


def recipients(deadline: Deadline) -> list[Officer]:
    """The case's active handlers and their leader: the unit leaders of the deadline's unit,
    or, where it has none, of the nearest unit above it whose leader's grant covers it. For a
    deadline of the area (a rest), the unit's custody officers too."""
    found: dict[int, Officer] = {
        h.officer.pk: h.officer
        for h in CaseHandler.objects.filter(
            case_id=deadline.case_id, released_at__isnull=True, officer__is_active=True
        ).select_related("officer")
    }
    unit = deadline.unit
    chain = [int(part) for part in unit.path.strip("/").split("/") if part]
    grants = RoleGrant.objects.filter(
        role=Role.UNIT_LEADER, unit_id__in=chain, officer__is_active=True
    ).select_related("officer", "unit")
    covering = [g for g in grants if g.unit_id == unit.pk or g.scope == Scope.SUBTREE]
    if covering:
        nearest = max(len(g.unit.path) for g in covering)
        for g in covering:
            if len(g.unit.path) == nearest:
                found[g.officer.pk] = g.officer
    if deadline.measure_id is None:
        for g in RoleGrant.objects.filter(
            role=Role.CUSTODY_OFFICER, unit=unit, officer__is_active=True
        ).select_related("officer"):
            found[g.officer.pk] = g.officer
    return sorted(found.values(), key=lambda o: o.badge_number)


def _mails(deadline: Deadline, kind: str, officers: list[Officer]) -> list[EmailMessage]:
    """One message per recipient with an address. The text names the case, the rule and the
    time, not the person: a mailbox is not the place for a detained person's name."""
    zone = ZoneInfo(deadline.unit.timezone)
    due = deadline.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    word = "MISSED" if kind == AlertKind.MISSED else "due soon"
    subject = f"[casetrail] {word}: {deadline.title_en} ({deadline.case.number})"
    path = f"/custody/persons/{deadline.person_id}/"
    body = "\n".join(
        [
            f"Deadline {word}: {deadline.title_en} / {deadline.title_zh}",
            f"Case: {deadline.case.number} ({deadline.unit.name})",
            f"Rule: {deadline.rule_id}, {deadline.citation}",
            f"Due: {due}",
            "",
            (
                "It stays on the whiteboard until somebody records what happened."
                if kind == AlertKind.MISSED
                else "Record the event that meets it, or ask for the extension the rule allows."
            ),
            f"Custody record: {path}",
        ]
    )
    return [EmailMessage(subject, body, to=[o.email]) for o in officers if o.email]


def _send(messages: list[EmailMessage]) -> None:
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except Exception:
        # The inbox already holds the alert; the mail server's failure is logged, not fatal.
        log.exception("custody alert e-mail failed (%d messages)", len(messages))


def run_sweep() -> SweepReport:
    """The background job."""
    report = sweep()
    if report.warned or report.missed:
        log.info("%s", report.said())
    return report


def recompute_for_notice(
    notice: Notice, calendar: Calendar, actor: Officer | None
) -> RecomputeReport:
    """After an official notice is loaded: recompute every open deadline a holiday can move
    (custody periods never move, CPL art. 105(4)), and record each one that changed."""
    report = RecomputeReport()
    packs = [p for p in procedure.pack_ids() if procedure.load_pack(p).calendar == notice.calendar]
    rows = (
        Deadline.objects.select_for_update(of=("self",))
        .select_related("measure", "session")
        .filter(status=DeadlineStatus.OPEN, calendar_dependent=True, pack__in=packs)
        .filter(Q(last_day__year__gte=notice.year - 1) | Q(provisional=True))
        .order_by("pk")
    )
    for deadline in rows:
        computed = procedure.compute(
            deadline.requested_id,
            deadline.trigger_at,
            pack=deadline.pack,
            extensions=list(deadline.extensions),
            params=dict(deadline.params),
            calendar=calendar,
        )
        if computed.due_at == deadline.due_at and computed.provisional == deadline.provisional:
            report.unchanged += 1
            continue
        before_due, before_flag = deadline.due_at, deadline.provisional
        clocks.fill(deadline, computed)
        if deadline.due_at != before_due:
            deadline.warning_sent = False
        deadline.save()
        record(
            LedgerKind.DEADLINE_RECOMPUTED,
            subject=deadline.subject,
            actor=actor,
            unit_id=deadline.unit_id,
            data=clocks.summary(deadline)
            | {
                "notice": f"{notice.calendar} {notice.year}",
                "source": notice.source,
                "due_before": before_due,
                "provisional_before": before_flag,
            },
        )
        report.changed.append(
            f"{deadline.rule_id} #{deadline.pk}: {before_due.isoformat()} -> "
            f"{deadline.due_at.isoformat()}"
            + ("" if deadline.provisional else " (no longer provisional)")
        )
    return report
