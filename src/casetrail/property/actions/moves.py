"""Hand-overs: the holder sends, the receiving side confirms or refuses, and nothing moves in
between. An item comes back from a holder outside casetrail on the word of the officer who
receives it, who signs for it."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from casetrail import clock
from casetrail.errors import AccessDenied
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.access import require_staff
from casetrail.org.models import Officer
from casetrail.property.access import (
    holds,
    is_custodian,
    locations_near,
    may_answer,
    require_case_side,
    require_holder,
)
from casetrail.property.actions._common import check_image, lock_item, require_held
from casetrail.property.errors import PropertyError
from casetrail.property.inputs import AnswerInput, ReturnInput, TransferInput
from casetrail.property.models import (
    EXTERNAL,
    Borrow,
    BorrowStatus,
    HolderKind,
    Item,
    Location,
    Transfer,
    TransferStatus,
)


def _location(item: Item, location_id: int | None, *, field: str) -> Location:
    if location_id is None:
        raise PropertyError(gettext("name the location in the property room"), field=field)
    location = locations_near(item.unit).filter(pk=location_id).first()
    if location is None:
        raise PropertyError(
            gettext("location #%(location)s is not a property room of %(unit)s")
            % {"location": location_id, "unit": item.unit.name},
            field=field,
        )
    return location


def _approved_borrow(item: Item, borrower_id: int) -> Borrow:
    borrow = Borrow.objects.filter(
        item=item, borrower_id=borrower_id, status=BorrowStatus.APPROVED
    ).first()
    if borrow is None:
        raise PropertyError(
            gettext(
                "an item leaves the property room only on an approved borrowing (to the officer "
                "who borrows it) or an approved disposal"
            ),
            field="to_officer_id",
        )
    return borrow


def _receiver(item: Item, data: TransferInput, actor: Officer) -> dict[str, Any]:
    kind = data.to_kind
    if kind == HolderKind.OFFICER:
        if data.to_officer_id is None:
            raise PropertyError(gettext("name the receiving officer"), field="to_officer_id")
        (officer,) = require_staff(item.unit, [data.to_officer_id], field="to_officer_id")
        if officer.pk == actor.pk:
            raise PropertyError(gettext("you already hold it"), field="to_officer_id")
        return {"to_officer": officer}
    if kind == HolderKind.ROOM:
        location = _location(item, data.location_id, field="location_id")
        if item.holder_kind == HolderKind.ROOM and item.location_id == location.pk:
            raise PropertyError(
                gettext("the item is already at that location"), field="location_id"
            )
        return {"location": location, "to_name": location.unit.name}
    if kind == HolderKind.OWNER:
        raise PropertyError(
            gettext("an item goes back to its owner through an approved disposal (return)"),
            field="to_kind",
        )
    if not data.to_name:
        raise PropertyError(gettext("name the receiver"), field="to_name")
    return {"to_name": data.to_name}


def send(item: Item, data: TransferInput, *, actor: Officer) -> Transfer:
    """The holder hands the item over; it stays the holder's until the receiver confirms."""
    check_image(item, data.image_sha256, actor=actor, where="hand-over", field="image_sha256")
    return _send(item, data, actor)


