"""Generate docs/documents.md from the document catalogues:
`python -m casetrail.documents.docgen [--check]`.

--check writes nothing and exits 1 when the file on disk differs from what the catalogues give.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from casetrail.documents.catalogue import (
    DocumentType,
    catalogue,
    catalogue_packs,
    format_number,
)
from casetrail.procedure import Pack, load_pack
from casetrail.procedure.docgen import write_or_check

DEFAULT_OUTPUT = Path("docs") / "documents.md"
# The agency code each example number is printed with.
EXAMPLE_PREFIX = {"cn": "江公(东)", "gb_eng": "ST01"}
EXAMPLE_YEAR = 2026
EXAMPLE_SERIAL = 12


def render() -> str:
    """The whole reference, deterministic: packs in name order, types in catalogue order."""
    parts = [
        "# Document reference\n",
        "Generated from `src/casetrail/documents/catalogue/` by",
        "`python -m casetrail.documents.docgen`; do not edit by hand.",
        "The service rules are those of [rules.md](rules.md).\n",
        "Each type names the statute it rests on, the approvals the statute requires (an agency",
        "may add internal reviews), whom it is served on and under which rule of the same",
        "procedure pack, and the step of the case that drafts it. Numbers run per issuing",
        "agency, series (字) and year, without gaps; types that share a series draw from one",
        "counter. Body templates live under `src/casetrail/documents/templates/`.\n",
    ]
    for pack_id in catalogue_packs():
        parts.append(_pack(load_pack(pack_id), list(catalogue(pack_id).values())))
    return "\n".join(parts).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _chain(doc: DocumentType) -> str:
    return " → ".join(f"`{role}`" for role in doc.approval) or "none"


def _pack(pack: Pack, types: list[DocumentType]) -> str:
    lines = [f"## {pack.id}: {pack.title_en}\n", f"{pack.title_zh}\n"]
    by_series: dict[str, list[str]] = {}
    for doc in types:
        by_series.setdefault(doc.series, []).append(doc.id)
    shared = {series: ids for series, ids in by_series.items() if len(ids) > 1}
    if shared:
        listed = "; ".join(f"{series}: {', '.join(ids)}" for series, ids in shared.items())
        lines.append(f"Series shared by several types (one counter each): {listed}.\n")
    lines += [
        "| id | title | series | approval | served on | step |",
        "|---|---|---|---|---|---|",
    ]
    for doc in types:
        lines.append(
            f"| [{doc.id}](#{doc.pack}-{doc.id}) "
            f"| {_cell(doc.title_zh)} / {_cell(doc.title_en)} | {doc.series} | {_chain(doc)} "
            f"| {doc.served_on} | {f'`{doc.step}`' if doc.step else ''} |"
        )
    lines.append("")
    for doc in types:
        lines.append(_type(pack, doc))
    return "\n".join(lines)


def _service(pack: Pack, rule_id: str) -> str:
    if not rule_id:
        return "none"
    if rule_id in pack.aliases:
        members = pack.aliases[rule_id]
        titles = "; ".join(
            f"[{m}](rules.md#{m.lower().replace('.', '')}) {pack.versions(m)[-1].title_en}"
            for m in members
        )
        return f"`{rule_id}` (the member in force on the day applies: {titles})"
    rule = pack.versions(rule_id)[-1]
    anchor = rule_id.lower().replace(".", "")
    return f"[{rule_id}](rules.md#{anchor}): {rule.title_en} ({rule.title_zh})"


def _type(pack: Pack, doc: DocumentType) -> str:
    example = format_number(
        doc,
        prefix=EXAMPLE_PREFIX.get(doc.pack, "X"),
        year=EXAMPLE_YEAR,
        serial=EXAMPLE_SERIAL,
    )
    lines = [
        f"### {doc.pack} {doc.id}\n",
        f"**{doc.title_zh}** / {doc.title_en}\n",
        f"- Basis: {doc.basis}",
        f"- Number: `{doc.numbering}`, series {doc.series}, e.g. {example}",
        f"- Approval: {_chain(doc)}",
        f"- Served on: {doc.served_on}; service rule: {_service(pack, doc.service_rule)}",
        f"- Copies: {', '.join(doc.copies)}; the party signs: {'yes' if doc.party_signs else 'no'}",
        f"- Step: {f'`{doc.step}`' if doc.step else 'none'}"
        + ("; also drafted alone, without its measure" if doc.alone else ""),
        f"- Draws: {', '.join(doc.draws) or 'nothing'}",
        f"- Template: `{doc.template}`",
    ]
    for param in doc.params:
        need = "required" if param.required else "optional"
        limit = f", at most {param.max_length} characters" if param.max_length else ""
        lines.append(
            f"- Parameter `{param.name}` ({param.kind}, {need}{limit}): "
            f"{param.label_zh} / {param.label_en}"
        )
    if doc.notes:
        lines.append(f"\n{doc.notes}")
    lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    return write_or_check(
        argv, module="casetrail.documents.docgen", render=render, default=DEFAULT_OUTPUT
    )


if __name__ == "__main__":
    sys.exit(main())
