"""Documents take part in custody's steps (casetrail.steps): proposing a measure drafts and
submits its document, the approver's decision decides it (issuing it when approved), starting
the measure waits for it, and the family notice issues and serves the notice document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import get_language, gettext

from casetrail import steps
from casetrail.custody.inputs import NOTIFY_METHODS
from casetrail.custody.models import Measure
from casetrail.documents import actions
from casetrail.documents.catalogue import for_step
from casetrail.documents.inputs import DecisionInput, ServiceInput
from casetrail.documents.models import Acknowledgment, Document, DocumentStatus, ServiceMethod
from casetrail.org.models import Officer

# How the family was told (custody's NoticeInput methods), as a method of service.
_NOTICE_METHODS = {
    "in_person": ServiceMethod.IN_PERSON,
    "written": ServiceMethod.POST,
    "phone": ServiceMethod.ELECTRONIC,
    "sms": ServiceMethod.ELECTRONIC,
    "other": ServiceMethod.IN_PERSON,
}
_NOTICE_LABELS = dict(NOTIFY_METHODS)


def _measure_documents(measure: Measure) -> list[Document]:
    return list(
        Document.objects.filter(
            measure=measure,
            type_id__in=[t.id for t in for_step(measure.pack, f"measure:{measure.kind}")],
        ).order_by("pk")
    )


def measure_proposed(measure: Measure, *, actor: Officer) -> None:
    for doc_type in for_step(measure.pack, f"measure:{measure.kind}"):
        doc = actions._draft(
            measure.case,
            doc_type,
            actor=actor,
            person_id=measure.person_id,
            measure=measure,
            params=actions.auto_params(doc_type, measure.params),
            particulars=measure.reason,
        )
        actions.submit_document(doc, actor=actor, complete=False)


def measure_decided(measure: Measure, *, actor: Officer, approve: bool, opinion: str) -> None:
    for doc in _measure_documents(measure):
        if doc.status != DocumentStatus.PENDING:
            continue
        decision = DecisionInput(
            decision="approve" if approve else "return",
            opinion=opinion or ("" if approve else gettext("measure refused")),
        )
        doc = actions.decided_with(doc, decision, actor=actor)
        if not approve:
            # A refused measure is final: its document's number stays void with the reason.
            reason = gettext("the measure was refused: %(opinion)s") % {"opinion": opinion}
            actions._void(actions._lock(doc), reason, actor=actor)


def measure_start(measure: Measure) -> None:
    for doc_type in for_step(measure.pack, f"measure:{measure.kind}"):
        issued = Document.objects.filter(
            measure=measure, type_id=doc_type.id, status=DocumentStatus.ISSUED
        ).exists()
        if not issued:
            title = doc_type.title(get_language() or "en")
            if title != doc_type.title_zh:  # the paper form is known by its own title
                title = f"{title} ({doc_type.title_zh})"
            raise actions.DocumentError(
                gettext(
                    "a %(measure)s is executed on its issued %(document)s (%(basis)s): it is "
                    "not issued"
                )
                % {
                    "measure": measure.get_kind_display(),
                    "document": title,
                    "basis": doc_type.basis,
                },
                field="status",
            )


def family_notified(
    measure: Measure, *, actor: Officer, at: datetime, details: dict[str, Any]
) -> None:
    for doc_type in for_step(measure.pack, f"notice:{measure.kind}"):
        doc = actions._draft(
            measure.case,
            doc_type,
            actor=actor,
            person_id=measure.person_id,
            measure=measure,
            params=actions.auto_params(doc_type, measure.params),
            particulars="",
        )
        doc = actions.submit_document(doc, actor=actor, complete=False)
        if doc.status != DocumentStatus.ISSUED:
            continue  # a notice type with an approval chain waits for it; served afterwards
        served_at = max(at, doc.issued_at or at)
        actions.serve_document(
            doc,
            ServiceInput(
                method=_NOTICE_METHODS.get(details["method"], ServiceMethod.IN_PERSON),
                served_at=served_at,
                recipient=details["recipient"],
                relationship=details["relationship"],
                acknowledgment=Acknowledgment.UNABLE,
                note=gettext("served with the family notice (%(method)s)")
                % {"method": _NOTICE_LABELS.get(details["method"], details["method"])},
            ),
            actor=actor,
        )


def register() -> None:
    steps.follow("measure.proposed", measure_proposed)
    steps.follow("measure.decided", measure_decided)
    steps.gate("measure.start", measure_start)
    steps.follow("measure.family_notified", family_notified)
