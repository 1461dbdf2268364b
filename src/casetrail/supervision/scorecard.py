"""The quarterly quality scorecard (执法质量考评) of each unit, computed from its findings and
their rectification, never from how much it enforced.

Each indicator is a share: a numerator over a denominator, both shown. A unit's score is the
weighted mean of its indicators that have a denominator, out of 100; the weights are the
installation's (``settings.CASETRAIL_SCORECARD_WEIGHTS``). Indicators that reward enforcement
volume (fine totals, detention counts, clearance-rate targets) are refused as configuration:
they are not in the registry and cannot be put there by a setting.

A quarter's scorecard is published when the quarter ends (midnight in the unit's zone). A unit
may ask for a review of its score within three days of that, and a supervisor answers within
three days of the request (supervision/actions.py)."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from casetrail.errors import Refused
from casetrail.org.models import Unit
from casetrail.supervision.models import Finding, FindingStatus, FindingStep, ScoreReview, StepKind

REVIEW_WINDOW = timedelta(days=3)  # to ask, from publication; to answer, from the request
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


class ScorecardError(Refused):
    """A quarter that is not one, named in the field ``quarter``."""


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        found = QUARTER.fullmatch(text.strip())
        if found is None or not 1970 <= int(found.group(1)) <= 2100:
            raise ScorecardError(
                gettext(
                    "a quarter is written as 2026Q3 (year 1970 to 2100, Q1 to Q4), not '%(text)s'"
                )
                % {"text": text},
                field="quarter",
            )
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def bounds(self, zone: str) -> tuple[datetime, datetime]:
        """From its first midnight to the next quarter's, in ``zone``."""
        tz = ZoneInfo(zone)
        start = datetime.combine(self.first_day, datetime.min.time(), tzinfo=tz)
        end = datetime.combine(self.next.first_day, datetime.min.time(), tzinfo=tz)
        return start, end

    def published_at(self, zone: str) -> datetime:
        return self.bounds(zone)[1]


def latest_published(now: datetime, zone: str) -> Quarter:
    return Quarter.of(now.astimezone(ZoneInfo(zone)).date()).previous


# --- indicators ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the indicators read of one finding."""

    status: str
    escalations: int
    overdue: bool
    first_review: str | None  # "accepted", "rejected", or None before any review


Count = Callable[[Sequence[Facts]], tuple[int, int]]


def _in_time(rows: Sequence[Facts]) -> tuple[int, int]:
    return sum(1 for r in rows if r.escalations == 0 and not r.overdue), len(rows)


def _first_pass(rows: Sequence[Facts]) -> tuple[int, int]:
    reviewed = [r for r in rows if r.first_review is not None]
    return sum(1 for r in reviewed if r.first_review == StepKind.ACCEPTED), len(reviewed)


def _closed(rows: Sequence[Facts]) -> tuple[int, int]:
    return sum(1 for r in rows if r.status == FindingStatus.ACCEPTED), len(rows)


@dataclass(frozen=True)
class Indicator:
    id: str
    title: Any  # each a lazy translation, read in the reader's language
    numerator: Any
    denominator: Any
    count: Count


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "in_time",
        _("Rectified in time"),
        _("never escalated, and not past its deadline"),
        _("findings opened in the quarter, not dismissed"),
        _in_time,
    ),
    Indicator(
        "first_pass",
        _("Accepted at the first review"),
        _("accepted at the first review"),
        _("findings reviewed at least once"),
        _first_pass,
    ),
    Indicator(
        "closed",
        pgettext_lazy("scorecard", "Closed"),
        _("rectification accepted"),
        _("findings opened in the quarter, not dismissed"),
        _closed,
    ),
)
BY_ID = {i.id: i for i in INDICATORS}
DEFAULT_WEIGHTS = {"in_time": 40, "first_pass": 30, "closed": 30}
# Indicators that reward how much a unit enforces: provincial rules forbid them as scores, and
# the Road Traffic Safety Law art. 86 forbids fine quotas and fines as a measure of an officer.
VOLUME = frozenset(
    {
        "arrests",
        "case_count",
        "cases_solved",
        "clearance_rate",
        "confiscations",
        "detention_count",
        "detention_days",
        "detentions",
        "fine_amount",
        "fine_total",
        "fines",
        "penalty_count",
    }
)


