"""House conventions that no linter checks, checked over the source tree itself (STYLE.md:
"semgrep rules for house conventions"). Each finding names the file and line."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "casetrail"
TESTS = ROOT / "tests"

REAL_CLOCK = re.compile(
    r"\b(datetime\.now|datetime\.utcnow|date\.today|timezone\.now|time\.time)\("
)


def _python(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _findings(files: list[Path], pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_only_the_clock_module_reads_the_real_clock():
    files = [p for p in _python(SRC) if p != SRC / "clock.py"]
    assert _findings(files, REAL_CLOCK) == []


def test_no_test_reads_the_real_clock():
    """Tests run at the frozen instant (tests/conftest.py) and derive every date from it."""
    files = [p for p in _python(TESTS) if p != Path(__file__).resolve()]
    assert _findings(files, REAL_CLOCK) == []


MANAGER = re.compile(r"\b[A-Z]\w*\.objects\b")
DOORS = ("views", "api", "forms")


def _doors() -> list[Path]:
    """The modules that face a request: views, API and forms, as modules or packages."""
    found = []
    for path in _python(SRC):
        parts = path.relative_to(SRC).parts
        if any(part.removesuffix(".py") in DOORS for part in parts[1:]):
            found.append(path)
    return found


def test_views_apis_and_forms_read_through_queries_never_a_model_manager():
    """STYLE.md: views and APIs read through queries.py (and access.py), so every read is
    filtered by access and selects its related rows once."""
    doors = _doors()
    assert any(p.name == "views.py" for p in doors)  # the rule looks where it should
    assert _findings(doors, MANAGER) == []


def test_two_inputs_of_one_name_describe_the_same_body():
    """The API's document names a request body after its input class (`ReviewInput` becomes the
    component `ReviewIn`): two apps' inputs of one name and different fields overwrite each
    other there, and the document then describes one endpoint with the other's body (the schema
    fuzz found custody's detention review documented with supervision's review of a finding)."""
    from django.apps import apps

    from casetrail.web.inputs import Input, schema_of

    assert apps.ready

    def every(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found += [sub, *every(sub)]
        return found

    by_name: dict[str, list[type[Input]]] = {}
    for cls in every(Input):
        by_name.setdefault(cls.__name__, []).append(cls)
    clashes = []
    for name, classes in sorted(by_name.items()):
        bodies = {
            repr(schema_of(cls).model_json_schema().get("properties")): cls for cls in classes
        }
        if len(bodies) > 1:
            clashes.append(f"{name}: {', '.join(sorted(c.__module__ for c in classes))}")
    assert not clashes, clashes
