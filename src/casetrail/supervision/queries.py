"""Reads of supervision, already filtered by access: the findings list and its counts, one
finding with its steps and the links to its records, and what waits on an officer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.db.models import Count, Q, QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy

from casetrail.cases.queries import opened_between
from casetrail.org.access import grants_of
from casetrail.org.models import Officer
from casetrail.org.queries import units_by_id
from casetrail.supervision import scorecard as cards
from casetrail.supervision.access import (
    REVIEWERS,
    SCORE_ASKERS,
    findings_q,
    leads,
    may_rectify,
    may_review,
    rectify_q,
    scope_q,
    scorecard_unit_ids,
)
from casetrail.supervision.checks import BY_ID, CHECKS, Check
from casetrail.supervision.inputs import FindingFilterInput, ScorecardFilterInput
from casetrail.supervision.models import (
    LIVE,
    Finding,
    FindingFile,
    FindingStatus,
    FindingStep,
    ReviewStatus,
    ScoreReview,
    StepKind,
)

# Where each kind of record behind a finding is shown: the URL name, and the fact (or "id")
# that is its argument.
_LINKS: dict[str, tuple[str, str]] = {
    "case": ("cases:case_detail", "id"),
    "incident": ("cases:incident_detail", "id"),
    "custody_deadline": ("custody:person", "person"),
    "custody_session": ("custody:session", "id"),
    "measure": ("custody:measure", "id"),
    "document": ("documents:detail", "id"),
    "property_item": ("property:item", "id"),
    "stocktake": ("property:stocktake", "id"),
}


# What each kind of record is, in the reader's language.
KIND_LABELS = {
    "case": gettext_lazy("case"),
    "incident": gettext_lazy("incident"),
    "custody_deadline": gettext_lazy("custody deadline"),
    "custody_session": gettext_lazy("stay in the case-handling area"),
    "property_item": gettext_lazy("property item"),
    "stocktake": gettext_lazy("stock-take"),
    "officer": gettext_lazy("officer"),
    "measure": gettext_lazy("coercive measure"),
    "document": gettext_lazy("legal document"),
    "unit": gettext_lazy("unit"),
    "baseline": gettext_lazy("the peers compared with"),
}


def record_link(row: dict[str, Any]) -> str:
    """The page of a record behind a finding, or "" for one with no page (an officer)."""
    name, arg = _LINKS.get(row.get("kind", ""), ("", ""))
    value = row.get("id") if arg == "id" else row.get("facts", {}).get(arg)
    if not name or value is None:
        return ""
    return reverse(name, args=[value])


def finding_list(officer: Officer, filters: FindingFilterInput) -> QuerySet[Finding]:
    rows = Finding.objects.filter(findings_q(officer)).select_related(
        "unit", "case", "escalated_to"
    )
    zone = officer.zone
    rows = opened_between(rows, filters.opened_from, filters.opened_to, zone)
    if filters.status in (None, "live"):
        rows = rows.filter(status__in=LIVE)
    elif filters.status != "all":
        rows = rows.filter(status=filters.status)
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    if filters.unit is not None:
        rows = rows.filter(Q(unit_id=filters.unit) | Q(escalated_to_id=filters.unit))
    if filters.check:
        rows = rows.filter(check_id=filters.check)
    if filters.closed_by is not None:
        reviewed = FindingStep.objects.filter(
            by_id=filters.closed_by,
            kind__in=(StepKind.ACCEPTED, StepKind.REJECTED, StepKind.DISMISSED),
        )
        rows = rows.filter(pk__in=reviewed.values("finding_id"))
    return rows.order_by("due_at", "id")


@dataclass(frozen=True)
class Counts:
    by_severity: dict[str, int]
    overdue: int
    awaiting_review: int


def counts(rows: QuerySet[Finding], now: datetime) -> Counts:
    tally = Counter(
        dict(
            rows.order_by()
            .values_list("severity")
            .annotate(n=Count("id"))
            .values_list("severity", "n")
        )
    )
    return Counts(
        by_severity={"red": tally["red"], "orange": tally["orange"], "yellow": tally["yellow"]},
        overdue=rows.filter(status=FindingStatus.OPEN, due_at__lt=now).count(),
        awaiting_review=rows.filter(status=FindingStatus.RECTIFIED).count(),
    )


@dataclass(frozen=True)
class FindingDetail:
    finding: Finding
    check: Check
    records: list[dict[str, Any]]
    steps: list[FindingStep]
    files: list[FindingFile]
    may_rectify: bool
    may_review: bool
    may_attach: bool


def finding_detail(officer: Officer, finding: Finding) -> FindingDetail:
    records = [
        {
            **row,
            "link": record_link(row),
            "kind_label": str(KIND_LABELS.get(row["kind"], row["kind"])),
        }
        for row in finding.evidence
    ]
    return FindingDetail(
        finding=finding,
        check=BY_ID[finding.check_id],
        records=records,
        steps=list(finding.steps.select_related("by")),
        files=list(finding.files.select_related("added_by")),
        may_rectify=finding.status == FindingStatus.OPEN and may_rectify(officer, finding),
        may_review=finding.live and may_review(officer, finding),
        may_attach=finding.live and may_rectify(officer, finding),
    )


def to_rectify(officer: Officer) -> QuerySet[Finding]:
    """Open findings the officer's roles own (access.rectify_q) and may read."""
    return Finding.objects.filter(
        rectify_q(officer), findings_q(officer), status=FindingStatus.OPEN
    )