@transaction.atomic
def _send(item: Item, data: TransferInput, actor: Officer) -> Transfer:
    item = lock_item(item)
    require_held(item)
    require_holder(actor, item)
    receiver = _receiver(item, data, actor)
    borrow = None
    leaving = item.holder_kind == HolderKind.ROOM and data.to_kind != HolderKind.ROOM
    entering = item.holder_kind != HolderKind.ROOM and data.to_kind == HolderKind.ROOM
    if leaving:  # only to the officer an approved borrowing names (disposals carry it out)
        if data.to_kind != HolderKind.OFFICER:
            raise PropertyError(
                gettext(
                    "an item leaves the property room only on an approved borrowing or disposal"
                ),
                field="to_kind",
            )
        borrow = _approved_borrow(item, receiver["to_officer"].pk)
    elif entering:  # back from a borrowing, if it was out on one
        borrow = Borrow.objects.filter(item=item, status=BorrowStatus.OUT).first()
    now = clock.now()
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                item=item,
                from_kind=item.holder_kind,
                from_officer=item.holder,
                from_name=item.holder_name,
                to_kind=data.to_kind,
                purpose=data.purpose,
                condition=data.condition,
                seal_intact=data.seal_intact,
                sent_at=now,
                sent_by=actor,
                sent_sha256=item.image_sha256,
                note=data.note,
                borrow=borrow,
                **receiver,
            )
    except IntegrityError as exc:  # the partial unique constraint: one pending at a time
        raise PropertyError(
            gettext("a hand-over of %(code)s already waits for its receiver") % {"code": item.code},
            field="to_kind",
        ) from exc
    record(
        LedgerKind.PROPERTY_TRANSFER_SENT,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data=_transfer_data(transfer),
    )
    return transfer


def _transfer_data(transfer: Transfer) -> dict[str, Any]:
    return {
        "transfer": transfer.pk,
        "from": transfer.from_kind,
        "from_officer": transfer.from_officer.badge_number if transfer.from_officer else None,
        "to": transfer.to_kind,
        "to_officer": transfer.to_officer.badge_number if transfer.to_officer else None,
        "to_name": transfer.to_name,
        "location": transfer.location.code if transfer.location else None,
        "purpose": transfer.purpose,
        "condition": transfer.condition,
        "seal_intact": transfer.seal_intact,
        "sha256": transfer.sent_sha256 or None,
    }


def answer(transfer: Transfer, data: AnswerInput, *, actor: Officer) -> Transfer:
    """The receiving side confirms (with the condition it found) or refuses the hand-over."""
    if data.answer == "confirm":
        check_image(
            transfer.item, data.image_sha256, actor=actor, where="receipt", field="image_sha256"
        )
    return _answer(transfer, data, actor)


@transaction.atomic
def _answer(transfer: Transfer, data: AnswerInput, actor: Officer) -> Transfer:
    item = lock_item(transfer.item)
    transfer = Transfer.objects.select_related(
        "location__unit", "to_officer", "from_officer", "borrow"
    ).get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise PropertyError(
            gettext("the hand-over is %(status)s") % {"status": transfer.get_status_display()},
            field="answer",
        )
    if not may_answer(actor, transfer):
        raise AccessDenied(gettext("only the receiving side confirms or refuses a hand-over"))
    now = clock.now()
    transfer.answered_at, transfer.answered_by = now, actor
    transfer.received_condition = data.condition
    transfer.received_seal_intact = data.seal_intact
    transfer.received_sha256 = data.image_sha256.lower()
    transfer.note = (transfer.note + " / " + data.note).strip(" /")[:400]
    if data.answer == "refuse":
        if not data.note:
            raise PropertyError(gettext("say why the hand-over is refused"), field="note")
        transfer.status = TransferStatus.REFUSED
        transfer.save()
        record(
            LedgerKind.PROPERTY_TRANSFER_REFUSED,
            subject=item,
            actor=actor,
            unit_id=item.unit_id,
            data={"transfer": transfer.pk, "note": data.note},
        )
        return transfer
    if transfer.to_kind in EXTERNAL:
        if not data.receiver_name:
            raise PropertyError(gettext("name who signed for it"), field="receiver_name")
        transfer.to_name = data.receiver_name
    if transfer.to_kind == HolderKind.ROOM and data.location_id is not None:
        transfer.location = _location(item, data.location_id, field="location_id")
        if not is_custodian(actor, transfer.location.unit):
            raise AccessDenied(gettext("only a custodian of that room places an item in it"))
    transfer.status = TransferStatus.CONFIRMED
    transfer.save()
    _move(item, transfer, now)
    if transfer.borrow is not None:
        _borrow_moved(transfer.borrow, transfer, now)
    record(
        LedgerKind.PROPERTY_TRANSFER_CONFIRMED,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={
            "transfer": transfer.pk,
            "holder": transfer.to_kind,
            "officer": transfer.to_officer.badge_number if transfer.to_officer else None,
            "name": transfer.to_name,
            "location": transfer.location.code if transfer.location else None,
            "condition": data.condition,
            "seal_intact": data.seal_intact,
            "sha256": transfer.received_sha256 or None,
        },
    )
    return transfer


