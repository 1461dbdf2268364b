"""Every write of a document's life: drafted from the case, submitted (numbered and rendered),
decided step by step on the one approval engine (each approval its own incremental signature on
the PDF), issued under the agency's seal with its hash in the ledger, served, corrected by a new
version, revoked, or cancelled with its number left void."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import get_language, gettext

from casetrail import clock
from casetrail.approvals import actions as approvals
from casetrail.approvals.models import ApprovalStatus
from casetrail.cases.models import Case, Party
from casetrail.custody import clocks
from casetrail.custody.models import Deadline, Measure
from casetrail.documents import issuing, legal_review
from casetrail.documents.access import require_document_write, require_revoker
from casetrail.documents.catalogue import CatalogueError, DocumentType, document_type
from casetrail.documents.inputs import (
    CorrectionInput,
    DecisionInput,
    DraftInput,
    ReasonInput,
    ServiceAccountInput,
    ServiceInput,
)
from casetrail.documents.models import Acknowledgment, Document, DocumentStatus, Service
from casetrail.documents.numbering import issuing_agency, take_number
from casetrail.errors import Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer
from casetrail.org.roles import role_label


class DocumentError(Refused):
    """A document action the rules do not allow; ``field`` names what to correct."""


OPEN = (DocumentStatus.DRAFT, DocumentStatus.RETURNED, DocumentStatus.PENDING)


def _language() -> str:
    """The officer's language, for a catalogue title or label put into a refusal."""
    return get_language() or "en"


def type_of(pack: str, type_id: str, *, field: str = "type_id") -> DocumentType:
    try:
        return document_type(pack, type_id)
    except CatalogueError as exc:
        raise DocumentError(
            gettext("the %(pack)s catalogue has no document type '%(type)s'")
            % {"pack": pack, "type": type_id},
            field=field,
        ) from exc


def _lock(doc: Document) -> Document:
    return (
        Document.objects.select_for_update(of=("self",))
        .select_related("case", "case__unit", "unit", "agency", "person", "measure", "approval")
        .get(pk=doc.pk)
    )


_WHOLE = re.compile(r"\d{1,9}")
_MONEY = re.compile(r"\d{1,12}(?:\.\d{1,2})?")


def checked_params(
    doc_type: DocumentType, given: dict[str, str], *, strict: bool = True
) -> dict[str, str]:
    """The values a type declares (doc_type.params), each of its kind; an unknown name, a
    missing required one or a value of the wrong kind is refused naming ``params.<name>``."""
    declared = {p.name: p for p in doc_type.params}
    language = _language()
    for name in given:
        if name not in declared:
            names = ", ".join(declared) or gettext("none")
            raise DocumentError(
                gettext("a %(document)s takes no '%(name)s' (it takes: %(names)s)")
                % {"document": doc_type.title(language), "name": name, "names": names},
                field=f"params.{name}",
            )
    clean: dict[str, str] = {}
    for param in doc_type.params:
        value = given.get(param.name, "").strip()
        field = f"params.{param.name}"
        label = param.label(language)
        if not value:
            if param.required and strict:
                raise DocumentError(
                    gettext("%(label)s (%(name)s) is required")
                    % {"label": label, "name": param.name},
                    field=field,
                )
            continue
        if param.kind == "whole" and not _WHOLE.fullmatch(value):
            raise DocumentError(
                gettext("%(label)s must be a whole number") % {"label": label}, field=field
            )
        if param.kind == "money":
            if not _MONEY.fullmatch(value):
                raise DocumentError(
                    gettext("%(label)s must be an amount such as 500 or 500.00") % {"label": label},
                    field=field,
                )
            try:
                value = str(Decimal(value).quantize(Decimal("0.01")))
            except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
                raise DocumentError(
                    gettext("%(label)s must be an amount") % {"label": label}, field=field
                ) from exc
        if param.kind == "day":
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError as exc:
                raise DocumentError(
                    gettext("%(label)s must be a date as YYYY-MM-DD") % {"label": label},
                    field=field,
                ) from exc
        if param.max_length is not None and len(value) > param.max_length:
            raise DocumentError(
                gettext("%(label)s is at most %(limit)d characters")
                % {"label": label, "limit": param.max_length},
                field=field,
            )
        clean[param.name] = value
    return clean


