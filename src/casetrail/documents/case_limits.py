"""Documents' part of a case's time limits (`casetrail.cases.panels`): each issued document of
the case not yet served, by the time its service rule gives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext

from casetrail.cases.models import Case
from casetrail.cases.panels import Limit
from casetrail.custody import clocks
from casetrail.documents.models import Document, DocumentStatus
from casetrail.web.states import OVERDUE, pending_state


def limits(case: Case, now: datetime) -> Iterator[Limit]:
    rows = Document.objects.filter(
        case=case,
        status=DocumentStatus.ISSUED,
        served_at__isnull=True,
        service_due_at__isnull=False,
    ).select_related("person")
    for doc in rows.order_by("service_due_at", "id"):
        due = doc.service_due_at
        assert due is not None  # noqa: S101 - filtered above
        missed = doc.service_missed_at is not None
        whom = doc.person.name if doc.person else ""
        yield Limit(
            area=gettext("service"),
            title=gettext("Service of %(document)s") % {"document": doc.title},
            subject=" · ".join(part for part in (doc.number, whom) if part),
            due_at=due,
            state=OVERDUE if missed else pending_state(due, doc.service_warn_at, now),
            citation=clocks.citation_shown(doc.service_citation),
            citation_full=doc.service_citation,
            steps=(),
            url=reverse("documents:detail", args=[doc.pk]),
        )
