"""A case export carries each item's chain of custody beside the item's own ledger chain, and
the bundle still verifies offline."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from casetrail.cases import export
from casetrail.ledger import verify
from tests.property.conftest import Room


def test_the_export_carries_each_items_chain_of_custody(
    room: Room, signing_key: Any, tmp_path: Path
) -> None:
    w = room.world
    item = room.into_room(room.item(seal_numbers="S-9"))
    room.item(description="另一件")
    done = export.export_case(room.case.number, tmp_path / "c.zip", actor=w.supervisor)
    report = verify.verify_bundle(done.path, trusted_key_ids=[signing_key.key_id])
    assert report.intact, [str(c.problems) for c in report.checks]
    with zipfile.ZipFile(done.path) as bundle:
        listing = json.loads(bundle.read("property/chain-of-custody.json"))
    by_code = {row["code"]: row for row in listing}
    assert len(by_code) == 2
    row = by_code[item.code]
    assert row["seals"] == ["S-9"]
    assert [(step["to"], step["status"]) for step in row["chain"]] == [
        (w.station.name, "confirmed")
    ]
    assert row["chain"][0]["location"] == room.shelf_a.code
    assert len(row["ledger_seqs"]) >= 3  # registered, handed over, confirmed


def test_a_case_without_property_exports_no_listing(
    room: Room, signing_key: Any, tmp_path: Path
) -> None:
    done = export.export_case(room.admin_case.number, tmp_path / "c.zip")
    with zipfile.ZipFile(done.path) as bundle:
        assert "property/chain-of-custody.json" not in bundle.namelist()
