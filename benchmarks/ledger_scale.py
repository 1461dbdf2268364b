"""The ledger at a million entries: proofs against pymerkle, verification against raw hashlib,
the bytes each entry costs, and appends on a large log.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/ledger_scale.py [--entries 1000000] [--samples 2000]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/ledger_scale.py

Loads ``--entries`` entries into a throwaway database through the bulk loader (chained: ten
entries per subject, payloads the size of real ones), then measures, side by side:

* inclusion and consistency proofs at random positions, from the stored tree (one query each),
  against pymerkle's SqliteTree (7.x: ``prove_inclusion``/``prove_consistency``, leaves in one
  SQLite table, subtree roots recomputed and cached in memory) holding the very same leaves;
  both trees' roots are checked equal first. Issue 4's target: median < 1 ms, p99 < 5 ms;
* ``casetrail ledger verify`` (`audit.verify_ledger`) against raw ``hashlib.sha256`` over the
  same leaf bytes (target: at least half its throughput);
* the bytes the ledger stores per entry beyond its payload (target: under 200);
* record() appends, one per transaction, on the full log (O(log n): no slower than on a small one).

Prints figures; asserts nothing but its own set-up.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from datetime import UTC, datetime, timedelta

from ledger_common import jurisdiction, median_us, p99_us, spread, start

REASONS = (
    "经审查，符合立案条件",
    "further questioning of the suspect is needed",
    "证据已固定，移送审查起诉",
    "the complainant withdrew",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--per-subject", type=int, default=10)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--appends", type=int, default=2000)
    args = parser.parse_args()
    bench = start()
    try:
        run(bench, args)
    finally:
        bench.stop()


def load(n: int, per_subject: int, unit_id: int, actor_id: int) -> float:
    from django.db import transaction

    from casetrail.ledger.bulk import NewSubjectEntry, append_entries
    from casetrail.ledger.kinds import LedgerKind

    subjects = max(1, n // per_subject)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    batch = 20_000
    for first in range(0, n, batch):
        entries = [
            NewSubjectEntry(
                kind=LedgerKind.CASE_TRANSITIONED,
                subject_type="case",
                subject_id=str(i % subjects + 1),
                at=t0 + timedelta(seconds=7 * i, microseconds=i % 999_983),
                actor_id=actor_id,
                actor_label=f"B-{i % 977:04d} 警员{i % 977}",
                unit_id=unit_id,
                data={
                    "move": "start_review",
                    "from": "accepted",
                    "to": "registration_review",
                    "reason": REASONS[i % len(REASONS)],
                    "hearing_required": i % 3 == 0,
                    "hearing_held_on": None,
                },
            )
            for i in range(first, min(first + batch, n))
        ]
        with transaction.atomic():
            append_entries(entries)
        done = min(first + batch, n)
        if done % 200_000 == 0 or done == n:
            print(f"  loaded {done:,} entries ({time.perf_counter() - started:.0f} s)")
    return time.perf_counter() - started


def leaf_bytes(n: int) -> list[bytes]:
    """Every leaf's data, recomputed from the rows as the verifier does."""
    from casetrail.ledger.models import LedgerEntry, leaf_fields_of
    from casetrail.ledger.verify import entry_leaf_data

    leaves: list[bytes] = []
    last = 0
    while last < n:
        rows = list(LedgerEntry.objects.filter(seq__gt=last).order_by("seq")[:50_000])
        leaves += [entry_leaf_data(fields) for fields in leaf_fields_of(rows)]
        last = rows[-1].seq
    return leaves


