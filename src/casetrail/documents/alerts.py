"""The service sweep: a document not served by its deadline is warned about, then marked missed
and kept on the lists until somebody accounts for it (as custody's deadlines are)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q

from casetrail import clock
from casetrail.documents.models import Document, DocumentStatus
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record


def run_sweep() -> int:
    """Warn about services entering their window and mark the overdue ones; returns how many
    documents it touched. Each in its own transaction, under a row lock, so two sweeps never
    write the same entry twice."""
    now = clock.now()
    touched = 0
    base = Document.objects.filter(
        status=DocumentStatus.ISSUED, served_at__isnull=True, service_due_at__isnull=False
    ).exclude(  # a duty custody's sweep already flags on the measure (the family notice)
        Q(measure__deadlines__rule_id=F("service_rule"))
        | Q(measure__deadlines__requested_id=F("service_rule"))
    )
    for pk in base.filter(service_warned=False, service_warn_at__lte=now).values_list(
        "pk", flat=True
    ):
        touched += _mark(pk, missed=False)
    for pk in base.filter(service_missed_at__isnull=True, service_due_at__lte=now).values_list(
        "pk", flat=True
    ):
        touched += _mark(pk, missed=True)
    return touched


@transaction.atomic
def _mark(pk: int, *, missed: bool) -> int:
    doc = Document.objects.select_for_update().get(pk=pk)
    now = clock.now()
    if doc.served_at is not None or doc.status != DocumentStatus.ISSUED:
        return 0
    if missed:
        if doc.service_missed_at is not None:
            return 0
        doc.service_missed_at = now
        doc.service_warned = True
        kind = LedgerKind.DOCUMENT_SERVICE_MISSED
    else:
        if doc.service_warned:
            return 0
        doc.service_warned = True
        kind = LedgerKind.DOCUMENT_SERVICE_WARNED
    doc.save(update_fields=["service_missed_at", "service_warned"])
    record(
        kind,
        subject=doc,
        actor=None,
        unit_id=doc.unit_id,
        data={"number": doc.number, "due_at": doc.service_due_at, "rule": doc.service_rule},
    )
    return 1