def _draft(
    case: Case,
    doc_type: DocumentType,
    *,
    actor: Officer,
    person_id: int | None,
    measure: Measure | None,
    params: dict[str, str],
    particulars: str,
    supersedes: Document | None = None,
) -> Document:
    person = None
    if person_id is not None:
        party = Party.objects.filter(case=case, person_id=person_id).select_related("person")
        found = party.first()
        if found is None:
            raise DocumentError(
                gettext("person #%(person)s is not a party of case %(case)s")
                % {"person": person_id, "case": case.number},
                field="person_id",
            )
        person = found.person
    if measure is not None and person is None:
        person = measure.person
    now = clock.now()
    doc = Document.objects.create(
        pack=doc_type.pack,
        type_id=doc_type.id,
        title=doc_type.title_zh if doc_type.pack == "cn" else doc_type.title_en,
        case=case,
        incident=case.incident,
        unit=case.unit,
        agency=issuing_agency(case.unit),
        person=person,
        measure=measure,
        params=params,
        particulars=particulars,
        status=DocumentStatus.DRAFT,
        version=supersedes.version + 1 if supersedes else 1,
        supersedes=supersedes,
        series=doc_type.series,
        drafted_at=now,
        drafted_by=actor,
    )
    record(
        LedgerKind.DOCUMENT_DRAFTED,
        subject=doc,
        actor=actor,
        unit_id=doc.unit_id,
        data={
            "case": case.number,
            "type": doc_type.id,
            "title": doc.title,
            "person": person.pk if person else None,
            "measure": measure.pk if measure else None,
            "params": params,
            "particulars": particulars,
            "corrects": supersedes.number if supersedes else None,
        },
    )
    return doc


@transaction.atomic
def draft_document(case: Case, data: DraftInput, *, actor: Officer) -> Document:
    """A draft of a catalogue type, drawn from the case (the caller checked write access)."""
    doc_type = type_of(case.unit.pack, data.type_id)
    measure = None
    if data.measure_id is not None:
        measure = Measure.objects.filter(pk=data.measure_id, case=case).first()
        if measure is None:
            raise DocumentError(
                gettext("measure #%(measure)s is not a measure of case %(case)s")
                % {"measure": data.measure_id, "case": case.number},
                field="measure_id",
            )
    if doc_type.step.startswith("measure:") and measure is None and not doc_type.alone:
        raise DocumentError(
            gettext(
                "a %(document)s is drafted with its measure: propose the measure, and its draft "
                "is made with it"
            )
            % {"document": doc_type.title(_language())},
            field="type_id",
        )
    # A draft may lack what it needs; submission asks for every required value.
    params = checked_params(doc_type, data.params or {}, strict=False)
    return _draft(
        case,
        doc_type,
        actor=actor,
        person_id=data.person_id,
        measure=measure,
        params=params,
        particulars=data.particulars,
    )


def approval_chain(doc: Document, doc_type: DocumentType) -> tuple[str, ...]:
    """The roles that approve: the measure's approver for a measure's own document (one decision
    decides both), the catalogue's chain otherwise."""
    if doc.measure is not None and doc_type.step == f"measure:{doc.measure.kind}":
        # The measure's approver decides both; its legal review, where the measure needs one,
        # comes before that decision (custody.actions.review_measure).
        return (doc.measure.approver_role,)
    return legal_review.with_review(doc.pack, doc.type_id, doc_type.approval)


def _follows(doc: Document, doc_type: DocumentType) -> str:
    if doc.measure is not None and doc_type.step == f"measure:{doc.measure.kind}":
        return f"measure:{doc.measure.pk}"
    return ""


