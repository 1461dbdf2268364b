"""A station with a criminal and an administrative case, a suspect who owns what is seized, a
property room with two locations and its custodian, and an agency head over the district."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casetrail import clock
from casetrail.cases import actions as case_actions
from casetrail.cases.models import Case, Person
from casetrail.ledger import heads
from casetrail.org.models import Officer
from casetrail.org.roles import Role, Scope
from casetrail.property import actions
from casetrail.property.inputs import (
    AnswerInput,
    ItemInput,
    LocationInput,
    TransferInput,
)
from casetrail.property.models import Item, Location
from tests.conftest import World, build_world, make_officer

ID_NUMBER = "110101199003077539"


@dataclass
class Room:
    world: World
    custodian: Officer
    head: Officer
    case: Case
    admin_case: Case
    owner: Person
    shelf_a: Location
    shelf_b: Location

    def item(self, case: Case | None = None, *, actor: Officer | None = None, **given: Any) -> Item:
        case = case or self.case
        fields: dict[str, Any] = {
            "kind": "device",
            "basis": "seized",
            "description": "黑色手机一部",
            "found_place": "嫌疑人住处卧室",
            "found_at": clock.now(),
            "owner_id": self.owner.pk if case == self.case else None,
            "legal_basis": "扣押决定书",
        } | given
        return actions.register_item(case, ItemInput(**fields), actor=actor or self.world.handler1)

    def send(self, item: Item, actor: Officer, **given: Any) -> Any:
        fields: dict[str, Any] = {
            "to_kind": "officer",
            "purpose": "移交",
            "condition": "intact",
            "seal_intact": True,
        } | given
        return actions.send(item, TransferInput(**fields), actor=actor)

    def confirm(self, transfer: Any, actor: Officer, **given: Any) -> Any:
        fields: dict[str, Any] = {"answer": "confirm", "condition": "intact", "seal_intact": True}
        return actions.answer(transfer, AnswerInput(**(fields | given)), actor=actor)

    def into_room(self, item: Item, *, location: Location | None = None) -> Item:
        """The handler who holds it hands it to the room, and the custodian confirms."""
        place = location or self.shelf_a
        item.refresh_from_db()
        holder = item.holder
        assert holder is not None
        transfer = self.send(item, holder, to_kind="room", location_id=place.pk)
        self.confirm(transfer, self.custodian)
        item.refresh_from_db()
        return item


def build_room() -> Room:
    world = build_world()
    custodian = make_officer("keeper", world.station, Role.PROPERTY_CUSTODIAN)
    head = make_officer("head", world.district, Role.AGENCY_HEAD, scope=Scope.SUBTREE)
    case = world.case()
    admin_case = world.case(kind="administrative", title="殴打他人案", summary="殴打他人")
    party = case_actions.add_party(
        case,
        case_actions.PartyInput(
            role="suspect",
            name="张三丰",
            id_type="resident_id",
            id_number=ID_NUMBER,
            birth_date=date(1990, 3, 7),
        ),
        actor=world.handler1,
    )
    shelf_a = actions.add_location(
        world.station,
        LocationInput(code="R1-A", store="涉案财物保管室", room="1", shelf="A"),
        actor=custodian,
    )
    shelf_b = actions.add_location(
        world.station,
        LocationInput(code="R1-B", store="涉案财物保管室", room="1", shelf="B"),
        actor=custodian,
    )
    return Room(world, custodian, head, case, admin_case, party.person, shelf_a, shelf_b)


@pytest.fixture
def room(db: None) -> Room:
    return build_room()


@pytest.fixture
def signing_key(settings: Any, tmp_path: Path) -> Any:
    """A ledger key of this test's own (receipts and exports sign a head with it)."""
    settings.CASETRAIL_LEDGER_KEY_FILE = tmp_path / "keys" / "ledger.pem"
    return heads.generate_key(settings.CASETRAIL_LEDGER_KEY_FILE)
