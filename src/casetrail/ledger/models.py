"""Ledger rows. Append-only: written only by ``casetrail.ledger.record.record``."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LedgerEntry(models.Model):
    seq = models.BigIntegerField(unique=True, help_text="1-based position; no gaps, no duplicates")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=120, help_text="who acted, as shown when recorded")
    action = models.CharField(max_length=64, help_text="a LedgerKind value")
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    unit_id = models.BigIntegerField(null=True, blank=True)
    payload = models.TextField(help_text="canonical JSON of the entry's data")
    leaf_hash = models.BinaryField(max_length=32)
    prev_subject_hash = models.BinaryField(max_length=32, null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"])]
        constraints = [models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledger_seq_1")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id}"
