"""Custody's part of a case's time limits (`casetrail.cases.panels`), and of what must be done
before its investigation is concluded: each deadline of the
case's measures and area sessions still open or missed with no account, and the limits the
statute sets for the case itself, counted from its report or its opening: the review of whether
to register a criminal case, and the handling of a public security (administrative) case.

The case's own limits are computed when asked, with the installation's calendar, as the
supervision checks compute them; no period is written here (DESIGN.md invariant 3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from casetrail import procedure
from casetrail.cases.machine import Kind, Status
from casetrail.cases.models import Case
from casetrail.cases.panels import Limit
from casetrail.custody import clocks
from casetrail.custody.measures import Duty, MeasureKind
from casetrail.custody.models import (
    CustodySession,
    Deadline,
    DeadlineStatus,
    Measure,
    MeasureStatus,
)
from casetrail.custody.queries import deadline_state
from casetrail.org.models import Pack
from casetrail.procedure import ProcedureError
from casetrail.web.language import pick
from casetrail.web.states import pending_state

REGISTRATION_RULE = "CN-MPS2015-CRIM-REG-REVIEW"
# The handling limit of a public security case: the 2025 law's (counted from registration) for
# a case opened since it took effect, the 2012 law's (from acceptance) before. An administrative
# case is accepted and registered when it is opened.
HANDLING_RULES = ("CN-PSAPL2025-CASE118", "CN-PSAPL2012-CASE99")
# An administrative case is being handled until its decision.
_HANDLING = frozenset(
    {Status.ACCEPTED, Status.INVESTIGATING, Status.PENALTY_NOTICE, Status.STATEMENT_DEFENCE}
)


def due_under(
    rule_ids: tuple[str, ...], trigger_at: datetime, calendars: clocks.Calendars
) -> procedure.Deadline | None:
    """The first of the rules in force at the trigger, computed; None where none applies (a
    trigger before the rule took effect)."""
    for rule_id in rule_ids:
        try:
            return procedure.compute(
                rule_id, trigger_at, pack=Pack.CN, calendar=calendars.of_pack(Pack.CN)
            )
        except ProcedureError:
            continue
    return None


def registration_review_due(case: Case, calendars: clocks.Calendars) -> procedure.Deadline | None:
    """When the review of whether to register a criminal case falls due: counted from the report
    (the case's incident) or, for a case opened without one, from its opening."""
    received = case.incident.received_at if case.incident else case.opened_at
    return due_under((REGISTRATION_RULE,), received, calendars)


def case_own_due(case: Case, calendars: clocks.Calendars) -> procedure.Deadline | None:
    """The limit the statute sets for the case at its stage, if one is running (cn pack)."""
    if case.unit.pack != Pack.CN:
        return None
    if case.kind == Kind.CRIMINAL and case.status == Status.REGISTRATION_REVIEW:
        return registration_review_due(case, calendars)
    if case.kind == Kind.ADMINISTRATIVE and case.status in _HANDLING:
        return due_under(HANDLING_RULES, case.opened_at, calendars)
    return None


def _own(case: Case, now: datetime) -> Iterator[Limit]:
    due = case_own_due(case, clocks.Calendars())
    if due is None:
        return
    yield Limit(
        area=gettext("case"),
        title=pick(due.rule.title_en, due.rule.title_zh),
        subject=case.number,
        due_at=due.due_at,
        state=pending_state(due.due_at, due.warn_at, now),
        citation=clocks.citation_shown(str(due.citation)),
        citation_full=str(due.citation),
        steps=tuple(clocks.said(step) for step in due.explanation_said),
        url=reverse("cases:case_detail", args=[case.number]),
    )


def _custody(case: Case, now: datetime) -> Iterator[Limit]:
    pending = Q(status=DeadlineStatus.OPEN) | Q(
        status=DeadlineStatus.MISSED, accounted_at__isnull=True
    )
    rows = Deadline.objects.filter(pending, case=case).select_related("person")
    for row in rows.order_by("due_at", "id"):
        url = (
            reverse("custody:measure", args=[row.measure_id])
            if row.measure_id
            else reverse("custody:session", args=[row.session_id])
        )
        yield Limit(
            area=gettext("custody"),
            title=pick(row.title_en, row.title_zh),
            subject=f"{row.person.name} · {Duty(row.duty).label}",
            due_at=row.due_at,
            state=deadline_state(row, now),
            citation=clocks.citation_shown(row.citation),
            citation_full=row.citation,
            steps=tuple(clocks.say(step) for step in row.explanation),
            url=url,
        )


def limits(case: Case, now: datetime) -> Iterator[Limit]:
    yield from _own(case, now)
    yield from _custody(case, now)


# Measures that await a decision before an investigation can end: a summons or a compelled
# appearance ends with the questioning, a criminal detention with the arrest decision or a
# release (CPL art. 91). An arrest, bail or residential surveillance goes on with the case.
_DECIDED_BEFORE_CONCLUSION = frozenset(
    {MeasureKind.SUMMONS, MeasureKind.COMPELLED_APPEARANCE, MeasureKind.CRIMINAL_DETENTION}
)


def pending(case: Case) -> Iterator[str]:
    """What custody still holds open on the case that concluding its investigation must not
    leave behind (cases.panels.register_pending)."""
    running = Measure.objects.filter(
        case=case,
        status=MeasureStatus.RUNNING,
        kind__in=[kind.value for kind in _DECIDED_BEFORE_CONCLUSION],
    ).select_related("person")
    for measure in running.order_by("pk"):
        yield gettext("the %(measure)s of %(person)s is still running") % {
            "measure": measure.get_kind_display(),
            "person": measure.person.name,
        }
    inside = CustodySession.objects.filter(case=case, exited_at__isnull=True)
    for session in inside.select_related("person").order_by("pk"):
        yield gettext("%(person)s is still in the case-handling area") % {
            "person": session.person.name
        }
    missed = Deadline.objects.filter(
        case=case, status=DeadlineStatus.MISSED, accounted_at__isnull=True
    ).select_related("person")
    for deadline in missed.order_by("due_at", "pk"):
        yield gettext("the missed deadline '%(deadline)s' of %(person)s has no account") % {
            "deadline": pick(deadline.title_en, deadline.title_zh),
            "person": deadline.person.name,
        }
