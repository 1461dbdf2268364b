"""`casetrail rules ...` on a machine that has not run `casetrail migrate`: the library
calendars and a line saying no stored notice was read, never a traceback.

The command runs in a child process with an empty data folder, so this test imports no
Django itself (the procedure tests stay framework-free)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def casetrail(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env["CASETRAIL_DATA_DIR"] = str(tmp_path / "never-migrated")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "casetrail.cli", "rules", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "argv", [("list", "--pack", "cn"), ("show", "CN-OGI2019-ANSWER-20WD")], ids=["list", "show"]
)
def test_rules_list_and_show_need_no_database(tmp_path: Path, argv: tuple[str, ...]) -> None:
    result = casetrail(tmp_path, *argv)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "CN-OGI2019-ANSWER-20WD" in result.stdout


def test_rules_deadline_uses_the_library_calendar_and_says_so(tmp_path: Path) -> None:
    result = casetrail(
        tmp_path,
        "deadline",
        "CN-OGI2019-ANSWER-20WD",
        "--trigger",
        "2026-09-21T10:00",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "no stored holiday notice was read" in result.stderr
    assert "library cn calendar applies" in result.stderr
    # OGI Regulations (2019) art. 33(2): 20 working days over Mid-Autumn and National Day.
    assert json.loads(result.stdout)["due_local"] == "2026-10-26T23:59:59+08:00"
