"""Reads, already filtered by access, with explicit select_related."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from casetrail.cases import machine, search
from casetrail.cases.access import may_write_case, visible_cases, visible_incidents
from casetrail.cases.actions import APPROVAL_MOVES
from casetrail.cases.inputs import CaseFilterInput, IncidentFilterInput
from casetrail.cases.models import (
    Case,
    CaseHandler,
    Incident,
    IncidentStatus,
    OffenceCategory,
    Party,
    Person,
)
from casetrail.errors import NotFound, Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.org.access import has_role, unit_q
from casetrail.org.models import Officer
from casetrail.org.queries import unit_handlers
from casetrail.org.roles import CASE_LEADERS, INTAKE_WRITERS


class FilterError(Refused):
    """A filter the list cannot apply; ``field`` names it."""


def categories(kind: str = "") -> QuerySet[OffenceCategory]:
    qs = OffenceCategory.objects.all()
    return qs.filter(kind=kind) if kind else qs


def incident_list(officer: Officer, filters: IncidentFilterInput) -> QuerySet[Incident]:
    qs = visible_incidents(officer).select_related("unit", "case").order_by("-received_at")
    if filters.receipt:
        qs = qs.filter(search.receipt_q(filters.receipt))
    return qs.filter(status=filters.status) if filters.status else qs


def day_start(day: date, zone: str) -> datetime:
    """The first instant of ``day`` in ``zone``."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))


def opened_between(
    rows: QuerySet[Any], opened_from: date | None, opened_to: date | None, zone: str
) -> QuerySet[Any]:
    """Rows whose ``opened_at`` falls on the days from ``opened_from`` to ``opened_to`` (either
    may be missing) in ``zone``; a start after the end is refused naming ``opened_from``."""
    if opened_from and opened_to and opened_from > opened_to:
        raise FilterError(gettext("the start date is after the end date"), field="opened_from")
    if opened_from:
        rows = rows.filter(opened_at__gte=day_start(opened_from, zone))
    if opened_to:
        rows = rows.filter(opened_at__lt=day_start(opened_to + timedelta(days=1), zone))
    return rows


def case_list(officer: Officer, filters: CaseFilterInput) -> QuerySet[Case]:
    """Cases the officer may see, filtered; search matches number, party names and summary
    as substrings (Chinese included: 张三 matches 张三丰). Dates are days in the officer's
    unit's zone."""
    zone = officer.zone
    qs = opened_between(visible_cases(officer), filters.opened_from, filters.opened_to, zone)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.handler:
        qs = qs.filter(handlers__officer_id=filters.handler, handlers__released_at__isnull=True)
    term = filters.q.strip()
    if term:
        qs = qs.filter(search.search_q(term))
    return qs.select_related("unit", "category").order_by("-opened_at", "-id")


def handler_candidates(case: Case) -> QuerySet[Officer]:
    """Active officers holding the case handler role at the case's unit who do not handle
    it yet (the action still checks each one's qualification on the day)."""
    current = CaseHandler.objects.filter(case=case, released_at__isnull=True).values("officer_id")
    return unit_handlers(case.unit).exclude(pk__in=current)


@dataclass
class TimelineItem:
    seq: int
    at: datetime
    actor: str
    action: str
    data: dict[str, Any] = field(default_factory=dict)


def timeline(case: Case) -> list[TimelineItem]:
    """The ledger chains of the case and of the incident it came from, less the look-ups:
    who did what, when and why."""
    subjects = Q(subject_type=Case.LEDGER_SUBJECT, subject_id=str(case.pk))
    if case.incident_id:
        subjects |= Q(subject_type=Incident.LEDGER_SUBJECT, subject_id=str(case.incident_id))
    rows = (
        LedgerEntry.objects.filter(subjects)
        .exclude(action=LedgerKind.VIEWED)
        .order_by("seq")
        .values_list("seq", "at", "actor_label", "action", "payload")
    )
    return [
        TimelineItem(seq, at, actor, action, json.loads(payload))
        for seq, at, actor, action, payload in rows
    ]


