"""The property room: its locations, borrowing an item out with approval and a due-back time,
and the stock-take that scans a location and records every difference."""

from __future__ import annotations

import hashlib
import random

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from casetrail import clock
from casetrail.approvals import actions as engine
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role
from casetrail.property import sampling
from casetrail.property.access import require_case_side, require_custodian, require_room_keeper
from casetrail.property.actions._common import decide_step, lock_item, require_held
from casetrail.property.errors import PropertyError
from casetrail.property.inputs import BorrowInput, LocationInput, PropertyDecisionInput, ScanInput
from casetrail.property.models import (
    BORROW_UNDER_WAY,
    HIGH_RISK,
    Borrow,
    BorrowStatus,
    Difference,
    DifferenceKind,
    HolderKind,
    Item,
    ItemStatus,
    Location,
    StockTake,
)

BORROW_CHAIN = (Role.UNIT_LEADER,)
BORROW_SUBJECT = "property_borrow"
LONGEST_BORROW_DAYS = 90
SCAN_LIMIT = 20_000


@transaction.atomic
def add_location(unit: Unit, data: LocationInput, *, actor: Officer) -> Location:
    require_room_keeper(actor, unit, doing=gettext("adding a property room location"))
    try:
        with transaction.atomic():
            location = Location.objects.create(
                unit=unit,
                code=data.code.upper(),
                store=data.store,
                room=data.room,
                shelf=data.shelf,
            )
    except IntegrityError as exc:
        raise PropertyError(
            gettext("location code %(code)s is in use") % {"code": data.code.upper()}, field="code"
        ) from exc
    record(
        LedgerKind.PROPERTY_LOCATION_ADDED,
        subject=unit,
        actor=actor,
        unit_id=unit.pk,
        data={
            "location": location.code,
            "store": location.store,
            "room": location.room,
            "shelf": location.shelf,
        },
    )
    return location


@transaction.atomic
def request_borrow(item: Item, data: BorrowInput, *, actor: Officer) -> Borrow:
    """The handler asks to take an item out of the room; the unit leader decides, and the
    custodian then hands it over. Due back at the time asked (the sweep escalates a late one)."""
    item = lock_item(item)
    require_case_side(actor, item)
    require_held(item)
    if item.holder_kind != HolderKind.ROOM:
        raise PropertyError(
            gettext("%(code)s is not in the property room") % {"code": item.code}, field="purpose"
        )
    now = clock.now()
    if data.due_back_at <= now:
        raise PropertyError(
            gettext("the time it is due back is not in the future"), field="due_back_at"
        )
    if (data.due_back_at - now).days >= LONGEST_BORROW_DAYS:
        raise PropertyError(
            gettext("an item is borrowed for less than %(days)d days")
            % {"days": LONGEST_BORROW_DAYS},
            field="due_back_at",
        )
    waiting = Borrow.objects.filter(item=item, status__in=BORROW_UNDER_WAY)
    if waiting.exists():
        raise PropertyError(
            gettext("%(code)s already has a borrowing under way") % {"code": item.code},
            field="purpose",
        )
    approval = engine.open_approval(
        subject_type=BORROW_SUBJECT,
        subject_id=0,
        unit=item.unit,
        title=f"{item.code} {item.description}"[:200],
        case_number=item.case.number,
        chain=BORROW_CHAIN,
        actor=actor,
    )
    borrow = Borrow.objects.create(
        item=item,
        borrower=actor,
        purpose=data.purpose,
        due_back_at=data.due_back_at,
        approval=approval,
        requested_at=now,
    )
    approval.subject_id = borrow.pk
    approval.save(update_fields=["subject_id"])
    record(
        LedgerKind.PROPERTY_BORROW_REQUESTED,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={"borrow": borrow.pk, "purpose": data.purpose, "due_back_at": data.due_back_at},
    )
    return borrow


@transaction.atomic
def decide_borrow(borrow: Borrow, data: PropertyDecisionInput, *, actor: Officer) -> Borrow:
    borrow = Borrow.objects.select_for_update(of=("self",)).select_related("item").get(pk=borrow.pk)
    outcomes = (BorrowStatus.REQUESTED, BorrowStatus.APPROVED, BorrowStatus.REFUSED)
    decide_step(
        borrow,
        data,
        actor,
        outcomes=outcomes,
        kind=LedgerKind.PROPERTY_BORROW_DECIDED,
        key="borrow",
    )
    return borrow


