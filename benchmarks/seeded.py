"""A benchmark's own SQLite database (or DATABASE_URL's) holding N seeded cases: set up Django
on the dev settings, migrate, and seed what is missing. Shared by the scripts that time pages
and passes over many cases."""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def seeded_database(name: str, cases: int, seed: int) -> None:
    """Django set up on ``benchmarks/out/NAME`` (unless CASETRAIL_DATA_DIR says otherwise) with
    at least ``cases`` cases, seeded deterministically from ``seed``."""
    data = ROOT / "benchmarks" / "out" / name
    folder = Path(os.environ.setdefault("CASETRAIL_DATA_DIR", str(data)))
    os.environ["DJANGO_SETTINGS_MODULE"] = "casetrail.config.settings.dev"
    folder.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from casetrail.cases.models import Case

    call_command("migrate", interactive=False, verbosity=0)
    have = Case.objects.count()
    if have < cases:
        from casetrail import seed as seeder

        started = time.perf_counter()
        seeder.seed_cases(cases - have, seed=seed, progress=print)
        print(f"seeded {cases - have} cases in {time.perf_counter() - started:.0f} s")
