"""Disposal: never while the case needs the item, approved by the roles its kind needs, and
carried out with what the kind requires."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casetrail import clock
from casetrail.cases.models import Case
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.property import actions
from casetrail.property.inputs import (
    CarryOutInput,
    DisposalInput,
    EventInput,
    FileInput,
    PropertyDecisionInput,
)
from casetrail.property.models import Disposal, Item
from tests.property.conftest import ID_NUMBER, Room


def _close(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(status="withdrawn")  # the case machine is tested apart
    case.refresh_from_db()


def _approved(room: Room, item: Item, kind: str) -> Disposal:
    disposal = actions.request_disposal(
        item, DisposalInput(kind=kind, reason="依法处理"), actor=room.world.handler1
    )
    for officer in (room.world.leader, room.head):
        disposal.refresh_from_db()
        if disposal.status == "requested":
            actions.decide_disposal(
                disposal, PropertyDecisionInput(decision="approve"), actor=officer
            )
    disposal.refresh_from_db()
    assert disposal.status == "approved"
    return disposal


def test_an_item_the_open_case_needs_is_not_disposed_of(room: Room) -> None:
    item = room.item()
    with pytest.raises(Refused) as refused:
        actions.request_disposal(
            item, DisposalInput(kind="destroy", reason="x"), actor=room.world.handler1
        )
    assert refused.value.field == "kind"
    assert room.case.number in str(refused.value)
    assert not Disposal.objects.exists()


def test_an_unrelated_item_goes_back_to_its_owner_with_identity_and_receipt(room: Room) -> None:
    w = room.world
    item = room.item()
    actions.found_unrelated(item, EventInput(at=clock.now()), actor=w.handler1)
    disposal = _approved(room, item, "return")
    assert disposal.approval.chain == ["unit_leader"]
    base: dict[str, Any] = {"recipient": "张三丰", "receipt_signed": True}
    with pytest.raises(Refused) as refused:
        actions.carry_out(
            disposal,
            CarryOutInput(**base, recipient_id_number="110101199001010000"),
            actor=w.handler1,
        )
    assert refused.value.field == "recipient_document_id"
    with pytest.raises(Refused) as refused:
        actions.carry_out(
            disposal,
            CarryOutInput(recipient="张三丰", recipient_id_number=ID_NUMBER),
            actor=w.handler1,
        )
    assert refused.value.field == "receipt_signed"
    with pytest.raises(AccessDenied):  # only the holder carries it out
        actions.carry_out(
            disposal, CarryOutInput(**base, recipient_id_number=ID_NUMBER), actor=w.handler2
        )
    actions.carry_out(
        disposal, CarryOutInput(**base, recipient_id_number=ID_NUMBER), actor=w.handler1
    )
    item.refresh_from_db()
    assert (item.status, item.holder_kind) == ("disposed", "owner")
    assert item.deadlines.get().status == "met"
    assert LedgerEntry.objects.filter(action=LedgerKind.PROPERTY_DISPOSED).count() == 1


def test_destruction_needs_the_head_two_witnesses_and_photos(room: Room) -> None:
    w = room.world
    item = room.item(kind="drugs", weight="12.5", description="疑似毒品")
    _close(room.case)
    disposal = _approved(room, item, "destroy")
    assert disposal.approval.chain == ["unit_leader", "agency_head"]
    with pytest.raises(Refused) as refused:
        actions.carry_out(disposal, CarryOutInput(witness_ids=(w.handler2.pk,)), actor=w.handler1)
    assert refused.value.field == "witness_ids"
    witnesses = (w.handler2.pk, w.leader.pk)
    with pytest.raises(Refused) as refused:
        actions.carry_out(disposal, CarryOutInput(witness_ids=witnesses), actor=w.handler1)
    assert "photo" in str(refused.value)
    actions.add_file(
        item,
        FileInput(role="disposal"),
        SimpleUploadedFile("burn.jpg", b"\xff\xd8jpeg"),
        actor=w.handler1,
    )
    actions.carry_out(disposal, CarryOutInput(witness_ids=witnesses), actor=w.handler1)
    disposal.refresh_from_db()
    assert sorted(disposal.witnesses.values_list("pk", flat=True)) == sorted(witnesses)


def test_confiscated_cash_goes_to_a_recorded_account(room: Room) -> None:
    w = room.world
    item = room.item(kind="cash", amount="3000", currency="CNY")
    _close(room.case)
    disposal = _approved(room, item, "confiscate")
    with pytest.raises(Refused) as refused:
        actions.carry_out(disposal, CarryOutInput(), actor=w.handler1)
    assert refused.value.field == "account"
    actions.carry_out(disposal, CarryOutInput(account="国库 6228-0000-1111"), actor=w.handler1)
    assert Disposal.objects.get(pk=disposal.pk).account == "国库 6228-0000-1111"


def test_a_refused_disposal_is_not_carried_out(room: Room) -> None:
    w = room.world
    item = room.item()
    _close(room.case)
    disposal = actions.request_disposal(
        item, DisposalInput(kind="sale", reason="易腐"), actor=w.handler1
    )
    with pytest.raises(Refused):
        actions.decide_disposal(disposal, PropertyDecisionInput(decision="refuse"), actor=w.leader)
    actions.decide_disposal(
        disposal, PropertyDecisionInput(decision="refuse", opinion="应退还"), actor=w.leader
    )
    disposal.refresh_from_db()
    assert disposal.status == "refused"
    with pytest.raises(Refused):
        actions.carry_out(disposal, CarryOutInput(recipient="x"), actor=w.handler1)


def test_a_disposal_is_not_carried_out_before_its_approval(room: Room) -> None:
    w = room.world
    item = room.item(kind="drugs", weight="3")
    _close(room.case)
    disposal = actions.request_disposal(
        item, DisposalInput(kind="destroy", reason="依法销毁"), actor=w.handler1
    )
    actions.decide_disposal(disposal, PropertyDecisionInput(decision="approve"), actor=w.leader)
    entries = LedgerEntry.objects.count()
    with pytest.raises(Refused) as refused:  # the agency head has not decided yet
        actions.carry_out(
            disposal, CarryOutInput(witness_ids=(w.handler2.pk, w.leader.pk)), actor=w.handler1
        )
    assert refused.value.field == "status"
    assert LedgerEntry.objects.count() == entries
    item.refresh_from_db()
    assert item.status == "held"
