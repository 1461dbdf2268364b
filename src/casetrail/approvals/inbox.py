"""Every officer's one "awaiting my approval" list, fed by every app that asks for approvals.

The engine's own chains (documents, and what moves onto the engine later) are one source; apps
whose rows still name their approver themselves (custody's measures and extension requests,
cases' moves reserved to a leader) register a source of their own in ``ready()``, so the list
and the count in the navigation bar leave nothing out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q

from casetrail.approvals.models import Approval, ApprovalStatus
from casetrail.org.access import unit_ids_in_scope
from casetrail.org.models import Officer


@dataclass(frozen=True)
class Waiting:
    what: str  # what is to be approved, in the officer's language
    title: str
    case_number: str
    unit_name: str
    role: str
    since: datetime
    due_at: datetime | None
    url: str


@dataclass(frozen=True)
class Source:
    items: Callable[[Officer], list[Waiting]]
    count: Callable[[Officer], int]


_NEVER = datetime.max.replace(tzinfo=UTC)
_SOURCES: dict[str, Source] = {}
_LINKS: dict[str, Callable[[int], str]] = {}
_WHAT: dict[str, Callable[[], str]] = {}


def register(name: str, source: Source) -> None:
    _SOURCES[name] = source


def register_subject(
    subject_type: str, *, link: Callable[[int], str], what: Callable[[], str]
) -> None:
    """How the engine's chains of one subject type show on the list: where the subject's page is,
    and what it is called."""
    _LINKS[subject_type] = link
    _WHAT[subject_type] = what


def _engine_q(officer: Officer) -> Q:
    q = Q(pk__in=[])
    roles = (
        Approval.objects.filter(status=ApprovalStatus.PENDING, follows="")
        .values_list("current_role", flat=True)
        .distinct()
    )
    for role in roles:
        q |= Q(current_role=role, unit_id__in=sorted(unit_ids_in_scope(officer, {role})))
    # A chain that follows another subject's decision is listed (and decided) there.
    return Q(status=ApprovalStatus.PENDING, follows="") & q & ~Q(drafter=officer)


def _engine_items(officer: Officer) -> list[Waiting]:
    from casetrail.org.roles import role_label

    rows = Approval.objects.filter(_engine_q(officer)).select_related("unit")
    return [
        Waiting(
            what=_WHAT[a.subject_type]() if a.subject_type in _WHAT else a.subject_type,
            title=a.title,
            case_number=a.case_number,
            unit_name=a.unit.name,
            role=role_label(a.current_role),
            since=a.step_since,
            due_at=a.due_at,
            url=_LINKS[a.subject_type](a.subject_id) if a.subject_type in _LINKS else "",
        )
        for a in rows
        if not a.steps.filter(round=a.round, officer=officer).exists()
    ]


def _engine_count(officer: Officer) -> int:
    return len(_engine_items(officer))


register("engine", Source(_engine_items, _engine_count))


def waiting_for(officer: Officer) -> list[Waiting]:
    """Everything waiting for this officer's decision, the most urgent first."""
    items = [item for source in _SOURCES.values() for item in source.items(officer)]
    return sorted(items, key=lambda w: (w.due_at or _NEVER, w.since))


def count_for(officer: Officer) -> int:
    return sum(source.count(officer) for source in _SOURCES.values())
