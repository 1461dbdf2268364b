"""The supervision API: the registry of checks, the findings of the caller's scope, one
finding with its records and steps, and the moves of the loop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import get_language
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from casetrail import clock
from casetrail.org.access import request_officer
from casetrail.supervision import actions, dashboard, inputs, queries
from casetrail.supervision import scorecard as cards
from casetrail.supervision.access import (
    access_finding,
    access_finding_file,
    access_score_review,
)
from casetrail.supervision.models import Finding, FindingFile, ScoreReview
from casetrail.web.inputs import RecordId, body, query
from casetrail.web.pagination import Pages

router = Router(tags=["supervision"])


class CheckOut(Schema):
    id: str
    version: int
    title_en: str
    title_zh: str
    basis: str
    severity: str
    owners: list[str]
    params: dict[str, Any]
    explanation: str
    explanation_zh: str


class FindingRecordOut(Schema):
    kind: str
    id: int
    label: str
    facts: dict[str, Any]
    link: str


class FindingStepOut(Schema):
    kind: str
    text: str
    by: str | None
    at: datetime


class FindingOut(Schema):
    id: int
    check: str
    check_version: int
    key: str
    severity: str
    title_en: str
    title_zh: str
    basis: str
    unit: str
    case: str | None
    opened_at: datetime
    due_at: datetime
    status: str
    escalated_to: str | None
    gap_gone_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_check(finding: Finding) -> str:
        return finding.check_id

    @staticmethod
    def resolve_unit(finding: Finding) -> str:
        return finding.unit.name

    @staticmethod
    def resolve_case(finding: Finding) -> str | None:
        return finding.case.number if finding.case else None

    @staticmethod
    def resolve_escalated_to(finding: Finding) -> str | None:
        return finding.escalated_to.name if finding.escalated_to else None

    @staticmethod
    def resolve_gap_gone_at(finding: Finding) -> datetime | None:
        return finding.gone_at


class FindingFileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    added_by: str
    added_at: datetime

    @staticmethod
    def resolve_added_by(stored: FindingFile) -> str:
        return str(stored.added_by)


class FindingDetailOut(FindingOut):
    records: list[FindingRecordOut]
    params: dict[str, Any]
    steps: list[FindingStepOut]
    files: list[FindingFileOut]

    @staticmethod
    def resolve_files(finding: Finding) -> list[FindingFile]:
        return finding.detail.files  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_records(finding: Finding) -> list[dict[str, Any]]:
        return finding.detail.records  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_steps(finding: Finding) -> list[dict[str, Any]]:
        return [
            {"kind": s.kind, "text": s.text, "by": str(s.by) if s.by else None, "at": s.at}
            for s in finding.detail.steps  # type: ignore[attr-defined]
        ]


def _detail(request: HttpRequest, finding_id: int) -> Finding:
    """The finding as the caller may read it now, with its records and steps."""
    officer = request_officer(request)
    finding = access_finding(officer, finding_id)
    finding.detail = queries.finding_detail(officer, finding)  # type: ignore[attr-defined]
    return finding


@router.get("/supervision/checks", response=list[CheckOut])
def list_checks(request: HttpRequest) -> list[dict[str, Any]]:
    request_officer(request)
    return [
        {
            "id": c.id,
            "version": c.version,
            "title_en": c.title_en,
            "title_zh": c.title_zh,
            "basis": str(c.basis),
            "severity": c.severity,
            "owners": sorted(c.owners),
            "params": c.params(),
            "explanation": c.explain_en,
            "explanation_zh": c.explain_zh,
        }
        for c in queries.checks()
    ]


class ChartSeriesOut(Schema):
    name: str
    key: str
    values: list[float]
    links: list[str]


class ChartOut(Schema):
    id: str
    title: str
    kind: str
    axis: str
    measure: str
    categories: list[str]
    series: list[ChartSeriesOut]


@router.get("/supervision/dashboard", response=list[ChartOut])
def get_dashboard(request: HttpRequest) -> list[dict[str, Any]]:
    officer = request_officer(request)
    language = get_language() or "en"
    return [c.as_json() for c in dashboard.charts(officer, clock.now(), language)]


@router.get("/supervision/findings", response=list[FindingOut])
@paginate(Pages)
@query(inputs.FindingFilterInput)
def list_findings(request: HttpRequest, data: inputs.FindingFilterInput) -> QuerySet[Finding]:
    return queries.finding_list(request_officer(request), data)


@router.get("/supervision/findings/{finding_id}", response=FindingDetailOut)
def get_finding(request: HttpRequest, finding_id: RecordId) -> Finding:
    return _detail(request, finding_id)


@router.post("/supervision/findings/{finding_id}/rectification", response=FindingDetailOut)
@body(inputs.FindingRectifyInput)
def rectify(request: HttpRequest, finding_id: RecordId, data: inputs.FindingRectifyInput) -> Any:
    officer = request_officer(request)
    actions.rectify(access_finding(officer, finding_id), data, actor=officer)
    return _detail(request, finding_id)


@router.post("/supervision/findings/{finding_id}/files", response={201: FindingFileOut})
def attach(request: HttpRequest, finding_id: RecordId, file: File[UploadedFile]) -> Status[Any]:
    """A file that shows what was done (multipart form data: ``file``), by whoever reports
    the rectification, while the finding is in the loop; its SHA-256 goes into the ledger."""
    officer = request_officer(request)
    return Status(
        201, actions.attach_file(access_finding(officer, finding_id), file, actor=officer)
    )


@router.get("/supervision/files/{file_id}")
def download(request: HttpRequest, file_id: RecordId) -> FileResponse:
    """A copy of an attached file, with its SHA-256 in ``X-Casetrail-SHA256``; the copy is
    recorded, and refused if the stored file no longer matches its hash."""
    officer = request_officer(request)
    stored = access_finding_file(officer, file_id)
    return queries.file_response(stored, actions.copy_file(stored, actor=officer))


@router.post("/supervision/findings/{finding_id}/review", response=FindingDetailOut)
@body(inputs.FindingReviewInput)
def review(request: HttpRequest, finding_id: RecordId, data: inputs.FindingReviewInput) -> Any:
    officer = request_officer(request)
    actions.review(access_finding(officer, finding_id), data, actor=officer)
    return _detail(request, finding_id)


@router.post("/supervision/findings/{finding_id}/dismissal", response=FindingDetailOut)
@body(inputs.FindingDismissInput)
def dismiss(request: HttpRequest, finding_id: RecordId, data: inputs.FindingDismissInput) -> Any:
    officer = request_officer(request)
    actions.dismiss(access_finding(officer, finding_id), data, actor=officer)
    return _detail(request, finding_id)


# --- the quarterly scorecard ---------------------------------------------------------------


class ScoreReviewOut(Schema):
    id: int
    unit_id: int
    unit: str
    quarter: str
    reasons: str
    requested_by: str
    requested_at: datetime
    answer_due_at: datetime
    status: str
    answer: str
    answered_by: str | None
    answered_at: datetime | None

    @staticmethod
    def resolve_unit(review: ScoreReview) -> str:
        return review.unit.name

    @staticmethod
    def resolve_requested_by(review: ScoreReview) -> str:
        return str(review.requested_by)

    @staticmethod
    def resolve_answered_by(review: ScoreReview) -> str | None:
        return str(review.answered_by) if review.answered_by else None


class ScoreCellOut(Schema):
    indicator: str
    title: str
    weight: int
    numerator: int
    denominator: int
    percent: float | None


class ScoreRowOut(Schema):
    unit_id: int
    unit: str
    findings: int
    score: float | None
    weight_counted: int
    cells: list[ScoreCellOut]
    review: ScoreReviewOut | None


class ScorecardOut(Schema):
    quarter: str
    zone: str
    start: datetime
    end: datetime
    published: bool
    review_until: datetime
    weights: dict[str, int]
    rows: list[ScoreRowOut]


def _card(found: cards.Card) -> dict[str, Any]:
    def cell(c: cards.Cell) -> dict[str, Any]:
        return {
            "indicator": c.indicator.id,
            "title": str(c.indicator.title),
            "weight": c.weight,
            "numerator": c.numerator,
            "denominator": c.denominator,
            "percent": c.rounded,
        }

    return {
        "quarter": str(found.quarter),
        "zone": found.zone,
        "start": found.start,
        "end": found.end,
        "published": found.published,
        "review_until": found.review_until,
        "weights": cards.weights(),
        "rows": [
            {
                "unit_id": row.unit.pk,
                "unit": row.unit.name,
                "findings": row.findings,
                "score": row.rounded,
                "weight_counted": row.weight_counted,
                "cells": [cell(c) for c in row.cells],
                "review": row.review,
            }
            for row in found.rows
        ],
    }


@router.get("/supervision/scorecard", response=ScorecardOut)
@query(inputs.ScorecardFilterInput)
def get_scorecard(request: HttpRequest, data: inputs.ScorecardFilterInput) -> dict[str, Any]:
    return _card(queries.scorecard(request_officer(request), data, clock.now()))


@router.post("/supervision/scorecard/reviews", response=ScoreReviewOut)
@body(inputs.ScoreReviewRequestInput)
def ask_review(request: HttpRequest, data: inputs.ScoreReviewRequestInput) -> ScoreReview:
    return actions.request_score_review(data, actor=request_officer(request))


@router.post("/supervision/scorecard/reviews/{review_id}/answer", response=ScoreReviewOut)
@body(inputs.ScoreReviewAnswerInput)
def answer_review(
    request: HttpRequest, review_id: RecordId, data: inputs.ScoreReviewAnswerInput
) -> ScoreReview:
    officer = request_officer(request)
    return actions.answer_score_review(access_score_review(officer, review_id), data, actor=officer)
