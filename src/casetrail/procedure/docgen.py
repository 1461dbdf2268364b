"""Generate docs/rules.md from the rule packs: `python -m casetrail.procedure.docgen [--check]`.

--check writes nothing and exits 1 when the file on disk differs from what the packs give.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from casetrail.procedure.model import Pack, Rule
from casetrail.procedure.packs import load_pack, pack_ids

DEFAULT_OUTPUT = Path("docs") / "rules.md"


def render() -> str:
    """The whole reference, deterministic: packs and rules in pack order."""
    parts = [
        "# Rule reference\n",
        "Generated from `src/casetrail/procedure/packs/` by",
        "`python -m casetrail.procedure.docgen`; do not edit by hand.",
        "How periods are counted: [procedure.md](procedure.md).\n",
    ]
    for pack_id in pack_ids():
        parts.append(_pack(load_pack(pack_id)))
    return "\n".join(parts).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _pack(pack: Pack) -> str:
    lines = [
        f"## {pack.id}: {pack.title_en}\n",
        f"{pack.title_zh}\n",
        f"Time zone `{pack.time_zone.key}`, calendar `{pack.calendar}`, "
        f"default counting basis: {pack.counting_basis}.\n",
        "| id | period | counting | holidays | custody | in force | citation |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in pack.rules:
        period = rule.period_text() if rule.duration else f"param ({rule.unit})"
        lines.append(
            f"| [{rule.id}](#{rule.id.lower().replace('.', '')}) | {period} | {rule.counting} "
            f"| {rule.holidays} | {'yes' if rule.custody else 'no'} "
            f"| {rule.effective_range()} | {_cell(str(rule.citation))} |"
        )
    lines.append("")
    if pack.aliases:
        lines.append("Version-free aliases (the member in force on the trigger date applies):\n")
        for alias, members in pack.aliases.items():
            lines.append(
                f"- `{alias}` -> {', '.join(f'`{m}`' for m in members)}. "
                f"{pack.alias_notes.get(alias, '')}"
            )
        lines.append("")
    for rule in pack.rules:
        lines.append(_rule(rule))
    return "\n".join(lines)


def _rule(rule: Rule) -> str:
    citation = rule.citation
    lines = [
        f"### {rule.id}\n",
        f"**{rule.title_en}** / {rule.title_zh}\n",
        f"- Citation: {citation.law}"
        + (f" ({citation.law_zh})" if citation.law_zh else "")
        + f", version {citation.version}, {citation.article}"
        + (f" {citation.paragraph}" if citation.paragraph else ""),
        f"- Trigger: {rule.trigger.en} ({rule.trigger.zh}); event `{rule.trigger.event}`",
        f"- Period: {rule.period_text() if rule.duration else f'from a parameter, in {rule.unit}'}"
        ", counting "
        f"`{rule.counting}` ({rule.counting_basis})",
        f"- Holidays: `{rule.holidays}`; custody or restricted liberty: "
        f"{'yes' if rule.custody else 'no'}",
        f"- Warning: {rule.warn_before} before the deadline",
        f"- In force: {rule.effective_range()}",
    ]
    if rule.ceiling is not None:
        lines.append(f"- Ceiling with every extension: {rule.ceiling}")
    for ext in rule.extensions:
        note = f" {ext.notes}" if ext.notes else ""
        title = f"{ext.title_en} / {ext.title_zh}" if ext.title_zh else ext.title_en
        lines.append(f"- Extension `{ext.id}`: {title}. {ext.describe()} ({ext.citation}).{note}")
    for param in rule.params:
        need = "required" if param.required else f"default `{param.default}`"
        lines.append(
            f"- Parameter `{param.name}` ({param.type}, {param.effect}, {need}): {param.notes}"
        )
    lines.append(f"\n{rule.notes}\n")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    return write_or_check(
        argv, module="casetrail.procedure.docgen", render=render, default=DEFAULT_OUTPUT
    )


def write_or_check(
    argv: Sequence[str] | None, *, module: str, render: Callable[[], str], default: Path
) -> int:
    """A generated reference's command: write it, or with --check exit 1 when the file in
    the tree is not what ``render`` makes now (CI runs the check)."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}")
    parser.add_argument(
        "--output", type=Path, default=default, help=f"default: docs/{default.name}"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python -m {module}", file=sys.stderr)
            return 1
        print(f"{args.output} is current")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
