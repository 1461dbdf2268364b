"""Who sees and changes measures, deadlines and custody sessions. Views and the API ask here.

Readers: the custody officers and case handlers of the unit; unit leaders, legal reviewers,
agency heads and supervisors over the scope of their grants. A sealed case (a juvenile
suspect) shows its measures only to those who may see the case, and to the unit's custody
officers, who must know everyone in their area.

Writers: a measure and its events belong to the case's handlers, its unit leader and the agency
head; approvals to the role the statute names (actions check it, with the citation); the
case-handling area to the unit's custody officers and the case's handlers.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from casetrail.cases.access import is_handler, require_case_write, visible_cases
from casetrail.cases.models import Case, Person
from casetrail.custody.models import (
    Belonging,
    CustodySession,
    Deadline,
    ExtensionRequest,
    InboxItem,
    Measure,
)
from casetrail.errors import AccessDenied, NotFound
from casetrail.org.access import has_role, unit_ids_in_scope, unit_q
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role

CUSTODY_READERS = frozenset(
    {
        Role.CUSTODY_OFFICER,
        Role.CASE_HANDLER,
        Role.UNIT_LEADER,
        Role.LEGAL_REVIEWER,
        Role.AGENCY_HEAD,
        Role.SUPERVISOR,
    }
)
AREA_WRITERS = frozenset({Role.CUSTODY_OFFICER})
AREA_RUNNERS_ONLY = gettext_lazy(
    "the case-handling area is run by the unit's custody officers and the case's handlers"
)


def _readable(officer: Officer, *, case_field: str, unit_field: str = "unit") -> Q:
    in_scope = unit_q(officer, CUSTODY_READERS, field=unit_field)
    sealed_ok = Q(**{f"{case_field}__in": visible_cases(officer).values("pk")}) | unit_q(
        officer, {Role.CUSTODY_OFFICER}, field=unit_field
    )
    return in_scope & (Q(**{f"{case_field}__sealed": False}) | sealed_ok)


def visible_measures(officer: Officer) -> QuerySet[Measure]:
    return Measure.objects.filter(_readable(officer, case_field="case"))


def visible_sessions(officer: Officer) -> QuerySet[CustodySession]:
    return CustodySession.objects.filter(_readable(officer, case_field="case"))


def visible_deadlines(officer: Officer) -> QuerySet[Deadline]:
    return Deadline.objects.filter(_readable(officer, case_field="case"))


def access_measure(officer: Officer, measure_id: int, *, for_write: bool = False) -> Measure:
    measure = (
        visible_measures(officer)
        .select_related("case", "case__unit", "person", "unit")
        .filter(pk=measure_id)
        .first()
    )
    if measure is None:
        raise NotFound(gettext("measure %(id)s not found") % {"id": measure_id})
    if for_write:
        require_measure_write(officer, measure)
    return measure


def require_measure_write(officer: Officer, measure: Measure) -> None:
    try:
        require_case_write(officer, measure.case)
    except AccessDenied:
        raise AccessDenied(
            gettext(
                "only the case's handlers, its unit leader or the agency head may act on this "
                "measure"
            )
        ) from None


def may_decide(officer: Officer, unit: Unit, role: str) -> bool:
    """Whether the officer holds, over the unit, the role an approval needs."""
    return has_role(officer, unit, {role})


def access_deadline(officer: Officer, deadline_id: int) -> Deadline:
    deadline = (
        visible_deadlines(officer)
        .select_related("measure", "session", "unit", "case", "person")
        .filter(pk=deadline_id)
        .first()
    )
    if deadline is None:
        raise NotFound(gettext("deadline %(id)s not found") % {"id": deadline_id})
    return deadline


def require_deadline_write(officer: Officer, deadline: Deadline) -> None:
    if deadline.measure is not None:
        require_measure_write(officer, deadline.measure)
    else:
        assert deadline.session is not None  # noqa: S101 - a deadline has an owner
        require_session_write(officer, deadline.session)


def access_extension_request(officer: Officer, request_id: int) -> ExtensionRequest:
    request = (
        ExtensionRequest.objects.filter(deadline__in=visible_deadlines(officer).values("pk"))
        .select_related("deadline", "measure", "measure__unit", "measure__case")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(gettext("extension request %(id)s not found") % {"id": request_id})
    return request


def access_session(officer: Officer, session_id: int, *, for_write: bool = False) -> CustodySession:
    session = (
        visible_sessions(officer)
        .select_related("case", "case__unit", "person", "unit", "measure", "clock")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound(gettext("custody session %(id)s not found") % {"id": session_id})
    if for_write:
        require_session_write(officer, session)
    return session


def may_run_area(officer: Officer, unit: Unit, case: Case) -> bool:
    return has_role(officer, unit, AREA_WRITERS) or is_handler(officer, case)


def require_session_write(officer: Officer, session: CustodySession) -> None:
    if not may_run_area(officer, session.unit, session.case):
        raise AccessDenied(str(AREA_RUNNERS_ONLY))


def access_belonging(officer: Officer, belonging_id: int) -> Belonging:
    belonging = (
        Belonging.objects.filter(session__in=visible_sessions(officer).values("pk"))
        .select_related("session")
        .filter(pk=belonging_id)
        .first()
    )
    if belonging is None:
        raise NotFound(gettext("belonging %(id)s not found") % {"id": belonging_id})
    return belonging


def access_board(officer: Officer, unit_id: int) -> Unit:
    if unit_id not in unit_ids_in_scope(officer, CUSTODY_READERS):
        raise NotFound(gettext("unit %(id)s not found") % {"id": unit_id})
    return Unit.objects.get(pk=unit_id)  # the ids in scope were read from the units


def access_custody_person(officer: Officer, person_id: int) -> Person:
    """A person whose custody record the officer may read: under a measure or in the area."""
    person = (
        Person.objects.filter(pk=person_id)
        .filter(
            Q(measures__in=visible_measures(officer).values("pk"))
            | Q(custody_sessions__in=visible_sessions(officer).values("pk"))
        )
        .distinct()
        .first()
    )
    if person is None:
        raise NotFound(gettext("person %(id)s not found") % {"id": person_id})
    return person


def case_for_area(officer: Officer, case_id: int) -> Case:
    """A case whose person a custody officer (or its handler) brings into the area."""
    case = Case.objects.select_related("unit").filter(pk=case_id).first()
    if case is None or not (
        case.unit_id in unit_ids_in_scope(officer, AREA_WRITERS)
        or visible_cases(officer).filter(pk=case_id).exists()
    ):
        raise NotFound(gettext("case %(id)s not found") % {"id": case_id})
    if not may_run_area(officer, case.unit, case):
        raise AccessDenied(str(AREA_RUNNERS_ONLY))
    return case


def my_inbox(officer: Officer) -> QuerySet[InboxItem]:
    return InboxItem.objects.filter(officer=officer)


def access_inbox_item(officer: Officer, item_id: int) -> InboxItem:
    item = my_inbox(officer).select_related("alert", "alert__deadline").filter(pk=item_id).first()
    if item is None:
        raise NotFound(gettext("inbox item %(id)s not found") % {"id": item_id})
    return item
