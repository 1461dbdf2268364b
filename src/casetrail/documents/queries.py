"""Reads of documents: a case's table of contents, one document for the API, the PDF with its
trace, a series with its void entries, and what the public verification page may say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext

from casetrail.approvals.actions import may_decide
from casetrail.cases.models import Case
from casetrail.custody.models import Measure
from casetrail.custody.queries import case_persons
from casetrail.documents.access import visible_documents
from casetrail.documents.catalogue import DocumentType, catalogue
from casetrail.documents.models import Document, DocumentStatus
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.receipts import Receipt, receipt_for
from casetrail.ledger.record import record_view
from casetrail.org.models import Officer


def case_documents(case: Case) -> QuerySet[Document]:
    """The case file's documents in order: drafted first, first; each version after the one it
    corrects."""
    return (
        Document.objects.filter(case=case)
        .select_related("approval", "supersedes", "person", "measure")
        .prefetch_related("approval__steps__officer", "services")
        .order_by("drafted_at", "pk")
    )


def measure_documents(officer: Officer, measure: Measure) -> QuerySet[Document]:
    """The documents issued under a measure (its summons, its warrant) that the officer may see,
    in the order they were drafted."""
    return visible_documents(officer).filter(measure=measure).order_by("drafted_at", "id")


def document_out(doc: Document) -> dict[str, Any]:
    steps = list(doc.approval.steps.select_related("officer")) if doc.approval else []
    return {
        "id": doc.pk,
        "type_id": doc.type_id,
        "title": doc.title,
        "case_number": doc.case.number if doc.case else "",
        "number": doc.number,
        "version": doc.version,
        "supersedes": doc.supersedes.number if doc.supersedes else None,
        "status": doc.status,
        "person_id": doc.person_id,
        "measure_id": doc.measure_id,
        "params": doc.params,
        "particulars": doc.particulars,
        "waiting_for_role": doc.approval.current_role if doc.approval else "",
        "content_sha256": doc.content_sha256,
        "sha256": doc.sha256,
        "issued_at": doc.issued_at,
        "service_due_at": doc.service_due_at,
        "served_at": doc.served_at,
        "service_rule": doc.service_rule,
        "steps": [
            {
                "round": s.round,
                "step": s.position + 1,
                "role": s.role,
                "verdict": s.verdict,
                "officer": s.officer.name,
                "opinion": s.opinion,
                "decided_at": s.decided_at,
            }
            for s in steps
        ],
        "services": [
            {
                "method": s.method,
                "served_at": s.served_at,
                "recipient": s.recipient,
                "relationship": s.relationship,
                "acknowledgment": s.acknowledgment,
                "witness": s.witness,
                "signature_sha256": s.signature_sha256,
            }
            for s in doc.services.all()
        ],
    }


def pdf_response(officer: Officer, doc: Document) -> HttpResponse:
    """The PDF, with a trace of who opened it (invariant 2)."""
    from casetrail.errors import NotFound

    if not doc.pdf:
        raise NotFound(gettext("this draft has no PDF yet: it is rendered when submitted"))
    record_view(doc, actor=officer, unit_id=doc.unit_id, what="document pdf")
    with doc.pdf.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="application/pdf")
    name = quote(f"{doc.number or f'draft-{doc.pk}'}.pdf")  # RFC 6266: the number as it reads
    response["Content-Disposition"] = (
        f"inline; filename=\"document-{doc.pk}.pdf\"; filename*=UTF-8''{name}"
    )
    return response


def labelled_params(doc: Document, language: str) -> list[tuple[str, str]]:
    """The document's particulars by name, each under its label in ``language``."""
    doc_type = catalogue(doc.pack).get(doc.type_id)
    out = []
    for name, value in (doc.params or {}).items():
        param = doc_type.param(name) if doc_type else None
        out.append((param.label(language) if param else name, str(value)))
    return out


def versions(doc: Document) -> list[Document]:
    """Every version of this document, the first first (a correction points to the one it
    corrects)."""
    first = doc
    while first.supersedes is not None:
        first = first.supersedes
    chain = [first]
    while True:
        nxt = Document.objects.filter(supersedes=chain[-1]).first()
        if nxt is None:
            return chain
        chain.append(nxt)