def to_review(officer: Officer) -> QuerySet[Finding]:
    return Finding.objects.filter(scope_q(officer, REVIEWERS), status=FindingStatus.RECTIFIED)


def waiting_count(officer: Officer) -> int:
    """Both lists' length in one query (the navigation shows it on every page), and for a
    supervisor the score reviews waiting for an answer in one more."""
    mine = Q(rectify_q(officer), findings_q(officer), status=FindingStatus.OPEN)
    mine |= Q(scope_q(officer, REVIEWERS), status=FindingStatus.RECTIFIED)
    count = Finding.objects.filter(mine).count()
    if any(g.role in REVIEWERS for g in grants_of(officer)):
        count += reviews_to_answer(officer).count()
    return count


def checks() -> tuple[Check, ...]:
    return CHECKS


def scorecard(officer: Officer, filters: ScorecardFilterInput, now: datetime) -> cards.Card:
    """The quality scorecard of every unit the officer reads it for, for the quarter asked (the
    last published one by default), its bounds in the officer's zone."""
    units = list(units_by_id(scorecard_unit_ids(officer)))  # in the tree's order
    zone = officer.zone
    quarter = (
        cards.Quarter.parse(filters.quarter)
        if filters.quarter
        else cards.latest_published(now, zone)
    )
    return cards.card(units, quarter, zone, now)


def may_ask(officer: Officer, found: cards.Card, now: datetime) -> set[int]:
    """The units of the card whose review the officer may ask for now: they lead it, the
    quarter was published less than three days ago in its zone, and none was asked yet."""
    out = set()
    for row in found.rows:
        published = found.quarter.published_at(row.unit.timezone)
        in_window = published <= now < published + cards.REVIEW_WINDOW
        if in_window and row.review is None and leads(officer, row.unit):
            out.add(row.unit.pk)
    return out


def reviews_to_answer(officer: Officer) -> QuerySet[ScoreReview]:
    """The requests the officer may answer: of their scope as a supervisor, never of a unit
    they lead (access.require_score_answerer)."""
    led = [g.unit_id for g in grants_of(officer) if g.role in SCORE_ASKERS]
    return (
        ScoreReview.objects.filter(scope_q(officer, REVIEWERS), status=ReviewStatus.REQUESTED)
        .exclude(unit_id__in=led)
        .select_related("unit", "requested_by")
        .order_by("answer_due_at", "id")
    )


def file_response(stored: FindingFile, copy: IO[bytes]) -> FileResponse:
    """A copy of an attached file as a download that names its SHA-256."""
    response = FileResponse(
        copy, as_attachment=True, filename=stored.name, content_type="application/octet-stream"
    )
    response["X-Casetrail-SHA256"] = stored.sha256
    return response
