"""`casetrail rules ...`: list, show and compute rules from the command line (framework-free).

The casetrail command wires this in with add_subparsers(); `python -m casetrail.procedure.cli`
runs it alone. Handlers write to stdout and return an exit code: 0 on success, 2 on a bad argument,
with a message that names the argument, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from casetrail.procedure.calendars import Calendar
from casetrail.procedure.deadlines import Deadline, compute, find_pack
from casetrail.procedure.errors import (
    ExtensionError,
    NotInForce,
    ParamError,
    ProcedureError,
    TriggerError,
    gettext_noop,
)
from casetrail.procedure.model import Pack, Rule
from casetrail.procedure.packs import load_pack, pack_ids

USAGE_ERROR = 2


CalendarProvider = Callable[[str], Calendar]


def add_subparsers(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    calendars: CalendarProvider | None = None,
) -> None:
    """Add `rules list|show|deadline` to a parent command's subparsers.

    ``calendars`` maps a pack's calendar name to the calendar to count with (the casetrail
    command passes one that adds the official notices an administrator loaded); without it
    the library calendars apply.
    """
    rules = subparsers.add_parser("rules", help="statutory time limits: list, show, compute")
    commands = rules.add_subparsers(dest="rules_command", required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="list the rules of a pack, or of every pack")
    listing.add_argument("--pack", help="pack id (cn, gb_eng)")
    listing.set_defaults(func=run_list)

    show = commands.add_parser("show", help="show a rule: citation, counting, extensions, notes")
    show.add_argument("rule_id", metavar="ID", help="rule id or version-free alias")
    show.add_argument("--pack", help="pack id (found from the id if omitted)")
    show.set_defaults(func=run_show)

    deadline = commands.add_parser("deadline", help="compute a deadline with its explanation")
    deadline.add_argument("rule_id", metavar="ID", help="rule id or version-free alias")
    deadline.add_argument(
        "--trigger",
        required=True,
        help="ISO 8601 date and time; without an offset it is local time in the pack's zone",
    )
    deadline.add_argument(
        "--extend",
        action="append",
        default=[],
        metavar="EXT[=N]",
        help="apply an extension (repeatable, in order)",
    )
    deadline.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a rule parameter (repeatable)",
    )
    deadline.add_argument("--json", action="store_true", help="print JSON")
    deadline.add_argument("--pack", help="pack id (found from the id if omitted)")
    deadline.set_defaults(func=run_deadline, calendars=calendars)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return USAGE_ERROR


def _pack_for(rule_id: str, pack_id: str | None) -> Pack:
    if pack_id is None:
        return find_pack(rule_id)
    pack = load_pack(pack_id)
    if not pack.knows(rule_id):
        raise ProcedureError(
            gettext_noop("ID: pack %(pack)r has no rule or alias %(rule)r"),
            pack=pack_id,
            rule=rule_id,
        )
    return pack


def run_list(args: argparse.Namespace) -> int:
    try:
        packs = [load_pack(args.pack)] if args.pack else [load_pack(p) for p in pack_ids()]
    except ProcedureError as error:
        return _fail(f"--pack: {error}")
    out = sys.stdout
    for pack in packs:
        out.write(f"# {pack.id}: {pack.title_en}\n")
        for rule in pack.rules:
            span = rule.effective_range()
            out.write(f"{rule.id:<34} {rule.period_text():<14} {rule.title_en}  [{span}]\n")
        for alias, members in pack.aliases.items():
            out.write(f"{alias:<34} {'alias':<14} -> {', '.join(members)}\n")
    return 0


def run_show(args: argparse.Namespace) -> int:
    try:
        pack = _pack_for(args.rule_id, args.pack)
    except ProcedureError as error:
        return _fail(str(error) if str(error).startswith("ID:") else f"ID: {error}")
    out = sys.stdout
    members = pack.aliases.get(args.rule_id)
    if members is not None:
        out.write(f"{args.rule_id}: version-free alias in pack {pack.id}\n")
        out.write(f"  {pack.alias_notes.get(args.rule_id, '')}\n")
        for member in members:
            for rule in pack.versions(member):
                out.write(f"  -> {rule.id}  in force {rule.effective_range()}\n")
        return 0
    for rule in pack.versions(args.rule_id):
        out.write(describe_rule(rule, pack))
    return 0


def describe_rule(rule: Rule, pack: Pack) -> str:
    """A plain-text card for one rule version."""
    lines = [
        f"{rule.id}  {rule.title_zh} / {rule.title_en}",
        f"  citation:   {rule.citation}"
        + (f" ({rule.citation.law_zh})" if rule.citation.law_zh else ""),
        f"  in force:   {rule.effective_range()}",
        f"  trigger:    {rule.trigger.en} ({rule.trigger.zh})",
        f"  period:     {rule.period_text()}, counting {rule.counting} ({rule.counting_basis})",
        f"  holidays:   {rule.holidays}; custody: {'yes' if rule.custody else 'no'}",
        f"  warn:       {rule.warn_before} before",
        f"  time zone:  {pack.time_zone.key}",
    ]
    if rule.ceiling is not None:
        lines.append(f"  ceiling:    {rule.ceiling}")
    for ext in rule.extensions:
        lines.append(f"  extension:  {ext.describe()} ({ext.citation})")
    for param in rule.params:
        need = "required" if param.required else f"default {param.default}"
        lines.append(f"  param:      {param.name} ({param.type}, {need}): {param.notes}")
    lines.append(f"  notes:      {rule.notes}")
    lines.append(f"  source:     {rule.source}")
    return "\n".join(lines) + "\n\n"


def run_deadline(args: argparse.Namespace) -> int:
    params: dict[str, object] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            return _fail(f"--param: {item!r} is not KEY=VALUE")
        params[key] = value
    try:
        pack = _pack_for(args.rule_id, args.pack)
    except ProcedureError as error:
        return _fail(str(error) if str(error).startswith("ID:") else f"ID: {error}")
    provider: CalendarProvider | None = getattr(args, "calendars", None)
    try:
        deadline = compute(
            args.rule_id,
            args.trigger,
            pack=pack,
            extensions=args.extend,
            params=params,
            calendar=provider(pack.calendar) if provider else None,
        )
    except ProcedureError as error:
        return _fail(f"{_argument_of(error)}{error}")
    if args.json:
        sys.stdout.write(json.dumps(deadline.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(format_deadline(deadline))
    return 0


def _argument_of(error: ProcedureError) -> str:
    for kind, argument in (
        (TriggerError, "--trigger"),
        (ExtensionError, "--extend"),
        (ParamError, "--param"),
        (NotInForce, "--trigger"),
    ):
        if isinstance(error, kind):
            return f"{argument}: "
    return ""


def format_deadline(deadline: Deadline) -> str:
    rule = deadline.rule
    lines = [
        f"{rule.id}  {rule.title_zh} / {rule.title_en}",
        f"citation:  {deadline.citation}",
        f"trigger:   {deadline.trigger_at.astimezone(deadline.due_local.tzinfo).isoformat()}",
        f"due:       {deadline.due_local.isoformat()}  ({deadline.to_dict()['due_at']})",
        f"warn at:   {deadline.warn_at.astimezone(deadline.due_local.tzinfo).isoformat()}",
        f"custody:   {'yes' if rule.custody else 'no'}",
        f"provisional: {'YES' if deadline.provisional else 'no'}",
    ]
    for reason in deadline.provisional_reasons:
        lines.append(f"  ! {reason}")
    lines.append("steps:")
    lines.extend(f"  {i}. {step}" for i, step in enumerate(deadline.explanation, start=1))
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casetrail", description="casetrail procedure rules")
    add_subparsers(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed its usage message
        return exit_.code if isinstance(exit_.code, int) else USAGE_ERROR
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