def _store(doc: Document, pdf: bytes, stage: str) -> str:
    digest = hashlib.sha256(pdf).hexdigest()
    doc.pdf.save(f"{doc.pk}-{stage}-{digest[:12]}.pdf", ContentFile(pdf), save=False)
    return digest


@transaction.atomic
def submit_document(doc: Document, *, actor: Officer, complete: bool = True) -> Document:
    """The draft takes its number (once), is rendered, and waits for the first role of its chain;
    a type that needs no approval is issued at once. ``complete=False`` (a measure's own
    document, drafted by the step) lets a value the step does not know print as a blank to be
    filled on paper, as the printed form has it."""
    doc = _lock(doc)
    require_document_write(actor, doc)
    if doc.status not in (DocumentStatus.DRAFT, DocumentStatus.RETURNED):
        raise DocumentError(
            gettext("the document is %(status)s: only a draft is submitted")
            % {"status": doc.get_status_display()},
            field="status",
        )
    doc_type = type_of(doc.pack, doc.type_id)
    missing = [p for p in doc_type.params if p.required and not doc.params.get(p.name)]
    if missing and complete:
        raise DocumentError(
            gettext("%(label)s (%(name)s) is required before submission")
            % {"label": missing[0].label(_language()), "name": missing[0].name},
            field=f"params.{missing[0].name}",
        )
    if doc.serial is None:
        year = clock.today_in(doc.unit.timezone).year
        doc.serial, doc.number = take_number(doc_type, doc.agency, year)
        doc.year = year
        doc.save(update_fields=["serial", "number", "year"])
    pdf, doc.content_sha256 = issuing.render(doc)
    pdf_sha = _store(doc, pdf, f"r{doc.approval.round + 1 if doc.approval else 1}")
    assert doc.case is not None  # noqa: S101 - every document belongs to a case today
    chain = approval_chain(doc, doc_type)
    if doc.approval is None:
        doc.approval = approvals.open_approval(
            subject_type=Document.LEDGER_SUBJECT,
            subject_id=doc.pk,
            unit=doc.unit,
            title=f"{doc.title} {doc.number}",
            case_number=doc.case.number,
            chain=chain,
            actor=actor,
            follows=_follows(doc, doc_type),
        )
    else:
        approvals.reopen(doc.approval)
        doc.approval.refresh_from_db()
    doc.status = DocumentStatus.PENDING
    doc.save()
    record(
        LedgerKind.DOCUMENT_SUBMITTED,
        subject=doc,
        actor=actor,
        unit_id=doc.unit_id,
        data={
            "number": doc.number,
            "chain": list(chain),
            "round": doc.approval.round,
            "content_sha256": doc.content_sha256,
            "pdf_sha256": pdf_sha,
        },
    )
    if doc.approval.status == ApprovalStatus.APPROVED:
        _issue(doc, actor=actor, pdf=pdf)
    return doc


def _pdf(doc: Document) -> bytes:
    with doc.pdf.open("rb") as handle:
        data: bytes = handle.read()
    return data


@transaction.atomic
def decide_document(doc: Document, data: DecisionInput, *, actor: Officer) -> Document:
    """Decide the waiting step. Approved, the approver's signature is added to the PDF as its own
    incremental signature, and the last approval issues the document; returned, it goes back to
    the drafter with the reasons. A measure's own document is decided with the measure."""
    doc = _lock(doc)
    if doc.approval is not None and doc.approval.follows:
        # Only a measure's own document follows another subject today (_follows).
        raise DocumentError(
            gettext(
                "this document is decided with its measure: decide the measure, and the "
                "document follows"
            ),
            field="decision",
        )
    return decided_with(doc, data, actor=actor)


