"""What a document says: the case's own data at the moment it is drafted or submitted, in the
shape the catalogue's templates read, and the HTML of the whole A4 document."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from casetrail import clock
from casetrail.cases.models import Party
from casetrail.documents.catalogue import DocumentType, document_type, language_of, render_body
from casetrail.documents.models import Document
from casetrail.ledger.canonical import canonical_json


def _person(person: Any, on: date) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "name": person.name,
        "id_type_label": person.get_id_type_display(),
        "id_number": person.id_number,
        "birth_date": person.birth_date,
        "age": person.age_on(on),
    }


def facts(doc: Document) -> dict[str, Any]:
    """The data the document draws from its case, as plain values (for hashing and templates)."""
    doc_type = document_type(doc.pack, doc.type_id)
    on = clock.today_in(doc.unit.timezone)
    case, incident = doc.case, doc.incident
    if incident is None and case is not None:
        incident = case.incident
    parties = (
        Party.objects.filter(case=case).select_related("person").order_by("added_at", "pk")
        if case is not None
        else Party.objects.none()
    )
    measure = doc.measure
    return {
        "doc": {"title": doc_type.title(_language(doc)), "number": doc.number, "type": doc.type_id},
        "agency": {"name": doc.agency.name},
        "case": None
        if case is None
        else {
            "number": case.number,
            "title": case.title,
            "summary": case.summary,
            "kind": case.get_kind_display(),
            "category": case.category.name if doc.pack == "cn" else case.category.name_en,
            "opened_at": case.opened_at,
        },
        "incident": None
        if incident is None
        else {
            "receipt_number": incident.receipt_number,
            "received_at": incident.received_at,
            "reporter_name": incident.reporter_name,
            "location": incident.location,
            "summary": incident.summary,
        },
        "parties": [
            {**(_person(p.person, on) or {}), "role": p.role, "role_label": p.get_role_display()}
            for p in parties
        ],
        "person": _person(doc.person, on),
        "measure": None
        if measure is None
        else {
            "kind": measure.kind,
            "kind_label": measure.get_kind_display(),
            "reason": measure.reason,
            "params": measure.params,
            "started_at": measure.started_at,
            "approver_label": measure.approver_role,
            "citation": measure.approval_citation,
        },
        "items": [],
        "params": dict(doc.params),
        "particulars": doc.particulars,
        "handlers": [
            h.officer.name
            for h in (case.handlers.filter(released_at__isnull=True).select_related("officer"))
        ]
        if case is not None
        else [],
        "issued_on": on,
        "issued_on_text": f"{on.year}年{on.month}月{on.day}日"
        if doc.pack == "cn"
        else f"{on.day} {on:%B %Y}",
        "basis": doc_type.basis,
    }


def _language(doc: Document) -> str:
    return language_of(doc.pack)


def content_hash(doc: Document, context: dict[str, Any]) -> str:
    """SHA-256 of what the document says (type, number, the facts drawn): printed in its QR
    code, so a paper copy can be checked against the register without the PDF file."""
    stable = {k: v for k, v in context.items() if k != "qr"}
    return hashlib.sha256(canonical_json(stable)).hexdigest()


def html(doc: Document, *, verify_url: str) -> tuple[str, str]:
    """The whole document as HTML for the PDF renderer, and its content hash."""
    from casetrail.documents.pdf import qr_data_uri

    doc_type: DocumentType = document_type(doc.pack, doc.type_id)
    # The facts in the document's own language (a party's role, a measure's kind), whatever
    # the language of the officer who submits it: the same document hashes the same.
    with translation.override(_language(doc)):
        context = facts(doc)
        digest = content_hash(doc, context)
        body = render_body(doc_type, context)
        page = render_to_string(
            "documents/document.html",
            {
                **context,
                "body_html": body,
                "copy": "original",
                "qr": qr_data_uri(f"{verify_url}?n={doc.number}&h={digest}"),
                "verify_url": verify_url,
                "content_sha256": digest,
            },
        )
    return page, digest