def weights(proposed: Mapping[str, object] | None = None) -> dict[str, int]:
    """The installation's weights (or ``proposed`` ones), checked: no volume indicator, no
    unknown name, whole numbers from 0, and at least one above 0."""
    given = dict(
        proposed
        if proposed is not None
        else getattr(settings, "CASETRAIL_SCORECARD_WEIGHTS", DEFAULT_WEIGHTS)
    )
    volume = sorted(set(given) & VOLUME)
    if volume:
        raise ImproperlyConfigured(
            f"CASETRAIL_SCORECARD_WEIGHTS: {', '.join(volume)} would reward enforcement volume "
            "and cannot be a score (provincial rules on law-enforcement quality assessment; "
            "Road Traffic Safety Law art. 86: no fine quotas)"
        )
    unknown = sorted(set(given) - set(BY_ID))
    if unknown:
        raise ImproperlyConfigured(
            f"CASETRAIL_SCORECARD_WEIGHTS: no indicator {', '.join(unknown)}; "
            f"the indicators are {', '.join(BY_ID)}"
        )
    bad = sorted(
        k for k, v in given.items() if not isinstance(v, int) or isinstance(v, bool) or v < 0
    )
    if bad or not any(given.values()):
        raise ImproperlyConfigured(
            "CASETRAIL_SCORECARD_WEIGHTS: each weight is a whole number from 0, at least one "
            f"above 0 (check {', '.join(bad) or 'the total'})"
        )
    return {i.id: int(given.get(i.id, 0)) for i in INDICATORS}


# --- the card --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    indicator: Indicator
    weight: int
    numerator: int
    denominator: int

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def rounded(self) -> float | None:
        """The share in per cent to one decimal, as the exports and the API give it."""
        share = self.share
        return None if share is None else round(100 * share, 1)

    @property
    def percent(self) -> str:
        return "—" if self.rounded is None else f"{self.rounded:.1f}"


@dataclass(frozen=True)
class Row:
    unit: Unit
    cells: tuple[Cell, ...]
    findings: int
    review: ScoreReview | None

    @property
    def score(self) -> float | None:
        """The weighted mean of the indicators with a denominator; None with none."""
        counted = [c for c in self.cells if c.share is not None and c.weight]
        total = sum(c.weight for c in counted)
        if not total:
            return None
        return 100 * sum(c.weight * (c.share or 0) for c in counted) / total

    @property
    def rounded(self) -> float | None:
        score = self.score
        return None if score is None else round(score, 1)

    @property
    def score_text(self) -> str:
        return "—" if self.rounded is None else f"{self.rounded:.1f}"

    @property
    def weight_counted(self) -> int:
        return sum(c.weight for c in self.cells if c.share is not None)


@dataclass(frozen=True)
class Card:
    quarter: Quarter
    zone: str
    start: datetime
    end: datetime
    published: bool
    review_until: datetime
    rows: tuple[Row, ...]

    def row_of(self, unit_id: int) -> Row | None:
        return next((r for r in self.rows if r.unit.pk == unit_id), None)


def _facts(
    unit_ids: Sequence[int], start: datetime, end: datetime, now: datetime
) -> dict[int, list[Facts]]:
    rows = (
        Finding.objects.filter(unit_id__in=unit_ids, opened_at__gte=start, opened_at__lt=end)
        .exclude(status=FindingStatus.DISMISSED)
        .values_list("pk", "unit_id", "status", "escalations", "due_at")
    )
    first: dict[int, str] = {}
    reviews = (
        FindingStep.objects.filter(
            finding__in=rows.values("pk"), kind__in=(StepKind.ACCEPTED, StepKind.REJECTED)
        )
        .order_by("finding_id", "at", "id")
        .values_list("finding_id", "kind")
    )
    for finding_id, kind in reviews:
        first.setdefault(finding_id, kind)
    by_unit: dict[int, list[Facts]] = defaultdict(list)
    for pk, unit_id, status, escalations, due_at in rows:
        overdue = status == FindingStatus.OPEN and due_at < now
        by_unit[unit_id].append(Facts(status, escalations, overdue, first.get(pk)))
    return by_unit


