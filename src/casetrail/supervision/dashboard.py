"""The picture of an agency, as charts a supervisor or a leader reads over their scope: open
findings by unit and severity, findings opened week by week, the median time to rectify per
unit, overdue custody deadlines by unit, and cases by stage. Each chart carries, for every bar or
point, the address of the list behind it, and its rows as a table (the same numbers the CSV
download and the page's accessible table show)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from casetrail.cases.machine import STATUS_LABELS, Status
from casetrail.cases.models import Case
from casetrail.cases.queries import day_start
from casetrail.custody.models import Deadline, DeadlineStatus
from casetrail.errors import NotFound
from casetrail.org.access import unit_ids_in_scope
from casetrail.org.models import Officer, Unit
from casetrail.org.queries import units_by_id
from casetrail.supervision.access import (
    READERS,
    beyond_reading_q,
    findings_q,
    require_dashboard,
)
from casetrail.supervision.models import (
    LIVE,
    Finding,
    FindingStatus,
    FindingStep,
    LiveTally,
    OpenedTally,
    Severity,
    StepKind,
)

WEEKS = 12
RECTIFY_WINDOW_DAYS = 90
SEVERITIES = (Severity.RED, Severity.ORANGE, Severity.YELLOW)


@dataclass(frozen=True)
class Series:
    name: str
    key: str  # stable, for the page's colours: a severity, or "value"
    values: list[float]
    links: list[str]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    kind: str  # "stacked" bars, "bar", or "line"
    axis: str  # what a category is
    measure: str  # what a value is
    categories: list[str]
    series: list[Series] = field(default_factory=list)

    def rows(self) -> list[list[Any]]:
        return [
            [category, *(s.values[i] for s in self.series)]
            for i, category in enumerate(self.categories)
        ]

    def header(self) -> list[str]:
        return [self.axis, *(s.name for s in self.series)]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "axis": self.axis,
            "measure": self.measure,
            "categories": self.categories,
            "series": [
                {"name": s.name, "key": s.key, "values": s.values, "links": s.links}
                for s in self.series
            ],
        }

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.header())
        writer.writerows(self.rows())
        return out.getvalue()


def _list(**params: Any) -> str:
    given = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{reverse('supervision:index')}?{urlencode(given)}"


def _units(ids: set[int]) -> dict[int, Unit]:
    return {u.pk: u for u in units_by_id(ids)}


def _beyond(officer: Officer, scope: list[int]) -> QuerySet[Finding]:
    """The findings the officer reads outside their readers' scope (as an escalation's leader
    or a check's owner elsewhere): few, and counted from the findings themselves."""
    return Finding.objects.filter(beyond_reading_q(officer)).exclude(unit_id__in=scope)


def open_findings(officer: Officer) -> Chart:
    scope = sorted(unit_ids_in_scope(officer, READERS))
    tally: Counter[tuple[int, str]] = Counter()
    counted = LiveTally.objects.filter(unit_id__in=scope, live__gt=0)
    for unit_id, severity, n in counted.values_list("unit_id", "severity", "live"):
        tally[(unit_id, severity)] += n
    beyond = _beyond(officer, scope).filter(status__in=LIVE)
    for unit_id, severity, n in (
        beyond.values_list("unit_id", "severity").annotate(n=Count("id")).order_by()
    ):
        tally[(unit_id, severity)] += n
    units = _units({unit_id for unit_id, _ in tally})
    return Chart(
        id="findings",
        title=_("Open findings by unit and severity"),
        kind="stacked",
        axis=_("Unit"),
        measure=_("findings"),
        categories=[u.name for u in units.values()],
        series=[
            Series(
                str(severity.label),
                severity,
                [tally.get((pk, severity), 0) for pk in units],
                [_list(unit=pk, severity=severity) for pk in units],
            )
            for severity in SEVERITIES
        ],
    )