def decided_with(doc: Document, data: DecisionInput, *, actor: Officer) -> Document:
    """decide_document without the check that sends a measure's document to its measure: for
    the measure's own decision (documents.followers), in its transaction."""
    doc = _lock(doc)
    if doc.status != DocumentStatus.PENDING or doc.approval is None:
        raise DocumentError(
            gettext("the document is %(status)s: nothing waits for a decision")
            % {"status": doc.get_status_display()},
            field="decision",
        )
    approve = data.decision == "approve"
    step = approvals.decide(doc.approval, actor=actor, approve=approve, opinion=data.opinion)
    doc.approval.refresh_from_db()
    label = role_label(step.role)
    pdf_sha = None
    pdf = b""
    if approve:
        pdf = issuing.seal(
            _pdf(doc),
            field=f"approval-{step.round}-{step.position + 1}",
            signer=f"{actor.name} ({label})",
            reason=f"approved: {data.opinion}" if data.opinion else "approved",
        )
        pdf_sha = _store(doc, pdf, f"a{step.round}-{step.position + 1}")
    else:
        doc.status = DocumentStatus.RETURNED
    doc.save()
    record(
        LedgerKind.DOCUMENT_APPROVED if approve else LedgerKind.DOCUMENT_RETURNED,
        subject=doc,
        actor=actor,
        unit_id=doc.unit_id,
        data={
            "round": step.round,
            "step": step.position + 1,
            "role": step.role,
            "opinion": data.opinion,
            "pdf_sha256": pdf_sha,
        },
    )
    if approve and doc.approval.status == ApprovalStatus.APPROVED:
        _issue(doc, actor=actor, pdf=pdf)
    return doc


def _measure_deadline(doc: Document, rule_id: str) -> Deadline | None:
    """The measure's deadline for the same duty, when custody already tracks it."""
    if not rule_id or doc.measure_id is None:
        return None
    return (
        Deadline.objects.filter(measure_id=doc.measure_id)
        .filter(Q(rule_id=rule_id) | Q(requested_id=rule_id))
        .order_by("-pk")
        .first()
    )


def _issue(doc: Document, *, actor: Officer, pdf: bytes) -> None:
    """The agency's seal as the last signature; the file's hash goes into the ledger with the
    number, in this transaction; the service clock starts."""
    now = clock.now()
    doc_type = type_of(doc.pack, doc.type_id)
    sealed = issuing.seal(
        pdf,
        field="issued",
        signer=doc.agency.name,
        reason=f"issued {doc.number}",
    )
    doc.sha256 = _store(doc, sealed, "issued")
    doc.status = DocumentStatus.ISSUED
    doc.issued_at = now
    doc.issued_by = actor
    due = None
    tracked = _measure_deadline(doc, doc_type.service_rule)
    if tracked is not None:
        # The duty runs from the measure's own trigger (a family notice: from the detention),
        # and custody's sweep already warns and flags it: the document shows that date.
        doc.service_rule = tracked.rule_id
        doc.service_due_at, doc.service_warn_at = tracked.due_at, tracked.warn_at
        doc.service_citation = tracked.citation
        due = tracked.due_at
    elif doc_type.service_rule:
        computed = clocks.compute(
            doc_type.service_rule, now, pack=doc.pack, calendars=clocks.Calendars(), field="status"
        )
        doc.service_rule = computed.rule_id
        doc.service_due_at = computed.due_at
        doc.service_warn_at = computed.warn_at
        doc.service_citation = str(computed.citation)
        due = computed.due_at
    doc.save()
    record(
        LedgerKind.DOCUMENT_ISSUED,
        subject=doc,
        actor=actor,
        unit_id=doc.unit_id,
        data={
            "number": doc.number,
            "sha256": doc.sha256,
            "content_sha256": doc.content_sha256,
            "supersedes": doc.supersedes.number if doc.supersedes else None,
            "service_rule": doc.service_rule or None,
            "service_due_at": due,
        },
    )
    old = doc.supersedes
    if old is not None:
        old = _lock(old)
        old.status = DocumentStatus.SUPERSEDED
        old.ended_at = now
        old.end_reason = gettext("corrected by %(number)s") % {"number": doc.number}
        old.save(update_fields=["status", "ended_at", "end_reason"])
        record(
            LedgerKind.DOCUMENT_SUPERSEDED,
            subject=old,
            actor=actor,
            unit_id=old.unit_id,
            data={"by": doc.number, "by_sha256": doc.sha256},
        )


