"""Reads of officers, units and tokens that views and APIs need, in one place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

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
        raise UnknownOfficer(gettext("no officer with id %(id)s") % {"id": missing[0]}, field=field)
    return [found[i] for i in ids]


def unit_by_id(unit_id: int) -> Unit | None:
    return Unit.objects.filter(pk=unit_id).first()


def units_by_id(unit_ids: Iterable[int]) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=list(unit_ids)).order_by("path")


def transfer_targets(unit: Unit) -> QuerySet[Unit]:
    """The units an incident of ``unit`` may be transferred to: the others of its rule pack."""
    return Unit.objects.filter(pack=unit.pack).exclude(pk=unit.pk).order_by("path")


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


def units_officers(units: Iterable[int] | QuerySet[Unit]) -> QuerySet[Officer]:
    return Officer.objects.filter(unit__in=units, is_active=True).order_by("badge_number")


def tokens_of(officer: Officer) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(officer=officer).order_by("-created_at")


def token_of(officer: Officer, token_id: int) -> ApiToken:
    """One of the officer's own tokens; nobody else's exists for them."""
    token = ApiToken.objects.filter(pk=token_id, officer=officer).first()
    if token is None:
        raise NotFound(gettext("token %(id)s not found") % {"id": token_id})
    return token


def has_second_factor(officer: Officer) -> bool:
    """Whether the officer has enrolled a second factor (a confirmed TOTP device)."""
    return bool(TOTPDevice.objects.filter(user=officer, confirmed=True).exists())


def enrolment_uri(officer: Officer, key: str) -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code) for the secret ``key``."""
    return str(TOTPDevice(user=officer, name="authenticator", key=key).config_url)
