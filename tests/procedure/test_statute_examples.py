"""Every statute example in data/*.toml, one row at a time: the deadline or the refusal."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from casetrail.procedure import ProcedureError, compute, load_pack

DATA = Path(__file__).parent / "data"
PACK_OF_FILE = {"cn_examples.toml": "cn", "gb_eng_examples.toml": "gb_eng"}
CASE_KEYS = {
    "rule",
    "trigger",
    "extend",
    "params",
    "due",
    "error",
    "provisional",
    "resolved",
    "explains",
    "cite",
}


def load_rows() -> list[Any]:
    rows = []
    for name, pack in PACK_OF_FILE.items():
        cases = tomllib.loads((DATA / name).read_text(encoding="utf-8"))["case"]
        for number, case in enumerate(cases, start=1):
            rows.append(pytest.param(pack, case, id=f"{pack}-{number:02d}-{case['rule']}"))
    return rows


ROWS = load_rows()


@pytest.mark.parametrize(("pack", "case"), ROWS)
def test_statute_example(pack: str, case: dict[str, Any]) -> None:
    assert set(case) <= CASE_KEYS, f"unknown keys in example: {set(case) - CASE_KEYS}"
    assert case.get("cite"), "every example cites its article"
    assert ("due" in case) != ("error" in case), "an example expects a deadline or a refusal"
    arguments = {
        "pack": pack,
        "extensions": case.get("extend", []),
        "params": case.get("params", {}),
    }
    if "error" in case:
        with pytest.raises(ProcedureError, match=_literal(case["error"])):
            compute(case["rule"], case["trigger"], **arguments)
        return

    deadline = compute(case["rule"], case["trigger"], **arguments)

    expected = datetime.fromisoformat(case["due"])
    # Compared in UTC: an aware time in a repeated hour (fold=1) never equals another zone's.
    assert deadline.due_at == expected.astimezone(UTC), "\n".join(deadline.explanation)
    assert deadline.due_local.utcoffset() == expected.utcoffset(), "shown in the pack's zone"
    if "provisional" in case:
        assert deadline.provisional is case["provisional"], deadline.provisional_reasons
    if "resolved" in case:
        assert deadline.rule_id == case["resolved"]
    if "explains" in case:
        assert any(case["explains"] in step for step in deadline.explanation), deadline.explanation


def _literal(text: str) -> str:
    return re.escape(text)


def test_the_examples_cover_every_rule_of_every_pack() -> None:
    covered: dict[str, set[str]] = {"cn": set(), "gb_eng": set()}
    for row in ROWS:
        pack, case = row.values
        found = load_pack(pack)
        ids = found.aliases.get(case["rule"], (case["rule"],))
        covered[pack].update(ids)
    for pack, ids in covered.items():
        assert set(load_pack(pack).rule_ids()) <= ids


def test_there_are_at_least_sixty_examples() -> None:
    assert len(ROWS) >= 60
