"""The property sweep, as custody's: a limit entering its warning window, a limit missed, and a
borrowed item not back on time, each recorded once and kept visible until accounted for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from casetrail import clock
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer
from casetrail.property.access import require_case_side
from casetrail.property.errors import PropertyError
from casetrail.property.inputs import LimitAccountInput
from casetrail.property.models import (
    Borrow,
    BorrowStatus,
    DeadlineStatus,
    ItemDeadline,
)

BATCH = 500


@dataclass(frozen=True)
class SweepReport:
    warned: int
    missed: int
    overdue: int


def _ids_to_warn(now: datetime) -> list[int]:
    rows = ItemDeadline.objects.filter(
        status=DeadlineStatus.OPEN, warning_sent=False, warn_at__lte=now, due_at__gt=now
    )
    return list(rows.order_by("warn_at").values_list("pk", flat=True)[:BATCH])


def _ids_missed(now: datetime) -> list[int]:
    rows = ItemDeadline.objects.filter(status=DeadlineStatus.OPEN, due_at__lte=now)
    return list(rows.order_by("due_at").values_list("pk", flat=True)[:BATCH])


def _ids_overdue(now: datetime) -> list[int]:
    rows = Borrow.objects.filter(
        status=BorrowStatus.OUT, overdue_at__isnull=True, due_back_at__lte=now
    )
    return list(rows.order_by("due_back_at").values_list("pk", flat=True)[:BATCH])


@transaction.atomic
def _warn(pk: int, now: datetime) -> bool:
    row = ItemDeadline.objects.select_for_update(of=("self",)).select_related("item").get(pk=pk)
    if row.status != DeadlineStatus.OPEN or row.warning_sent:
        return False
    row.warning_sent = True
    row.save(update_fields=["warning_sent"])
    record(
        LedgerKind.PROPERTY_DEADLINE_WARNED,
        subject=row.item,
        actor=None,
        unit_id=row.unit_id,
        data={"rule": row.rule_id, "due_at": row.due_at, "by": "sweep"},
    )
    return True


@transaction.atomic
def _miss(pk: int, now: datetime) -> bool:
    row = ItemDeadline.objects.select_for_update(of=("self",)).select_related("item").get(pk=pk)
    if row.status != DeadlineStatus.OPEN or row.due_at > now:
        return False
    row.status, row.status_at, row.missed_at = DeadlineStatus.MISSED, now, now
    row.save(update_fields=["status", "status_at", "missed_at"])
    record(
        LedgerKind.PROPERTY_DEADLINE_MISSED,
        subject=row.item,
        actor=None,
        unit_id=row.unit_id,
        data={"rule": row.rule_id, "due_at": row.due_at, "citation": row.citation, "by": "sweep"},
    )
    return True


@transaction.atomic
def _overdue(pk: int, now: datetime) -> bool:
    borrow = Borrow.objects.select_for_update(of=("self",)).select_related("item").get(pk=pk)
    if borrow.status != BorrowStatus.OUT or borrow.overdue_at is not None:
        return False
    borrow.overdue_at = now
    borrow.save(update_fields=["overdue_at"])
    record(
        LedgerKind.PROPERTY_BORROW_OVERDUE,
        subject=borrow.item,
        actor=None,
        unit_id=borrow.item.unit_id,
        data={
            "borrow": borrow.pk,
            "borrower": borrow.borrower_id,
            "due_back_at": borrow.due_back_at,
            "by": "sweep",
        },
    )
    return True


def sweep() -> SweepReport:
    now = clock.now()
    warned = sum(_warn(pk, now) for pk in _ids_to_warn(now))
    missed = sum(_miss(pk, now) for pk in _ids_missed(now))
    overdue = sum(_overdue(pk, now) for pk in _ids_overdue(now))
    return SweepReport(warned, missed, overdue)


def run_sweep() -> SweepReport:
    return sweep()


@transaction.atomic
def account_for_deadline(
    deadline: ItemDeadline, data: LimitAccountInput, *, actor: Officer
) -> ItemDeadline:
    row = (
        ItemDeadline.objects.select_for_update(of=("self",))
        .select_related("item", "item__case")
        .get(pk=deadline.pk)
    )
    require_case_side(actor, row.item)
    if row.status != DeadlineStatus.MISSED:
        raise PropertyError(gettext("only a missed limit is accounted for"), field="account")
    if row.accounted_at is not None:
        raise PropertyError(gettext("this limit was already accounted for"), field="account")
    row.account, row.accounted_at, row.accounted_by = data.account, clock.now(), actor
    row.save(update_fields=["account", "accounted_at", "accounted_by"])
    record(
        LedgerKind.PROPERTY_DEADLINE_ACCOUNTED,
        subject=row.item,
        actor=actor,
        unit_id=row.unit_id,
        data={"rule": row.rule_id, "account": data.account},
    )
    return row