def weekly_trend(officer: Officer, now: datetime) -> Chart:
    """Findings opened each week (Monday to Sunday), by severity: the weeks of the officer's
    calendar, each finding on the day of its unit's calendar it was opened."""
    today = now.astimezone(ZoneInfo(officer.zone)).date()
    first = today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))
    scope = sorted(unit_ids_in_scope(officer, READERS))
    days: Counter[tuple[date, str]] = Counter()
    counted = OpenedTally.objects.filter(unit_id__in=scope, day__gte=first)
    for day, severity, n in counted.values_list("day", "severity", "opened"):
        days[(day, severity)] += n
    # A day of any unit's calendar starts at most 14 hours before the officer's.
    beyond = _beyond(officer, scope).filter(opened_at__gte=day_start(first, "Etc/GMT-14"))
    for at, severity, zone in beyond.values_list("opened_at", "severity", "unit__timezone"):
        days[(at.astimezone(ZoneInfo(zone)).date(), severity)] += 1
    tally: Counter[tuple[date, str]] = Counter()
    for (day, severity), n in days.items():
        tally[(day - timedelta(days=day.weekday()), severity)] += n
    weeks = [first + timedelta(weeks=i) for i in range(WEEKS)]
    return Chart(
        id="trend",
        title=_("Findings opened per week"),
        kind="line",
        axis=_("Week from"),
        measure=_("findings"),
        categories=[w.isoformat() for w in weeks],
        series=[
            Series(
                str(severity.label),
                severity,
                [tally[(w, severity)] for w in weeks],
                [
                    _list(
                        status="all",
                        severity=severity,
                        opened_from=w.isoformat(),
                        opened_to=(w + timedelta(days=6)).isoformat(),
                    )
                    for w in weeks
                ],
            )
            for severity in SEVERITIES
        ],
    )


def rectify_time(officer: Officer, now: datetime) -> Chart:
    """The median hours from a finding's opening to the acceptance of its rectification, per
    unit, over the findings opened in the last 90 days and accepted since."""
    zone = officer.zone
    since = (now - timedelta(days=RECTIFY_WINDOW_DAYS)).astimezone(ZoneInfo(zone)).date()
    start = day_start(since, zone)
    rows = Finding.objects.filter(
        findings_q(officer), status=FindingStatus.ACCEPTED, opened_at__gte=start
    ).values_list("unit_id", "opened_at", "closed_at")
    hours: dict[int, list[float]] = defaultdict(list)
    for unit_id, opened_at, closed_at in rows:
        if closed_at is None:  # an accepted finding always has one; an old row may not
            continue
        hours[unit_id].append((closed_at - opened_at).total_seconds() / 3600)
    units = _units(set(hours))
    return Chart(
        id="rectify",
        title=_("Median time to rectify (hours)"),
        kind="bar",
        axis=_("Unit"),
        measure=_("hours"),
        categories=[u.name for u in units.values()],
        series=[
            Series(
                _("median hours"),
                "value",
                [round(median(hours[pk]), 1) for pk in units],
                [_list(status="accepted", unit=pk, opened_from=since.isoformat()) for pk in units],
            ),
            Series(_("findings"), "count", [len(hours[pk]) for pk in units], [""] * len(units)),
        ],
    )


