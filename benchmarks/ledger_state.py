"""The state reconcile (`casetrail ledger verify --state`) on a seeded database: rows per second.

Seeds N cases once (kept in benchmarks/out/ for later runs, `casetrail seed`'s function: each
case and person with its entry and state digest), then times `ledger.state.reconcile` over
every registered kind, and side by side the baseline of reading the same rows and the same
last entries without hashing or comparing anything, which is what a reconcile cannot go below.

    .venv/bin/python benchmarks/ledger_state.py [--cases 100000] [--runs 3]

On PostgreSQL: DATABASE_URL=postgres://... (the database is used as it is: give it a fresh one).
"""

from __future__ import annotations

import argparse
import statistics
import time

from seeded import seeded_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    seeded_database(f"state-{args.cases}", args.cases, args.seed)
    from django.db import connection

    from casetrail.ledger import state
    from casetrail.ledger.models import LedgerEntry

    print(f"{connection.vendor}, {LedgerEntry.objects.count():,} entries")
    times, rows = [], 0
    for _ in range(args.runs):
        started = time.perf_counter()
        report = state.reconcile()
        times.append(time.perf_counter() - started)
        assert report.ok, report.findings[:3]
        rows = report.rows
    base = []
    for _ in range(args.runs):
        started = time.perf_counter()
        for spec in state.registered():
            last = state._last_entries(spec.subject_type)
            attnames = [a for _, a in spec.fields]
            list(spec.model._default_manager.values_list("pk", *attnames).iterator(2000))
            seqs = list(last.values())
            for i in range(0, len(seqs), state.CHUNK):
                list(
                    LedgerEntry.objects.filter(seq__in=seqs[i : i + state.CHUNK]).values_list(
                        "seq", "action", "payload"
                    )
                )
        base.append(time.perf_counter() - started)
    median, floor = statistics.median(times), statistics.median(base)
    print(
        f"reconcile: {rows:,} rows in {median:.2f} s (median of {args.runs}): "
        f"{rows / median:,.0f} rows/s"
    )
    for name, tally in report.kinds.items():
        print(f"  {name:<16} {tally.rows:>9,} rows")
    print(
        f"baseline, the same rows and entries read only: {floor:.2f} s "
        f"({rows / floor:,.0f} rows/s); the reconcile is {median / floor:.2f}x that"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
