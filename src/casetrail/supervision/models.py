"""Findings: one instance of a check (supervision/checks.py), owned by a unit, kept until a
supervisor accepts its rectification or dismisses it with reasons; and the steps of that loop."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casetrail.cases.models import Case
from casetrail.org.models import Officer, Unit


class Severity(models.TextChoices):
    # As Chinese supervision platforms grade (红/橙/黄): red for a person's liberty or a missed
    # statutory limit, orange for a procedural gap, yellow for what needs a look.
    RED = "red", _("red")
    ORANGE = "orange", _("orange")
    YELLOW = "yellow", _("yellow")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("open: awaiting rectification")
    RECTIFIED = "rectified", _("rectified: awaiting the supervisor")
    ACCEPTED = "accepted", _("closed: rectification accepted")
    DISMISSED = "dismissed", _("closed: dismissed by a supervisor")


# A finding still in the loop; one per instance of a check at a time.
LIVE = (FindingStatus.OPEN, FindingStatus.RECTIFIED)


class Finding(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "finding"

    check_id = models.CharField(max_length=64)
    check_version = models.PositiveIntegerField()
    key = models.CharField(max_length=120, help_text="the instance: what triggered the check")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    title_en = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200)
    basis = models.CharField(max_length=400, help_text="the article or the agency's own rule")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="findings")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    evidence = models.JSONField(help_text="the records that triggered it, with their facts")
    params = models.JSONField(default=dict, blank=True, help_text="the check's settings then")
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="rectification due by")
    status = models.CharField(
        max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    escalated_to = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalations = models.PositiveSmallIntegerField(default=0)
    gone_at = models.DateTimeField(
        null=True, blank=True, help_text="the first sweep that no longer found it"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # Two sweepers that find the same instance at once open one finding: the second
            # insert fails and its transaction rolls back.
            models.UniqueConstraint(
                fields=["check_id", "key"],
                condition=Q(status__in=["open", "rectified"]),
                name="supervision_one_live_finding",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="supervision_finding_due"),
            models.Index(fields=["unit", "status"], name="supervision_finding_unit"),
            models.Index(fields=["check_id", "key"], name="supervision_finding_key"),
        ]

    def __str__(self) -> str:
        return f"finding {self.pk} ({self.check_id})"

    def title(self, language: str) -> str:
        return self.title_zh if language.startswith("zh") else self.title_en

    @property
    def live(self) -> bool:
        return self.status in LIVE


class LiveTally(models.Model):
    """The live findings of a unit and severity: what the dashboard's first chart reads instead
    of counting the findings (supervision/tally.py keeps it, in the transaction of each action
    that opens or closes a finding). Derived, not audited: `casetrail supervision recount`
    rebuilds it from the findings."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    live = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "severity"], name="supervision_live_tally")
        ]

    def __str__(self) -> str:
        return f"{self.live} live {self.severity} at unit {self.unit_id}"


class OpenedTally(models.Model):
    """The findings of a unit and severity opened on a day of the unit's own calendar: what
    the weekly trend reads. Kept and rebuilt as LiveTally."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    day = models.DateField()
    opened = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "severity", "day"], name="supervision_opened_tally"
            )
        ]
        indexes = [models.Index(fields=["day"], name="supervision_opened_day")]

    def __str__(self) -> str:
        return f"{self.opened} {self.severity} opened at unit {self.unit_id} on {self.day}"


class StepKind(models.TextChoices):
    RECTIFIED = "rectified", _("rectification reported")
    ACCEPTED = "accepted", _("rectification accepted")
    REJECTED = "rejected", _("rectification rejected")
    DISMISSED = "dismissed", _("dismissed")
    ESCALATED = "escalated", _("escalated to the unit above")


class FindingStep(models.Model):
    """One move of the loop, as the ledger entry beside it says it."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    text = models.TextField(blank=True)
    by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["at"], name="supervision_step_at")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.finding_id}"


class FindingFile(models.Model):
    """A file the unit attaches to show its rectification (a record, a photo, a scan), stored
    through Django's storage API with its SHA-256 in the ledger."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to="supervision/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.name


class ReviewStatus(models.TextChoices):
    REQUESTED = "requested", _("asked for, awaiting the answer")
    UPHELD = "upheld", _("answered: the score stands")
    CORRECTED = "corrected", _("answered: findings behind the score corrected")


class ScoreReview(models.Model):
    """A unit's request for a review of its quarterly score, and the supervisor's answer."""

    LEDGER_SUBJECT: ClassVar[str] = "score_review"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="score_reviews")
    quarter = models.CharField(max_length=6, help_text="as 2026Q3")
    reasons = models.TextField(max_length=4000)
    requested_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    answer_due_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.REQUESTED
    )
    answer = models.TextField(max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One request per unit and quarter: a second is refused, not queued.
            models.UniqueConstraint(
                fields=["unit", "quarter"], name="supervision_one_score_review"
            ),
        ]

    def __str__(self) -> str:
        return f"score review {self.pk} ({self.quarter})"
