"""The import contracts (pyproject.toml, run by lint-imports in CI) cover every part of
casetrail: a package or module added under src/casetrail must be placed in a layer."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "casetrail"


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _parts() -> set[str]:
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    return modules | packages


def test_every_part_of_casetrail_is_placed_in_a_layer():
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    placed = set()
    for layer in layers["layers"]:  # type: ignore[union-attr]
        placed |= {name.strip() for name in str(layer).replace(":", "|").split("|")}
    assert placed == _parts()


def test_no_sibling_cycles_are_checked_from_the_root():
    (acyclic,) = [c for c in _contracts() if c["type"] == "acyclic_siblings"]
    assert acyclic["ancestors"] == ["casetrail"]
