"""The `casetrail` command: serve, demo, migrate, seed, createofficer, second-factor, rules,
ledger, supervision."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Sequence

from casetrail.cli import ledger as ledger_cli
from casetrail.cli import supervision as supervision_cli
from casetrail.cli.setup import setup as _setup
from casetrail.procedure import Calendar
from casetrail.procedure import cli as procedure_cli


def _data_dir() -> None:
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup()
    _data_dir()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    return 0


def _serve(port: int, host: str, *, background: bool = True) -> int:
    from waitress import serve

    from casetrail import background as jobs
    from casetrail.config.wsgi import application

    if background:
        jobs.start_thread()
    # Keep the start-up objects out of the garbage collector's full passes: they never die,
    # and walking them is what made the whiteboard's p95 jitter (docs/benchmarks.md).
    gc.collect()
    gc.freeze()
    print(f"casetrail on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    serve(application, host=host, port=port, threads=8, ident="casetrail")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    import signal
    import threading

    from casetrail import background as jobs

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    names = ", ".join(job.name for job in jobs.jobs()) or "none registered"
    print(f"casetrail worker: {names} (Ctrl-C to stop)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        jobs.run_forever(stop)
    return 0


def cmd_calendar_load(args: argparse.Namespace) -> int:
    _setup()
    from pathlib import Path

    from casetrail.org.calendars import CalendarError, load_notice

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: FILE: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    try:
        result = load_notice(text, actor=None, source_name=path.name)
    except CalendarError as exc:
        print(f"error: {path.name}: {exc}", file=sys.stderr)
        return 2
    n = result.notice
    print(
        f"loaded {n.calendar} {n.year} ({n.source}): {len(n.holidays)} holidays, "
        f"{len(n.workdays)} adjusted working days"
    )
    for name, report in result.reports.items():
        print(f"  {name}: {len(report.changed)} deadlines changed, {report.unchanged} unchanged")
        for line in report.changed:
            print(f"    {line}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    _data_dir()
    return _serve(args.port, args.host, background=not args.no_background)


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    _data_dir()
    from django.core.management import call_command

    from casetrail import demo
    from casetrail.documents.sealing import configured_paths, ensure_demo_keys

    call_command("migrate", interactive=False, verbosity=0)
    # The demo's own signing CA and agency seal, never a real agency's (docs/operations.md):
    # the demo's detentions issue their warrants, sealed.
    ensure_demo_keys(*configured_paths())
    if demo.is_empty():
        print("Loading the demo jurisdiction (first run only)…", flush=True)
        demo.load(seed=args.seed)
    from casetrail.ledger.heads import ensure_key_and_head

    print(ensure_key_and_head().describe(), flush=True)
    print(demo.logins_text(), flush=True)
    if args.no_serve:
        return 0
    return _serve(args.port, args.host)


def cmd_seed(args: argparse.Namespace) -> int:
    _setup()
    _data_dir()
    from django.core.management import call_command

    from casetrail import seed

    call_command("migrate", interactive=False, verbosity=0)
    made = seed.seed_cases(args.cases, seed=args.seed, progress=print)
    print(f"seeded {made} cases")
    return 0


def cmd_createofficer(args: argparse.Namespace) -> int:
    _setup()
    import getpass

    from casetrail.org import actions
    from casetrail.org.models import Unit
    from casetrail.org.roles import Role, Scope

    unit = Unit.objects.filter(code=args.unit).first()
    if unit is None:
        print(f"error: --unit: no unit with code {args.unit}", file=sys.stderr)
        return 2
    password = os.environ.get("CASETRAIL_OFFICER_PASSWORD") or getpass.getpass("Password: ")
    try:
        officer = actions.create_officer(
            username=args.username,
            name=args.name,
            badge_number=args.badge,
            unit=unit,
            password=password,
            actor=None,
        )
        for role in args.role or []:
            if role not in Role.values:
                print(f"error: --role: unknown role {role}", file=sys.stderr)
                return 2
            actions.grant_role(
                officer,
                role=role,
                unit=unit,
                scope=Scope.SUBTREE if args.subtree else Scope.UNIT,
                actor=None,
            )
    except actions.OrgError as exc:
        print(f"error: --{exc.field or 'input'}: {exc}", file=sys.stderr)
        return 2
    print(f"created {officer}")
    return 0


def cmd_second_factor(args: argparse.Namespace) -> int:
    """The operator's two switches: an agency's requirement, and a lost device's reset."""
    _setup()
    from casetrail.org import actions
    from casetrail.org.models import Officer, Unit

    try:
        if args.what == "require":
            unit = Unit.objects.filter(code=args.name).first()
            if unit is None:
                print(f"error: no unit with code {args.name}", file=sys.stderr)
                return 2
            actions.set_second_factor(unit, required=args.state == "on", actor=None)
            print(f"{unit.code}: second factor {'required' if args.state == 'on' else 'off'}")
        else:
            officer = Officer.objects.filter(username=args.name).first()
            if officer is None:
                print(f"error: no officer with username {args.name}", file=sys.stderr)
                return 2
            removed = actions.reset_second_factor(officer, actor=None)
            print(f"{officer.username}: {removed} device(s) removed; enrols again at next login")
    except actions.OrgError as exc:
        print(f"error: --{exc.field or 'input'}: {exc}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casetrail", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the web UI and API")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument(
        "--no-background",
        action="store_true",
        help="do not run the background jobs here (run `casetrail worker`)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="migrate, load the demo jurisdiction if empty, serve")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--no-serve", action="store_true", help="load and print the logins only")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("worker", help="run the background jobs (sweeps, head signing)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("calendar", help="holiday calendars")
    calendar = p.add_subparsers(dest="calendar_command", required=True)
    p = calendar.add_parser("load", help="load an official holiday notice (TOML or JSON)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_calendar_load)

    p = sub.add_parser("migrate", help="create or upgrade the database")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="add N synthetic cases (deterministic for a seed)")
    p.add_argument("--cases", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("createofficer", help="create an officer (and grant roles)")
    p.add_argument("--username", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--badge", required=True)
    p.add_argument("--unit", required=True, help="unit code")
    p.add_argument("--role", action="append", help="role to grant at the unit (repeatable)")
    p.add_argument("--subtree", action="store_true", help="grant for the unit's whole subtree")
    p.set_defaults(func=cmd_createofficer)

    p = sub.add_parser("second-factor", help="an agency's second-factor requirement; resets")
    factor = p.add_subparsers(dest="what", required=True)
    q = factor.add_parser("require", help="require it (on) or not (off) for a whole agency")
    q.add_argument("name", metavar="UNIT", help="the code of the agency's top-level unit")
    q.add_argument("state", choices=["on", "off"])
    q.set_defaults(func=cmd_second_factor)
    q = factor.add_parser("reset", help="remove an officer's lost device (enrols again)")
    q.add_argument("name", metavar="USERNAME")
    q.set_defaults(func=cmd_second_factor)

    procedure_cli.add_subparsers(sub, calendars=_stored_calendar)
    ledger_cli.add_subparsers(sub)
    supervision_cli.add_subparsers(sub)
    return parser


def _stored_calendar(name: str) -> Calendar:
    """The library calendar with the notices loaded into this installation's database; on a
    machine whose database cannot be read (not migrated, not reachable), the library calendar
    alone, with a line on stderr saying that no stored notice was read."""
    _setup()
    from django.db import DatabaseError

    from casetrail.org.calendars import calendar_named
    from casetrail.procedure import calendar_for

    try:
        return calendar_named(name)
    except DatabaseError as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(
            f"note: no stored holiday notice was read ({reason}; run `casetrail migrate` to "
            f"use the notices loaded here): the library {name} calendar applies",
            file=sys.stderr,
        )
        return calendar_for(name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result
