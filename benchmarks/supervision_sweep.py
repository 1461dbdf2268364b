"""The supervision sweep and dashboard over N seeded cases. Prints, asserts nothing.

Seeds (once, kept in benchmarks/out/) a database of N cases with `casetrail seed`, then:

1. Each check's search alone (no writes), p50 over --runs.
2. A first sweep that opens every finding the history holds (each its own transaction and ledger
   entry, as in production), then a second sweep that finds the same gaps and opens nothing: the
   steady cost of a pass. The sweep re-evaluates every check, so the second figure is also what
   a pass costs after new events; 1,000 cases are then made idle-free (moved) and a third pass
   timed. All of it inside one transaction rolled back at the end, so the database stays as
   seeded.
3. The dashboard and the findings list as the city's supervisor, in-process through Django's
   full stack, p50/p95 and query count, with the first sweep's findings present.

    .venv/bin/python benchmarks/supervision_sweep.py [--cases 200000] [--runs 5] [--pages 30]
        [--sections checks,sweep,pages]

With `--sections pages` alone the pages are timed over the findings the database already
holds (say, after `casetrail sweep` committed them), nothing rolled back.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeded import seeded_database  # a sibling script, not a package


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sections", default="checks,sweep,pages")
    args = parser.parse_args()
    os.environ.setdefault("CASETRAIL_ALLOWED_HOSTS", "testserver")
    seeded_database(f"pages-{args.cases}", args.cases, args.seed)
    return run(args)


def run(args: argparse.Namespace) -> int:
    from django.db import connection, transaction

    from casetrail import clock
    from casetrail.cases.models import Case
    from casetrail.ledger.models import LedgerEntry
    from casetrail.org.models import Officer
    from casetrail.supervision import sweep
    from casetrail.supervision.models import Finding

    cases = Case.objects.count()
    entries = LedgerEntry.objects.count()
    print(
        f"database: {connection.vendor}, {cases} cases, {entries} ledger entries; "
        f"python {sys.version.split()[0]}"
    )
    sections = set(args.sections.split(","))
    now = clock.now()
    if "checks" in sections:
        _checks(args, now)
    with transaction.atomic():
        if "sweep" in sections:
            _sweeps(Case, sweep)
        print(f"findings now: {Finding.objects.count()}")
        if "pages" in sections:
            _pages(args, Officer.objects.get(username="supervisor"))
        transaction.set_rollback(True)
    return 0


def _checks(args: argparse.Namespace, now: Any) -> None:
    from casetrail.supervision.checks import CHECKS

    print(f"{'check':<36}{'instances':>10}{'p50 ms':>10}{'max ms':>10}")
    for check in CHECKS:
        params = check.params()
        times, found = [], 0
        for _ in range(args.runs):
            started = time.perf_counter()
            found = sum(1 for _ in check.find(now, params))
            times.append((time.perf_counter() - started) * 1000)
        print(f"{check.id:<36}{found:>10}{_pct(times, 50):>10.1f}{max(times):>10.1f}")


def _timed_sweep(sweep: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    report = sweep.sweep()
    return report, time.perf_counter() - started


def _sweeps(case_model: Any, sweep: Any) -> None:
    from casetrail import clock

    first, cold = _timed_sweep(sweep)
    print(
        f"first sweep: {first.opened} findings opened in {cold:.1f} s "
        f"({1000 * cold / max(first.opened, 1):.2f} ms a finding)"
    )
    second, steady = _timed_sweep(sweep)
    print(f"second sweep (nothing new): {steady:.2f} s, opened {second.opened}")
    moved = list(case_model.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    case_model.objects.filter(pk__in=moved).update(updated_at=clock.now())
    third, after = _timed_sweep(sweep)
    print(
        f"sweep after 1,000 cases moved: {after:.2f} s, opened {third.opened}, "
        f"gap gone on {third.gone}"
    )


def _pages(args: argparse.Namespace, supervisor: Any) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(supervisor)
    device = TOTPDevice.objects.filter(user=supervisor, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    client.get("/")
    print(f"{'page (city supervisor)':<36}{'p50 ms':>10}{'p95 ms':>10}{'queries':>10}")
    for label, url in (
        ("dashboard", "/supervision/dashboard/"),
        ("findings list", "/supervision/"),
        ("findings list, page 20", "/supervision/?page=20"),
        ("dashboard API", "/api/v1/supervision/dashboard"),
    ):
        times, queries = [], 0
        for _ in range(args.pages):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(ctx.captured_queries)
        print(f"{label:<36}{_pct(times, 50):>10.1f}{_pct(times, 95):>10.1f}{queries:>10}")


if __name__ == "__main__":
    raise SystemExit(main())