def reviewers(officer: Officer, now: datetime) -> Chart:
    """Supervisors are supervised too: per supervisor, over the last 90 days, the median hours
    from a rectification's report to their review of it, and the share of the findings they
    closed that they dismissed (closed with no action)."""
    start = now - timedelta(days=RECTIFY_WINDOW_DAYS)
    # The window's steps first (an index on their time), each finding's readability then
    # looked up by its key: never a pass over every finding of the scope.
    readable = Finding.objects.filter(findings_q(officer), pk=OuterRef("finding_id"))
    steps = (
        FindingStep.objects.filter(at__gte=start - timedelta(days=RECTIFY_WINDOW_DAYS))
        .exclude(kind=StepKind.ESCALATED)
        .filter(Exists(readable))
        .order_by("finding_id", "at", "id")
        .values_list("finding_id", "kind", "at", "by_id")
    )
    waits: dict[int, list[float]] = defaultdict(list)
    closed: Counter[int] = Counter()
    dismissed: Counter[int] = Counter()
    reported: dict[int, datetime] = {}
    for finding_id, kind, at, by in steps:
        if kind == StepKind.RECTIFIED:
            reported[finding_id] = at
            continue
        if by is None or at < start:
            continue
        if kind in (StepKind.ACCEPTED, StepKind.REJECTED) and finding_id in reported:
            waits[by].append((at - reported.pop(finding_id)).total_seconds() / 3600)
        if kind in (StepKind.ACCEPTED, StepKind.DISMISSED):
            closed[by] += 1
            dismissed[by] += kind == StepKind.DISMISSED
    people = {o.pk: o for o in Officer.objects.filter(pk__in=sorted(set(waits) | set(closed)))}
    order = sorted(people, key=lambda pk: people[pk].badge_number)
    since = start.astimezone(ZoneInfo(officer.zone)).date().isoformat()
    return Chart(
        id="reviewers",
        title=_("Supervisors: time to review, share dismissed"),
        kind="bar",
        axis=_("Supervisor"),
        measure=_("hours; per 100"),
        categories=[str(people[pk]) for pk in order],
        series=[
            Series(
                _("median hours to review"),
                "value",
                [round(median(waits[pk]), 1) if waits[pk] else 0 for pk in order],
                [_list(status="all", closed_by=pk, opened_from=since) for pk in order],
            ),
            Series(
                _("dismissed per 100 findings closed"),
                "orange",
                [round(100 * dismissed[pk] / closed[pk], 1) if closed[pk] else 0 for pk in order],
                [_list(status="dismissed", closed_by=pk) for pk in order],
            ),
        ],
    )


def overdue_custody(officer: Officer, now: datetime) -> Chart:
    """Custody deadlines past due and not accounted for, per unit of the officer's scope."""
    scope = sorted(unit_ids_in_scope(officer, READERS))
    overdue = Q(status=DeadlineStatus.OPEN, due_at__lt=now) | Q(
        status=DeadlineStatus.MISSED, accounted_at__isnull=True
    )
    rows = (
        Deadline.objects.filter(overdue, unit_id__in=scope)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    tally = dict(rows)
    units = _units(set(tally))
    return Chart(
        id="custody",
        title=_("Overdue custody deadlines by unit"),
        kind="bar",
        axis=_("Unit"),
        measure=_("deadlines"),
        categories=[u.name for u in units.values()],
        series=[
            Series(
                _("overdue"),
                "red",
                [tally[pk] for pk in units],
                [reverse("custody:board", args=[pk]) for pk in units],
            )
        ],
    )


def case_stages(officer: Officer, language: str) -> Chart:
    scope = sorted(unit_ids_in_scope(officer, READERS))
    rows = (
        Case.objects.filter(unit_id__in=scope)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    tally = dict(rows)
    stages = [s for s in Status if tally.get(s.value)]
    zh = language.startswith("zh")
    return Chart(
        id="stages",
        title=_("Cases by stage"),
        kind="bar",
        axis=_("Stage"),
        measure=_("cases"),
        categories=[STATUS_LABELS[s][1 if zh else 0] for s in stages],
        series=[
            Series(
                _("cases"),
                "value",
                [tally[s.value] for s in stages],
                [f"{reverse('cases:case_list')}?{urlencode({'status': s.value})}" for s in stages],
            )
        ],
    )


_BUILDERS: dict[str, Callable[[Officer, datetime, str], Chart]] = {
    "findings": lambda officer, now, language: open_findings(officer),
    "trend": lambda officer, now, language: weekly_trend(officer, now),
    "rectify": lambda officer, now, language: rectify_time(officer, now),
    "reviewers": lambda officer, now, language: reviewers(officer, now),
    "custody": lambda officer, now, language: overdue_custody(officer, now),
    "stages": lambda officer, now, language: case_stages(officer, language),
}
CHARTS = tuple(_BUILDERS)


def charts(officer: Officer, now: datetime, language: str) -> list[Chart]:
    require_dashboard(officer)
    return [build(officer, now, language) for build in _BUILDERS.values()]


def chart(officer: Officer, chart_id: str, now: datetime, language: str) -> Chart:
    require_dashboard(officer)
    build = _BUILDERS.get(chart_id)
    if build is None:
        raise NotFound(_("no chart '%(chart)s'") % {"chart": chart_id})
    return build(officer, now, language)
