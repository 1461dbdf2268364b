"""One approval engine: a chain of roles, each step's decision and opinion, the step that waits.

An approval belongs to a subject of another app (a document today; measures, extensions and
incident decisions name their approver in their own rows and join the same "awaiting my
approval" list through ``approvals.inbox``). The subject's action records the ledger entry of
each decision, in the same transaction as the rows written here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casetrail.org.models import Officer, Unit


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned to the drafter")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Verdict(models.TextChoices):
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned with reasons")


class Approval(models.Model):
    subject_type = models.CharField(max_length=32)
    subject_id = models.PositiveBigIntegerField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    case_number = models.CharField(max_length=40, blank=True)
    chain = models.JSONField(help_text="the roles that approve, in order")
    round = models.PositiveSmallIntegerField(default=1, help_text="1, then 2 after a return")
    position = models.PositiveSmallIntegerField(default=0, help_text="the step that waits")
    current_role = models.CharField(max_length=32, blank=True)
    status = models.CharField(
        max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    drafter = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    follows = models.CharField(
        max_length=48,
        blank=True,
        help_text="the subject whose decision decides this chain (measure:12): it is decided "
        "there, and listed there",
    )
    opened_at = models.DateTimeField()
    step_since = models.DateTimeField(help_text="when the waiting step began")
    due_at = models.DateTimeField(null=True, blank=True, help_text="the waiting step's deadline")
    due_rule = models.CharField(max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["step_since", "id"]
        indexes = [
            models.Index(
                fields=["current_role", "unit"],
                condition=Q(status="pending"),
                name="approval_waiting",
            ),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.status}"


class ApprovalStep(models.Model):
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="steps")
    round = models.PositiveSmallIntegerField(default=1, help_text="1, then 2 after a return")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=32)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    opinion = models.TextField(_("Opinion"), max_length=2000, blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.role} {self.verdict}"