def stored_bytes(vendor: str) -> tuple[int, int]:
    """(bytes of the ledger's entry and node tables with their indexes, payload bytes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SELECT SUM(octet_length(payload)) FROM ledger_ledgerentry")
            (payload,) = cursor.fetchone()
            cursor.execute(
                "SELECT pg_total_relation_size('ledger_ledgerentry') "
                "+ pg_total_relation_size('ledger_ledgernode')"
            )
            (total,) = cursor.fetchone()
        else:
            cursor.execute("SELECT SUM(LENGTH(CAST(payload AS BLOB))) FROM ledger_ledgerentry")
            (payload,) = cursor.fetchone()
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master "
                "WHERE tbl_name IN ('ledger_ledgerentry', 'ledger_ledgernode'))"
            )
            (total,) = cursor.fetchone()
    return int(total), int(payload)


def breakdown(vendor: str) -> list[tuple[str, int]]:
    """Bytes of each table and index of the ledger's entries and nodes, largest first."""
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            tables = "'ledger_ledgerentry'::regclass, 'ledger_ledgernode'::regclass"
            cursor.execute(
                "SELECT relname, pg_total_relation_size(oid) - COALESCE((SELECT SUM("
                "pg_relation_size(i.indexrelid)) FROM pg_index i WHERE i.indrelid = c.oid), 0) "
                f"FROM pg_class c WHERE oid IN ({tables}) UNION ALL "
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
                f"JOIN pg_index i ON i.indexrelid = c.oid WHERE i.indrelid IN ({tables})"
            )
        else:
            cursor.execute(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM "
                "sqlite_master WHERE tbl_name IN ('ledger_ledgerentry', 'ledger_ledgernode')) "
                "GROUP BY name"
            )
        return sorted(((str(n), int(b)) for n, b in cursor.fetchall()), key=lambda r: -r[1])


