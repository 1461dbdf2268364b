"""`casetrail supervision backtest`: what a proposed change of a check's parameters, or of
the scorecard's weights, would have done over the last months (supervision/backtest.py);
`casetrail supervision recount`: the dashboard's tallies rebuilt from the findings
(supervision/tally.py)."""

from __future__ import annotations

import argparse
import sys
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from casetrail.cli.setup import setup as _setup


def run_backtest(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import ImproperlyConfigured

    from casetrail import clock
    from casetrail.supervision import backtest

    if args.months < 1 or args.months > 24:
        print("error: --months: from 1 to 24", file=sys.stderr)
        return 2
    try:
        ZoneInfo(args.zone)
    except (ValueError, ZoneInfoNotFoundError):
        print(f"error: --zone: no time zone {args.zone!r}", file=sys.stderr)
        return 2
    try:
        proposed = backtest.parse_settings(args.settings)
        if args.check == "scorecard":
            return _scorecard(proposed, args)
        found = backtest.check(args.check, proposed, clock.now(), args.months)
    except (backtest.BacktestError, ImproperlyConfigured) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{found.check.id}: the last {args.months} months, replayed at {found.instants} instants")
    print(f"  in force  {found.current}: {found.found_now} instances")
    print(f"  proposed  {found.proposed}: {found.found_then} instances ({found.change})")
    print(f"  findings the check actually opened in the window: {found.opened}")
    if found.opened != found.found_now:
        print(
            "  the replay of the parameters in force differs from what was opened: the check "
            "reads today's state of some records, so read the change as an estimate"
        )
    return 0


def _scorecard(proposed: dict[str, object], args: argparse.Namespace) -> int:
    from casetrail import clock
    from casetrail.supervision import backtest
    from casetrail.supervision.scorecard import weights as in_force

    weights, changes = backtest.scorecard(proposed, clock.now(), args.months, args.zone)
    print(f"scorecard weights in force {in_force()}, proposed {weights}")
    if not changes:
        print("  no unit had a finding in the window")
    for change in changes:
        print(f"  {change.quarter}  {change.unit.name}: {change.now} -> {change.then}")
    return 0


def run_recount(args: argparse.Namespace) -> int:
    _setup()
    from casetrail.supervision import tally

    fresh = tally.counted()
    if tally.stored() == fresh:
        print("the dashboard's tallies already say what the findings say")
        return 0
    live, days = tally.recount(counts=fresh)
    print(f"recounted from the findings: {live} unit and severity counts, {days} daily counts")
    return 0


def add_subparsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sup = subparsers.add_parser(
        "supervision", help="supervision: backtest a changed setting, recount the dashboard"
    )
    commands = sup.add_subparsers(dest="supervision_command", required=True, metavar="COMMAND")
    p = commands.add_parser(
        "backtest",
        help="what a check's new parameters (or the scorecard's new weights) would have found",
    )
    p.add_argument("check", help="a check id (casetrail.supervision.checks), or 'scorecard'")
    p.add_argument("settings", nargs="*", metavar="NAME=VALUE", help="the proposed values")
    p.add_argument("--months", type=int, default=3, help="how far back (1 to 24, default 3)")
    p.add_argument(
        "--zone", default="Asia/Shanghai", help="the scorecard's time zone (default Asia/Shanghai)"
    )
    p.set_defaults(func=run_backtest)
    p = commands.add_parser(
        "recount",
        help="rebuild the dashboard's tallies from the findings (after restoring findings by hand)",
    )
    p.set_defaults(func=run_recount)