@transaction.atomic
def cancel_document(doc: Document, data: ReasonInput, *, actor: Officer) -> Document:
    """A draft that will not issue. Once it has a number the number stays in the series, void,
    with this reason, so the gap it leaves is explained."""
    doc = _lock(doc)
    require_document_write(actor, doc)
    return _void(doc, data.reason, actor=actor)


def _void(doc: Document, reason: str, *, actor: Officer) -> Document:
    if doc.status not in OPEN:
        raise DocumentError(
            gettext(
                "the document is %(status)s: an issued document is revoked or corrected, not "
                "cancelled"
            )
            % {"status": doc.get_status_display()},
            field="status",
        )
    if doc.approval is not None:
        approvals.withdraw(doc.approval)
    doc.status = DocumentStatus.VOID
    doc.ended_at = clock.now()
    doc.end_reason = reason
    doc.save(update_fields=["status", "ended_at", "end_reason"])
    record(
        LedgerKind.DOCUMENT_VOIDED,
        subject=doc,
        actor=actor,
        unit_id=doc.unit_id,
        data={"number": doc.number or None, "reason": reason},
    )
    return doc


@transaction.atomic
def revoke_document(doc: Document, data: ReasonInput, *, actor: Officer) -> Document:
    """An issued document withdrawn: it stays readable, marked revoked with the reason."""
    doc = _lock(doc)
    require_revoker(actor, doc)
    if doc.status != DocumentStatus.ISSUED:
        raise DocumentError(
            gettext("the document is %(status)s: only an issued document is revoked")
            % {"status": doc.get_status_display()},
            field="status",
        )
    doc.status = DocumentStatus.REVOKED
    doc.ended_at = clock.now()
    doc.end_reason = data.reason
    doc.save(update_fields=["status", "ended_at", "end_reason"])
    record(
        LedgerKind.DOCUMENT_REVOKED,
        subject=doc,
        actor=actor,
        unit_id=doc.unit_id,
        data={"number": doc.number, "reason": data.reason},
    )
    return doc


@transaction.atomic
def correct_document(doc: Document, data: CorrectionInput, *, actor: Officer) -> Document:
    """A correction of an issued document: a new draft that points to it. The old one stays
    issued until the correction issues, then reads "superseded"."""
    doc = _lock(doc)
    require_document_write(actor, doc)
    if doc.status != DocumentStatus.ISSUED:
        raise DocumentError(
            gettext("the document is %(status)s: only an issued document is corrected")
            % {"status": doc.get_status_display()},
            field="status",
        )
    pending = Document.objects.filter(supersedes=doc).exclude(status=DocumentStatus.VOID)
    if pending.exists():
        raise DocumentError(
            gettext("a correction of this document is already drafted: finish or cancel it"),
            field="status",
        )
    assert doc.case is not None  # noqa: S101 - every document belongs to a case today
    doc_type = type_of(doc.pack, doc.type_id)
    params = {**doc.params, **(data.params or {})}
    return _draft(
        doc.case,
        doc_type,
        actor=actor,
        person_id=doc.person_id,
        measure=doc.measure,
        params=checked_params(doc_type, params),
        particulars=data.particulars or doc.particulars,
        supersedes=doc,
    )


def _signature(data: ServiceInput) -> tuple[bytes, str] | None:
    if not data.signature:
        return None
    head, _, encoded = data.signature.partition(",")
    try:
        image = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DocumentError(
            gettext("the signature image is not valid base64"), field="signature"
        ) from exc
    png = image.startswith(b"\x89PNG\r\n\x1a\n")
    jpeg = image.startswith(b"\xff\xd8\xff")
    if not (png and "png" in head) and not (jpeg and "jpeg" in head):
        raise DocumentError(gettext("the signature is not a PNG or JPEG image"), field="signature")
    return image, "png" if png else "jpg"


