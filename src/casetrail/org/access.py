"""Who may see or do what, by unit. Every other app asks here; views never decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext

from casetrail.errors import AccessDenied, NotFound, Refused
from casetrail.org.models import Officer, RoleGrant, Unit, root_of
from casetrail.org.queries import officers_by_id
from casetrail.org.roles import LEDGER_READERS, SECOND_FACTOR_ROLES, Role, Scope, role_label


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    path: str
    scope: str

    def covers(self, unit: Unit) -> bool:
        if self.scope == Scope.SUBTREE:
            return unit.path.startswith(self.path)
        return unit.pk == self.unit_id


def request_officer(request: HttpRequest) -> Officer:
    """The officer behind an authenticated request (login or API token)."""
    user = request.user
    if not isinstance(user, Officer):
        raise AccessDenied(gettext("log in first"))
    return user


def grants_of(officer: Officer) -> tuple[Grant, ...]:
    """The officer's grants, loaded once per officer object."""
    cached: tuple[Grant, ...] | None = getattr(officer, "_casetrail_grants", None)
    if cached is not None:
        return cached
    if not officer.is_authenticated or not officer.is_active:
        grants: tuple[Grant, ...] = ()
    else:
        rows = RoleGrant.objects.filter(officer=officer).select_related("unit")
        grants = tuple(Grant(g.role, g.unit_id, g.unit.path, g.scope) for g in rows)
    officer._casetrail_grants = grants  # type: ignore[attr-defined]
    return grants


def unit_for(officer: Officer, unit_id: int) -> Unit:
    """A unit, read once per officer object (that is, once per request): the actions look
    up the same few units again and again while checking grants."""
    cache: dict[int, Unit] = getattr(officer, "_casetrail_units", {})
    unit = cache.get(unit_id)
    if unit is None:
        unit = cache[unit_id] = Unit.objects.get(pk=unit_id)
        officer._casetrail_units = cache  # type: ignore[attr-defined]
    return unit


def roles_at(officer: Officer, unit: Unit) -> frozenset[str]:
    return frozenset(g.role for g in grants_of(officer) if g.covers(unit))


def has_role(officer: Officer, unit: Unit, roles: Iterable[str]) -> bool:
    wanted = set(roles)
    return any(g.role in wanted and g.covers(unit) for g in grants_of(officer))


def require_role(officer: Officer, unit: Unit, roles: Iterable[str], *, doing: str) -> None:
    """AccessDenied unless the officer holds one of ``roles`` at the unit; ``doing`` says what
    the officer attempts, in the officer's language (``doing=gettext("opening a case")``)."""
    wanted = sorted(roles)
    if not has_role(officer, unit, wanted):
        raise AccessDenied(
            gettext("%(doing)s needs one of these roles at %(unit)s: %(roles)s")
            % {
                "doing": doing,
                "unit": unit.name,
                "roles": ", ".join(role_label(role) for role in wanted),
            }
        )


def unit_ids_in_scope(officer: Officer, roles: Iterable[str]) -> frozenset[int]:
    """The ids of the units any grant of ``roles`` covers (subtrees expanded), loaded once
    per officer object and role set: units are few, cases many, so filtering cases by a
    list of unit ids lets the database use its indexes instead of joining paths."""
    wanted = frozenset(roles)
    cache: dict[frozenset[str], frozenset[int]] = getattr(officer, "_casetrail_scopes", {})
    if wanted in cache:
        return cache[wanted]
    q = Q(pk__in=[])
    for g in grants_of(officer):
        if g.role in wanted:
            q |= Q(path__startswith=g.path) if g.scope == Scope.SUBTREE else Q(pk=g.unit_id)
    ids = frozenset(Unit.objects.filter(q).values_list("pk", flat=True))
    cache[wanted] = ids
    officer._casetrail_scopes = cache  # type: ignore[attr-defined]
    return ids


def unit_q(officer: Officer, roles: Iterable[str], *, field: str = "unit") -> Q:
    """A filter matching rows whose unit lies in the scope of any grant of ``roles``."""
    return Q(**{f"{field}_id__in": sorted(unit_ids_in_scope(officer, roles))})


def units_in_scope(officer: Officer, roles: Iterable[str]) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=unit_ids_in_scope(officer, roles)).order_by("path"))