def draft_choices(case: Case) -> dict[str, QuerySet[Any]]:
    """What the drafting form offers: the case's parties and its measures."""
    measures = Measure.objects.filter(case=case).select_related("person").order_by("-pk")
    return {"person_id": case_persons(case), "measure_id": measures}


def draftable_types(pack: str, language: str) -> list[tuple[str, str]]:
    """The types an officer drafts by hand (those of a measure are drafted with the measure,
    unless the catalogue drafts one alone too), each by its title in ``language``; a Chinese
    type read in English keeps its own title beside the translation, as the paper form is known
    by it."""

    def label(t: DocumentType) -> str:
        title = t.title(language)
        return f"{title} ({t.title_zh})" if pack == "cn" and title != t.title_zh else title

    return [(t.id, label(t)) for t in _drafted_by_hand(pack)]


def draftable_params(pack: str, language: str) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """For the drafting form: each hand-drafted type's particulars, as a line ``name: value``
    names them, with the label in ``language`` and whether the type requires it."""
    return [
        (t.title(language), [(p.name, p.label(language), p.required) for p in t.params])
        for t in _drafted_by_hand(pack)
        if t.params
    ]


def drafted_by_hand_ids(pack: str) -> set[str]:
    """The ids of the types an officer drafts by hand in ``pack``."""
    return {t.id for t in _drafted_by_hand(pack)}


def _drafted_by_hand(pack: str) -> list[DocumentType]:
    return [t for t in catalogue(pack).values() if t.alone or not t.step.startswith("measure:")]


@dataclass(frozen=True)
class Verdict:
    """What the public verification page says about one document, and nothing more."""

    number: str
    title: str
    agency: str
    issued_at: datetime | None
    status: str
    status_label: str
    sha256: str
    superseded_by: str
    reason: str
    ledger_seq: int | None


def public_verdict(
    *, sha256: str = "", number: str = "", content_sha256: str = ""
) -> Verdict | None:
    """The document a hash (or a number and its QR's content hash) names, when it was issued;
    None when nothing matches, whatever the reason."""
    from casetrail.ledger.models import LedgerEntry

    issued = Document.objects.exclude(
        status__in=[
            DocumentStatus.DRAFT,
            DocumentStatus.PENDING,
            DocumentStatus.RETURNED,
            DocumentStatus.VOID,
            DocumentStatus.APPROVED,
        ]
    ).select_related("agency")
    if sha256:
        doc = issued.filter(sha256=sha256).first()
    elif number and content_sha256:
        doc = issued.filter(number=number, content_sha256=content_sha256).first()
    else:
        return None
    if doc is None:
        return None
    successor = Document.objects.filter(supersedes=doc, status=DocumentStatus.ISSUED).first()
    entry = (
        LedgerEntry.objects.filter(
            subject_type=Document.LEDGER_SUBJECT, subject_id=str(doc.pk), action="document.issued"
        )
        .values_list("seq", flat=True)
        .first()
    )
    return Verdict(
        number=doc.number,
        title=doc.title,
        agency=doc.agency.name,
        issued_at=doc.issued_at,
        status=doc.status,
        status_label=str(doc.get_status_display()),
        sha256=doc.sha256,
        superseded_by=successor.number if successor else "",
        reason=doc.end_reason if doc.status == DocumentStatus.REVOKED else "",
        ledger_seq=entry,
    )


def issue_receipt(verdict: Verdict) -> Receipt | None:
    """The issue entry's inclusion proof against a signed head, when one covers it."""
    doc = Document.objects.get(sha256=verdict.sha256)
    return receipt_for(doc, LedgerKind.DOCUMENT_ISSUED, sign=False)


def decidable(officer: Officer, doc: Document) -> bool:
    return (
        doc.approval is not None
        and not doc.approval.follows
        and doc.status == DocumentStatus.PENDING
        and may_decide(officer, doc.approval)
    )


def series(agency_id: int, series_char: str, year: int) -> QuerySet[Document]:
    """Every number of one series, void entries included, in order: the register that shows the
    series has no unexplained gap."""
    return Document.objects.filter(
        agency_id=agency_id, series=series_char, year=year, serial__isnull=False
    ).order_by("serial")