@transaction.atomic
def serve_document(doc: Document, data: ServiceInput, *, actor: Officer) -> Service:
    """The document reached its recipient: how, when, to whom, and what they did with it."""
    doc = _lock(doc)
    require_document_write(actor, doc)
    if doc.status != DocumentStatus.ISSUED:
        raise DocumentError(
            gettext("the document is %(status)s: only an issued document is served")
            % {"status": doc.get_status_display()},
            field="status",
        )
    now = clock.now()
    assert doc.issued_at is not None  # noqa: S101 - issued documents have their time
    if data.served_at > now:
        raise DocumentError(gettext("the time of service is in the future"), field="served_at")
    # Typed to the minute: a service in the minute the document was issued is not before it.
    if data.served_at < doc.issued_at.replace(second=0, microsecond=0):
        issued = doc.issued_at.astimezone(data.served_at.tzinfo)
        raise DocumentError(
            gettext("the time of service is before the document was issued (%(issued)s)")
            % {"issued": issued.isoformat(timespec="seconds")},
            field="served_at",
        )
    signature = _signature(data)
    if data.acknowledgment == Acknowledgment.SIGNED and signature is None:
        raise DocumentError(
            gettext("a signed acknowledgment needs the signature: drawn on the pad, or a scan"),
            field="signature",
        )
    if data.acknowledgment == Acknowledgment.REFUSED and not data.witness:
        raise DocumentError(
            gettext("a refusal to sign is witnessed: name the witness"), field="witness"
        )
    if data.acknowledgment == Acknowledgment.UNABLE and not data.note:
        raise DocumentError(gettext("say why the recipient could not sign"), field="note")
    service = Service(
        document=doc,
        method=data.method,
        served_at=data.served_at,
        recipient=data.recipient,
        relationship=data.relationship,
        acknowledgment=data.acknowledgment,
        witness=data.witness,
        note=data.note,
        recorded_at=now,
        recorded_by=actor,
    )
    if signature is not None:
        image, ext = signature
        service.signature_sha256 = hashlib.sha256(image).hexdigest()
        service.signature.save(
            f"{doc.pk}-{service.signature_sha256[:12]}.{ext}", ContentFile(image), save=False
        )
    service.save()
    first = doc.served_at is None
    if first:
        doc.served_at = data.served_at
        doc.save(update_fields=["served_at"])
    record(
        LedgerKind.DOCUMENT_SERVED,
        subject=doc,
        actor=actor,
        unit_id=doc.unit_id,
        data={
            "service": service.pk,
            "method": data.method,
            "served_at": data.served_at,
            "recipient": data.recipient,
            "relationship": data.relationship,
            "acknowledgment": data.acknowledgment,
            "witness": data.witness,
            "note": data.note,
            "signature_sha256": service.signature_sha256 or None,
            "late": bool(doc.service_due_at and data.served_at > doc.service_due_at),
        },
    )
    return service


@transaction.atomic
def account_for_service(doc: Document, data: ServiceAccountInput, *, actor: Officer) -> Document:
    """A missed service stays on the lists until somebody says what happened."""
    doc = _lock(doc)
    require_document_write(actor, doc)
    if doc.service_missed_at is None or doc.service_account:
        raise DocumentError(
            gettext("only a missed service not yet accounted for takes an account"),
            field="account",
        )
    doc.service_account = data.account
    doc.save(update_fields=["service_account"])
    record(
        LedgerKind.DOCUMENT_SERVICE_ACCOUNTED,
        subject=doc,
        actor=actor,
        unit_id=doc.unit_id,
        data={"account": data.account},
    )
    return doc


def auto_params(doc_type: DocumentType, values: dict[str, Any]) -> dict[str, str]:
    """The type's params found among a measure's own (days of a detention), as text."""
    names = {p.name for p in doc_type.params}
    return {k: str(v) for k, v in values.items() if k in names and v not in (None, "")}
