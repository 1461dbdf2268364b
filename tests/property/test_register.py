"""The register: what an item records, its code, seals, the legal act, corrections, belongings
that become evidence, stored files, and refusals that write nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from casetrail import clock
from casetrail.custody.models import Belonging
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.audit import verify_ledger
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.property import actions
from casetrail.property.actions._common import code_is_valid, item_code, luhn_digit
from casetrail.property.inputs import BelongingItemInput, FileInput, ItemCorrectionInput, ItemInput
from casetrail.property.models import Correction, Item, ItemFile, Seal
from tests.property.conftest import Room


def _entries() -> int:
    return LedgerEntry.objects.count()


def test_an_item_is_registered_with_its_particulars_held_by_who_took_it(room: Room) -> None:
    before = _entries()
    item = room.item(
        kind="cash",
        description="人民币现金",
        amount="1250.50",
        currency="CNY",
        quantity=1,
        seal_numbers="F-0001, F-0002",
        witnesses="李四",
    )
    assert code_is_valid(item.code)
    assert item.amount == Decimal("1250.50")
    assert item.currency == "CNY"
    assert item.holder == room.world.handler1
    assert item.holder_kind == "officer"
    assert sorted(Seal.objects.filter(item=item).values_list("number", flat=True)) == [
        "F-0001",
        "F-0002",
    ]
    entry = LedgerEntry.objects.get(seq=before + 1)
    assert entry.action == LedgerKind.PROPERTY_REGISTERED
    assert entry.subject_id == str(item.pk)
    assert '"amount":"1250.50"' in entry.payload
    assert verify_ledger(checkpoint=False).ok


@given(st.integers(min_value=1, max_value=10**9 - 1), st.integers(0, 9), st.integers(1, 9))
def test_a_code_with_one_digit_misread_is_not_a_code(pk: int, place: int, delta: int) -> None:
    code = item_code(pk)
    assert code_is_valid(code)
    digits = list(code[1:])
    digits[place] = str((int(digits[place]) + delta) % 10)
    assert not code_is_valid("P" + "".join(digits))


def test_luhn_digit_of_the_textbook_example() -> None:
    # The classic Luhn example: 7992739871 has check digit 3.
    assert luhn_digit("7992739871") == "3"


REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"kind": "cash", "amount": ""}, "amount"),
    ({"amount": "10", "currency": ""}, "currency"),
    ({"legal_basis": ""}, "legal_basis"),
    ({"seal_numbers": "S-1, S-1"}, "seal_numbers"),
]


@pytest.mark.parametrize(("change", "field"), REFUSALS)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    room: Room, change: dict[str, Any], field: str
) -> None:
    items, entries = Item.objects.count(), _entries()
    with pytest.raises(Refused) as refused:
        room.item(**change)
    assert refused.value.field == field
    assert (Item.objects.count(), _entries()) == (items, entries)


@pytest.mark.parametrize(
    ("value", "field"), [("-1", "weight"), ("-5.00", "amount"), ("12,5", "weight")]
)
def test_negative_or_malformed_amounts_are_refused_by_the_input(value: str, field: str) -> None:
    with pytest.raises(Refused) as refused:
        ItemInput(
            kind="other",
            basis="seized",
            description="x",
            found_place="y",
            found_at=clock.now(),
            legal_basis="z",
            **{field: value},
        )
    assert refused.value.field == field


def test_a_zero_quantity_is_refused_by_the_input() -> None:
    with pytest.raises(Refused) as refused:
        ItemInput(
            kind="other",
            basis="seized",
            description="x",
            found_place="y",
            found_at=clock.now(),
            legal_basis="z",
            quantity=0,
        )
    assert refused.value.field == "quantity"


def test_a_seal_number_in_use_on_another_item_is_refused(room: Room) -> None:
    room.item(seal_numbers="S-77")
    items = Item.objects.count()
    with pytest.raises(Refused) as refused:
        room.item(seal_numbers="S-78, S-77")
    assert refused.value.field == "seal_numbers"
    assert "S-77" in str(refused.value)
    assert Item.objects.count() == items
    assert not Seal.objects.filter(number="S-78").exists()


def test_the_owner_is_a_party_of_the_case(room: Room) -> None:
    with pytest.raises(Refused) as refused:
        room.item(room.admin_case, owner_id=room.owner.pk)
    assert refused.value.field == "owner_id"


def test_found_in_the_future_or_before_the_case_is_refused(room: Room) -> None:
    with pytest.raises(Refused) as refused:
        room.item(found_at=clock.now() + timedelta(minutes=5))
    assert refused.value.field == "found_at"
    with pytest.raises(Refused) as refused:
        room.item(found_at=clock.now() - timedelta(days=3))
    assert refused.value.field == "found_at"
    # Evidence collected before the case was opened (at the scene, at the report) is fine.
    assert room.item(basis="evidence", found_at=clock.now() - timedelta(days=3)).pk


def test_only_who_may_change_the_case_registers(room: Room) -> None:
    with pytest.raises(AccessDenied):
        room.item(actor=room.world.supervisor)
    with pytest.raises(AccessDenied):
        room.item(actor=room.custodian)


def test_a_correction_reverses_the_old_value_and_keeps_it(room: Room) -> None:
    item = room.item(quantity=2)
    correction = actions.correct_item(
        item,
        ItemCorrectionInput(field="quantity", value="3", reason="清点有误"),
        actor=room.world.handler2,
    )
    item.refresh_from_db()
    assert item.quantity == 3
    assert (correction.old_value, correction.new_value) == ("2", "3")
    entry = LedgerEntry.objects.filter(action=LedgerKind.PROPERTY_CORRECTED).get()
    assert '"reverses":"2"' in entry.payload
    assert '"value":"3"' in entry.payload
    with pytest.raises(Refused) as refused:
        actions.correct_item(
            item,
            ItemCorrectionInput(field="quantity", value="0", reason="x"),
            actor=room.world.handler2,
        )
    assert refused.value.field == "value"
    assert Correction.objects.count() == 1


def test_a_belonging_becomes_an_item_without_retyping(room: Room) -> None:
    from casetrail.custody import actions as custody
    from casetrail.custody.inputs import BelongingInput, SessionInput

    session = custody.open_session(
        SessionInput(
            case_id=room.case.pk,
            unit_id=room.world.station.pk,
            person_id=room.owner.pk,
            entered_at=clock.now(),
            reason="传唤",
            escort_ids=(room.world.handler1.pk, room.world.handler2.pk),
        ),
        actor=room.world.handler1,
    )
    belonging = custody.deposit_belonging(
        session, BelongingInput(description="银色手表", quantity=1), actor=room.world.handler1
    )
    item = actions.register_belonging(
        BelongingItemInput(
            belonging_id=belonging.pk,
            kind="valuables",
            found_place="办案区",
            legal_basis="扣押决定书",
            person_signed=True,
        ),
        actor=room.world.handler1,
    )
    assert (item.description, item.quantity, item.owner) == ("银色手表", 1, room.owner)
    belonging = Belonging.objects.get(pk=belonging.pk)
    assert belonging.outcome == "transferred"
    assert item.code in belonging.transferred_to
    with pytest.raises(Refused) as refused:
        actions.register_belonging(
            BelongingItemInput(
                belonging_id=belonging.pk,
                kind="valuables",
                found_place="x",
                legal_basis="y",
                person_signed=True,
            ),
            actor=room.world.handler1,
        )
    assert refused.value.field == "belonging_id"


def test_a_stored_file_has_its_sha256_in_the_ledger(room: Room) -> None:
    item = room.item()
    content = b"\x00forensic image bytes" * 100
    stored = actions.add_file(
        item,
        FileInput(role="image"),
        SimpleUploadedFile("img.dd", content),
        actor=room.world.handler1,
    )
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    assert stored.sha256 == digest
    item.refresh_from_db()
    assert item.image_sha256 == digest
    entry = LedgerEntry.objects.filter(action=LedgerKind.PROPERTY_FILE_ADDED).get()
    assert digest in entry.payload
    with stored.file.open("rb") as handle:
        assert handle.read() == content
    with pytest.raises(Refused) as refused:
        actions.add_file(
            item,
            FileInput(role="image"),
            SimpleUploadedFile("again.dd", b"x"),
            actor=room.world.handler1,
        )
    assert refused.value.field == "role"
    cash = room.item(kind="cash", amount="5", currency="CNY")
    with pytest.raises(Refused):
        actions.add_file(
            cash,
            FileInput(role="image"),
            SimpleUploadedFile("i.dd", b"x"),
            actor=room.world.handler1,
        )
    with pytest.raises(Refused) as refused:
        actions.add_file(
            cash,
            FileInput(role="photo"),
            SimpleUploadedFile("empty.jpg", b""),
            actor=room.world.handler1,
        )
    assert refused.value.field == "file"
    assert ItemFile.objects.count() == 1


def test_a_belonging_moves_with_the_persons_signature_or_a_witness(room: Room) -> None:
    """Custody's own rule for settling a belonging holds when it becomes an item: unsigned, it
    needs a second officer who witnessed the refusal, and a refusal writes nothing."""
    from casetrail.custody import actions as custody
    from casetrail.custody.inputs import BelongingInput, SessionInput

    w = room.world
    session = custody.open_session(
        SessionInput(
            case_id=room.case.pk,
            unit_id=w.station.pk,
            person_id=room.owner.pk,
            entered_at=clock.now(),
            reason="传唤",
            escort_ids=(w.handler1.pk, w.handler2.pk),
        ),
        actor=w.handler1,
    )
    belonging = custody.deposit_belonging(
        session, BelongingInput(description="钱包"), actor=w.handler1
    )
    moved = {
        "belonging_id": belonging.pk,
        "kind": "other",
        "found_place": "办案区",
        "legal_basis": "扣押决定书",
    }
    items, entries = Item.objects.count(), _entries()
    with pytest.raises(Refused) as refused:
        actions.register_belonging(BelongingItemInput(**moved), actor=w.handler1)
    assert refused.value.field == "person_signed"
    assert (Item.objects.count(), _entries()) == (items, entries)
    item = actions.register_belonging(
        BelongingItemInput(**moved, refusal_witness_id=w.handler2.pk), actor=w.handler1
    )
    belonging = Belonging.objects.get(pk=belonging.pk)
    assert belonging.refusal_witness == w.handler2
    assert belonging.transferred_to == f"property register {item.code}"
