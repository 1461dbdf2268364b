"""Hand-overs: only the holder moves an item, only the receiving side confirms, nothing moves
until it does; digital evidence is re-hashed at every hand-over; copies carry a receipt."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail import clock
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.receipts import receipt_for_entry
from casetrail.ledger.verify import check_receipt
from casetrail.property import actions, alerts, queries
from casetrail.property.inputs import (
    BorrowInput,
    FileInput,
    PropertyDecisionInput,
    ReturnInput,
)
from casetrail.property.models import IntegrityFlag, Item, Transfer
from tests.property.conftest import Room


def test_a_hand_over_waits_for_the_receiver(room: Room) -> None:
    w = room.world
    item = room.item()
    transfer = room.send(item, w.handler1, to_officer_id=w.handler2.pk)
    item.refresh_from_db()
    assert item.holder == w.handler1
    assert transfer.status == "pending"
    assert transfer in queries.waiting_handovers(w.handler2)
    with pytest.raises(AccessDenied):
        room.confirm(transfer, w.leader)  # not the receiver
    with pytest.raises(Refused):
        room.send(item, w.handler1, to_officer_id=w.leader.pk)  # one hand-over at a time
    room.confirm(transfer, w.handler2, condition="damaged", seal_intact=False)
    item.refresh_from_db()
    assert item.holder == w.handler2
    transfer.refresh_from_db()
    assert (transfer.received_condition, transfer.received_seal_intact) == ("damaged", False)


def test_only_the_holder_moves_an_item(room: Room) -> None:
    w = room.world
    item = room.item()
    entries = LedgerEntry.objects.count()
    with pytest.raises(AccessDenied):
        room.send(item, w.handler2, to_officer_id=w.leader.pk)
    assert LedgerEntry.objects.count() == entries
    assert not Transfer.objects.exists()


def test_a_refused_hand_over_leaves_the_item_where_it_was(room: Room) -> None:
    w = room.world
    item = room.item()
    transfer = room.send(item, w.handler1, to_officer_id=w.handler2.pk)
    with pytest.raises(Refused) as refused:
        room.confirm(transfer, w.handler2, answer="refuse")
    assert refused.value.field == "note"
    room.confirm(transfer, w.handler2, answer="refuse", note="封条与清单不符")
    item.refresh_from_db()
    assert item.holder == w.handler1


def test_into_the_room_and_out_only_on_an_approved_borrowing(
    room: Room, frozen_clock: time_machine.Traveller
) -> None:
    w = room.world
    item = room.into_room(room.item())
    assert item.holder_kind == "room"
    assert item.location == room.shelf_a
    assert item.in_room_since == clock.now()
    with pytest.raises(Refused) as refused:
        room.send(item, room.custodian, to_officer_id=w.handler1.pk)
    assert refused.value.field == "to_officer_id"
    borrow = actions.request_borrow(
        item,
        BorrowInput(purpose="开庭质证", due_back_at=clock.now() + timedelta(days=2)),
        actor=w.handler1,
    )
    with pytest.raises(Refused):  # the drafter does not approve their own request
        actions.decide_borrow(borrow, PropertyDecisionInput(decision="approve"), actor=w.handler1)
    actions.decide_borrow(borrow, PropertyDecisionInput(decision="approve"), actor=w.leader)
    out = room.send(item, room.custodian, to_officer_id=w.handler1.pk)
    room.confirm(out, w.handler1)
    borrow.refresh_from_db()
    assert borrow.status == "out"
    frozen_clock.move_to(borrow.due_back_at + timedelta(minutes=1))
    assert alerts.sweep().overdue == 1
    assert [b.pk for b in queries.room_alerts(w.station)["overdue"]] == [borrow.pk]
    back = room.send(item, w.handler1, to_kind="room", location_id=room.shelf_b.pk)
    room.confirm(back, room.custodian)
    borrow.refresh_from_db()
    item.refresh_from_db()
    assert borrow.status == "returned"
    assert item.location == room.shelf_b


def test_a_room_item_does_not_go_straight_to_a_laboratory(room: Room) -> None:
    item = room.into_room(room.item())
    with pytest.raises(Refused) as refused:
        room.send(item, room.custodian, to_kind="laboratory", to_name="市局物证鉴定所")
    assert refused.value.field == "to_kind"


def test_an_outside_holder_signs_and_the_item_comes_back(room: Room) -> None:
    w = room.world
    item = room.item()
    lab = room.send(item, w.handler1, to_kind="laboratory", to_name="市局物证鉴定所")
    with pytest.raises(Refused) as refused:
        room.confirm(lab, w.handler1)
    assert refused.value.field == "receiver_name"
    room.confirm(lab, w.handler1, receiver_name="鉴定人 赵六")
    item.refresh_from_db()
    assert item.holder_kind == "laboratory"
    assert item.holder_name == "鉴定人 赵六"
    actions.receive_back(
        item,
        ReturnInput(
            condition="intact",
            seal_intact=True,
            from_name="鉴定人 赵六",
            location_id=room.shelf_a.pk,
        ),
        actor=room.custodian,
    )
    item.refresh_from_db()
    assert item.holder_kind == "room"
    assert item.location == room.shelf_a


def _digital(room: Room) -> tuple[Item, str]:
    item = room.item()
    content = b"E01 image " * 512
    actions.add_file(
        item,
        FileInput(role="image"),
        SimpleUploadedFile("phone.E01", content),
        actor=room.world.handler1,
    )
    item.refresh_from_db()
    return item, hashlib.sha256(content).hexdigest()


def test_digital_evidence_is_rehashed_and_a_mismatch_refused_and_flagged(room: Room) -> None:
    w = room.world
    item, digest = _digital(room)
    with pytest.raises(Refused) as refused:
        room.send(item, w.handler1, to_officer_id=w.handler2.pk)
    assert refused.value.field == "image_sha256"
    wrong = "0" * 64
    with pytest.raises(Refused):
        room.send(item, w.handler1, to_officer_id=w.handler2.pk, image_sha256=wrong)
    flag = IntegrityFlag.objects.get(item=item)  # kept though the hand-over was refused
    assert (flag.expected, flag.found) == (digest, wrong)
    assert LedgerEntry.objects.filter(action=LedgerKind.PROPERTY_INTEGRITY_FAILED).count() == 1
    assert not Transfer.objects.exists()
    transfer = room.send(item, w.handler1, to_officer_id=w.handler2.pk, image_sha256=digest)
    room.confirm(transfer, w.handler2, image_sha256=digest.upper())
    item.refresh_from_db()
    assert item.holder == w.handler2


def test_a_stored_image_changed_behind_the_application_is_caught(room: Room) -> None:
    w = room.world
    item, digest = _digital(room)
    stored = item.files.get()
    storage, name = stored.file.storage, stored.file.name
    storage.delete(name)
    assert storage.save(name, ContentFile(b"X" + b"E01 image " * 512)) == name
    with pytest.raises(Refused):
        room.send(item, w.handler1, to_officer_id=w.handler2.pk, image_sha256=digest)
    with pytest.raises(Refused):
        actions.download_file(stored, actor=w.handler1)
    assert IntegrityFlag.objects.filter(item=item).count() == 2


def test_a_copy_comes_with_a_receipt_that_verifies_offline(room: Room, signing_key: Any) -> None:
    item, digest = _digital(room)
    stored = item.files.get()
    copy, seq = actions.download_file(stored, actor=room.world.handler2)
    with copy:
        assert hashlib.sha256(copy.read()).hexdigest() == digest
    entry = queries.download_entry(room.world.handler2, seq)
    assert entry is not None
    assert digest in entry.payload
    assert queries.download_entry(room.world.handler1, seq) is None  # another's copy
    receipt = receipt_for_entry(entry)
    assert receipt is not None
    assert check_receipt(receipt.document(), {receipt.head.key_id: receipt.public_key}) == []


# -- the chain of custody as a property ----------------------------------------------------------

MOVES = st.lists(
    st.tuples(
        st.sampled_from(["send", "confirm", "refuse", "withdraw"]),
        st.integers(0, 3),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES)
def test_the_holder_is_the_last_confirmed_receiver(room: Room, moves: list) -> None:
    """After any sequence of hand-overs, confirmations, refusals and withdrawals, tried by any
    of four officers, the item is held by the last receiver who confirmed (the one who took
    it, if nobody did), and at most one hand-over waits: it is never in two places."""
    w = room.world
    people = [w.handler1, w.handler2, w.leader, room.custodian]
    item = room.item()
    holder, pending = w.handler1, None
    for move, who, to in moves:
        actor = people[who]
        try:
            if move == "send":
                target = people[to]
                if target == room.custodian:
                    transfer = room.send(item, actor, to_kind="room", location_id=room.shelf_a.pk)
                else:
                    transfer = room.send(item, actor, to_officer_id=target.pk)
                pending = (transfer, target)
            elif move in ("confirm", "refuse") and pending is not None:
                extra = {"answer": "refuse", "note": "不符"} if move == "refuse" else {}
                room.confirm(pending[0], actor, **extra)
                if move == "confirm":
                    holder = pending[1]
                pending = None
            elif move == "withdraw" and pending is not None:
                actions.withdraw(pending[0], actor=actor)
                pending = None
        except (Refused, AccessDenied):
            pass
        item.refresh_from_db()
        if item.holder_kind == "room":
            assert holder == room.custodian
            assert item.location_id == room.shelf_a.pk
        else:
            assert item.holder == holder
            assert item.location_id is None
        assert Transfer.objects.filter(item=item, status="pending").count() <= 1


def test_a_large_copy_goes_through_a_temporary_file(room: Room, monkeypatch: Any) -> None:
    from casetrail.web import uploads

    item, digest = _digital(room)
    monkeypatch.setattr(uploads, "COPY_IN_MEMORY", 16)
    copy, _seq = actions.download_file(item.files.get(), actor=room.world.handler1)
    with copy:
        assert not hasattr(copy, "getvalue")  # on disk, not in memory
        assert hashlib.sha256(copy.read()).hexdigest() == digest
