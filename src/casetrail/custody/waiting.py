"""Custody's part of every officer's "awaiting my approval" list: proposed measures and
extension requests whose approver role the officer holds over the unit (approvals.inbox)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from casetrail.approvals.inbox import Source, Waiting, register
from casetrail.custody.actions.measures import legal_reviewed_kinds
from casetrail.custody.models import ExtensionRequest, ExtensionStatus, Measure, MeasureStatus
from casetrail.org.access import unit_ids_in_scope
from casetrail.org.models import Officer
from casetrail.org.roles import Role, role_label


def _by_role(officer: Officer, rows: QuerySet[Any], unit: str) -> Q:
    """Rows whose approver role the officer holds over their unit."""
    q = Q(pk__in=[])
    for role in set(rows.values_list("approver_role", flat=True)):
        q |= Q(approver_role=role, **{f"{unit}__in": sorted(unit_ids_in_scope(officer, {role}))})
    return q


def _measures(officer: Officer) -> QuerySet[Measure]:
    proposed = Measure.objects.filter(status=MeasureStatus.PROPOSED)
    return proposed.filter(_by_role(officer, proposed, "unit_id")).exclude(proposed_by=officer)


def _to_review(officer: Officer) -> QuerySet[Measure]:
    """Proposed measures the legal department reviews first, in the reviewer's scope, with no
    opinion written yet."""
    return (
        Measure.objects.filter(
            status=MeasureStatus.PROPOSED,
            kind__in=legal_reviewed_kinds(),
            unit_id__in=sorted(unit_ids_in_scope(officer, {Role.LEGAL_REVIEWER})),
        )
        .exclude(approvals__role=Role.LEGAL_REVIEWER)
        .exclude(proposed_by=officer)
    )


def _extensions(officer: Officer) -> QuerySet[ExtensionRequest]:
    requested = ExtensionRequest.objects.filter(status=ExtensionStatus.REQUESTED)
    return requested.filter(_by_role(officer, requested, "measure__unit_id")).exclude(
        requested_by=officer
    )


def _items(officer: Officer) -> list[Waiting]:
    measures = [
        Waiting(
            what=_("measure"),
            title=f"{m.get_kind_display()} · {m.person.name}",
            case_number=m.case.number,
            unit_name=m.unit.name,
            role=role_label(m.approver_role),
            since=m.proposed_at,
            due_at=None,
            url=reverse("custody:measure", args=[m.pk]),
        )
        for m in _measures(officer).select_related("person", "case", "unit")
    ]
    extensions = [
        Waiting(
            what=_("extension"),
            title=f"{r.extension} · {r.measure.person.name}",
            case_number=r.measure.case.number,
            unit_name=r.measure.unit.name,
            role=role_label(r.approver_role),
            since=r.requested_at,
            due_at=r.due_before,
            url=reverse("custody:measure", args=[r.measure_id]),
        )
        for r in _extensions(officer).select_related(
            "measure", "measure__person", "measure__case", "measure__unit"
        )
    ]
    reviews = [
        Waiting(
            what=_("legal review of a measure"),
            title=f"{m.get_kind_display()} · {m.person.name}",
            case_number=m.case.number,
            unit_name=m.unit.name,
            role=role_label(Role.LEGAL_REVIEWER),
            since=m.proposed_at,
            due_at=None,
            url=reverse("custody:measure", args=[m.pk]),
        )
        for m in _to_review(officer).select_related("person", "case", "unit")
    ]
    return reviews + measures + extensions


def _count(officer: Officer) -> int:
    return _to_review(officer).count() + _measures(officer).count() + _extensions(officer).count()


def register_source() -> None:
    register("custody", Source(_items, _count))
