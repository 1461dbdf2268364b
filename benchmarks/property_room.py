"""Seized property at 1,000,000 items: the custodian's store view, a stock-take of 5,000 items and
the property sweep. Prints, asserts nothing.

Seeds a database once (SQLite in benchmarks/out/, kept for later runs; or the fresh PostgreSQL
database DATABASE_URL names): a city and 10 stations, 1,000,000 items inserted directly with
executemany (benchmark data, not actions: no ledger entries for them), one time limit per item
(1,000,000 ItemDeadline rows, 60% open, copies of limits the procedure engine computed, shifted
in time) and a few borrowings. The station under test (P00) keeps a quarter of the register in
its room: 250,000 items over 50 locations of 5,000 each, in the room for an hour to three years
(a fifth of them high-risk); another ~34,000 of its items are with officers or disposed of. The
units, officers and locations are made by the project's actions (`org`, `add_location`), the
cases by bulk_create. The clock is fixed (`clock.backdated`), so every run sees the same data.

1. Store view: `queries.store(unit, StoreFilter(...))` (its page query and its count) for the
   first page, one location, items in the room over a year, and page 200; p50/p95 and query
   count, as migrated (the partial index `property_in_room_by_age`, the page's ids read first).
   Baselines side by side, each in a transaction rolled back afterwards: without that index
   (`property_in_room` alone, the index the view was first built on), and without either
   (the foreign-key indexes alone).
2. Stock-take: `actions.start_stocktake` on a location of 5,000 items, then `actions.reconcile`
   with the 5,000 codes scanned there less 3 it had to count, plus 3 strangers (2 items of
   another location, 1 code nobody registered); the real actions, committed, ledger included.
   Baseline side by side: the same answer computed naively, one query per scanned code (reads
   only, no writes).
3. Sweep: `alerts.sweep()` with 5 limits entering their warning window, 5 just missed and 3
   borrowings overdue among 1,000,000 limit rows, committed, the handful reset between runs;
   the same pass inside one transaction; and the sweep with nothing due. Baseline side by
   side: the same with the limits' two partial indexes dropped (in a transaction rolled back
   afterwards).

    .venv/bin/python benchmarks/property_room.py [--items 1000000] [--runs 100] [--seed-only]
        [--stocktakes 30] [--sections store,stocktake,sweep]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/property_room.py   (a fresh database)
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
STATIONS = 10
CASES = 400  # per station
LOCATIONS = 50  # the station under test's
OTHER_LOCATIONS = 5  # each other station's
CODE_BASE = 500_000_000  # seeded item codes: far above any code an item's own pk gives
YEARS = 3
WARNING, MISSED, OVERDUE = 5, 5, 3  # the handful the sweep finds due
FRESH = timedelta(minutes=10)  # the handful fell due within the last ten minutes
KINDS = ("device", "document", "other", "vehicle", "cash", "drugs", "weapon", "valuables")
KIND_WEIGHTS = (30, 25, 20, 5, 8, 4, 1, 7)  # a fifth high-risk (cash, drugs, weapons, valuables)
BASES = ("seized", "admin_seized", "frozen", "preserved", "evidence")
BASIS_WEIGHTS = (60, 15, 5, 5, 15)
RULES = (
    "CN-MPSA112-SEIZURE-30D",
    "CN-MPS243-FREEZE-6M",
    "CN-CPL145-UNRELATED-RELEASE-3D",
    "CN-MPS233-UNCLAIMED-6M",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100, help="timed calls a figure")
    parser.add_argument("--stocktakes", type=int, default=30, help="stock-takes started+reconciled")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    parser.add_argument(
        "--sections", default="store,stocktake,sweep", help="which to measure, comma-separated"
    )
    args = parser.parse_args()
    data = ROOT / "benchmarks" / "out" / f"property-{args.items}"
    folder = Path(os.environ.setdefault("CASETRAIL_DATA_DIR", str(data)))
    os.environ["DJANGO_SETTINGS_MODULE"] = "casetrail.config.settings.dev"
    os.environ.setdefault("CASETRAIL_ALLOWED_HOSTS", "testserver")
    folder.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from casetrail import clock
    from casetrail.property.actions._common import item_code
    from casetrail.property.models import Item

    call_command("migrate", interactive=False, verbosity=0)
    with clock.backdated(NOW):
        if not Item.objects.filter(code=item_code(CODE_BASE)).exists():
            started = time.perf_counter()
            seed(args.items, args.seed)
            print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        if args.seed_only:
            return 0
        return run(args)


# -- seeding ------------------------------------------------------------------------------------


def _inserter(model: Any) -> tuple[str, list[str], dict[str, Any]]:
    """An INSERT of every concrete column but the pk, and the stored default of each column
    that may be left out (a row that leaves out a required column fails loudly)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    defaults: dict[str, Any] = {}
    for f in fields:
        if f.has_default() or f.null or f.blank:  # blank text: ""; nullable: NULL
            defaults[f.attname] = f.get_db_prep_save(f.get_default(), connection)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})", names, defaults


