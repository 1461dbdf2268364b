"""The daily state pass: `casetrail.ledger.state.reconcile` as a background job.

Registered by LedgerConfig.ready(). It runs once every ``CASETRAIL_LEDGER_STATE_EVERY_SECONDS``
(default a day); whether it is due is read from the ledger itself (the last
``ledger.state_reconciled`` entry), so a restart or a second worker does not run it again
early. Each pass appends that entry, with its counts, and logs every finding as an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import transaction

from casetrail import clock
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.record import record
from casetrail.ledger.state import StateReport, reconcile

log = logging.getLogger("casetrail.ledger")


@dataclass
class StatePass:
    """The subject of the passes' entries: one chain of them."""

    LEDGER_SUBJECT: ClassVar[str] = "ledger_state"
    pk: int = 1


def interval_seconds() -> float:
    return float(getattr(settings, "CASETRAIL_LEDGER_STATE_EVERY_SECONDS", 86400))


def reconcile_if_due() -> StateReport | None:
    every = timedelta(seconds=interval_seconds())
    last = (
        LedgerEntry.objects.filter(action=LedgerKind.STATE_RECONCILED)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    if last is not None and last > clock.now() - every:
        return None
    return run_pass()


def run_pass() -> StateReport:
    """Reconcile every registered kind, log what disagrees and record the pass."""
    report = reconcile()
    for finding in report.findings:
        log.error("ledger state: %s", finding)
    if report.ok:
        log.info("ledger state: %s rows match their last entries", report.rows)
    with transaction.atomic():
        record(
            LedgerKind.STATE_RECONCILED,
            subject=StatePass(),
            actor=None,
            data={
                "rows": report.rows,
                "findings": len(report.findings),
                "undigested": report.undigested,
                "first": report.findings[0].message if report.findings else None,
            },
        )
    return report