def access_unit(officer: Officer, unit_id: int) -> Unit:
    """A unit the officer holds any grant over; NotFound otherwise, as if it did not exist."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not has_role(officer, unit, Role.values):
        raise NotFound(gettext("unit %(id)s not found") % {"id": unit_id})
    return unit


def on_staff(officer: Officer, unit: Unit) -> bool:
    """Whether an officer works at the unit: active, posted there or granted a role over it,
    and of the same jurisdiction (rule pack): who may escort a person into its case-handling
    area, sit in its interviews or witness a signature there."""
    if not officer.is_active:
        return False
    if officer.unit_id is not None and officer.unit_id != unit.pk:
        home = unit_for(officer, officer.unit_id)
        if home.pack != unit.pack or not has_role(officer, unit, Role.values):
            return False
    return officer.unit_id == unit.pk or has_role(officer, unit, Role.values)


def require_staff(
    unit: Unit, ids: Sequence[int], *, field: str, qualified_on: date | None = None
) -> list[Officer]:
    """The officers named in ``field``, each on the unit's staff (`on_staff`) and, when
    ``qualified_on`` is given, holding a law-enforcement qualification that day; a refusal
    naming the field and the officer otherwise."""
    officers = officers_by_id(list(dict.fromkeys(ids)), field=field)
    for officer in officers:
        if not officer.is_active:
            raise Refused(
                gettext("%(officer)s is not an active officer") % {"officer": officer}, field=field
            )
        if not on_staff(officer, unit):
            raise Refused(
                gettext("%(officer)s is not on the staff of %(unit)s")
                % {"officer": officer, "unit": unit},
                field=field,
            )
        if qualified_on is not None and not officer.qualified_on(qualified_on):
            raise Refused(
                gettext("%(officer)s holds no law-enforcement qualification on %(day)s")
                % {"officer": officer, "day": qualified_on},
                field=field,
            )
    return officers


def require_ledger_housekeeping(officer: Officer, entry: Any) -> None:
    """The proof of an entry about units, officers, tokens, keys, calendars or checkpoints is
    for supervisors and administrators (at the entry's unit, when it names one). Registered
    with the ledger by OrgConfig.ready()."""
    unit = unit_for(officer, entry.unit_id) if entry.unit_id else None
    allowed = (
        has_role(officer, unit, LEDGER_READERS)
        if unit is not None
        else any(g.role in LEDGER_READERS for g in grants_of(officer))
    )
    if not allowed:
        raise AccessDenied(
            gettext("the ledger's housekeeping needs the supervisor or administrator role")
        )


def needs_second_factor(officer: Officer) -> bool:
    """Whether the officer must log in with a second factor: a superuser always; anyone else
    holding a role that approves or supervises (SECOND_FACTOR_ROLES) at a unit whose agency (its
    top-level unit) requires it. Read once per officer object."""
    cached: bool | None = getattr(officer, "_casetrail_second_factor", None)
    if cached is not None:
        return cached
    if officer.is_superuser and officer.is_active:
        needed = True
    else:
        roots = {root_of(g.path) for g in grants_of(officer) if g.role in SECOND_FACTOR_ROLES}
        needed = bool(roots) and (
            Unit.objects.filter(pk__in=roots, second_factor_required=True).exists()
        )
    officer._casetrail_second_factor = needed  # type: ignore[attr-defined]
    return needed


def second_factor_verified(user: Any) -> bool:
    """Whether this request's session was verified with a second factor (django-otp's
    OTPMiddleware gives the user ``is_verified``)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def require_verified_session(request: HttpRequest, *, doing: str) -> Officer:
    """The officer of a logged-in session, verified with the second factor when the officer
    must use one; an API token or an unverified session is refused (403). ``doing`` is in the
    officer's language, as for `require_role`."""
    officer = request_officer(request)
    if getattr(request, "api_token", None) is not None:
        raise AccessDenied(
            gettext("%(doing)s needs a logged-in session: an API token cannot do it")
            % {"doing": doing}
        )
    if needs_second_factor(officer) and not second_factor_verified(request.user):
        raise AccessDenied(
            gettext("%(doing)s needs a session verified with your second factor") % {"doing": doing}
        )
    return officer
