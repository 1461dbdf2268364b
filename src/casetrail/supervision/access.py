"""Who sees a finding and who moves it. Supervisors, legal reviewers, agency heads and unit
leaders read the findings of their scope; the roles a check names as owners read and rectify
the findings of their unit (a handler not on a sealed case never sees its findings); only a
supervisor over the finding's unit accepts, rejects or dismisses. An escalated finding is also
the business of the leaders of the unit it was escalated to."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext

from casetrail.errors import AccessDenied, NotFound, in_field
from casetrail.org.access import (
    access_unit,
    grants_of,
    has_role,
    unit_for,
    unit_ids_in_scope,
)
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role, Scope, role_label
from casetrail.supervision.checks import BY_ID, CHECKS
from casetrail.supervision.models import Finding, FindingFile, ScoreReview

READERS = frozenset({Role.SUPERVISOR, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD, Role.UNIT_LEADER})
REVIEWERS = frozenset({Role.SUPERVISOR})
# Who reads a scorecard: a supervisor (or the legal department, the agency head) over their
# scope, a unit leader their own unit's; who asks for its review: the unit's leader.
SCORE_READERS = frozenset({Role.SUPERVISOR, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD})
SCORE_ASKERS = frozenset({Role.UNIT_LEADER})
ESCALATION_OWNERS = frozenset({Role.UNIT_LEADER, Role.AGENCY_HEAD})
# An owner role outside READERS (a handler, a custodian) never sees a sealed case's findings;
# cases' SEALED_READERS are all among READERS.
_OPEN_CASE_ONLY = Q(case__isnull=True) | Q(case__sealed=False)


def _roles(roles: Iterable[str]) -> str:
    """Roles by their names in the officer's language, in a steady order."""
    return ", ".join(role_label(role) for role in sorted(roles))


def scope_q(officer: Officer, roles: frozenset[str], field: str = "unit") -> Q:
    """Rows whose ``field`` unit lies under a grant of ``roles``, as one filter over the units'
    paths: no query of its own (the grants are read once per officer), so the inbox count on
    every page costs one query, not one per role."""
    q = Q(pk__in=[])
    for g in grants_of(officer):
        if g.role in roles:
            if g.scope == Scope.SUBTREE:
                q |= Q(**{f"{field}__path__startswith": g.path})
            else:
                q |= Q(**{f"{field}_id": g.unit_id})
    return q


def _owned(role: str) -> list[str]:
    return [check.id for check in CHECKS if role in check.owners]


OWNER_ROLES = tuple(sorted({role for check in CHECKS for role in check.owners}))


def findings_q(officer: Officer) -> Q:
    """The findings the officer may read, as one filter."""
    return scope_q(officer, READERS) | beyond_reading_q(officer)


def beyond_reading_q(officer: Officer) -> Q:
    """The findings the officer reads by another title than a reader's grant over their unit:
    as a leader of the unit one was escalated to, or as one of its check's owners. (The
    dashboard counts its readers' scope from the tallies and only these from the findings.)"""
    # The leaders of the unit a finding was escalated to read it, but a sealed case's only if
    # they read the case itself (their grant covers its unit: the reader's term).
    q = scope_q(officer, ESCALATION_OWNERS, "escalated_to") & _OPEN_CASE_ONLY
    for role in OWNER_ROLES:
        if role not in READERS:
            q |= (
                scope_q(officer, frozenset({role})) & Q(check_id__in=_owned(role)) & _OPEN_CASE_ONLY
            )
    return q


def rectify_q(officer: Officer) -> Q:
    """The findings whose rectification the officer's roles report: by the check's owners at
    its unit, or as a leader of the unit it was escalated to."""
    q = scope_q(officer, ESCALATION_OWNERS, "escalated_to")
    for role in OWNER_ROLES:
        q |= scope_q(officer, frozenset({role})) & Q(check_id__in=_owned(role))
    return q


def access_finding(officer: Officer, finding_id: int) -> Finding:
    """A finding the officer may read; NotFound otherwise, as if it did not exist."""
    found = (
        Finding.objects.filter(findings_q(officer), pk=finding_id)
        .select_related("unit", "case", "escalated_to")
        .first()
    )
    if found is None:
        raise NotFound(gettext("finding %(id)s not found") % {"id": finding_id})
    return found


