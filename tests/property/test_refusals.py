"""Every refusal of the property actions names its field and writes nothing: bad particulars,
moves the holder may not make, answers out of turn, borrowings and disposals out of order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casetrail import clock
from casetrail.cases.models import Case
from casetrail.errors import AccessDenied, NotFound, Refused
from casetrail.ledger.models import LedgerEntry
from casetrail.property import actions
from casetrail.property.access import item_by_code
from casetrail.property.actions import register as register_module
from casetrail.property.inputs import (
    BelongingItemInput,
    BorrowInput,
    CarryOutInput,
    DisposalInput,
    EventInput,
    FileInput,
    ItemCorrectionInput,
    PropertyDecisionInput,
    ReturnInput,
    ScanInput,
)
from casetrail.property.models import Item
from tests.conftest import make_unit
from tests.property.conftest import ID_NUMBER, Room


def _refused(field: str, run: Any, *args: Any, **kwargs: Any) -> Refused:
    entries = LedgerEntry.objects.count()
    with pytest.raises(Refused) as refused:
        run(*args, **kwargs)
    assert refused.value.field == field, str(refused.value)
    assert LedgerEntry.objects.count() == entries
    return refused.value


def _set_status(case: Case, status: str) -> None:
    Case.objects.filter(pk=case.pk).update(status=status)  # the case machine is tested apart
    case.refresh_from_db()


def test_an_unknown_code_opens_nothing(room: Room) -> None:
    with pytest.raises(NotFound):
        item_by_code(room.world.handler1, "P0000000000")


def test_the_register_refuses_bad_particulars(room: Room) -> None:
    w = room.world
    _refused("seal_numbers", room.item, seal_numbers="S" * 41)
    other = w.case(title="另一案")
    _refused("owner_id", room.item, other, owner_id=room.owner.pk)
    from casetrail.custody.actions import propose_measure
    from casetrail.custody.inputs import MeasureInput

    measure = propose_measure(
        MeasureInput(case_id=other.pk, person_id=_suspect(other, w).pk, kind="bail", reason="x"),
        actor=w.handler1,
    )
    _refused("measure_id", room.item, measure_id=measure.pk)
    from casetrail.documents.models import Document

    drafted = Document.objects.filter(case=other).first()
    if drafted is not None:  # a draft is not the legal act behind a seizure
        _refused("document_id", room.item, document_id=drafted.pk)
    _refused("document_id", room.item, document_id=10**9)


def _suspect(case: Case, w: Any) -> Any:
    from casetrail.cases import actions as case_actions

    party = case_actions.add_party(
        case, case_actions.PartyInput(role="suspect", name="李四"), actor=w.handler1
    )
    return party.person


def test_a_missing_belonging_is_named(room: Room) -> None:
    _refused(
        "belonging_id",
        actions.register_belonging,
        BelongingItemInput(belonging_id=10**9, kind="other", found_place="x", legal_basis="y"),
        actor=room.world.handler1,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight", "abc"),
        ("weight", "-1"),
        ("currency", "cny"),
        ("found_place", "x" * 201),
        ("description", "黑色手机一部"),  # the same value
        ("amount", "12.50"),
    ],
)
def test_a_correction_refuses_what_the_register_would(room: Room, field: str, value: str) -> None:
    item = room.item()
    if field == "amount":
        item = room.item(kind="cash", amount="12.50", currency="CNY")
        value = "12.5"  # the same amount written another way
    _refused(
        "value",
        actions.correct_item,
        item,
        ItemCorrectionInput(field=field, value=value, reason="x"),
        actor=room.world.handler1,
    )


def test_a_weight_is_corrected(room: Room) -> None:
    item = room.item(weight="10")
    actions.correct_item(
        item,
        ItemCorrectionInput(field="weight", value="10.5", reason="复称"),
        actor=room.world.handler1,
    )
    item.refresh_from_db()
    assert str(item.weight) == "10.500"


def test_a_file_larger_than_the_limit_is_refused(room: Room, monkeypatch: Any) -> None:
    monkeypatch.setattr(register_module, "FILE_LIMIT", 10)
    _refused(
        "file",
        actions.add_file,
        room.item(),
        FileInput(role="photo"),
        SimpleUploadedFile("big.jpg", b"x" * 11),
        actor=room.world.handler1,
    )


def test_hand_overs_name_what_is_missing(room: Room) -> None:
    w = room.world
    item = room.item()
    _refused("to_officer_id", room.send, item, w.handler1)
    _refused("location_id", room.send, item, w.handler1, to_kind="room")
    elsewhere = make_unit("S9", room.world.other_station.parent)
    from casetrail.property.inputs import LocationInput

    keeper = room.custodian
    from casetrail.org import actions as org

    org.grant_role(keeper, role="property_custodian", unit=elsewhere, scope="unit", actor=None)
    far = actions.add_location(elsewhere, LocationInput(code="FAR-1", store="x"), actor=keeper)
    _refused("location_id", room.send, item, w.handler1, to_kind="room", location_id=far.pk)
    _refused("location_id", room.send, item, w.handler1, to_kind="room", location_id=10**9)
    _refused("to_kind", room.send, item, w.handler1, to_kind="owner")
    _refused("to_name", room.send, item, w.handler1, to_kind="court")
    _refused("to_officer_id", room.send, item, w.handler1, to_officer_id=w.handler1.pk)


def test_a_move_within_the_room_and_to_where_it_already_is(room: Room) -> None:
    item = room.into_room(room.item())
    _refused(
        "location_id", room.send, item, room.custodian, to_kind="room", location_id=room.shelf_a.pk
    )
    moved = room.send(item, room.custodian, to_kind="room", location_id=room.shelf_b.pk)
    room.confirm(moved, room.custodian)
    item.refresh_from_db()
    assert item.location == room.shelf_b
    assert item.in_room_since is not None


def test_answers_out_of_turn(room: Room) -> None:
    w = room.world
    item = room.item()
    transfer = room.send(item, w.handler1, to_kind="room", location_id=room.shelf_a.pk)
    actions.withdraw(transfer, actor=w.handler1)
    _refused("answer", room.confirm, transfer, room.custodian)
    _refused("status", actions.withdraw, transfer, actor=w.handler1)
    again = room.send(item, w.handler1, to_kind="room", location_id=room.shelf_a.pk)
    with pytest.raises(AccessDenied):
        actions.withdraw(again, actor=w.handler2)
    room.confirm(again, room.custodian, location_id=room.shelf_b.pk)  # placed elsewhere
    item.refresh_from_db()
    assert item.location == room.shelf_b


def test_only_a_custodian_places_an_item(room: Room) -> None:
    w = room.world
    item = room.item()
    transfer = room.send(item, w.handler1, to_kind="room", location_id=room.shelf_a.pk)
    other = make_unit("S8", w.station)
    from casetrail.property.inputs import LocationInput

    below = actions.add_location(other, LocationInput(code="LOW-1", store="x"), actor=room.head)
    with pytest.raises(AccessDenied):  # a custodian of the station, not of the room below it
        room.confirm(transfer, room.custodian, location_id=below.pk)


def test_receiving_back_from_outside(room: Room) -> None:
    w = room.world
    item = room.item()
    back = ReturnInput(condition="intact", from_name="鉴定人", location_id=room.shelf_a.pk)
    _refused("from_name", actions.receive_back, item, back, actor=w.handler1)
    lab = room.send(item, w.handler1, to_kind="laboratory", to_name="鉴定所")
    room.confirm(lab, w.handler1, receiver_name="鉴定人")
    item.refresh_from_db()
    with pytest.raises(AccessDenied):  # a handler does not place it in the room
        actions.receive_back(item, back, actor=w.handler1)
    actions.receive_back(
        item, ReturnInput(condition="intact", from_name="鉴定人"), actor=w.handler2
    )
    item.refresh_from_db()
    assert item.holder == w.handler2


def test_a_disposed_item_moves_no_more(room: Room) -> None:
    w = room.world
    item = room.item()
    actions.found_unrelated(item, EventInput(at=clock.now()), actor=w.handler1)
    disposal = actions.request_disposal(
        item, DisposalInput(kind="return", reason="x"), actor=w.handler1
    )
    actions.decide_disposal(disposal, PropertyDecisionInput(decision="approve"), actor=w.leader)
    _refused(
        "decision",
        actions.decide_disposal,
        disposal,
        PropertyDecisionInput(decision="approve"),
        actor=room.head,
    )
    actions.carry_out(
        disposal,
        CarryOutInput(recipient="张三丰", recipient_id_number=ID_NUMBER, receipt_signed=True),
        actor=w.handler1,
    )
    _refused(
        "status", room.send, Item.objects.get(pk=item.pk), w.handler1, to_officer_id=w.handler2.pk
    )


def test_disposals_out_of_order(room: Room) -> None:
    w = room.world
    item = room.item()
    _refused(
        "kind",
        actions.request_disposal,
        item,
        DisposalInput(kind="with_file", reason="x"),
        actor=w.handler1,
    )
    _set_status(room.case, "concluded")
    with_file = actions.request_disposal(
        Item.objects.get(pk=item.pk),
        DisposalInput(kind="with_file", reason="随案移送"),
        actor=w.handler1,
    )
    _refused(
        "kind",
        actions.request_disposal,
        Item.objects.get(pk=item.pk),
        DisposalInput(kind="return", reason="x"),
        actor=w.handler1,
    )
    actions.decide_disposal(with_file, PropertyDecisionInput(decision="approve"), actor=w.leader)
    pending = room.send(Item.objects.get(pk=item.pk), w.handler1, to_officer_id=w.handler2.pk)
    _refused(
        "status", actions.carry_out, with_file, CarryOutInput(recipient="检察院"), actor=w.handler1
    )
    actions.withdraw(pending, actor=w.handler1)
    _refused("recipient", actions.carry_out, with_file, CarryOutInput(), actor=w.handler1)
    actions.carry_out(with_file, CarryOutInput(recipient="东湖区人民检察院"), actor=w.handler1)


def test_a_return_to_someone_else_needs_an_issued_document(room: Room) -> None:
    w = room.world
    item = room.item()
    _set_status(room.case, "withdrawn")
    disposal = actions.request_disposal(
        Item.objects.get(pk=item.pk), DisposalInput(kind="return", reason="x"), actor=w.handler1
    )
    actions.decide_disposal(disposal, PropertyDecisionInput(decision="approve"), actor=w.leader)
    _refused(
        "recipient",
        actions.carry_out,
        disposal,
        CarryOutInput(receipt_signed=True),
        actor=w.handler1,
    )
    signed = {"recipient": "王某", "receipt_signed": True}
    _refused(
        "recipient_document_id",
        actions.carry_out,
        disposal,
        CarryOutInput(**signed, recipient_document_id=10**9),
        actor=w.handler1,
    )
    issued = _issued_seizure_decision(room)
    _refused(
        "recipient_id_number",
        actions.carry_out,
        disposal,
        CarryOutInput(**signed, recipient_document_id=issued.pk),
        actor=w.handler1,
    )
    actions.carry_out(
        disposal,
        CarryOutInput(**signed, recipient_document_id=issued.pk, recipient_id_number="A123"),
        actor=w.handler1,
    )
    assert Item.objects.get(pk=item.pk).holder_name == "王某"


def _issued_seizure_decision(room: Room) -> Any:
    from casetrail.documents import actions as documents
    from casetrail.documents.inputs import DecisionInput as DocumentDecision
    from casetrail.documents.inputs import DraftInput
    from casetrail.org import actions as org

    w = room.world
    org.set_document_prefix(w.district, prefix="江公(东)", actor=None)
    draft = documents.draft_document(
        room.case,
        DraftInput(type_id="seizure_decision", person_id=room.owner.pk),
        actor=w.handler1,
    )
    doc = documents.submit_document(draft, actor=w.handler1)
    return documents.decide_document(doc, DocumentDecision(decision="approve"), actor=w.leader)


def test_borrowing_out_of_order(room: Room) -> None:
    w = room.world
    item = room.item()
    later = clock.now() + timedelta(days=1)
    _refused(
        "purpose",
        actions.request_borrow,
        item,
        BorrowInput(purpose="x", due_back_at=later),
        actor=w.handler1,
    )
    item = room.into_room(item)
    _refused(
        "due_back_at",
        actions.request_borrow,
        item,
        BorrowInput(purpose="x", due_back_at=clock.now() - timedelta(minutes=1)),
        actor=w.handler1,
    )
    _refused(
        "due_back_at",
        actions.request_borrow,
        item,
        BorrowInput(purpose="x", due_back_at=clock.now() + timedelta(days=120)),
        actor=w.handler1,
    )
    actions.request_borrow(item, BorrowInput(purpose="x", due_back_at=later), actor=w.handler1)
    _refused(
        "purpose",
        actions.request_borrow,
        item,
        BorrowInput(purpose="y", due_back_at=later),
        actor=w.handler1,
    )


def test_a_stock_take_refuses_an_impossible_scan(room: Room, monkeypatch: Any) -> None:
    from casetrail.property.actions import room as room_module

    started = actions.start_stocktake(room.shelf_a, actor=room.custodian)
    _refused(
        "codes", actions.reconcile, started, ScanInput(codes="P" + "1" * 70), actor=room.custodian
    )
    monkeypatch.setattr(room_module, "SCAN_LIMIT", 2)
    _refused("codes", actions.reconcile, started, ScanInput(codes="A\nB\nC"), actor=room.custodian)


def test_one_disposal_at_a_time(room: Room) -> None:
    w = room.world
    item = room.item()
    actions.found_unrelated(item, EventInput(at=clock.now()), actor=w.handler1)
    actions.request_disposal(item, DisposalInput(kind="return", reason="x"), actor=w.handler1)
    _refused(
        "kind",
        actions.request_disposal,
        Item.objects.get(pk=item.pk),
        DisposalInput(kind="return", reason="y"),
        actor=w.handler1,
    )


def test_the_legal_act_may_be_a_measure_and_an_issued_document(room: Room) -> None:
    from casetrail.custody.actions import propose_measure
    from casetrail.custody.inputs import MeasureInput

    w = room.world
    measure = propose_measure(
        MeasureInput(case_id=room.case.pk, person_id=room.owner.pk, kind="bail", reason="x"),
        actor=w.handler1,
    )
    issued = _issued_seizure_decision(room)
    item = room.item(measure_id=measure.pk, document_id=issued.pk, legal_basis="")
    assert (item.measure, item.document) == (measure, issued)