def _move(item: Item, transfer: Transfer, now: Any) -> None:
    entering_room = transfer.to_kind == HolderKind.ROOM and item.holder_kind != HolderKind.ROOM
    item.holder_kind = transfer.to_kind
    item.holder = transfer.to_officer
    item.holder_name = transfer.to_name if transfer.to_kind != HolderKind.OFFICER else ""
    item.location = transfer.location if transfer.to_kind == HolderKind.ROOM else None
    if entering_room:
        item.in_room_since = now
    elif transfer.to_kind != HolderKind.ROOM:
        item.in_room_since = None
    item.save(update_fields=["holder_kind", "holder", "holder_name", "location", "in_room_since"])


def _borrow_moved(borrow: Borrow, transfer: Transfer, now: Any) -> None:
    if transfer.to_kind == HolderKind.OFFICER:
        borrow.status = BorrowStatus.OUT
    else:
        borrow.status = BorrowStatus.RETURNED
        borrow.returned_at = now
    borrow.save(update_fields=["status", "returned_at"])


@transaction.atomic
def withdraw(transfer: Transfer, *, actor: Officer) -> Transfer:
    item = lock_item(transfer.item)
    transfer = Transfer.objects.get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise PropertyError(
            gettext("the hand-over is %(status)s") % {"status": transfer.get_status_display()},
            field="status",
        )
    if transfer.sent_by_id != actor.pk and not holds(actor, item):
        raise AccessDenied(gettext("only the side that handed it over withdraws a hand-over"))
    transfer.status = TransferStatus.CANCELLED
    transfer.answered_at, transfer.answered_by = clock.now(), actor
    transfer.save()
    record(
        LedgerKind.PROPERTY_TRANSFER_WITHDRAWN,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={"transfer": transfer.pk},
    )
    return transfer


def receive_back(item: Item, data: ReturnInput, *, actor: Officer) -> Transfer:
    """The item comes back from a holder outside casetrail (a laboratory, the court): the
    officer or custodian who receives it records it and holds it from now on."""
    check_image(item, data.image_sha256, actor=actor, where="return", field="image_sha256")
    return _receive_back(item, data, actor)


@transaction.atomic
def _receive_back(item: Item, data: ReturnInput, actor: Officer) -> Transfer:
    item = lock_item(item)
    require_held(item)
    if item.holder_kind not in EXTERNAL:
        raise PropertyError(
            gettext("%(code)s is not with a holder outside casetrail: its holder hands it over")
            % {"code": item.code},
            field="from_name",
        )
    location = None
    if data.location_id is not None:
        location = _location(item, data.location_id, field="location_id")
        if not is_custodian(actor, location.unit):
            raise AccessDenied(gettext("only a custodian of that room places an item in it"))
    else:
        require_case_side(actor, item)
    now = clock.now()
    transfer = Transfer.objects.create(
        item=item,
        from_kind=item.holder_kind,
        from_name=data.from_name,
        to_kind=HolderKind.ROOM if location else HolderKind.OFFICER,
        to_officer=None if location else actor,
        to_name=location.unit.name if location else "",
        location=location,
        purpose="returned to the agency",
        condition=data.condition,
        seal_intact=data.seal_intact,
        sent_at=now,
        sent_by=actor,
        sent_sha256=item.image_sha256,
        status=TransferStatus.CONFIRMED,
        answered_at=now,
        answered_by=actor,
        received_condition=data.condition,
        received_seal_intact=data.seal_intact,
        received_sha256=data.image_sha256.lower(),
        note=data.note,
    )
    _move(item, transfer, now)
    record(
        LedgerKind.PROPERTY_TRANSFER_CONFIRMED,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={**_transfer_data(transfer), "returned_by": data.from_name},
    )
    return transfer
