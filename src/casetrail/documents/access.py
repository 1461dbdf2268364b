"""Who may see and change a document: whoever may see or change its case. A document of a sealed
case is sealed with it (invariant 4): absent and not yours answer the same."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from casetrail.cases.access import require_case_write, visible_cases
from casetrail.documents.models import Document
from casetrail.errors import NotFound
from casetrail.org.access import require_role
from casetrail.org.models import Officer
from casetrail.org.roles import CASE_LEADERS


def visible_documents(officer: Officer) -> QuerySet[Document]:
    return Document.objects.filter(case__in=visible_cases(officer).values("pk"))


def access_document(officer: Officer, document_id: int, *, for_write: bool = False) -> Document:
    doc = (
        visible_documents(officer)
        .select_related("case", "case__unit", "unit", "agency", "person", "measure", "approval")
        .filter(pk=document_id)
        .first()
    )
    if doc is None:
        raise NotFound(gettext("document %(id)s not found") % {"id": document_id})
    if for_write:
        require_document_write(officer, doc)
    return doc


def require_document_write(officer: Officer, doc: Document) -> None:
    assert doc.case is not None  # noqa: S101 - every document belongs to a case today
    require_case_write(officer, doc.case)


def require_revoker(officer: Officer, doc: Document) -> None:
    """Revoking an issued document undoes a decision: the unit's leader or the agency head."""
    require_role(officer, doc.unit, CASE_LEADERS, doing=gettext("revoking a document"))
