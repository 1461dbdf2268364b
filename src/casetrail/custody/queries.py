"""Reads, already filtered by access, with explicit select_related: the whiteboard, a person's
custody record, a measure and a session with everything recorded about them, the inbox."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from casetrail.cases.access import visible_cases
from casetrail.cases.models import Case, Party, PartyRole, Person
from casetrail.custody.access import (
    AREA_WRITERS,
    CUSTODY_READERS,
    my_inbox,
    visible_measures,
    visible_sessions,
)
from casetrail.custody.inputs import InboxFilterInput, MeasureFilterInput, SessionFilterInput
from casetrail.custody.measures import Duty, MeasureKind, spec
from casetrail.custody.models import (
    CustodySession,
    Deadline,
    DeadlineStatus,
    ExtensionRequest,
    InboxItem,
    Interview,
    InterviewKind,
    Measure,
    MeasureApproval,
    MeasureEvent,
    MeasureStatus,
)
from casetrail.org.access import unit_q
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role
from casetrail.web.language import reading_chinese
from casetrail.web.states import OK, OVERDUE, WARNING, pending_state


@functools.cache
def _url_pattern(name: str) -> str:
    return reverse(name, args=[0]).replace("/0/", "/{}/")


def _url(name: str, pk: int) -> str:
    """reverse() for the rows of a long list, resolved once per URL name."""
    return _url_pattern(name).format(pk)


def span(delta: timedelta) -> str:
    """A duration as an officer reads it, in the current language: 2 d 3 h 05 min (2天3小时05分);
    negative with a minus sign."""
    sign = "-" if delta < timedelta(0) else ""
    minutes = abs(int(delta.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    values = {"d": days, "h": hours, "m": f"{minutes:02d}"}
    if days:
        return sign + gettext("%(d)s d %(h)s h %(m)s min") % values
    return sign + gettext("%(h)s h %(m)s min") % values


class Timed(Protocol):
    """What the board needs of a deadline: a Deadline row or a BoardDeadline."""

    @property
    def status(self) -> str: ...
    @property
    def accounted_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def warn_at(self) -> datetime: ...


def deadline_state(deadline: Timed, now: datetime) -> str:
    """overdue, warning or ok for an open or unaccounted deadline; its status otherwise."""
    if deadline.status == DeadlineStatus.MISSED:
        return OVERDUE if deadline.accounted_at is None else str(DeadlineStatus.MISSED)
    if deadline.status != DeadlineStatus.OPEN:
        return str(deadline.status)
    return pending_state(deadline.due_at, deadline.warn_at, now)


class BoardDeadline(NamedTuple):
    """A deadline as the board shows it: a plain row, not a model instance (the board of a
    busy station reads a thousand of them every half minute)."""

    pk: int
    measure_id: int | None
    session_id: int | None
    duty: str
    rule_id: str
    title_en: str
    title_zh: str
    citation: str
    due_at: datetime
    warn_at: datetime
    status: str
    accounted_at: datetime | None


BOARD_DEADLINE_FIELDS = BoardDeadline._fields


@dataclass(frozen=True)
class BoardPerson:
    pk: int
    name: str


@dataclass(frozen=True)
class BoardMeasure:
    pk: int
    kind: str
    started_at: datetime
    relevant_at: datetime | None

    def get_kind_display(self) -> str:
        return str(MeasureKind(self.kind).label)


@dataclass
class BoardRow:
    person: BoardPerson
    measure: BoardMeasure | None
    session_id: int | None
    case_number: str
    clock_start: datetime
    elapsed: timedelta
    limit: BoardDeadline | None
    left: timedelta | None
    next: BoardDeadline | None
    state: str
    state_text: str
    subject: BoardDeadline | None = None  # the deadline the state is about
    unit_name: str = ""  # shown on a board of a unit's whole subtree

    @property
    def in_area(self) -> bool:
        return self.session_id is not None

    @property
    def person_url(self) -> str:
        return _url("custody:person", self.person.pk)

    @property
    def measure_url(self) -> str:
        return _url("custody:measure", self.measure.pk) if self.measure else ""

    @property
    def session_url(self) -> str:
        return _url("custody:session", self.session_id) if self.session_id else ""

    @property
    def elapsed_text(self) -> str:
        return span(self.elapsed)

    @property
    def left_text(self) -> str:
        return span(self.left) if self.left is not None else ""


@dataclass
class Board:
    unit: Unit
    rows: list[BoardRow]
    now: datetime
    subtree: bool = False

    @property
    def counts(self) -> dict[str, int]:
        found = {OVERDUE: 0, WARNING: 0, OK: 0}
        for row in self.rows:
            found[row.state] += 1
        return found


def _state_text(state: str, subject: BoardDeadline | None, now: datetime) -> str:
    """The state in words, in the current language (for screen readers and colour-blind
    readers as much as for everyone)."""
    if subject is None:
        return gettext("within limits: no statutory deadline pending")
    zh = reading_chinese()
    values = {"title": subject.title_zh if zh else subject.title_en, "rule": subject.rule_id}
    if state == OVERDUE:
        values["time"] = span(now - subject.due_at)
        return gettext("overdue: %(title)s (%(rule)s) was due %(time)s ago") % values
    values["time"] = span(subject.due_at - now)
    if state == WARNING:
        return gettext("warning: %(title)s (%(rule)s) due in %(time)s") % values
    return gettext("within limits: next %(title)s in %(time)s") % values


def _row(
    person: BoardPerson,
    case_number: str,
    measure: BoardMeasure | None,
    session: tuple[int, datetime, int | None] | None,
    deadlines: list[BoardDeadline],
    now: datetime,
    unit_name: str = "",
) -> BoardRow:
    """One person on the board. ``session`` is (id, entered_at, clock deadline id). In the area
    the clock runs from the entry; outside it, from the measure's start (PACE: the relevant
    time)."""
    if session is not None:
        start = session[1]
    else:
        assert measure is not None  # noqa: S101 - a row has a measure or a session
        start = measure.relevant_at or measure.started_at
    todo = sorted(deadlines, key=lambda d: d.due_at)
    limits = [d for d in todo if d.duty == Duty.LIMIT and d.status == DeadlineStatus.OPEN]
    if session is not None and session[2] is not None:
        limits += [d for d in todo if d.pk == session[2]]
    limit = min(limits, key=lambda d: d.due_at) if limits else None
    states = [deadline_state(d, now) for d in todo]
    worst = OVERDUE if OVERDUE in states else WARNING if WARNING in states else OK
    subject = next((d for d, st in zip(todo, states, strict=True) if st == worst), None)
    state_text = _state_text(worst, subject, now)
    if session is not None and measure is None:
        # In the area under no running measure: no legal basis recorded, never green.
        worst, subject = OVERDUE, None
        state_text = gettext(
            "overdue: in the case-handling area with no running measure (no legal basis recorded)"
        )
    return BoardRow(
        person=person,
        measure=measure,
        session_id=session[0] if session else None,
        case_number=case_number,
        clock_start=start,
        elapsed=now - start,
        limit=limit,
        left=(limit.due_at - now) if limit else None,
        next=todo[0] if todo else None,
        state=worst,
        state_text=state_text,
        subject=subject,
        unit_name=unit_name,
    )


def board(officer: Officer, unit: Unit, now: datetime, *, subtree: bool = False) -> Board:
    """Everyone in the unit's case-handling area and everyone under a running measure of the
    unit (``subtree``: of the unit and every unit below it in the officer's scope), the worst
    first: overdue, then in the warning window, then the least time left. A person in the area
    with no running measure is overdue (red): held with no legal basis recorded.

    Reads plain rows (values_list), not model instances: four queries whatever the size."""
    if subtree:
        units = Q(unit__path__startswith=unit.path) & unit_q(officer, CUSTODY_READERS)
    else:
        units = Q(unit=unit)
    measure_cols = ("pk", "kind", "started_at", "relevant_at", "person_id", "person__name")
    measures = {
        row[0]: row
        for row in visible_measures(officer)
        .filter(units, status=MeasureStatus.RUNNING)
        .values_list(*measure_cols, "case__number", "unit__name")
    }
    sessions = list(
        visible_sessions(officer)
        .filter(units, exited_at__isnull=True)
        .values_list(
            "pk",
            "entered_at",
            "clock_id",
            "person_id",
            "person__name",
            "case__number",
            "unit__name",
            "measure_id",
            "measure__status",
            *(f"measure__{c}" for c in ("kind", "started_at", "relevant_at")),
        )
    )
    measure_ids = set(measures) | {s[7] for s in sessions if s[7]}
    session_ids = {s[0] for s in sessions}
    by_owner: dict[tuple[str, int], list[BoardDeadline]] = {}
    pending_q = Q(status=DeadlineStatus.OPEN) | Q(status=DeadlineStatus.MISSED, accounted_at=None)
    # Two queries, not one with OR: each is an index search (an OR across the two columns
    # made SQLite scan all deadline rows, since almost none has a session).
    for owner in (Q(measure_id__in=sorted(measure_ids)), Q(session_id__in=sorted(session_ids))):
        for values in (
            Deadline.objects.filter(owner).filter(pending_q).values_list(*BOARD_DEADLINE_FIELDS)
        ):
            d = BoardDeadline(*values)
            key = ("m", d.measure_id) if d.measure_id else ("s", d.session_id or 0)
            by_owner.setdefault(key, []).append(d)
    rows = []
    seen: set[int] = set()
    for sid, entered, clock_id, pid, pname, number, uname, mid, mstatus, *m in sessions:
        own = list(by_owner.get(("s", sid), []))
        measure = None
        if mid is not None and mstatus == MeasureStatus.RUNNING:
            kind, started, relevant = m
            measure = BoardMeasure(mid, kind, started, relevant)
            own += by_owner.get(("m", mid), [])
            seen.add(mid)
        stay = (sid, entered, clock_id)
        rows.append(_row(BoardPerson(pid, pname), number, measure, stay, own, now, uname))
    for mid, (_, kind, started, relevant, pid, pname, number, uname) in measures.items():
        if mid in seen:
            continue
        measure = BoardMeasure(mid, kind, started, relevant)
        own = by_owner.get(("m", mid), [])
        rows.append(_row(BoardPerson(pid, pname), number, measure, None, own, now, uname))
    order = {OVERDUE: 0, WARNING: 1, OK: 2}
    rows.sort(
        key=lambda r: (
            order[r.state],
            r.left if r.left is not None else timedelta.max,
            r.person.name,
        )
    )
    return Board(unit, rows, now, subtree)


@dataclass
class MeasureDetail:
    measure: Measure
    deadlines: list[Deadline]
    approvals: list[MeasureApproval]
    events: list[MeasureEvent]
    requests: list[ExtensionRequest]

    @property
    def spec_label(self) -> str:
        return str(MeasureKind(self.measure.kind).label)

    @property
    def open_deadlines(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.status == DeadlineStatus.OPEN]

    @property
    def legal_reviewed(self) -> bool:
        return any(a.role == Role.LEGAL_REVIEWER for a in self.approvals)

    @property
    def notice_exceptions(self) -> list[tuple[str, str]]:
        return notice_grounds(self.measure.kind)


def notice_grounds(kind: str) -> list[tuple[str, str]]:
    """The lawful grounds for withholding the family notice, in the current language."""
    zh = reading_chinese()
    return [(g.code, g.zh if zh else g.en) for g in spec(kind).notice_exceptions]


def measure_detail(measure: Measure) -> MeasureDetail:
    return MeasureDetail(
        measure=measure,
        deadlines=list(measure.deadlines.order_by("due_at", "id")),
        approvals=list(measure.approvals.select_related("officer").order_by("decided_at")),
        events=list(
            measure.events.select_related("recorded_by").prefetch_related("meets").order_by("at")
        ),
        requests=list(
            measure.extensions.select_related("deadline", "requested_by", "decider").order_by(
                "requested_at"
            )
        ),
    )


@dataclass
class SessionDetail:
    session: CustodySession
    deadlines: list[Deadline]
    interviews: list[Interview]


def session_detail(session: CustodySession) -> SessionDetail:
    session = (
        CustodySession.objects.select_related(
            "case", "person", "unit", "measure", "clock", "checked_by", "recorded_by", "exited_by"
        )
        .prefetch_related("escorts", "belongings", "care")
        .get(pk=session.pk)
    )
    interviews = list(session.interviews.prefetch_related("officers").order_by("started_at"))
    deadlines = list(session.deadlines.order_by("due_at"))
    return SessionDetail(session, deadlines, interviews)


@dataclass
class PersonRecord:
    person: Person
    measures: list[MeasureDetail]
    sessions: list[SessionDetail]


def person_record(officer: Officer, person: Person) -> PersonRecord:
    """Everything the officer may see of a person's custody: each measure with every deadline's
    explanation and citation, and each stay in a case-handling area."""
    measures = (
        visible_measures(officer)
        .filter(person=person)
        .select_related("case", "unit", "person")
        .order_by("-proposed_at")
    )
    sessions = visible_sessions(officer).filter(person=person).order_by("-entered_at")
    return PersonRecord(
        person=person,
        measures=[measure_detail(m) for m in measures],
        sessions=[session_detail(s) for s in sessions],
    )


def measure_list(officer: Officer, filters: MeasureFilterInput) -> QuerySet[Measure]:
    qs = visible_measures(officer).select_related("case", "person", "unit")
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.case is not None:
        qs = qs.filter(case_id=filters.case)
    return qs.order_by("-proposed_at", "-id")


def session_list(officer: Officer, filters: SessionFilterInput) -> QuerySet[CustodySession]:
    qs = visible_sessions(officer).select_related("case", "person", "unit")
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    if filters.open_only:
        qs = qs.filter(exited_at__isnull=True)
    return qs.order_by("-entered_at", "-id")


def inbox(officer: Officer, filters: InboxFilterInput | None = None) -> QuerySet[InboxItem]:
    qs = my_inbox(officer).select_related(
        "alert", "alert__deadline", "alert__deadline__case", "alert__deadline__person"
    )
    if filters is not None and filters.unread_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def fresh_measure(measure: Measure) -> Measure:
    """The measure as stored now (an action worked on its own locked copy)."""
    return Measure.objects.select_related("case", "person", "unit").get(pk=measure.pk)


def case_persons(case: Case, *, suspects_only: bool = False) -> QuerySet[Person]:
    """The people who are parties to the case (its suspects only, for a measure)."""
    parties = Party.objects.filter(case=case)
    if suspects_only:
        parties = parties.filter(role=PartyRole.SUSPECT)
    return Person.objects.filter(pk__in=parties.values("person_id")).order_by("name", "pk")


def running_measures(case: Case, *, person_id: int | None = None) -> QuerySet[Measure]:
    qs = Measure.objects.filter(case=case, status=MeasureStatus.RUNNING)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs.select_related("person").order_by("-started_at", "-id")


def deadlines_by_id(ids: Iterable[int]) -> QuerySet[Deadline]:
    return Deadline.objects.filter(pk__in=list(ids)).order_by("due_at", "id")


def custody_cases(officer: Officer, *, limit: int = 50) -> list[Case]:
    """Cases to start from: those the officer may see, and for custody officers every case of
    their units (they must be able to bring anyone of the unit's cases into the area)."""
    qs = Case.objects.filter(
        Q(pk__in=visible_cases(officer).values("pk")) | unit_q(officer, AREA_WRITERS)
    )
    return list(qs.select_related("unit").order_by("-opened_at", "-id")[:limit])


class CaseCustody(NamedTuple):
    """The case's measures and stays in the case-handling area that the officer may see."""

    measures: list[Measure]
    sessions: list[CustodySession]


def case_custody(officer: Officer, case: Case) -> CaseCustody:
    """For the case page: the same rows the measure and session pages would show the officer
    (a sealed case's only to those who may see them), the latest first."""
    measures = (
        visible_measures(officer)
        .filter(case=case)
        .select_related("person")
        .order_by("-proposed_at", "-id")
    )
    sessions = (
        visible_sessions(officer)
        .filter(case=case)
        .select_related("person")
        .order_by("-entered_at", "-id")
    )
    return CaseCustody(list(measures), list(sessions))


def interview_kind(session: CustodySession) -> str:
    """The kind of interview a person in the area is offered first: a criminal suspect is
    interrogated (讯问, CPL art. 118), anyone else questioned (询问)."""
    suspect = Party.objects.filter(
        case_id=session.case_id, person_id=session.person_id, role=PartyRole.SUSPECT
    ).exists()
    if suspect and session.case.kind == "criminal":
        return InterviewKind.INTERROGATION.value
    return InterviewKind.INQUIRY.value