def card(
    units: Sequence[Unit],
    quarter: Quarter,
    zone: str,
    now: datetime,
    weighting: Mapping[str, int] | None = None,
) -> Card:
    """The scorecard of ``units`` (already limited to what the reader may see) for
    ``quarter`` as of ``now``, each unit's quarter in its own zone (the card's bounds, shown
    above it, in ``zone``), with the installation's weights unless others are given (a
    backtest's)."""
    start, end = quarter.bounds(zone)
    weighting = weighting or weights()
    # Each unit's quarter runs midnight to midnight in its own zone, as its review window does.
    zones: dict[str, list[int]] = defaultdict(list)
    for unit in units:
        zones[unit.timezone].append(unit.pk)
    facts: dict[int, list[Facts]] = {}
    for unit_zone, ids in zones.items():
        facts |= _facts(ids, *quarter.bounds(unit_zone), now)
    reviews = {
        r.unit_id: r
        for r in ScoreReview.objects.filter(unit__in=units, quarter=str(quarter)).select_related(
            "requested_by", "answered_by"
        )
    }
    rows = []
    for unit in units:
        mine = facts.get(unit.pk, [])
        cells = tuple(Cell(i, weighting[i.id], *i.count(mine)) for i in INDICATORS)
        rows.append(Row(unit, cells, len(mine), reviews.get(unit.pk)))
    return Card(
        quarter=quarter,
        zone=zone,
        start=start,
        end=end,
        published=now >= end,
        review_until=end + REVIEW_WINDOW,
        rows=tuple(rows),
    )


# --- exports -------------------------------------------------------------------------------


def header() -> list[str]:
    cols = [str(_("Unit")), str(_("Findings"))]
    for i in INDICATORS:
        title = str(i.title)
        cols += [
            gettext("%(indicator)s: numerator") % {"indicator": title},
            gettext("%(indicator)s: denominator") % {"indicator": title},
            f"{title} %",
        ]
    return [*cols, str(_("Weight counted")), str(_("Score")), str(_("Review"))]


def table(found: Card) -> list[list[object]]:
    """The card's rows as the exports write them: numbers stay numbers, a share with no
    denominator is empty, not zero."""
    out: list[list[object]] = []
    for row in found.rows:
        line: list[object] = [row.unit.name, row.findings]
        for c in row.cells:
            line += [c.numerator, c.denominator, c.rounded]
        review = row.review.get_status_display() if row.review else ""
        out.append([*line, row.weight_counted, row.rounded, review])
    return out


def weights_line(weighting: Mapping[str, int]) -> str:
    return ", ".join(f"{i.title} {weighting[i.id]}" for i in INDICATORS)


def xlsx(found: Card, weighting: Mapping[str, int]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = str(found.quarter)
    sheet.append([f"{_('Quality scorecard')} {found.quarter}"])
    sheet.append([f"{_('Weights')}: {weights_line(weighting)}"])
    sheet.append(header())
    for cell in (*sheet[1], *sheet[3]):
        cell.font = Font(bold=True)
    for line in table(found):
        sheet.append(line)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a unit's name is text, never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(found: Card, weighting: Mapping[str, int]) -> bytes:
    from casetrail.documents.pdf import render_pdf

    html = render_to_string(
        "supervision/scorecard_pdf.html",
        {"card": found, "indicators": INDICATORS, "weights": weights_line(weighting)},
    )
    return render_pdf(html)
