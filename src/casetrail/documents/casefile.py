"""The case file in a case export: every issued document as the very file that was issued
(``documents/<seq>.pdf``, held by the verifier against the hash its issue entry recorded), and
the whole file as one PDF (``casefile.pdf``): a table of contents, then each document's issued
pages, each a bookmark."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader, PdfWriter

from casetrail.cases.models import Case
from casetrail.documents.catalogue import language_of
from casetrail.documents.models import Document
from casetrail.documents.pdf import render_pdf
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry


def _issued(entries: list[LedgerEntry]) -> list[tuple[int, Document]]:
    seqs = {
        int(e.subject_id): e.seq
        for e in entries
        if e.action == LedgerKind.DOCUMENT_ISSUED and e.subject_type == Document.LEDGER_SUBJECT
    }
    docs = Document.objects.filter(pk__in=seqs).order_by("issued_at", "pk")
    return [(seqs[doc.pk], doc) for doc in docs]


def _read(doc: Document) -> bytes:
    with doc.pdf.open("rb") as handle:
        data: bytes = handle.read()
    return data


def casefile_pdf(
    case: Case, issued: list[tuple[int, Document]], files: Mapping[str, bytes]
) -> bytes:
    """One PDF: a contents page, then the issued documents in the order they were issued."""
    language = language_of(case.unit.pack)
    with translation.override(language):
        contents = render_to_string(
            "documents/casefile_contents.html",
            {"case": case, "documents": [doc for _seq, doc in issued]},
        )
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(render_pdf(contents))), outline_item=case.number)
    for seq, doc in issued:
        label = f"{doc.title} {doc.number}"
        if doc.status != "issued":
            label += f" ({doc.get_status_display()})"
        writer.append(PdfReader(io.BytesIO(files[f"documents/{seq}.pdf"])), outline_item=label)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def case_files(case: Case, entries: list[LedgerEntry]) -> dict[str, bytes]:
    issued = _issued(entries)
    files = {f"documents/{seq}.pdf": _read(doc) for seq, doc in issued}
    files["casefile.pdf"] = casefile_pdf(case, issued, files)
    files["documents/index.json"] = (
        json.dumps(
            [
                {"seq": seq, "number": doc.number, "title": doc.title, "sha256": doc.sha256}
                for seq, doc in issued
            ],
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    ).encode()
    return files
