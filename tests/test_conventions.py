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
