"""Reads of officers, units and tokens that views and APIs need, in one place."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from casetrail.errors import NotFound, Refused
from casetrail.org.models import ApiToken, Officer, Unit
from casetrail.org.roles import Role


class UnknownOfficer(Refused):
    """An id that names no officer; ``field`` is the input that carried it."""


def officers_by_id(ids: Sequence[int], *, field: str) -> list[Officer]:
    """The officers with these ids, in the order given; UnknownOfficer naming the first id
    that matches nobody."""
    found = Officer.objects.in_bulk(list(ids))
    missing = [i for i in ids if i not in found]
    if missing:
        raise UnknownOfficer(f"no officer with id {missing[0]}", field=field)
    return [found[i] for i in ids]


def unit_officers(unit: Unit) -> QuerySet[Officer]:
    return Officer.objects.filter(unit=unit, is_active=True).order_by("badge_number")


def unit_handlers(unit: Unit) -> QuerySet[Officer]:
    """Active officers holding the case handler role at the unit (the actions still check
    each one's qualification on the day)."""
    return (
        Officer.objects.filter(is_active=True, grants__role=Role.CASE_HANDLER, grants__unit=unit)
        .distinct()
        .order_by("badge_number")
    )


def units_officers(unit_ids: Sequence[int]) -> QuerySet[Officer]:
    return Officer.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("badge_number")


def tokens_of(officer: Officer) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(officer=officer).order_by("-created_at")


def token_of(officer: Officer, token_id: int) -> ApiToken:
    """One of the officer's own tokens; nobody else's exists for them."""
    token = ApiToken.objects.filter(pk=token_id, officer=officer).first()
    if token is None:
        raise NotFound(f"token {token_id} not found")
    return token
