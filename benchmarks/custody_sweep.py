"""The custody sweep and the whiteboard on 1,000,000 open deadlines. Prints, asserts nothing.

Seeds a database once (kept in benchmarks/out/ for later runs): 20 stations, 200,000 running
measures with 5 deadlines each, 1,000,000 open deadline rows in all, bulk-inserted directly
(each row copies a deadline the procedure engine computed, shifted in time). The station under
test has exactly 200 running measures, 40 of its people in the case-handling area. The clock is
fixed (`clock.backdated`) so every run sees the same data.

1. The sweep's two candidate queries (open deadlines past due; open deadlines in their warning
   window not yet warned), through the ORM as the sweep runs them, p50/p95; side by side with
   the same SQL forced to scan the table (`NOT INDEXED`), which is what it costs without the
   partial indexes.
2. One full sweep pass over the fresh candidates (claim, alert, inbox, ledger entry), in a
   transaction rolled back afterwards.
3. The whiteboard of the station, through Django's full stack in-process (session, access,
   template) as its custody officer, p50/p95 and query count; its htmx partial and the API;
   side by side with the bare SQL of the same page replayed on a raw cursor.

    .venv/bin/python benchmarks/custody_sweep.py [--deadlines 1000000] [--runs 200]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 16, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
STATIONS = 20
PER_MEASURE = 5
BOARD_MEASURES = 200
IN_AREA = 40


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadlines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = ROOT / "benchmarks" / "out" / f"custody-{args.deadlines}"
    os.environ.setdefault("CASETRAIL_DATA_DIR", str(data))
    os.environ["DJANGO_SETTINGS_MODULE"] = "casetrail.config.settings.dev"
    os.environ.setdefault("CASETRAIL_ALLOWED_HOSTS", "testserver")
    data.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from casetrail import clock
    from casetrail.custody.models import Deadline

    call_command("migrate", interactive=False, verbosity=0)
    with clock.backdated(NOW):
        if not Deadline.objects.exists():
            started = time.perf_counter()
            seed(args.deadlines, args.seed)
            print(f"seeded in {time.perf_counter() - started:.0f} s")
        return run(args)


# -- seeding ------------------------------------------------------------------------------------


def _templates() -> list[tuple[str, str, object]]:
    """Deadlines the engine computed, one per rule a detention, an arrest or bail attaches."""
    from casetrail.procedure import compute

    trigger = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    rules = [
        ("limit", "CN-CPL91-MAX-DETENTION", ()),
        ("deliver", "CN-CPL85-DELIVER-24H", ()),
        ("notify_family", "CN-CPL85-FAMILY-24H", ()),
        ("interrogate", "CN-CPL86-INTERROGATE-24H", ()),
        ("request_arrest", "CN-CPL91-ARREST-REQUEST", ("special=2",)),
        ("limit", "CN-CPL156-INVESTIGATIVE-CUSTODY", ("CPL156_1M",)),
        ("limit", "CN-CPL79-BAIL-12M", ()),
    ]
    return [
        (duty, rule, compute(rule, trigger, pack="cn", extensions=list(ext)))
        for duty, rule, ext in rules
    ]


def seed(total: int, seed_value: int) -> None:
    from django.db import connection, transaction

    from casetrail.cases import actions as case_actions
    from casetrail.cases.catalogue import ensure_offence_catalogue
    from casetrail.cases.machine import Kind, Status
    from casetrail.cases.models import Case, OffenceCategory, Person
    from casetrail.custody.models import CustodySession, Deadline, Measure
    from casetrail.org import actions as org
    from casetrail.org.roles import Role, Scope

    rng = random.Random(seed_value)
    ensure_offence_catalogue()
    category = OffenceCategory.objects.get(code="CR-THEFT")
    city = org.create_unit(
        code="BC",
        name="基准市局",
        kind="city",
        parent=None,
        timezone="Asia/Shanghai",
        pack="cn",
        actor=None,
    )
    stations = [
        org.create_unit(
            code=f"B{i:02d}",
            name=f"基准派出所{i:02d}",
            kind="station",
            parent=city,
            timezone="Asia/Shanghai",
            pack="cn",
            actor=None,
        )
        for i in range(STATIONS)
    ]
    officers = {}
    for username, role in (
        ("bench.custody", Role.CUSTODY_OFFICER),
        ("bench.h1", Role.CASE_HANDLER),
        ("bench.h2", Role.CASE_HANDLER),
        ("bench.leader", Role.UNIT_LEADER),
    ):
        officers[username] = org.create_officer(
            username=username,
            name=username,
            badge_number=username,
            unit=stations[0],
            password="bench-password-123",  # noqa: S106 - a throwaway benchmark login
            qualification_level="basic",
            qualification_valid_until=date(2030, 1, 1),
            actor=None,
        )
        org.grant_role(
            officers[username], role=role, unit=stations[0], scope=Scope.UNIT, actor=None
        )
    board_case = case_actions.open_case(
        case_actions.CaseInput(
            unit_id=stations[0].pk,
            kind=Kind.CRIMINAL,
            category=category.code,
            title="基准案件",
            handler_ids=(officers["bench.h1"].pk, officers["bench.h2"].pk),
        ),
        actor=officers["bench.h1"],
    )
    cases = [board_case] + [
        Case(
            number=f"B{i:02d}-2026-{n:06d}",
            unit=stations[i],
            year=2026,
            sequence=n,
            kind=Kind.CRIMINAL,
            category=category,
            status=Status.INVESTIGATING,
            title="基准案件",
            opened_at=NOW - timedelta(days=30),
            updated_at=NOW,
        )
        for i in range(1, STATIONS)
        for n in range(1, 51)
    ]
    Case.objects.bulk_create(cases[1:], batch_size=2000)
    cases = list(Case.objects.order_by("pk"))
    by_unit: dict[int, list[Case]] = {}
    for case in cases:
        by_unit.setdefault(case.unit_id, []).append(case)
    Person.objects.bulk_create(
        [Person(name=f"基准人员{i}") for i in range(10_000)], batch_size=5000
    )
    persons = list(Person.objects.values_list("pk", flat=True))
    templates = _templates()
    measures = total // PER_MEASURE
    proposer = officers["bench.h1"]
    print(f"seeding {measures} measures and {measures * PER_MEASURE} deadlines…", flush=True)
    rows: list[Measure] = []
    for i in range(measures):
        on_board = i < BOARD_MEASURES
        unit = stations[0] if on_board else stations[1 + i % (STATIONS - 1)]
        case = board_case if on_board else rng.choice(by_unit[unit.pk])
        started = NOW - timedelta(minutes=rng.randint(5, 60 * (20 if on_board else 24 * 40)))
        rows.append(
            Measure(
                case=case,
                person_id=persons[i] if on_board else rng.choice(persons),
                unit=unit,
                kind="criminal_detention",
                pack="cn",
                status="running",
                reason="基准",
                params={},
                proposed_at=started - timedelta(hours=1),
                proposed_by=proposer,
                approver_role="agency_head",
                approval_citation="CPL art. 82",
                started_at=started,
                started_by=proposer,
            )
        )
    with transaction.atomic():
        Measure.objects.bulk_create(rows, batch_size=5000)
    measure_rows = list(
        Measure.objects.order_by("pk").values_list(
            "pk", "unit_id", "case_id", "person_id", "started_at"
        )
    )
    fields = [f for f in Deadline._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO custody_deadline ({columns}) VALUES ({marks})"
    names = [f.attname for f in fields]
    made = 0
    batch: list[tuple[object, ...]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for pk, unit_id, case_id, person_id, started in measure_rows:
            on_board = unit_id == stations[0].pk
            for k in range(PER_MEASURE):
                duty, _, d = templates[(pk + k) % len(templates)]
                if on_board:
                    shift = started - d.trigger_at
                else:
                    # Open deadlines fall due from twenty minutes ago to two months ahead.
                    due_in = timedelta(minutes=rng.randint(-20, 60 * 24 * 60))
                    shift = NOW + due_in - d.due_at
                due = d.due_at + shift
                warn = d.warn_at + shift
                fresh = NOW - warn < timedelta(minutes=10)  # just entered its window
                values = {
                    "measure_id": pk,
                    "session_id": None,
                    "unit_id": unit_id,
                    "case_id": case_id,
                    "person_id": person_id,
                    "duty": duty,
                    "rule_id": d.rule_id,
                    "requested_id": d.requested_id,
                    "pack": "cn",
                    "title_en": d.rule.title_en,
                    "title_zh": d.rule.title_zh,
                    "citation": str(d.citation)[:300],
                    "trigger_at": d.trigger_at + shift,
                    "due_at": due,
                    "warn_at": warn,
                    "last_day": None,
                    "provisional": False,
                    "provisional_reasons": "[]",
                    "explanation": json.dumps(list(d.explanation), ensure_ascii=False),
                    "extensions": json.dumps([e.id for e in d.extensions]),
                    "params": "{}",
                    "calendar_dependent": False,
                    # All open. In a running system the sweep keeps only the last minutes' past
                    # due, or in their warning window and not yet warned.
                    "status": "open",
                    "status_reason": "",
                    "status_at": None,
                    "met_at": None,
                    "warning_sent": warn <= NOW and not fresh,
                    "accounted_at": None,
                    "accounted_by_id": None,
                    "account": "",
                    "created_at": started,
                }
                batch.append(tuple(_adapt(connection, values[n]) for n in names))
                made += 1
            if len(batch) >= 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
                print(f"  {made} deadlines", flush=True)
        if batch:
            cursor.executemany(sql, batch)
    open_now = Deadline.objects.filter(status="open").count()
    print(f"{made} deadline rows, {open_now} open", flush=True)
    board = list(Measure.objects.filter(unit=stations[0]).order_by("pk")[:IN_AREA])
    sessions = [
        CustodySession(
            unit=stations[0],
            case=m.case,
            person_id=m.person_id,
            measure=m,
            entered_at=(m.started_at or NOW) + timedelta(minutes=10),
            entry_reason="基准",
            recorded_by=officers["bench.custody"],
        )
        for m in board
    ]
    CustodySession.objects.bulk_create(sessions)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _adapt(connection, value: object) -> object:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


# -- measuring -----------------------------------------------------------------------------------


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _report(label: str, seconds: list[float], extra: str = "") -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{label:<46}{_pct(ms, 50):>9.2f}{_pct(ms, 95):>9.2f}  {extra}")


def _time(fn, runs: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def run(args) -> int:
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from casetrail import clock
    from casetrail.custody import alerts
    from casetrail.custody.models import Deadline
    from casetrail.org.models import Officer, Unit

    now = clock.now()
    total = Deadline.objects.count()
    open_rows = Deadline.objects.filter(status="open").count()
    print(
        f"database: {connection.vendor}, {total} deadlines ({open_rows} open); "
        f"python {sys.version.split()[0]}; now {now.isoformat()}"
    )
    print(f"{'':<46}{'p50 ms':>9}{'p95 ms':>9}")

    print("\n1. sweep candidate queries")
    missed = alerts.past_due(now)
    warn = alerts.due_for_warning(now)
    _report(
        "past due (ORM, partial index)",
        _time(lambda: alerts.past_due(now), args.runs),
        f"{len(missed)} rows",
    )
    _report(
        "warning window (ORM, partial index)",
        _time(lambda: alerts.due_for_warning(now), args.runs),
        f"{len(warn)} rows",
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    scans = {
        "past due, NOT INDEXED (baseline)": (
            "SELECT id FROM custody_deadline NOT INDEXED WHERE status = 'open' AND due_at < %s "
            "ORDER BY due_at LIMIT 500"
        ),
        "warning window, NOT INDEXED (baseline)": (
            "SELECT id FROM custody_deadline NOT INDEXED WHERE status = 'open' "
            "AND NOT warning_sent AND warn_at <= %s ORDER BY warn_at LIMIT 500"
        ),
    }
    if connection.vendor == "sqlite":
        for label, sql in scans.items():

            def scan(sql: str = sql) -> None:
                with connection.cursor() as cursor:
                    cursor.execute(sql, [stamp])
                    cursor.fetchall()

            _report(label, _time(scan, max(5, args.runs // 20)))
        with connection.cursor() as cursor:
            for name, qs in (
                ("past due", alerts.past_due_query(now)),
                ("warning", alerts.warning_query(now)),
            ):
                sql, params = qs.values("pk")[:500].query.sql_with_params()
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                print(f"   plan ({name}): " + " / ".join(str(r[-1]) for r in cursor.fetchall()))

    print("\n2. one sweep pass (claim, alert, inbox, ledger), rolled back")
    with transaction.atomic():
        started = time.perf_counter()
        report = alerts.sweep()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    alerts_made = report.missed + report.warned
    per = elapsed / alerts_made * 1000 if alerts_made else 0
    print(
        f"   {report.missed} missed + {report.warned} warned in {elapsed * 1000:.0f} ms "
        f"({per:.1f} ms per alert)"
    )

    print("\n3. whiteboard, 200 running measures, 40 people in the area")
    custody = Officer.objects.get(username="bench.custody")
    unit = Unit.objects.get(code="B00")
    client = Client()
    client.force_login(custody)
    url = f"/custody/board/{unit.pk}/"

    def page(headers: dict[str, str] | None = None, path: str = url) -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, headers=headers or {})
        assert response.status_code == 200, response.status_code
        return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]

    def get(path: str = url, headers: dict[str, str] | None = None) -> None:
        """Timed without query capture: the captured queries would stay in memory."""
        assert client.get(path, headers=headers or {}).status_code == 200

    count, sqls = page()
    connection.queries_log.clear()
    rows = client.get(url).content.decode().count('data-testid="board-row"')
    _report("board page (full stack)", _time(get, args.runs), f"{count} queries, {rows} rows")
    hx, _ = page({"HX-Request": "true"})
    connection.queries_log.clear()
    _report(
        "board htmx partial",
        _time(lambda: get(headers={"HX-Request": "true"}), args.runs),
        f"{hx} queries",
    )
    api_path = f"/api/v1/custody/board/{unit.pk}"
    api, _ = page(path=api_path)
    connection.queries_log.clear()
    _report("board API (JSON)", _time(lambda: get(api_path), args.runs), f"{api} queries")

    def replay() -> None:
        with connection.cursor() as cursor:
            for sql in sqls:
                if sql.lstrip().upper().startswith("SELECT"):
                    cursor.execute(sql)
                    cursor.fetchall()

    _report("board page's SQL, bare (baseline)", _time(replay, args.runs))
    # The p95 above includes Python's full (generation 2) collections, which walk every object
    # the process holds. A server that freezes its start-up objects (gc.freeze(), as gunicorn
    # and Instagram do) walks only what requests allocate:
    gc.collect()
    gc.freeze()
    _report("board page, start-up objects frozen", _time(get, args.runs), f"{count} queries")
    gc.unfreeze()
    return 0


if __name__ == "__main__":
    sys.exit(main())
