"""Who sees and changes which incidents, cases and persons. Views and API ask only here."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from casetrail.cases.models import Case, CaseHandler, Incident, Party, Person
from casetrail.errors import AccessDenied, NotFound
from casetrail.org.access import has_role, unit_for, unit_q
from casetrail.org.models import Officer
from casetrail.org.roles import CASE_LEADERS, CASE_READERS, INTAKE_WRITERS, SEALED_READERS
from casetrail.web.inputs import record_number


def _assigned(officer: Officer) -> Q:
    """Cases the officer currently handles (one uncorrelated subquery, not one per row)."""
    return Q(
        pk__in=CaseHandler.objects.filter(officer=officer, released_at__isnull=True).values(
            "case_id"
        )
    )


def visible_cases(officer: Officer) -> QuerySet[Case]:
    """Cases in the scope of the officer's reading roles; sealed ones only where needed.

    Handlers and intake officers see their unit's open files; leaders, legal reviewers
    and agency heads their subtree (as granted); a sealed case (juvenile suspect) only to
    its own handlers and to the roles in SEALED_READERS.
    """
    in_scope = unit_q(officer, CASE_READERS)
    sealed_ok = unit_q(officer, SEALED_READERS) | _assigned(officer)
    return Case.objects.filter(in_scope).filter(Q(sealed=False) | sealed_ok)


def is_handler(officer: Officer, case: Case) -> bool:
    return CaseHandler.objects.filter(case=case, officer=officer, released_at__isnull=True).exists()


def access_case(officer: Officer, case_id: int | str, *, for_write: bool = False) -> Case:
    """The case by id or number, if the officer may see it (and change it, for writes)."""
    lookup: dict[str, object]
    if isinstance(case_id, int):
        lookup = {"pk": case_id}
    elif case_id.isascii() and case_id.isdigit():
        # An id past what a database stores is no case, not an overflow in the driver.
        lookup = {"pk": record_number(case_id) or 0}
    else:
        lookup = {"number": case_id}  # "²" too: a digit to isdigit(), a number to nobody
    case = visible_cases(officer).select_related("unit", "category").filter(**lookup).first()
    if case is None:
        raise NotFound(gettext("case %(id)s not found") % {"id": case_id})
    if for_write:
        require_case_write(officer, case)
    return case


def _locked_case_sql(vendor: str) -> str:
    """One statement, written once: the case row (locked on PostgreSQL; SQLite's writers
    already hold the database) and whether a given officer currently handles it. Every
    move goes through here, and building the same ORM query each time cost more than
    running it."""
    case, handler = Case._meta, CaseHandler._meta
    columns = ", ".join(f'c."{f.column}"' for f in case.concrete_fields)
    lock = " FOR UPDATE OF c" if vendor == "postgresql" else ""
    return (
        f'SELECT {columns}, EXISTS (SELECT 1 FROM "{handler.db_table}" h '  # noqa: S608
        f'WHERE h."case_id" = c."id" AND h."officer_id" = %s AND h."released_at" IS NULL) '
        f'AS actor_handles FROM "{case.db_table}" c WHERE c."id" = %s{lock}'
    )


def locked_for_write(officer: Officer, case_id: int) -> Case:
    """The case row locked for the rest of the transaction, with whether the officer handles
    it read in the same query; AccessDenied unless the officer may change it."""
    rows = list(Case.objects.raw(_locked_case_sql(connection.vendor), [officer.pk, case_id]))
    if not rows:
        raise NotFound(gettext("case %(id)s not found") % {"id": case_id})
    case = rows[0]
    case.unit = unit_for(officer, case.unit_id)
    require_case_write(officer, case, handles=bool(case.actor_handles))  # type: ignore[attr-defined]
    return case


def require_case_write(officer: Officer, case: Case, *, handles: bool | None = None) -> None:
    if handles if handles is not None else is_handler(officer, case):
        return
    if has_role(officer, case.unit, CASE_LEADERS):
        return
    raise AccessDenied(
        gettext("only the case's handlers, its unit leader or the agency head may change this case")
    )


def may_write_case(officer: Officer, case: Case) -> bool:
    try:
        require_case_write(officer, case)
    except AccessDenied:
        return False
    return True


def visible_incidents(officer: Officer) -> QuerySet[Incident]:
    """Incidents of the units the officer reads (or that were transferred to them); one that
    became a sealed case is sealed with it, seen only by those who may see the case."""
    readers = set(CASE_READERS)
    in_scope = unit_q(officer, readers) | unit_q(officer, readers, field="transferred_to")
    sealed_ok = Q(case__isnull=True) | Q(case__sealed=False)
    sealed_ok |= Q(case__in=visible_cases(officer).filter(sealed=True).values("pk"))
    return Incident.objects.filter(in_scope).filter(sealed_ok)


def access_incident(officer: Officer, incident_id: int, *, for_write: bool = False) -> Incident:
    incident = visible_incidents(officer).select_related("unit").filter(pk=incident_id).first()
    if incident is None:
        raise NotFound(gettext("incident %(id)s not found") % {"id": incident_id})
    if for_write and not has_role(officer, incident.unit, INTAKE_WRITERS):
        raise AccessDenied(
            gettext(
                "deciding an incident needs the intake officer, case handler or "
                "unit leader role at its unit"
            )
        )
    return incident


def access_person(officer: Officer, person_id: int) -> Person:
    """A person is visible only as a party of a case the officer may see."""
    cases = visible_cases(officer)
    person = (
        Person.objects.filter(pk=person_id, parties__case__in=cases.values("pk")).distinct().first()
    )
    if person is None:
        raise NotFound(gettext("person %(id)s not found") % {"id": person_id})
    return person


def parties_visible(officer: Officer, person: Person) -> QuerySet[Party]:
    return Party.objects.filter(
        person=person, case__in=visible_cases(officer).values("pk")
    ).select_related("case")