def _codes(text: str) -> list[str]:
    codes = [line.strip().upper() for line in text.replace("\r", "\n").split("\n")]
    codes = list(dict.fromkeys(c for c in codes if c))
    if len(codes) > SCAN_LIMIT:
        raise PropertyError(
            gettext("at most %(limit)d codes in one stock-take") % {"limit": SCAN_LIMIT},
            field="codes",
        )
    for number, code in enumerate(codes, start=1):
        if len(code) > 64:
            raise PropertyError(
                gettext("line %(line)d: a code is at most 64 characters") % {"line": number},
                field="codes",
            )
    return codes


@transaction.atomic
def start_stocktake(location: Location, *, actor: Officer) -> StockTake:
    """Which items of the location the custodian counts: every high-risk item, and a random
    sample of the rest sized by `sampling` (stated on the report)."""
    require_custodian(actor, location.unit, doing=gettext("a stock-take"))
    rows = list(
        Item.objects.filter(
            location=location, holder_kind=HolderKind.ROOM, status=ItemStatus.HELD
        ).values_list("code", "kind")
    )
    high = sorted(code for code, kind in rows if kind in HIGH_RISK)
    others = sorted(code for code, kind in rows if kind not in HIGH_RISK)
    size = sampling.sample_size(len(others)) if others else 0
    drawn = sorted(random.SystemRandom().sample(others, size))
    stocktake = StockTake.objects.create(
        unit=location.unit,
        location=location,
        started_by=actor,
        started_at=clock.now(),
        population=len(rows),
        full_count=len(high),
        sampled=size,
        others=len(others),
        confidence=sampling.detection(len(others), size, sampling.DEFAULT_RATE) if others else 1.0,
        tolerable_rate=sampling.DEFAULT_RATE,
        to_count=high + drawn,
    )
    record(
        LedgerKind.STOCKTAKE_STARTED,
        subject=stocktake,
        actor=actor,
        unit_id=location.unit_id,
        data={
            "location": location.code,
            "population": len(rows),
            "high_risk": len(high),
            "sampled": size,
            "others": len(others),
        },
    )
    return stocktake


@transaction.atomic
def reconcile(stocktake: StockTake, data: ScanInput, *, actor: Officer) -> StockTake:
    """The codes scanned at the location against what should be there: each item to count that
    was not scanned is missing, each code scanned that does not belong there is unexpected."""
    stocktake = (
        StockTake.objects.select_for_update(of=("self",))
        .select_related("location", "location__unit")
        .get(pk=stocktake.pk)
    )
    require_custodian(actor, stocktake.location.unit, doing=gettext("a stock-take"))
    if stocktake.submitted_at is not None:
        raise PropertyError(gettext("this stock-take was already reconciled"), field="codes")
    scanned = _codes(data.codes)
    expected = set(
        Item.objects.filter(
            location=stocktake.location, holder_kind=HolderKind.ROOM, status=ItemStatus.HELD
        ).values_list("code", flat=True)
    )
    counted = set(stocktake.to_count) & expected  # an item moved out since the start is not owed
    seen = set(scanned)
    missing = sorted(counted - seen)
    unexpected = sorted(seen - expected)
    ids = dict(Item.objects.filter(code__in=missing + unexpected).values_list("code", "pk"))
    Difference.objects.bulk_create(
        [
            Difference(stocktake=stocktake, kind=DifferenceKind.MISSING, code=c, item_id=ids.get(c))
            for c in missing
        ]
        + [
            Difference(
                stocktake=stocktake, kind=DifferenceKind.UNEXPECTED, code=c, item_id=ids.get(c)
            )
            for c in unexpected
        ]
    )
    stocktake.scanned, stocktake.missing, stocktake.unexpected = scanned, missing, unexpected
    stocktake.submitted_at = clock.now()
    stocktake.save(update_fields=["scanned", "missing", "unexpected", "submitted_at"])
    record(
        LedgerKind.STOCKTAKE_RECONCILED,
        subject=stocktake,
        actor=actor,
        unit_id=stocktake.unit_id,
        data={
            "scanned": len(scanned),
            "scanned_sha256": hashlib.sha256("\n".join(scanned).encode()).hexdigest(),
            "missing": missing[:1000],
            "unexpected": unexpected[:1000],
            "missing_count": len(missing),
            "unexpected_count": len(unexpected),
        },
    )
    return stocktake
