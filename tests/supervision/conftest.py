"""A custody scene (a city, a district, two stations, handlers, custody officers, an agency
head, the city's supervisor) with a property room, on the test's frozen clock; `later` moves
that clock forward."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from casetrail import clock
from casetrail.ledger.state import reconcile
from casetrail.org.models import Officer
from casetrail.org.roles import Role
from casetrail.property import actions as prop_actions
from casetrail.property.inputs import LocationInput
from casetrail.property.models import Location
from casetrail.supervision import sweep, tally
from casetrail.supervision.models import Finding
from tests.conftest import make_officer
from tests.custody.conftest import Scene, build_scene


@dataclass
class Desk:
    s: Scene
    traveller: Any
    keeper: Officer
    shelf: Location

    @property
    def w(self) -> Any:
        return self.s.world

    def later(self, **delta: float) -> None:
        self.traveller.move_to(clock.now() + timedelta(**delta))

    def sweep(self) -> sweep.SweepReport:
        return sweep.sweep()

    def findings(self, check_id: str) -> list[Finding]:
        return list(Finding.objects.filter(check_id=check_id).order_by("pk"))


@pytest.fixture(autouse=True)
def tables_match_the_ledger(request: pytest.FixtureRequest) -> Iterator[None]:
    """Invariant 5 on every supervision flow: each finding ends as its last entry says."""
    if "db" not in request.fixturenames and "desk" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")
    yield
    found = reconcile().findings
    assert not found, [str(f) for f in found[:5]]
    # And the dashboard's tallies say what the findings say.
    assert tally.stored() == tally.counted()


@pytest.fixture
def desk(db: None, frozen_clock: Any) -> Desk:
    s = build_scene(frozen_clock)
    keeper = make_officer("keeper", s.world.station, Role.PROPERTY_CUSTODIAN)
    shelf = prop_actions.add_location(
        s.world.station,
        LocationInput(code="R1-A", store="涉案财物保管室", room="1", shelf="A"),
        actor=keeper,
    )
    return Desk(s, frozen_clock, keeper, shelf)