def _insert(model: Any, rows: Iterator[dict[str, Any]], label: str) -> int:
    from django.db import connection, transaction

    sql, names, defaults = _inserter(model)
    made = 0
    batch: list[tuple[Any, ...]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for values in rows:
            batch.append(tuple(values[n] if n in values else defaults[n] for n in names))
            made += 1
            if len(batch) >= 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
                if made % 200_000 == 0:
                    print(f"  {made:,} {label}", flush=True)
        if batch:
            cursor.executemany(sql, batch)
    return made


def seed(total: int, seed_value: int) -> None:
    from django.db import connection

    from casetrail.approvals import actions as engine
    from casetrail.cases.catalogue import ensure_offence_catalogue
    from casetrail.cases.machine import Kind, Status
    from casetrail.cases.models import Case, OffenceCategory
    from casetrail.custody import clocks
    from casetrail.org import actions as org
    from casetrail.org.roles import Role, Scope
    from casetrail.property import actions
    from casetrail.property.actions._common import item_code
    from casetrail.property.actions.room import BORROW_SUBJECT
    from casetrail.property.inputs import LocationInput
    from casetrail.property.models import Borrow, BorrowStatus, Item, ItemDeadline

    rng = random.Random(seed_value)
    dt = connection.ops.adapt_datetimefield_value
    ensure_offence_catalogue()
    category = OffenceCategory.objects.get(code="CR-THEFT")
    city = org.create_unit(
        code="PC",
        name="基准市局",
        kind="city",
        parent=None,
        timezone="Asia/Shanghai",
        pack="cn",
        actor=None,
    )
    stations = [
        org.create_unit(
            code=f"P{i:02d}",
            name=f"基准派出所{i:02d}",
            kind="station",
            parent=city,
            timezone="Asia/Shanghai",
            pack="cn",
            actor=None,
        )
        for i in range(STATIONS)
    ]

    def officer(username: str, role: str) -> Any:
        made = org.create_officer(
            username=username,
            name=username,
            badge_number=username,
            unit=stations[0],
            password="bench-password-123",  # noqa: S106 - a throwaway benchmark login
            qualification_level="basic",
            qualification_valid_until=date(2030, 1, 1),
            actor=None,
        )
        org.grant_role(made, role=role, unit=stations[0], scope=Scope.UNIT, actor=None)
        return made

    keeper = officer("bench.keeper", Role.PROPERTY_CUSTODIAN)
    for station in stations[1:]:
        org.grant_role(
            keeper, role=Role.PROPERTY_CUSTODIAN, unit=station, scope=Scope.UNIT, actor=None
        )
    handlers = [officer(f"bench.h{i}", Role.CASE_HANDLER) for i in range(1, 9)]
    print("adding locations through actions.add_location…", flush=True)
    locations: dict[int, list[int]] = {}
    for station in stations:
        count = LOCATIONS if station is stations[0] else OTHER_LOCATIONS
        locations[station.pk] = [
            actions.add_location(
                station,
                LocationInput(
                    code=f"{station.code}-R{n // 10 + 1}-{n % 10 + 1:02d}",
                    store="涉案财物保管室",
                    room=str(n // 10 + 1),
                    shelf=f"{n % 10 + 1:02d}",
                ),
                actor=keeper,
            ).pk
            for n in range(count)
        ]
    statuses = [Status.INVESTIGATING] * 6 + [Status.REGISTERED] * 2 + [Status.DECIDED] * 2
    Case.objects.bulk_create(
        [
            Case(
                number=f"P{i:02d}-2026-{n:06d}",
                unit=stations[i],
                year=2026,
                sequence=n,
                kind=Kind.CRIMINAL,
                category=category,
                status=statuses[n % len(statuses)],
                title="基准案件",
                opened_at=NOW - timedelta(days=YEARS * 365 + 30),
                updated_at=NOW,
            )
            for i in range(STATIONS)
            for n in range(1, CASES + 1)
        ],
        batch_size=2000,
    )
    cases: dict[int, list[int]] = {}
    for pk, unit_id in Case.objects.order_by("pk").values_list("pk", "unit_id"):
        cases.setdefault(unit_id, []).append(pk)
    handler_ids = [h.pk for h in handlers]
    held = total // 4
    span = YEARS * 365 * 86400
    print(f"seeding {total:,} items ({held:,} in the room of P00)…", flush=True)

    def items() -> Iterator[dict[str, Any]]:
        for i in range(total):
            if i < held:
                state, unit = "room", stations[0]
                location: int | None = locations[unit.pk][i % LOCATIONS]
            else:
                r = rng.random()
                state = "room" if r < 0.55 else "officer" if r < 0.75 else "disposed"
                unit = (
                    stations[1 + i % (STATIONS - 1)] if state == "room" else stations[i % STATIONS]
                )
                location = rng.choice(locations[unit.pk]) if state == "room" else None
            since = NOW - timedelta(seconds=rng.randint(3600, span))
            found = since - timedelta(hours=rng.randint(2, 72))
            by = rng.choice(handler_ids)
            yield {
                "code": item_code(CODE_BASE + i),
                "case_id": rng.choice(cases[unit.pk]),
                "unit_id": unit.pk,
                "kind": rng.choices(KINDS, KIND_WEIGHTS)[0],
                "basis": rng.choices(BASES, BASIS_WEIGHTS)[0],
                "description": "黑色手机一部",
                "quantity": 1,
                "found_place": "嫌疑人住处",
                "found_at": dt(found),
                "taken_by_id": by,
                "registered_at": dt(found + timedelta(hours=1)),
                "registered_by_id": by,
                "holder_kind": "officer" if state == "officer" else "room",
                "holder_id": by if state == "officer" else None,
                "location_id": location,
                "in_room_since": dt(since) if state == "room" else None,
                "status": "disposed" if state == "disposed" else "held",
                "disposed_at": dt(NOW - timedelta(days=rng.randint(1, 300)))
                if state == "disposed"
                else None,
            }

    _insert(Item, items(), "items")
    _seed_deadlines(total, rng, clocks, handler_ids)
    print("adding borrowings…", flush=True)
    lent = list(
        Item.objects.filter(holder_kind="officer", status="held")
        .select_related("case", "unit")
        .order_by("pk")[: OVERDUE + 20]
    )
    for n, item in enumerate(lent):
        approval = engine.open_approval(
            subject_type=BORROW_SUBJECT,
            subject_id=0,
            unit=item.unit,
            title=f"{item.code} {item.description}",
            case_number=item.case.number,
            chain=(),
            actor=handlers[0],
        )
        due = NOW - FRESH / 2 if n < OVERDUE else NOW + timedelta(days=rng.randint(1, 30))
        Borrow.objects.create(
            item=item,
            borrower_id=item.holder_id,
            purpose="鉴定",
            due_back_at=due,
            approval=approval,
            status=BorrowStatus.OUT,
            requested_at=NOW - timedelta(days=40),
        )
    print(f"{Item.objects.count():,} items, {ItemDeadline.objects.count():,} limits", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _seed_deadlines(total: int, rng: random.Random, clocks: Any, handler_ids: list[int]) -> None:
    """One limit an item: 60% open (due within six months, those already in their warning
    window warned), the rest met or missed and accounted for; and the handful due now."""
    from django.db import connection

    from casetrail.property.models import Item, ItemDeadline

    dt = connection.ops.adapt_datetimefield_value
    explanation = ItemDeadline._meta.get_field("explanation")
    calendars = clocks.Calendars()
    trigger = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    templates = []
    for rule in RULES:
        d = clocks.compute(rule, trigger, pack="cn", calendars=calendars)
        assert d.warn_at < d.due_at - FRESH, rule
        templates.append((d, explanation.get_db_prep_save(list(d.explanation), connection)))
    chosen = rng.sample(range(total), WARNING + MISSED)
    warning, missed = set(chosen[:WARNING]), set(chosen[WARNING:])
    print(f"seeding {total:,} limits…", flush=True)

    def rows() -> Iterator[dict[str, Any]]:
        ids = list(Item.objects.order_by("pk").values_list("pk", "unit_id"))
        for i, (item_id, unit_id) in enumerate(ids):
            d, explained = templates[i % len(templates)]
            lead = d.due_at - d.warn_at
            values: dict[str, Any] = {"status": "open", "warning_sent": False}
            if i in warning:  # just entered its warning window
                due = NOW - timedelta(seconds=rng.randint(60, 540)) + lead
            elif i in missed:  # just fell due, warned long ago
                due = NOW - timedelta(seconds=rng.randint(60, 540))
                values["warning_sent"] = True
            elif rng.random() < 0.6:  # open, due within six months
                due = NOW + timedelta(seconds=rng.randint(3600, 180 * 86400))
                if NOW - timedelta(hours=1) < due - lead <= NOW:
                    due += timedelta(hours=2)  # keep clear of the handful's ten minutes
                values["warning_sent"] = due - lead <= NOW
            else:  # closed: met, or missed and accounted for
                due = NOW - timedelta(seconds=rng.randint(86400, 2 * 365 * 86400))
                if rng.random() < 0.85:
                    values |= {"status": "met", "status_at": dt(due - timedelta(days=1))}
                else:
                    values |= {
                        "status": "missed",
                        "status_at": dt(due),
                        "missed_at": dt(due),
                        "warning_sent": True,
                        "account": "逾期原因已说明",
                        "accounted_at": dt(due + timedelta(days=1)),
                        "accounted_by_id": rng.choice(handler_ids),
                    }
            shift = due - d.due_at
            values |= {
                "item_id": item_id,
                "unit_id": unit_id,
                "rule_id": d.rule_id,
                "pack": d.pack_id,
                "title_en": d.rule.title_en,
                "title_zh": d.rule.title_zh,
                "citation": str(d.citation)[:300],
                "trigger_at": dt(d.trigger_at + shift),
                "due_at": dt(due),
                "warn_at": dt(d.warn_at + shift),
                "explanation": explained,
            }
            yield values

    _insert(ItemDeadline, rows(), "limits")


# -- measuring -----------------------------------------------------------------------------------


def _load() -> str:
    """The machine's load average (1, 5, 15 minutes): the figures are only as quiet as it."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _time(
    fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> list[float]:
    out = []
    for n in range(runs + 1):  # the first warms up
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        if n:
            out.append(time.perf_counter() - started)
    return out


def _ms(seconds: list[float]) -> tuple[float, float]:
    ms = [s * 1000 for s in seconds]
    return _pct(ms, 50), _pct(ms, 95)


def _queries(fn: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements ``fn`` runs, each with its parameters as they are bound. Not the text with
    the values written in: SQLite plans that differently (a literal 'room' satisfies a partial
    index's condition at planning time, a bound parameter must be checked against the row)."""
    from django.db import connection

    seen: list[tuple[str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return seen


def _replay(sql: str, params: Any) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def _plan(sql: str, params: Any) -> str:
    """SQLite's query plan, or PostgreSQL's plan as run (EXPLAIN ANALYZE)."""
    from django.db import connection

    # A fresh text each time: sqlite3 caches prepared statements, and a cached EXPLAIN does not
    # notice an index dropped or created since.
    mark = f"/* {time.perf_counter_ns()} */"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {mark} {sql}", params)
            return " / ".join(str(r[-1]) for r in cursor.fetchall())
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {mark} {sql}", params)
        return "\n          ".join(r[0] for r in cursor.fetchall())


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from casetrail.org.models import Officer, Unit
    from casetrail.property.models import Item, ItemDeadline, Location

    unit = Unit.objects.get(code="P00")
    keeper = Officer.objects.get(username="bench.keeper")
    places = list(Location.objects.filter(unit=unit).order_by("code"))
    if connection.vendor == "sqlite":
        engine = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine = f"PostgreSQL {cursor.fetchone()[0]}"
    print(
        f"database: {engine}; python {sys.version.split()[0]}; now {NOW.isoformat()}\n"
        f"{Item.objects.count():,} items, "
        f"{Item.objects.filter(unit=unit, holder_kind='room', status='held').count():,} "
        f"in the room of {unit.code} ({len(places)} locations); "
        f"{ItemDeadline.objects.count():,} limits, "
        f"{ItemDeadline.objects.filter(status='open').count():,} open"
    )
    print(_load())
    chosen = args.sections.split(",")
    if "store" in chosen:
        _store(args, unit, places)
        print(_load())
    if "stocktake" in chosen:
        _stocktake(args, keeper, places)
        print(_load())
    if "sweep" in chosen:
        _sweep(args)
        print(_load())
    return 0


def _store(args: argparse.Namespace, unit: Any, places: list[Any]) -> None:
    from django.db import connection, transaction

    from casetrail.property.queries import StoreFilter

    scenarios = [
        ("first page", StoreFilter()),
        ("one location (5,000 items)", StoreFilter(location=places[7].pk)),
        ("in the room over a year", StoreFilter(age="year")),
        ("page 200", StoreFilter(page=200)),
    ]
    few = max(5, args.runs // 10)
    print("\n1. store view, queries.store(unit, StoreFilter(...)); target p95 < 100 ms")
    ours = _store_pass(
        "as migrated (property_in_room_by_age, the page's ids read first)",
        unit,
        scenarios,
        args.runs,
    )
    for dropped, label in (
        (("property_in_room_by_age",), "without it: property_in_room alone"),
        (("property_in_room_by_age", "property_in_room"), "the foreign-key indexes alone"),
    ):
        with transaction.atomic():
            with connection.cursor() as cursor:
                for name in dropped:
                    cursor.execute(f"DROP INDEX {name}")
            _store_pass(f"baseline: {label} (dropped, rolled back)", unit, scenarios, few, ours)
            transaction.set_rollback(True)


def _store_pass(
    title: str,
    unit: Any,
    scenarios: list[tuple[str, Any]],
    runs: int,
    against: dict[str, float] | None = None,
) -> dict[str, float]:
    """Each view timed through queries.store, then each of its statements alone on a cursor,
    then their plans. Returns the p50 of each view."""
    from casetrail.property import queries

    store = queries.store
    print(f"\n   {title}, {runs} runs")
    print(
        f"   {'':<30}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}{'rows':>9}"
        f"{'/ as migrated' if against else '':>15}  each statement alone, p50 ms"
    )
    medians: dict[str, float] = {}
    plans: list[str] = []
    for label, given in scenarios:

        def call(given: Any = given) -> dict[str, Any]:
            return store(unit, given)

        statements = [q for q in _queries(call) if q[0].lstrip().upper().startswith("SELECT")]
        p50, p95 = _ms(_time(call, runs))
        medians[label] = p50
        parts = [_ms(_time(lambda q=q: _replay(*q), max(5, runs // 5)))[0] for q in statements]
        kinds = [_kind(sql) for sql, _ in statements]
        split = ", ".join(f"{k} {p:.1f}" for k, p in zip(kinds, parts, strict=True))
        ratio = f"{p50 / against[label]:>15.2f}" if against else f"{'':>15}"
        print(
            f"   {label:<30}{p50:>9.1f}{p95:>9.1f}{len(statements):>9}"
            f"{call()['total']:>9,}{ratio}  {split}",
            flush=True,
        )
        for (sql, params), kind in zip(statements, kinds, strict=True):
            plans.append(f"     plan, {label}, {kind}:\n          {_plan(sql, params)}")
    print("\n".join(plans))
    return medians


def _kind(sql: str) -> str:
    if "COUNT(*)" in sql.upper():
        return "count"
    return "page" if " JOIN " in sql.upper() else "ids"


def _stocktake(args: argparse.Namespace, keeper: Any, places: list[Any]) -> None:
    from casetrail.property import actions
    from casetrail.property.actions._common import item_code
    from casetrail.property.inputs import ScanInput
    from casetrail.property.models import Item

    rng = random.Random(args.seed)
    place = places[0]
    at_place = list(
        Item.objects.filter(location=place, holder_kind="room", status="held").values_list(
            "code", flat=True
        )
    )
    strangers = [
        *Item.objects.filter(location=places[1]).order_by("pk").values_list("code", flat=True)[:2],
        item_code(CODE_BASE - 1),  # a well-formed code nobody registered
    ]

    def scan_of(stocktake: Any) -> str:
        dropped = set(rng.sample(sorted(stocktake.to_count), 3))
        scanned = [c for c in at_place if c not in dropped] + strangers
        rng.shuffle(scanned)
        return "\n".join(scanned)

    print(
        f"\n2. stock-take of {place.code}, {len(at_place):,} items: start_stocktake, then "
        f"reconcile with {len(at_place) - 3:,} + 3 codes; target reconcile < 1 s"
    )
    starts, reconciles, inputs = [], [], []
    sqls: list[str] = []
    last = None
    for n in range(args.stocktakes + 1):  # the first warms up, its queries counted
        started = time.perf_counter()
        stocktake = actions.start_stocktake(place, actor=keeper)
        began = time.perf_counter() - started
        text = scan_of(stocktake)
        started = time.perf_counter()
        data = ScanInput(codes=text)
        parsed = time.perf_counter() - started
        started = time.perf_counter()
        if n == 0:
            sqls = _queries(
                lambda st=stocktake, data=data: actions.reconcile(st, data, actor=keeper)
            )
        else:
            actions.reconcile(stocktake, data, actor=keeper)
            reconciles.append(time.perf_counter() - started)
            starts.append(began)
            inputs.append(parsed)
        stocktake.refresh_from_db()
        assert (len(stocktake.missing), len(stocktake.unexpected)) == (3, 3), stocktake
        last = stocktake
    assert last is not None
    s50, s95 = _ms(starts)
    r50, r95 = _ms(reconciles)
    i50, _ = _ms(inputs)
    print(
        f"   sample: {last.full_count} high-risk counted in full + {last.sampled} of "
        f"{last.others} others drawn (confidence {last.confidence:.3f})"
    )
    print(f"   {'':<44}{'p50 ms':>9}{'p95 ms':>9}")
    print(f"   {'start_stocktake':<44}{s50:>9.1f}{s95:>9.1f}")
    print(f"   {'ScanInput(codes=...) (the request parsing it)':<44}{i50:>9.1f}")
    print(
        f"   {'reconcile (action, committed)':<44}{r50:>9.1f}{r95:>9.1f}  "
        f"{len(sqls)} queries, {len(reconciles)} runs"
    )

    # Baseline: the same answer, one query per scanned code and per owed code not scanned.
    stocktake = actions.start_stocktake(place, actor=keeper)
    scanned = [c.strip().upper() for c in scan_of(stocktake).splitlines() if c.strip()]

    def naive() -> tuple[list[str], list[str]]:
        seen, unexpected = set(), []
        for code in scanned:
            seen.add(code)
            row = (
                Item.objects.filter(code=code)
                .values_list("location_id", "holder_kind", "status")
                .first()
            )
            if row != (place.pk, "room", "held"):
                unexpected.append(code)
        missing = [
            c
            for c in stocktake.to_count
            if c not in seen
            and Item.objects.filter(
                code=c, location=place, holder_kind="room", status="held"
            ).exists()
        ]
        return sorted(missing), sorted(unexpected)

    missing, unexpected = naive()
    assert (len(missing), len(unexpected)) == (3, 3), (missing, unexpected)
    b50, b95 = _ms(_time(naive, max(5, args.stocktakes // 3)))
    print(
        f"   {'baseline: one query a code (reads only)':<44}{b50:>9.1f}{b95:>9.1f}  "
        f"{len(scanned) + 3} queries; reconcile / baseline {r50 / b50:.2f}"
    )

    def floor() -> None:
        set(
            Item.objects.filter(location=place, holder_kind="room", status="held").values_list(
                "code", flat=True
            )
        )

    f50, f95 = _ms(_time(floor, max(5, args.stocktakes)))
    print(f"   {'reading the location codes alone (one query)':<44}{f50:>9.1f}{f95:>9.1f}")


def _sweep(args: argparse.Namespace) -> None:
    from django.db import connection, transaction

    from casetrail.property import alerts
    from casetrail.property.models import Borrow, ItemDeadline

    warn_ids = list(
        ItemDeadline.objects.filter(
            warn_at__gt=NOW - FRESH, warn_at__lte=NOW, due_at__gt=NOW
        ).values_list("pk", flat=True)
    )
    miss_ids = list(
        ItemDeadline.objects.filter(due_at__gt=NOW - FRESH, due_at__lte=NOW).values_list(
            "pk", flat=True
        )
    )
    borrow_ids = list(
        Borrow.objects.filter(status="out", due_back_at__lte=NOW).values_list("pk", flat=True)
    )

    def reset() -> None:
        ItemDeadline.objects.filter(pk__in=warn_ids).update(warning_sent=False)
        ItemDeadline.objects.filter(pk__in=miss_ids).update(
            status="open", status_at=None, missed_at=None
        )
        Borrow.objects.filter(pk__in=borrow_ids).update(overdue_at=None)

    expected = alerts.SweepReport(len(warn_ids), len(miss_ids), len(borrow_ids))

    def sweep() -> None:
        report = alerts.sweep()
        assert report == expected, report

    def empty() -> None:
        report = alerts.sweep()
        assert report == alerts.SweepReport(0, 0, 0), report

    print(
        f"\n3. alerts.sweep() over {ItemDeadline.objects.count():,} limits: "
        f"{expected.warned} to warn, {expected.missed} missed, {expected.overdue} borrowings "
        "overdue; target < 50 ms"
    )
    reset()
    every = _queries(sweep)
    sqls = [q for q in every if f"LIMIT {alerts.BATCH}" in q[0] and "property_itemdeadline" in q[0]]
    ours = _ms(_time(sweep, args.runs, before=reset))

    def sweep_at_once() -> None:
        with transaction.atomic():
            sweep()

    once = _ms(_time(sweep_at_once, args.runs, before=reset))
    idle = _ms(_time(empty, args.runs))
    few = max(5, args.runs // 10)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX property_deadline_to_warn")
            cursor.execute("DROP INDEX property_deadline_open")
        base = _ms(_time(sweep, few, before=reset))
        bare = _ms(_time(empty, few))
        plain = [_plan(*q) for q in sqls]
        transaction.set_rollback(True)
    print(f"   {'':<50}{'p50 ms':>9}{'p95 ms':>9}{'base p50':>10}{'base p95':>10}{'ratio':>8}")
    for label, (p50, p95), (b50, b95) in (
        ("sweep, the handful due, each alert committed", ours, base),
        ("sweep, the handful due, in one transaction", once, base),
        ("sweep, nothing due", idle, bare),
    ):
        print(f"   {label:<50}{p50:>9.1f}{p95:>9.1f}{b50:>10.1f}{b95:>10.1f}{b50 / p50:>8.1f}")
    made = expected.warned + expected.missed + expected.overdue
    each, saved = (ours[0] - idle[0]) / made, (once[0] - idle[0]) / made
    print(
        f"   {len(every)} statements with the handful due: 3 candidate queries, then for each of "
        f"the {made} alerts its own transaction (lock, update, ledger entry), about "
        f"{each:.1f} ms an alert ({saved:.1f} ms as savepoints of one transaction). "
        f"Baseline: {few} runs with "
        "property_deadline_to_warn and property_deadline_open dropped, in one transaction "
        "(each alert a savepoint there), rolled back"
    )
    for name, sql, bare_plan in zip(("to warn", "missed"), sqls, plain, strict=True):
        print(f"     plan, {name}, indexed:\n        {_plan(*sql)}")
        print(f"     plan, {name}, without:\n        {bare_plan}")
    reset()


if __name__ == "__main__":
    sys.exit(main())
