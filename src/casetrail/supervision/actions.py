"""Every write of supervision: a finding opened by the sweep, its gap seen gone, a
rectification reported, accepted or rejected, a finding dismissed, a finding past its deadline
escalated to the unit above. Each is one transaction with its ledger entry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, override

from casetrail import clock
from casetrail.errors import Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer
from casetrail.supervision import scorecard, tally
from casetrail.supervision.access import (
    require_rectifier,
    require_reviewer,
    require_score_answerer,
    require_score_asker,
)
from casetrail.supervision.checks import Check, Instance
from casetrail.supervision.inputs import (
    FindingDismissInput,
    FindingRectifyInput,
    FindingReviewInput,
    ScoreReviewAnswerInput,
    ScoreReviewRequestInput,
)
from casetrail.supervision.models import (
    LIVE,
    Finding,
    FindingFile,
    FindingStatus,
    FindingStep,
    ReviewStatus,
    ScoreReview,
    Severity,
    StepKind,
)
from casetrail.web.uploads import hash_upload, hashed_copy

# The days a unit has to rectify, by severity: the agency's own rule, overridden per
# installation by settings.CASETRAIL_SUPERVISION_RECTIFY_DAYS.
RECTIFY_DAYS = {Severity.RED: 1, Severity.ORANGE: 3, Severity.YELLOW: 7}


class SupervisionError(Refused):
    """A move the loop does not allow, naming the field to correct."""


def rectify_period(severity: str) -> timedelta:
    days = {**RECTIFY_DAYS, **getattr(settings, "CASETRAIL_SUPERVISION_RECTIFY_DAYS", {})}
    return timedelta(days=days[severity])


def _lock(finding: Finding) -> Finding:
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("unit", "escalated_to", "case")
        .get(pk=finding.pk)
    )


def _step(finding: Finding, kind: str, text: str, by: Officer | None, at: datetime) -> None:
    FindingStep.objects.create(finding=finding, kind=kind, text=text, by=by, at=at)


@transaction.atomic
def open_finding(check: Check, instance: Instance, params: dict[str, Any]) -> Finding:
    """One instance of a check becomes a finding of its unit, due for rectification by the
    period its severity allows. A second sweeper opening the same instance at the same time
    fails on the one-live-finding constraint, and its transaction rolls back."""
    now = clock.now()
    records = [r.as_json() for r in instance.records]
    # Kept (and recorded in the ledger) in the catalogue's language, English, whoever's request
    # or sweep opens it; the pages translate it for their reader.
    with override("en"):
        basis = str(instance.basis or check.basis)[:400]
    finding = Finding.objects.create(
        check_id=check.id,
        check_version=check.version,
        key=instance.key,
        severity=check.severity,
        title_en=check.title_en,
        title_zh=check.title_zh,
        basis=basis,
        unit_id=instance.unit_id,
        case_id=instance.case_id,
        evidence=records,
        params=params,
        opened_at=now,
        due_at=now + rectify_period(check.severity),
    )
    tally.opened(finding)
    record(
        LedgerKind.FINDING_OPENED,
        subject=finding,
        actor=None,
        unit_id=finding.unit_id,
        data={
            "check": check.id,
            "version": check.version,
            "key": instance.key,
            "severity": check.severity,
            "basis": finding.basis,
            "records": records,
            "params": params,
            "due_at": finding.due_at,
            "by": "sweep",
        },
    )
    return finding


@transaction.atomic
def mark_gone(finding_id: int) -> bool:
    """The sweep no longer finds the gap: said on the finding (once), which stays in the loop
    until a supervisor closes it."""
    row = Finding.objects.select_for_update(of=("self",)).get(pk=finding_id)
    if row.gone_at is not None or row.status not in LIVE:
        return False
    row.gone_at = clock.now()
    row.save(update_fields=["gone_at"])
    record(
        LedgerKind.FINDING_GAP_GONE,
        subject=row,
        actor=None,
        unit_id=row.unit_id,
        data={"key": row.key, "by": "sweep"},
    )
    return True


@transaction.atomic
def rectify(finding: Finding, data: FindingRectifyInput, *, actor: Officer) -> Finding:
    row = _lock(finding)
    require_rectifier(actor, row)
    if row.status != FindingStatus.OPEN:
        raise SupervisionError(
            gettext("only an open finding takes a rectification; this one is %(status)s")
            % {"status": row.get_status_display()},
            field="text",
        )
    now = clock.now()
    row.status = FindingStatus.RECTIFIED
    row.save(update_fields=["status"])
    _step(row, StepKind.RECTIFIED, data.text, actor, now)
    record(
        LedgerKind.FINDING_RECTIFIED,
        subject=row,
        actor=actor,
        unit_id=row.unit_id,
        data={"text": data.text},
    )
    return row


def _rectified_by(finding: Finding) -> int | None:
    last = finding.steps.filter(kind=StepKind.RECTIFIED).order_by("-at", "-id").first()
    return last.by_id if last is not None else None


ATTACHMENT_LIMIT = 20 * 1024 * 1024  # a scanned record or a photo, 20 MiB


@transaction.atomic
def attach_file(finding: Finding, upload: UploadedFile[Any], *, actor: Officer) -> FindingFile:
    """A file that shows what the unit did, attached by whoever reports the rectification,
    while the finding is in the loop; its SHA-256 goes into the ledger."""
    row = _lock(finding)
    require_rectifier(actor, row)
    if row.status not in LIVE:
        raise SupervisionError(
            gettext("this finding is closed (%(status)s)") % {"status": row.get_status_display()},
            field="file",
        )
    if not upload.size:
        raise SupervisionError(gettext("the file is empty"), field="file")
    if upload.size > ATTACHMENT_LIMIT:
        raise SupervisionError(
            gettext("the file is larger than %(size)d MiB")
            % {"size": ATTACHMENT_LIMIT // (1024 * 1024)},
            field="file",
        )
    sha256, size = hash_upload(upload)
    name = (upload.name or "file")[-200:]
    stored = FindingFile.objects.create(
        finding=row, name=name, size=size, sha256=sha256, added_by=actor, added_at=clock.now()
    )
    record(
        LedgerKind.FINDING_FILE_ADDED,
        subject=row,
        actor=actor,
        unit_id=row.unit_id,
        data={"file": stored.pk, "name": name, "size": size, "sha256": sha256},
    )
    # Stored last: a refusal or a failed entry above leaves no file behind in the storage.
    stored.file.save(f"finding-{row.pk}-{sha256[:12]}", upload, save=True)
    return stored


def copy_file(stored: FindingFile, *, actor: Officer) -> IO[bytes]:
    """A copy of an attached file for whoever reads the finding, hashed as it is read: a
    mismatch with the recorded SHA-256 is recorded and refused; a copy handed out is recorded."""
    copy, found = hashed_copy(stored.file, stored.size)
    finding = stored.finding
    data = {"file": stored.pk, "name": stored.name, "sha256": stored.sha256}
    if found != stored.sha256:
        copy.close()
        with transaction.atomic():
            data["found"] = found
            record(
                LedgerKind.FINDING_FILE_MISMATCH,
                subject=finding,
                actor=actor,
                unit_id=finding.unit_id,
                data=data,
            )
        raise SupervisionError(
            gettext(
                "the stored file no longer matches its recorded SHA-256 %(sha256)s…: no copy is "
                "handed out"
            )
            % {"sha256": stored.sha256[:16]},
            field="file",
        )
    with transaction.atomic():
        record(
            LedgerKind.FINDING_FILE_COPIED,
            subject=finding,
            actor=actor,
            unit_id=finding.unit_id,
            data=data,
        )
    return copy


@transaction.atomic
def review(finding: Finding, data: FindingReviewInput, *, actor: Officer) -> Finding:
    """A supervisor accepts the rectification (the finding closes) or rejects it with reasons
    (the finding goes back to its unit with a new deadline). Nobody reviews their own."""
    row = _lock(finding)
    require_reviewer(actor, row, doing=gettext("reviewing a rectification"))
    if row.status != FindingStatus.RECTIFIED:
        raise SupervisionError(
            gettext("only a rectified finding is reviewed; this one is %(status)s")
            % {"status": row.get_status_display()},
            field="decision",
        )
    if _rectified_by(row) == actor.pk:
        raise SupervisionError(
            gettext("the officer who reported the rectification cannot review it"),
            field="decision",
        )
    now = clock.now()
    if data.decision == "reject":
        if not data.reasons:
            raise SupervisionError(gettext("a rejection says why"), field="reasons")
        row.status = FindingStatus.OPEN
        row.due_at = now + rectify_period(row.severity)
        row.save(update_fields=["status", "due_at"])
        kind, step = LedgerKind.FINDING_REJECTED, StepKind.REJECTED
    else:
        row.status, row.closed_at, row.closed_by = FindingStatus.ACCEPTED, now, actor
        row.save(update_fields=["status", "closed_at", "closed_by"])
        tally.closed(row)
        kind, step = LedgerKind.FINDING_ACCEPTED, StepKind.ACCEPTED
    _step(row, step, data.reasons, actor, now)
    record(
        kind,
        subject=row,
        actor=actor,
        unit_id=row.unit_id,
        data={"reasons": data.reasons, "due_at": row.due_at, "gap_gone": row.gone_at is not None},
    )
    return row


@transaction.atomic
def dismiss(finding: Finding, data: FindingDismissInput, *, actor: Officer) -> Finding:
    """Only a supervisor dismisses a finding, with reasons; the same instance is not opened
    again by the same version of its check."""
    row = _lock(finding)
    require_reviewer(actor, row, doing=gettext("dismissing a finding"))
    if row.status not in LIVE:
        raise SupervisionError(
            gettext("this finding is already closed (%(status)s)")
            % {"status": row.get_status_display()},
            field="reasons",
        )
    now = clock.now()
    row.status, row.closed_at, row.closed_by = FindingStatus.DISMISSED, now, actor
    row.save(update_fields=["status", "closed_at", "closed_by"])
    tally.closed(row)
    _step(row, StepKind.DISMISSED, data.reasons, actor, now)
    record(
        LedgerKind.FINDING_DISMISSED,
        subject=row,
        actor=actor,
        unit_id=row.unit_id,
        data={"reasons": data.reasons},
    )
    return row


@transaction.atomic
def escalate(finding_id: int) -> bool:
    """An open finding past its deadline goes to the unit above the one now answering for it,
    with a new deadline; at the top of the tree it stays overdue where it is."""
    now = clock.now()
    row = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("unit", "escalated_to")
        .get(pk=finding_id)
    )
    if row.status != FindingStatus.OPEN or row.due_at > now:
        return False
    answering = row.escalated_to or row.unit
    if answering.parent_id is None:
        return False
    row.escalated_to_id = answering.parent_id
    row.escalations += 1
    row.due_at = now + rectify_period(row.severity)
    row.save(update_fields=["escalated_to", "escalations", "due_at"])
    # Written by the sweep, in the installation's language (no officer asked for it).
    text = gettext("overdue at %(unit)s; now answered for by the unit above") % {
        "unit": answering.name
    }
    _step(row, StepKind.ESCALATED, text, None, now)
    record(
        LedgerKind.FINDING_ESCALATED,
        subject=row,
        actor=None,
        unit_id=row.unit_id,
        data={"from": answering.pk, "to": answering.parent_id, "due_at": row.due_at, "by": "sweep"},
    )
    return True


@transaction.atomic
def request_score_review(data: ScoreReviewRequestInput, *, actor: Officer) -> ScoreReview:
    """A unit's leader asks for a review of its published quarterly score, within three days of
    its publication, once; a supervisor answers within three days."""
    unit = require_score_asker(actor, data.unit_id)
    quarter = scorecard.Quarter.parse(data.quarter)
    now = clock.now()
    published = quarter.published_at(unit.timezone)
    if now < published:
        raise SupervisionError(
            gettext(
                "the score of %(quarter)s is published when the quarter ends, %(time)s (%(zone)s)"
            )
            % {"quarter": quarter, "time": f"{published:%Y-%m-%d %H:%M}", "zone": unit.timezone},
            field="quarter",
        )
    closes = published + scorecard.REVIEW_WINDOW
    if now >= closes:
        raise SupervisionError(
            gettext(
                "a review of the score of %(quarter)s is asked for within three days of its "
                "publication, by %(time)s (%(zone)s)"
            )
            % {"quarter": quarter, "time": f"{closes:%Y-%m-%d %H:%M}", "zone": unit.timezone},
            field="quarter",
        )
    twice = SupervisionError(
        gettext("%(unit)s has already asked for a review of its score of %(quarter)s")
        % {"unit": unit.name, "quarter": quarter},
        field="quarter",
    )
    if ScoreReview.objects.filter(unit=unit, quarter=str(quarter)).exists():
        raise twice
    row = scorecard.card([unit], quarter, unit.timezone, now).rows[0]
    try:
        with transaction.atomic():  # two requests at once: the second meets the constraint
            review = ScoreReview.objects.create(
                unit=unit,
                quarter=str(quarter),
                reasons=data.reasons,
                requested_by=actor,
                requested_at=now,
                answer_due_at=now + scorecard.REVIEW_WINDOW,
            )
    except IntegrityError as exc:
        raise twice from exc
    record(
        LedgerKind.SCORE_REVIEW_REQUESTED,
        subject=review,
        actor=actor,
        unit_id=unit.pk,
        data={
            "quarter": str(quarter),
            "reasons": data.reasons,
            "score": row.score_text,
            "indicators": {c.indicator.id: f"{c.numerator}/{c.denominator}" for c in row.cells},
            "answer_due_at": review.answer_due_at,
        },
    )
    return review


@transaction.atomic
def answer_score_review(
    review: ScoreReview, data: ScoreReviewAnswerInput, *, actor: Officer
) -> ScoreReview:
    """A supervisor over the unit answers, with reasons: the score stands, or the findings
    behind it were corrected (dismissed or reopened through the loop, each its own entry)."""
    row = (
        ScoreReview.objects.select_for_update(of=("self",)).select_related("unit").get(pk=review.pk)
    )
    require_score_answerer(actor, row)
    if row.status != ReviewStatus.REQUESTED:
        raise SupervisionError(
            gettext("this review is already answered (%(status)s)")
            % {"status": row.get_status_display()},
            field="decision",
        )
    if row.requested_by_id == actor.pk:
        raise SupervisionError(
            gettext("the officer who asked for the review cannot answer it"), field="decision"
        )
    now = clock.now()
    row.status, row.answer, row.answered_by, row.answered_at = (
        data.decision,
        data.answer,
        actor,
        now,
    )
    row.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    record(
        LedgerKind.SCORE_REVIEW_ANSWERED,
        subject=row,
        actor=actor,
        unit_id=row.unit_id,
        data={"decision": data.decision, "answer": data.answer, "late": now > row.answer_due_at},
    )
    return row
