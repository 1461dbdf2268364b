"""Shared set-up for the ledger benchmarks: a throwaway database, a small jurisdiction, and
the figures (median, p99) printed the same way. Not a benchmark itself."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Bench:
    vendor: str
    data_dir: Path
    stop: Callable[[], None]


def start() -> Bench:
    """Django on a fresh database (see ledger_settings); call ``stop()`` at the end."""
    data_dir = Path(tempfile.mkdtemp(prefix="casetrail-ledger-bench-"))
    os.environ["CASETRAIL_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ledger_settings"
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)

    def stop() -> None:
        connection.creation.destroy_test_db(name, verbosity=0)
        shutil.rmtree(data_dir, ignore_errors=True)

    return Bench(connection.vendor, data_dir, stop)


def jurisdiction() -> Any:
    """One station with an intake officer and two handlers, made through the actions."""
    from casetrail.cases.catalogue import ensure_offence_catalogue
    from casetrail.org import actions
    from casetrail.org.roles import Role, Scope

    ensure_offence_catalogue()
    unit = actions.create_unit(
        code="B1",
        name="基准派出所",
        name_en="Bench station",
        kind="station",
        parent=None,
        timezone="Asia/Shanghai",
        pack="cn",
        actor=None,
    )
    officers = []
    for username, role in (("intake", Role.INTAKE_OFFICER), ("h1", Role.CASE_HANDLER),
                           ("h2", Role.CASE_HANDLER)):  # fmt: skip
        officer = actions.create_officer(
            username=username,
            name=f"警员{username}",
            badge_number=f"B-{username}",
            unit=unit,
            password="a-long-bench-password",  # noqa: S106 - a throwaway database
            qualification_level="basic",
            qualification_valid_until=date(2030, 12, 31),
            actor=None,
        )
        actions.grant_role(officer, role=role, unit=unit, scope=Scope.UNIT, actor=None)
        officers.append(officer)
    return unit, officers


def spread(samples_ns: list[int]) -> str:
    ordered = sorted(samples_ns)
    median = statistics.median(ordered) / 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000
    mean = statistics.mean(ordered) / 1000
    return f"median {median:8.1f} us   p99 {p99:8.1f} us   mean {mean:8.1f} us"


def median_us(samples_ns: list[int]) -> float:
    return float(statistics.median(samples_ns)) / 1000


def p99_us(samples_ns: list[int]) -> float:
    ordered = sorted(samples_ns)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000