def run(bench, args) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection, transaction
    from pymerkle import SqliteTree

    from casetrail.ledger import audit, heads, proofs, tree
    from casetrail.ledger.kinds import LedgerKind
    from casetrail.ledger.record import record

    n, samples = args.entries, args.samples
    rng = random.Random(6962)
    print(f"ledger scale benchmark on {bench.vendor}: {n:,} entries, {samples:,} samples")
    unit, (_, h1, _) = jurisdiction()
    seconds = load(n, args.per_subject, unit.pk, h1.pk)
    size = tree.tree_size()
    print(f"bulk load: {size / seconds:,.0f} entries/s (append_entries, 20,000 a transaction)")
    heads.generate_key()
    head = heads.sign_head()
    size = head.size

    total, payload = stored_bytes(bench.vendor)
    from casetrail.ledger.models import LedgerNode

    nodes = LedgerNode.objects.count()
    print("storage")
    print(f"  entries + nodes, with indexes: {total / size:,.0f} bytes an entry")
    print(f"  payload text: {payload / size:,.0f} bytes an entry")
    beyond = (total - payload) / size
    verdict = "met" if beyond < 200 else "NOT met"
    print(f"  beyond the payload: {beyond:,.0f} bytes an entry   target < 200: {verdict}")
    print(
        f"  ({nodes:,} node rows: {nodes / size:.3f} an entry; levels 1-3 are computed from "
        "the leaves, the entries' hashes, except in the open block)"
    )
    for name, part in breakdown(bench.vendor):
        print(f"    {name}: {part / size:,.1f} bytes an entry")

    print("reading every leaf back for pymerkle and the hashing baseline")
    leaves = leaf_bytes(size)
    assert len(leaves) == size

    print("inclusion proofs at random entries, tree of the signed head")
    ours, full = [], []
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter_ns()
        tree.inclusion_proof(index, size)
        ours.append(time.perf_counter_ns() - started)
        started = time.perf_counter_ns()
        proofs.inclusion(index + 1)  # what `ledger prove` and the API do: head look-ups too
        full.append(time.perf_counter_ns() - started)
    _verdict("casetrail, stored tree", ours)
    _verdict("casetrail, with head", full)

    pairs = []
    for _ in range(samples):
        second = rng.randrange(2, size + 1)
        pairs.append((rng.randrange(1, second), second))
    consistency = []
    for first, second in pairs:
        started = time.perf_counter_ns()
        tree.consistency_proof(first, second)
        consistency.append(time.perf_counter_ns() - started)

    path = bench.data_dir / "pymerkle.sqlite3"
    pm = SqliteTree(str(path))
    started = time.perf_counter()
    pm.append_entries(leaves)
    print(
        f"  pymerkle SqliteTree: {size:,} leaves appended in {time.perf_counter() - started:.0f} s"
    )
    assert pm.get_root(size) == head.root, "pymerkle and casetrail disagree on the tree"
    print("  pymerkle's root equals the signed head's: the same tree")
    first_ns = None
    theirs = []
    for i in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter_ns()
        pm.prove_inclusion(index + 1, size)
        elapsed = time.perf_counter_ns() - started
        if i == 0:
            first_ns = elapsed
        theirs.append(elapsed)
    _verdict("pymerkle SqliteTree", theirs)
    print(f"    (its first proof, cache cold: {first_ns / 1e6:,.0f} ms)")

    print("consistency proofs between random sizes")
    _verdict("casetrail, stored tree", consistency)
    theirs = []
    for first, second in pairs:
        started = time.perf_counter_ns()
        pm.prove_consistency(first, second)
        theirs.append(time.perf_counter_ns() - started)
    _verdict("pymerkle SqliteTree", theirs)
    pm.close()

    print("verification")
    started = time.perf_counter()
    digests = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]
    raw = time.perf_counter() - started
    assert len(digests) == size
    mb = sum(map(len, leaves)) / 1e6
    print(
        f"  raw hashlib.sha256 of the leaf bytes: {size / raw:12,.0f} entries/s "
        f"({mb / raw:,.0f} MB/s)"
    )
    started = time.perf_counter()
    sql = audit._rows_sql()
    for first in range(1, size + 1, audit.CHUNK):
        with tree.ledger_cursor() as cursor:
            cursor.execute(sql, [first, size, audit.CHUNK])
            cursor.fetchall()
    read = time.perf_counter() - started
    print(
        f"  reading the rows alone, nothing checked: {size / read:12,.0f} entries/s "
        f"= {raw / read:.3f} of raw (the ceiling for any verifier that reads them through "
        "the database driver)"
    )
    started = time.perf_counter()
    report = audit.verify_ledger(checkpoint=False)
    took = time.perf_counter() - started
    assert report.ok, report.problems[:3]
    assert report.rechecked == 0, "the quick check missed intact rows"
    share = raw / took
    verdict = "met" if share >= 0.5 else "NOT met"
    print(
        f"  ledger verify (everything):           {size / took:12,.0f} entries/s "
        f"({mb / took:,.1f} MB/s) = {share:.3f} of raw   target >= 0.5: {verdict}"
    )
    from casetrail.ledger.models import LedgerEntry, leaf_fields_of
    from casetrail.ledger.verify import entry_leaf_data

    sample = leaf_fields_of(list(LedgerEntry.objects.filter(seq__lte=20_000).order_by("seq")))
    started = time.perf_counter()
    for fields in sample:
        entry_leaf_data(fields)
    per_leaf = (time.perf_counter() - started) / len(sample)
    print(f"    of which the canonical leaf encoding alone: {per_leaf * 1e6:.1f} us an entry")

    print(f"appends on the log of {size:,} entries")
    timings = []
    for i in range(args.appends):
        started = time.perf_counter_ns()
        with transaction.atomic():
            record(LedgerKind.VIEWED, subject=unit, actor=h1, data={"what": f"page {i}"})
        timings.append(time.perf_counter_ns() - started)
    rate = 1e9 * len(timings) / sum(timings)
    print(f"  record(), one per transaction: {rate:,.0f} entries/s   {spread(timings)}")
    print(f"  ({connection.vendor}; issue 4's target for SQLite: >= 2,000 entries/s)")


def _verdict(label: str, timings: list[int]) -> None:
    median, p99 = median_us(timings) / 1000, p99_us(timings) / 1000
    met = "met" if median < 1 and p99 < 5 else "NOT met"
    print(f"  {label:<24} {spread(timings)}   (< 1 ms / < 5 ms: {met})")


if __name__ == "__main__":
    main()