@dataclass
class CaseDetail:
    case: Case
    parties: list[Party]
    handlers: list[CaseHandler]
    timeline: list[TimelineItem]
    moves: list[machine.Move]
    # Per party's person: other persons the officer sees with the same name and birth date.
    alike: dict[int, list[Person]] = field(default_factory=dict)


def party_of(case: Case, party_id: int) -> Party:
    """A party of ``case`` (its person read with it); a party of another case is not found."""
    party = Party.objects.select_related("person").filter(case=case, pk=party_id).first()
    if party is None:
        raise NotFound(gettext("party %(id)s not found") % {"id": party_id})
    return party


def case_detail(officer: Officer, case: Case) -> CaseDetail:
    parties = list(Party.objects.filter(case=case).select_related("person").order_by("id"))
    handlers = list(
        CaseHandler.objects.filter(case=case, released_at__isnull=True)
        .select_related("officer")
        .order_by("-lead", "id")
    )
    return CaseDetail(
        case,
        parties,
        handlers,
        timeline(case),
        available_moves(officer, case),
        alike(officer, [p.person for p in parties]),
    )


def alike(officer: Officer, persons: list[Person]) -> dict[int, list[Person]]:
    """For each of ``persons`` with a birth date, the other persons of the same name and birth
    date who are parties of cases the officer sees: perhaps one person recorded twice (no
    document given once, or another document), for the officer to check. Nobody is merged
    by this, and nobody the officer may not see is named. One query."""
    keys = {(p.name, p.birth_date) for p in persons if p.birth_date is not None}
    if not keys:
        return {}
    same = Q()
    for name, born in keys:
        same |= Q(name=name, birth_date=born)
    seen = Party.objects.filter(case__in=visible_cases(officer)).values("person_id")
    found: dict[tuple[str, date | None], list[Person]] = {}
    for other in (
        Person.objects.filter(same, pk__in=seen)
        .exclude(pk__in=[p.pk for p in persons])
        .order_by("pk")
    ):
        found.setdefault((other.name, other.birth_date), []).append(other)
    return {p.pk: found[(p.name, p.birth_date)] for p in persons if (p.name, p.birth_date) in found}


def available_moves(officer: Officer, case: Case) -> list[machine.Move]:
    """The moves the machine allows now and this officer may make."""
    if not may_write_case(officer, case):
        return []
    leader = has_role(officer, case.unit, CASE_LEADERS)
    moves = machine.moves_from(case.kind_enum, case.status_enum)
    return [m for m in moves if leader or m.name not in APPROVAL_MOVES]


@dataclass
class Workbench:
    my_cases: QuerySet[Case]
    awaiting_approval: QuerySet[Case]
    incidents_to_decide: QuerySet[Incident]


# States in which the next move is a decision reserved to a leader.
_APPROVAL_STATES = [
    s.value
    for s in machine.Status
    if any(
        m.source == s and m.name in APPROVAL_MOVES for k in machine.Kind for m in machine.MOVES[k]
    )
]


def awaiting_leader(officer: Officer) -> QuerySet[Case]:
    """Cases whose next move is a decision reserved to a leader of their unit."""
    return visible_cases(officer).filter(unit_q(officer, CASE_LEADERS), status__in=_APPROVAL_STATES)


def workbench(officer: Officer) -> Workbench:
    """The officer's three lists, whole and ordered (the page shows them a page at a time)."""
    mine = (
        visible_cases(officer)
        .filter(handlers__officer=officer, handlers__released_at__isnull=True)
        .exclude(status=machine.Status.ARCHIVED)
        .select_related("unit", "category")
        .order_by("-updated_at", "-id")
    )
    waiting = (
        awaiting_leader(officer).select_related("unit", "category").order_by("updated_at", "id")
    )
    incidents = (
        visible_incidents(officer)
        .filter(status=IncidentStatus.RECEIVED)
        .filter(unit_q(officer, INTAKE_WRITERS))
        .select_related("unit")
        .order_by("received_at", "id")
    )
    return Workbench(mine, waiting, incidents)


def report_of(officer: Officer, case: Case) -> Incident | None:
    """The report the case was opened from, if the officer may open it (its receipt and query
    code are on its page)."""
    if case.incident_id is None:
        return None
    return visible_incidents(officer).filter(pk=case.incident_id).first()
