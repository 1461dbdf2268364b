"""How fast the procedure engine computes deadlines, on one core. Prints figures, asserts nothing.

    python benchmarks/procedure_compute.py [--open N]

1. computations per second: the median of several timed runs over a mix of rules (hours,
   days with holiday shifts, months with extensions, PACE with params), and the p95 of one call;
2. the time to recompute N (default 1,000,000) open deadlines after an official calendar notice
   is loaded, as `casetrail calendar load` would: parse the notice, build the calendar, then
   compute() every open deadline again against it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from casetrail.procedure import calendar_for, compute, load_pack, parse_notice, resolve

# (pack, rule, extensions, params): a mix like the open deadlines of a busy agency.
MIX: Sequence[tuple[str, str, tuple[str, ...], dict[str, object]]] = [
    ("cn", "CN-CPL86-INTERROGATE-24H", (), {}),
    ("cn", "CN-CPL85-FAMILY-24H", (), {}),
    ("cn", "CN-CPL91-ARREST-REQUEST", ("special=2",), {}),
    ("cn", "CN-CPL91-MAX-DETENTION", (), {}),
    ("cn", "CN-CPL156-INVESTIGATIVE-CUSTODY", ("CPL156_1M",), {}),
    ("cn", "CN-CPL79-BAIL-12M", (), {}),
    ("cn", "CN-PSAPL-CASE-LIMIT", ("next-higher",), {}),
    ("cn", "CN-MPS2015-CRIM-REG-REVIEW", (), {}),
    ("cn", "CN-MPS2015-ADMIN-ACCEPT-3D", (), {}),
    ("cn", "CN-ADMIN-DETENTION-EXEC", (), {"days": 10}),
    ("gb_eng", "EW-PACE41-24H", ("s42=12",), {}),
    ("gb_eng", "EW-PACE43-APPLY", (), {"no_court_sitting": True}),
    ("gb_eng", "EW-PACE40-REVIEW-NEXT", (), {}),
]

# The working-day mode, measured on its own (OGI Regulations 2019 arts. 30, 32, 33).
WORKING_MIX: Sequence[tuple[str, str, tuple[str, ...], dict[str, object]]] = [
    ("cn", "CN-OGI2019-ANSWER-20WD", (), {}),
    ("cn", "CN-OGI2019-ANSWER-20WD", ("head-of-office=20",), {"consultation_days": 5}),
    ("cn", "CN-OGI2019-CORRECTION-7WD", (), {}),
    ("cn", "CN-OGI2019-THIRD-PARTY-15WD", (), {}),
]

NOTICE_2027 = """\
calendar = "cn"
year = 2027
source = "synthetic notice for the benchmark"
holidays = [2027-01-01, 2027-02-06, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10,
            2027-02-11, 2027-02-12, 2027-10-01, 2027-10-02, 2027-10-03, 2027-10-04,
            2027-10-05, 2027-10-06, 2027-10-07]
