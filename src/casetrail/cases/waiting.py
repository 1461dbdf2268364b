"""Cases' part of every officer's "awaiting my approval" list: cases whose next move is a
decision reserved to a leader of their unit (registration, withdrawal, conclusion)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from casetrail.approvals.inbox import Source, Waiting, register
from casetrail.cases.queries import awaiting_leader
from casetrail.org.models import Officer


def _items(officer: Officer) -> list[Waiting]:
    return [
        Waiting(
            what=_("case decision"),
            title=f"{case.title} · {case.status_label(get_language() or 'en')}",
            case_number=case.number,
            unit_name=case.unit.name,
            role=_("unit leader"),
            since=case.updated_at,
            due_at=None,
            url=reverse("cases:case_detail", args=[case.pk]),
        )
        for case in awaiting_leader(officer).select_related("unit").order_by("updated_at")
    ]


def _count(officer: Officer) -> int:
    return awaiting_leader(officer).count()


def register_source() -> None:
    register("cases", Source(_items, _count))
