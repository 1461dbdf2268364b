"""What the ledger costs a write: an audited case update, side by side with django-simple-history,
and append throughput.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/ledger_append.py [--updates 1000] [--appends 3000]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/ledger_append.py

Runs on a throwaway database (a WAL SQLite file, or Django's test database on the PostgreSQL
of DATABASE_URL). Each update is one transaction, as a request makes it, and moves one fresh
criminal case from "accepted" to "registration review". Four ways, interleaved case by case:

  bare       case.save() in a transaction: no audit at all (the floor)
  history    the same save, recorded by django-simple-history (HistoricalRecords registered
             on the Case model for this run only: a full-row copy in the historical table)
  ledger     the same save plus record(): the ledger entry, its subject link and tree nodes
  action     cases.actions.transition_case(): access check, state machine, save, record()

The target (issue 4) is an audited update at most 1.5x the cost of simple-history's.
Then appends: record() one per transaction, record() 100 per transaction, and the bulk loader.
Prints figures; asserts nothing but its own set-up.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from ledger_common import jurisdiction, median_us, spread, start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000, help="updates per way")
    parser.add_argument("--appends", type=int, default=3000, help="entries per append figure")
    args = parser.parse_args()
    bench = start()
    try:
        run(bench.vendor, args.updates, args.appends)
    finally:
        bench.stop()


def run(vendor: str, updates: int, appends: int) -> None:
    import simple_history
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from casetrail import clock
    from casetrail.cases import actions
    from casetrail.cases.machine import Status
    from casetrail.cases.models import Case, OffenceCategory
    from casetrail.ledger.bulk import NewSubjectEntry, append_entries
    from casetrail.ledger.kinds import LedgerKind
    from casetrail.ledger.record import record

    print(f"ledger append benchmark on {vendor} ({connection.settings_dict['NAME']})")
    simple_history.register(Case, app="casetrail.cases", table_name="bench_historicalcase")
    historical = Case.history.model  # type: ignore[attr-defined]
    with connection.schema_editor() as editor:
        editor.create_model(historical)

    unit, (_, h1, h2) = jurisdiction()
    category = OffenceCategory.objects.get(code="CR-THEFT")
    ways = ("bare", "history", "ledger", "action")
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        cases = [
            actions.open_case(
                actions.CaseInput(
                    unit_id=unit.pk,
                    kind="criminal",
                    category=category.code,
                    title=f"基准案件{i}",
                    summary="电动车被盗，价值约3000元，案发于东湖路口。",
                    handler_ids=(h1.pk, h2.pk),
                ),
                actor=h1,
            )
            for i in range(updates * len(ways))
        ]
    print(f"  {len(cases):,} fresh cases opened through the action")

    def bare(case: Case) -> None:
        with transaction.atomic():
            case.status = Status.REGISTRATION_REVIEW
            case.updated_at = clock.now()
            case.save()

    def history(case: Case) -> None:
        with transaction.atomic():
            case.status = Status.REGISTRATION_REVIEW
            case.updated_at = clock.now()
            case._history_user = h1  # type: ignore[attr-defined]
            case.save()

    def ledger(case: Case) -> None:
        with transaction.atomic():
            before = case.status
            case.status = Status.REGISTRATION_REVIEW
            case.updated_at = clock.now()
            case.save()
            record(
                LedgerKind.CASE_TRANSITIONED,
                subject=case,
                actor=h1,
                unit_id=case.unit_id,
                data={
                    "move": "start_review",
                    "from": before,
                    "to": case.status,
                    "reason": "",
                    "hearing_required": case.hearing_required,
                    "hearing_held_on": case.hearing_held_on,
                },
            )

    def action(case: Case) -> None:
        actions.transition_case(case, actions.MoveInput(move="start_review"), actor=h1)

    run_way = {"bare": bare, "history": history, "ledger": ledger, "action": action}
    timings: dict[str, list[int]] = {way: [] for way in ways}
    for i in range(updates):
        for shift in range(len(ways)):  # rotate the order so no way always goes first
            way = ways[(i + shift) % len(ways)]
            case = cases[i * len(ways) + ways.index(way)]
            with override_settings(SIMPLE_HISTORY_ENABLED=way == "history"):
                started = time.perf_counter_ns()
                run_way[way](case)
                timings[way].append(time.perf_counter_ns() - started)
    assert historical.objects.count() == updates
    print(f"audited case update, one transaction each, {updates:,} per way")
    for way in ways:
        print(f"  {way:<8} {spread(timings[way])}")
    base, hist = median_us(timings["bare"]), median_us(timings["history"])
    for way in ("ledger", "action"):
        ratio = median_us(timings[way]) / hist
        verdict = "met" if ratio <= 1.5 else "NOT met"
        print(f"  {way} / history (medians): {ratio:.2f}x   target <= 1.5x: {verdict}")
    extra_hist, extra_ledger = hist - base, median_us(timings["ledger"]) - base
    print(
        f"  audit cost over the bare save: history {extra_hist:.0f} us, "
        f"ledger {extra_ledger:.0f} us ({extra_ledger / max(extra_hist, 1e-9):.2f}x)"
    )

    print(f"appends on a log of {Case.objects.count() + appends:,}+ entries")
    subject = unit

    def one_per_transaction() -> None:
        for i in range(appends):
            with transaction.atomic():
                record(LedgerKind.VIEWED, subject=subject, actor=h1, data={"what": f"page {i}"})

    def hundred_per_transaction() -> None:
        for start_at in range(0, appends, 100):
            with transaction.atomic():
                for i in range(start_at, min(start_at + 100, appends)):
                    record(LedgerKind.VIEWED, subject=subject, actor=h1, data={"what": f"p {i}"})

    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    batch = [
        NewSubjectEntry(
            kind=LedgerKind.VIEWED,
            subject_type="case",
            subject_id=str(cases[i % len(cases)].pk),
            at=t0 + timedelta(seconds=i),
            actor_id=h1.pk,
            actor_label="B-h1 警员h1",
            unit_id=unit.pk,
            data={"what": "case file", "n": i},
        )
        for i in range(appends * 10)
    ]

    def bulk() -> None:
        with transaction.atomic():
            append_entries(batch)

    for label, work, count in (
        ("record(), one entry per transaction", one_per_transaction, appends),
        ("record(), 100 entries per transaction", hundred_per_transaction, appends),
        ("bulk append_entries(), one transaction", bulk, len(batch)),
    ):
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
        rate = count / seconds
        note = ""
        if vendor == "sqlite" and label.startswith("record(), one"):
            note = f"   target >= 2,000/s: {'met' if rate >= 2000 else 'NOT met'}"
        print(f"  {label:<42} {rate:10,.0f} entries/s{note}")


if __name__ == "__main__":
    main()