def access_finding_file(officer: Officer, file_id: int) -> FindingFile:
    """A file of a finding the officer may read; NotFound otherwise."""
    found = (
        FindingFile.objects.filter(
            pk=file_id, finding__in=Finding.objects.filter(findings_q(officer))
        )
        .select_related("finding")
        .first()
    )
    if found is None:
        raise NotFound(gettext("file %(id)s not found") % {"id": file_id})
    return found


def may_rectify(officer: Officer, finding: Finding) -> bool:
    unit = unit_for(officer, finding.unit_id)
    if has_role(officer, unit, BY_ID[finding.check_id].owners):
        return True
    if finding.escalated_to_id is None:
        return False
    return has_role(officer, unit_for(officer, finding.escalated_to_id), ESCALATION_OWNERS)


def require_rectifier(officer: Officer, finding: Finding) -> None:
    if not may_rectify(officer, finding):
        raise AccessDenied(
            gettext("reporting a rectification needs one of these roles at %(unit)s: %(roles)s")
            % {"unit": finding.unit.name, "roles": _roles(BY_ID[finding.check_id].owners)}
        )


def may_review(officer: Officer, finding: Finding) -> bool:
    return has_role(officer, unit_for(officer, finding.unit_id), REVIEWERS)


def require_reviewer(officer: Officer, finding: Finding, *, doing: str) -> None:
    """``doing`` says what the officer attempts, in the officer's language
    (``doing=gettext("dismissing a finding")``), as for `org.access.require_role`."""
    if not may_review(officer, finding):
        raise AccessDenied(
            gettext("%(doing)s needs the supervisor role at %(unit)s")
            % {"doing": doing, "unit": finding.unit.name}
        )


def require_dashboard(officer: Officer) -> None:
    """The dashboards are for those who read supervision over a scope, not for every owner."""
    if not unit_ids_in_scope(officer, READERS):
        raise AccessDenied(
            gettext("the supervision dashboard needs one of these roles: %(roles)s")
            % {"roles": _roles(READERS)}
        )


def scorecard_unit_ids(officer: Officer) -> frozenset[int]:
    """The units whose scorecard the officer reads: their scope as a supervisor, legal
    reviewer or agency head, and the units they lead."""
    ids = unit_ids_in_scope(officer, SCORE_READERS) | unit_ids_in_scope(officer, SCORE_ASKERS)
    if not ids:
        raise AccessDenied(
            gettext("the quality scorecard needs one of these roles: %(roles)s")
            % {"roles": _roles(SCORE_READERS | SCORE_ASKERS)}
        )
    return ids


def require_score_asker(officer: Officer, unit_id: int) -> Unit:
    """Only the unit's own leader (a leader's grant at that very unit) asks for a review of
    its score; a unit out of sight is a mistake in the field that names it."""
    with in_field("unit_id"):
        unit = access_unit(officer, unit_id)
    if not leads(officer, unit):
        raise AccessDenied(
            gettext("asking for a review of %(unit)s's score needs its unit leader role")
            % {"unit": unit.name}
        )
    return unit


def leads(officer: Officer, unit: Unit) -> bool:
    return any(g.role in SCORE_ASKERS and g.unit_id == unit.pk for g in grants_of(officer))


def access_score_review(officer: Officer, review_id: int) -> ScoreReview:
    """A score review the officer may read (it is of a unit whose scorecard they read)."""
    found = ScoreReview.objects.select_related("unit").filter(pk=review_id).first()
    try:
        visible = scorecard_unit_ids(officer)
    except AccessDenied:  # "absent" and "not yours" answer alike
        visible = frozenset()
    if found is None or found.unit_id not in visible:
        raise NotFound(gettext("score review %(id)s not found") % {"id": review_id})
    return found


def require_score_answerer(officer: Officer, review: ScoreReview) -> None:
    unit = unit_for(officer, review.unit_id)
    if not has_role(officer, unit, REVIEWERS):
        raise AccessDenied(
            gettext("answering a score review needs the supervisor role at %(unit)s")
            % {"unit": review.unit.name}
        )
    if leads(officer, unit):
        raise AccessDenied(
            gettext("a leader of %(unit)s does not answer the review of its own score")
            % {"unit": unit.name}
        )
