"""Server time and query count of the officers' case pages on 200,000 seeded cases.

Seeds a database once (kept in benchmarks/out/ for later runs), then requests each page
through Django's full stack in-process (middleware, access filtering, templates) as a
station handler and as a city-wide supervisor, and reports p50/p95 and the query count.
Baseline, run side by side: the bare SQL of the same page (the queries the page ran,
replayed on a raw cursor), which shows what the framework and templates add.

    .venv/bin/python benchmarks/case_pages.py [--cases 200000] [--runs 60]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

from seeded import seeded_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("CASETRAIL_ALLOWED_HOSTS", "testserver")
    seeded_database(f"pages-{args.cases}", args.cases, args.seed)
    return run(args)


def _second_factor_done(client, officer):
    """The demo enrols its supervisor with a second factor: mark the session verified with
    that device, as django_otp.login does after a right code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=officer, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def _timed(client, url, params, headers=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(url, params, headers=headers or {})
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _replay(sqls):
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in sqls:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(sql)
                cursor.fetchall()
    return time.perf_counter() - started


def _pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(args) -> int:
    from django.db import connection
    from django.test import Client

    from casetrail.cases.models import Case, Party
    from casetrail.org.models import Officer

    rng = random.Random(args.seed)
    handler = Officer.objects.get(username="dh01.handler1")
    supervisor = Officer.objects.get(username="supervisor")
    total = Case.objects.count()
    names = list(Party.objects.values_list("person__name", flat=True)[:2000])
    two_char = [n for n in names if len(n) == 2] or names
    print(f"database: {connection.vendor}, {total} cases; python {sys.version.split()[0]}")
    scenarios = [
        (
            "case list, filtered (status+kind)",
            "/cases/",
            lambda: {
                "status": rng.choice(["investigating", "registered", "decided"]),
                "kind": rng.choice(["criminal", "administrative"]),
            },
        ),
        ("case list, page 40", "/cases/", lambda: {"page": "40"}),
        ("search, two-character name", "/cases/", lambda: {"q": rng.choice(two_char)}),
        (
            "search, summary words",
            "/cases/",
            lambda: {"q": rng.choice(["电动车", "轻伤", "超市", "噪声"])},
        ),
        (
            "search, case number",
            "/cases/",
            lambda: {"q": Case.objects.order_by("?").values_list("number", flat=True).first()},
        ),
    ]
    print(
        f"{'page':<36}{'who':<12}{'p50 ms':>8}{'p95 ms':>8}{'queries':>9}{'SQL p50':>9}{'ratio':>7}"
    )
    for who, officer in (("handler", handler), ("supervisor", supervisor)):
        client = Client()
        client.force_login(officer)
        _second_factor_done(client, officer)
        client.get("/")
        for label, url, params in scenarios:
            _report(label, who, [_timed(client, url, params()) for _ in range(args.runs)])
        visible = (
            list(
                Case.objects.filter(unit__in=officer.grants.values("unit")).values_list(
                    "number", flat=True
                )[:500]
            )
            if who == "handler"
            else list(Case.objects.order_by("?").values_list("number", flat=True)[:500])
        )
        _report(
            "case detail",
            who,
            [_timed(client, f"/cases/{rng.choice(visible)}/", {}) for _ in range(args.runs)],
        )
    print()
    print("query count against page size (API, handler):")
    from django.db import transaction

    from casetrail.org.actions import issue_token
    from casetrail.org.inputs import TokenInput

    with transaction.atomic():
        _, key = issue_token(TokenInput(name="bench"), actor=handler)
    api = Client()
    for size in (10, 25, 50, 100):
        _, queries, _ = _timed(
            api, "/api/v1/cases", {"page_size": size}, {"Authorization": f"Bearer {key}"}
        )
        print(f"  page_size={size:<4} queries={queries}")
    return 0


def _report(label, who, samples):
    times = [s[0] * 1000 for s in samples]
    replays = [_replay(s[2]) * 1000 for s in samples[: min(20, len(samples))]]
    queries = max(s[1] for s in samples)
    p50 = statistics.median(times)
    sql50 = statistics.median(replays)
    print(
        f"{label:<36}{who:<12}{p50:>8.1f}{_pct(times, 95):>8.1f}{queries:>9}"
        f"{sql50:>9.1f}{p50 / sql50 if sql50 else 0:>7.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