workdays = [2027-02-20, 2027-10-09]
"""


def synthetic(
    count: int,
    seed: int = 1,
    mix: Sequence[tuple[str, str, tuple[str, ...], dict[str, object]]] = MIX,
) -> list[tuple[str, str, datetime, tuple[str, ...], dict[str, object]]]:
    """Open deadlines with triggers spread over 2026-06 to 2027-06 (into the unpublished year)."""
    rng = random.Random(seed)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    span = 365 * 24 * 60
    rows = []
    for _ in range(count):
        pack, rule, extensions, params = mix[rng.randrange(len(mix))]
        trigger = start + timedelta(minutes=rng.randrange(span))
        rows.append((pack, rule, trigger, extensions, params))
    return rows


def rate(rows: Sequence[tuple[str, str, datetime, tuple[str, ...], dict[str, object]]]) -> float:
    began = time.perf_counter()
    for pack, rule, trigger, extensions, params in rows:
        compute(rule, trigger, pack=pack, extensions=extensions, params=params)
    return len(rows) / (time.perf_counter() - began)


def bare_rate(
    rows: Sequence[tuple[str, str, datetime, tuple[str, ...], dict[str, object]]],
) -> float:
    """Baseline: what a system without the engine does, trigger plus a fixed timedelta (no
    calendar, no counting rules, no explanation). The ratio is what exactness costs."""
    durations = {rule: rule_duration(pack, rule) for pack, rule, _, _ in MIX}
    began = time.perf_counter()
    for _pack, rule, trigger, _extensions, _params in rows:
        _ = trigger + durations[rule]
    return len(rows) / (time.perf_counter() - began)


def rule_duration(pack: str, rule_id: str) -> timedelta:
    """The rule's nominal length as a plain timedelta (months as 30 days)."""
    duration = resolve(rule_id, date(2026, 6, 1), pack=pack).duration
    if duration is None:
        return timedelta(days=10)
    per_unit = {
        "hours": timedelta(hours=1),
        "days": timedelta(days=1),
        "months": timedelta(days=30),
    }
    return duration.value * per_unit[duration.unit]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=1_000_000, help="open deadlines to recompute")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--per-run", type=int, default=20_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    for pack in ("cn", "gb_eng"):
        load_pack(pack)
    rows = synthetic(args.per_run)
    rate(rows[:2000])  # warm the pack cache and the calendar's per-day cache

    rates = [rate(rows) for _ in range(args.runs)]
    timings = []
    for pack, rule, trigger, extensions, params in rows:
        began = time.perf_counter_ns()
        compute(rule, trigger, pack=pack, extensions=extensions, params=params)
        timings.append(time.perf_counter_ns() - began)
    timings.sort()
    p50 = timings[len(timings) // 2] / 1000
    p95 = timings[int(len(timings) * 0.95)] / 1000
    print(f"compute(), one core, {len(MIX)} rules mixed, {args.runs} runs of {args.per_run:,}:")
    print(
        f"  median {statistics.median(rates):,.0f} computations/s "
        f"(min {min(rates):,.0f}, max {max(rates):,.0f})"
    )
    print(f"  per call: p50 {p50:.1f} us, p95 {p95:.1f} us")
    bare = statistics.median(bare_rate(rows) for _ in range(args.runs))
    print(
        f"  baseline, trigger + timedelta (no calendar, no rules, no explanation): "
        f"{bare:,.0f}/s; the engine costs {bare / statistics.median(rates):,.0f}x that"
    )

    working = synthetic(args.per_run, seed=3, mix=WORKING_MIX)
    rate(working[:2000])
    working_rates = [rate(working) for _ in range(args.runs)]
    rules_loaded = sum(len(load_pack(p).rules) for p in ("cn", "gb_eng"))
    print(
        f"working-day mode alone ({len(WORKING_MIX)} OGI requests mixed, {rules_loaded} rules "
        f"loaded): median {statistics.median(working_rates):,.0f} computations/s "
        f"(min {min(working_rates):,.0f}, max {max(working_rates):,.0f})"
    )

    open_deadlines = synthetic(args.open, seed=2)
    began = time.perf_counter()
    notice = parse_notice(NOTICE_2027)
    calendars = {"cn": calendar_for("cn", [notice]), "gb_eng": calendar_for("gb_eng")}
    loaded = time.perf_counter()
    provisional = 0
    for pack, rule, trigger, extensions, params in open_deadlines:
        deadline = compute(
            rule, trigger, pack=pack, extensions=extensions, params=params, calendar=calendars[pack]
        )
        provisional += deadline.provisional
    done = time.perf_counter()
    print(f"recompute {args.open:,} open deadlines after loading a calendar notice:")
    print(
        f"  notice parse + calendar build {1000 * (loaded - began):.1f} ms, "
        f"recompute {done - loaded:.1f} s ({args.open / (done - loaded):,.0f}/s), "
        f"{provisional:,} still provisional"
    )


if __name__ == "__main__":
    main()
