"""Every write to units, officers, grants and tokens; one transaction, one ledger entry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casetrail import clock
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.access import require_role
from casetrail.org.inputs import CodeInput, TokenInput
from casetrail.org.models import ApiToken, Officer, Unit
from casetrail.org.roles import Role, Scope

TOKEN_PREFIX = "ct_"  # noqa: S105 - a public marker, not a secret
# What a read-only token may send: reads. Every other method writes (POST, PUT, PATCH, DELETE).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class OrgError(Refused):
    """Refused input about units, officers, grants or tokens."""


class TokenExpired(Exception):
    """An API token past its expiry (401): its holder creates a new one."""


def _require_admin(actor: Officer | None, unit: Unit | None) -> None:
    """Administrators act within their grant; the bootstrap (no actor) runs from the CLI."""
    if actor is None:
        return
    if unit is None:
        raise OrgError(gettext("a unit is required"), field="unit")
    require_role(actor, unit, {Role.ADMINISTRATOR}, doing=gettext("administration"))


@transaction.atomic
def create_unit(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    timezone: str,
    pack: str,
    name_en: str = "",
    document_prefix: str = "",
    actor: Officer | None,
) -> Unit:
    _require_admin(actor, parent)
    if Unit.objects.filter(code=code).exists():
        raise OrgError(gettext("unit code %(code)s is taken") % {"code": code}, field="code")
    unit = Unit.objects.create(
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        parent=parent,
        timezone=timezone,
        pack=pack,
        document_prefix=document_prefix,
        path="",
    )
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    record(
        LedgerKind.UNIT_CREATED,
        subject=unit,
        actor=actor,
        unit_id=unit.pk,
        data={
            "code": code,
            "name": name,
            "kind": kind,
            "parent": parent.code if parent else None,
            "pack": pack,
            "timezone": timezone,
            "document_prefix": document_prefix,
        },
    )
    return unit


@transaction.atomic
def create_officer(
    *,
    username: str,
    name: str,
    badge_number: str,
    unit: Unit,
    password: str,
    qualification_level: str = "",
    qualification_valid_until: date | None = None,
    email: str = "",
    actor: Officer | None,
) -> Officer:
    _require_admin(actor, unit)
    if Officer.objects.filter(username=username).exists():
        raise OrgError(
            gettext("username %(username)s is taken") % {"username": username}, field="username"
        )
    if Officer.objects.filter(badge_number=badge_number).exists():
        raise OrgError(
            gettext("badge number %(badge)s is taken") % {"badge": badge_number},
            field="badge_number",
        )
    officer = Officer.objects.create_user(
        username,
        password,
        name=name,
        badge_number=badge_number,
        unit=unit,
        email=email,
        qualification_level=qualification_level,
        qualification_valid_until=qualification_valid_until,
    )
    record(
        LedgerKind.OFFICER_CREATED,
        subject=officer,
        actor=actor,
        unit_id=unit.pk,
        data={
            "username": username,
            "name": name,
            "badge": badge_number,
            "unit": unit.code,
            "qualification": qualification_level,
            "qualification_valid_until": qualification_valid_until,
        },
    )
    return officer


@transaction.atomic
def grant_role(
    officer: Officer, *, role: str, unit: Unit, scope: str = Scope.UNIT, actor: Officer | None
) -> None:
    _require_admin(actor, unit)
    if role not in Role.values:
        raise OrgError(gettext("unknown role %(role)s") % {"role": role}, field="role")
    grant, created = officer.grants.get_or_create(unit=unit, role=role, defaults={"scope": scope})
    if not created and grant.scope == scope:
        return  # already granted so: nothing changes, nothing to record
    if not created:
        grant.scope = scope
        grant.save(update_fields=["scope"])
    record(
        LedgerKind.ROLE_GRANTED,
        subject=officer,
        actor=actor,
        unit_id=unit.pk,
        data={"role": role, "unit": unit.code, "scope": scope},
    )
    for cached in ("_casetrail_grants", "_casetrail_scopes", "_casetrail_second_factor"):
        if hasattr(officer, cached):
            delattr(officer, cached)


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_token(data: TokenInput, *, actor: Officer) -> tuple[ApiToken, str]:
    """A new API token for the actor; the key is shown once and stored only as a hash. It
    lapses after ``lifetime_days`` (the deployment's default when none is named), never later
    than CASETRAIL_TOKEN_MAX_DAYS allows."""
    longest: int = settings.CASETRAIL_TOKEN_MAX_DAYS
    days: int = data.lifetime_days or settings.CASETRAIL_TOKEN_DAYS
    if days > longest:
        raise OrgError(
            gettext("a token lives at most %(longest)d days here (%(days)d asked)")
            % {"longest": longest, "days": days},
            field="lifetime_days",
        )
    now = clock.now()
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        officer=actor,
        name=data.name,
        prefix=key[:10],
        key_hash=hash_token(key),
        created_at=now,
        expires_at=now + timedelta(days=days),
        read_only=data.read_only,
    )
    record(
        LedgerKind.TOKEN_ISSUED,
        subject=token,
        actor=actor,
        unit_id=actor.unit_id,
        data={
            "name": token.name,
            "prefix": token.prefix,
            "expires_at": token.expires_at,
            "scope": "read" if token.read_only else "read-write",
        },
    )
    return token, key


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Officer) -> None:
    if token.officer_id != actor.pk:
        raise OrgError(gettext("only the holder can revoke a token"), field="token")
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    record(
        LedgerKind.TOKEN_REVOKED,
        subject=token,
        actor=actor,
        unit_id=actor.unit_id,
        data={"prefix": token.prefix},
    )


def authenticate_token(key: str, *, method: str) -> Officer | None:
    """The officer behind a bearer key, for a request of ``method``; None for a key that is
    unknown, revoked or whose holder left. An expired token raises TokenExpired (401), a
    read-only one asked to write AccessDenied (403): each says why, so its holder can act."""
    token = (
        ApiToken.objects.select_related("officer")
        .filter(key_hash=hash_token(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.officer.is_active:
        return None
    if token.expired(clock.now()):
        raise TokenExpired(
            gettext(
                "the API token %(prefix)s… expired at %(time)s UTC: create a new one on the API "
                "tokens page"
            )
            % {"prefix": token.prefix, "time": f"{token.expires_at:%Y-%m-%d %H:%M}"}
        )
    if token.read_only and method.upper() not in READ_METHODS:
        raise AccessDenied(
            gettext("the API token %(prefix)s… is read-only: it may read (GET) but not %(method)s")
            % {"prefix": token.prefix, "method": method}
        )
    return token.officer


# -- the second factor ------------------------------------------------------------------------
# django-otp reads the time from the time module (time.time), not casetrail.clock: the tests'
# time-machine freeze moves both. Failed codes and enrolments are the ledger's housekeeping:
# entries about the officer, read by supervisors and administrators.

DEVICE_NAME = "authenticator"


@transaction.atomic
def set_second_factor(unit: Unit, *, required: bool, actor: Officer | None) -> Unit:
    """Whether the officers of an agency who approve or supervise must use a second factor:
    set on its top-level unit by an administrator there (or from the CLI), and recorded."""
    _require_admin(actor, unit)
    if unit.parent_id is not None:
        raise OrgError(
            gettext(
                "the second factor is required or not for a whole agency: set it on its "
                "top-level unit, not on %(unit)s"
            )
            % {"unit": unit.code},
            field="unit",
        )
    if unit.second_factor_required == required:
        return unit
    unit.second_factor_required = required
    unit.save(update_fields=["second_factor_required"])
    record(
        LedgerKind.SECOND_FACTOR_SET,
        subject=unit,
        actor=actor,
        unit_id=unit.pk,
        data={"unit": unit.code, "required": required},
    )
    return unit


@transaction.atomic
def set_document_prefix(unit: Unit, *, prefix: str, actor: Officer | None) -> Unit:
    """The abbreviation the unit's documents are numbered under (江公(东) in
    江公(东)拘字〔2026〕12号); units below it without one issue under it. Set by an
    administrator (or from the CLI), and recorded: every number taken later depends on it."""
    _require_admin(actor, unit)
    prefix = prefix.strip()
    longest: int = Unit._meta.get_field("document_prefix").max_length  # type: ignore[assignment]
    if len(prefix) > longest:
        raise OrgError(
            gettext("a document prefix is at most %(limit)d characters") % {"limit": longest},
            field="document_prefix",
        )
    if any(ch in prefix for ch in "〔〕{}/\\") or any(not ch.isprintable() for ch in prefix):
        raise OrgError(
            gettext(
                "a document prefix holds no brackets 〔〕, braces, slashes or control characters"
            ),
            field="document_prefix",
        )
    unit.document_prefix = prefix
    unit.save(update_fields=["document_prefix"])
    record(
        LedgerKind.DOCUMENT_PREFIX_SET,
        subject=unit,
        actor=actor,
        unit_id=unit.pk,
        data={"unit": unit.code, "document_prefix": prefix},
    )
    return unit


def new_second_factor_key() -> str:
    """A fresh TOTP secret (20 random bytes, hex), kept in the session until confirmed."""
    return secrets.token_hex(20)


def _failed(actor: Officer, *, during: str, throttled: bool) -> None:
    record(
        LedgerKind.SECOND_FACTOR_FAILED,
        subject=actor,
        actor=actor,
        unit_id=actor.unit_id,
        data={"during": during, "throttled": throttled},
    )


@transaction.atomic
def _enrol(data: CodeInput, key: str, actor: Officer) -> TOTPDevice | None:
    if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise OrgError(
            gettext("a second factor is already enrolled for this officer"), field="code"
        )
    check = TOTP(bytes.fromhex(key))
    if not check.verify(int(data.code), tolerance=1):
        _failed(actor, during="enrolment", throttled=False)
        return None
    device = TOTPDevice.objects.create(
        user=actor, name=DEVICE_NAME, key=key, confirmed=True, last_t=check.t(), drift=check.drift
    )
    record(
        LedgerKind.SECOND_FACTOR_ENROLLED,
        subject=actor,
        actor=actor,
        unit_id=actor.unit_id,
        data={"kind": "totp", "device": device.persistent_id},
    )
    return device


def enrol_second_factor(data: CodeInput, *, key: str, actor: Officer) -> TOTPDevice:
    """Confirm the secret ``key`` the officer added to an authenticator app with a code from
    it; the device is stored and the enrolment recorded. A wrong code is recorded and refused
    (the entry stays: the refusal is raised after its transaction commits)."""
    device = _enrol(data, key, actor)
    if device is None:
        raise OrgError(
            gettext(
                "the code does not match the secret: check the authenticator's clock and type "
                "the code it shows now"
            ),
            field="code",
        )
    return device


@transaction.atomic
def _verify(data: CodeInput, actor: Officer) -> tuple[TOTPDevice | None, str]:
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).first()
    if device is None:
        raise OrgError(gettext("no second factor is enrolled for this officer"), field="code")
    allowed, why = device.verify_is_allowed()
    if allowed and device.verify_token(data.code):
        return device, ""
    _failed(actor, during="login", throttled=not allowed)
    if not allowed:
        until = why["locked_until"]
        message = gettext("too many wrong codes: try again after %(time)s UTC")
        return None, message % {"time": f"{until:%H:%M:%S}"}
    return None, gettext(
        "the code is wrong or was already used: type the code the authenticator shows"
    )


def verify_second_factor(data: CodeInput, *, actor: Officer) -> TOTPDevice:
    """The officer's device, when ``data.code`` is its current code (not one already used);
    a wrong code is recorded and refused, and repeated ones are throttled by django-otp."""
    device, message = _verify(data, actor)
    if device is None:
        raise OrgError(message, field="code")
    return device


@transaction.atomic
def reset_second_factor(officer: Officer, *, actor: Officer | None) -> int:
    """An administrator of the officer's unit (or the CLI) removes the officer's devices, when
    one is lost; the officer enrols a new one at the next login. Recorded."""
    _require_admin(actor, officer.unit)
    removed, _ = TOTPDevice.objects.filter(user=officer).delete()
    if not removed:
        raise OrgError(
            gettext("%(officer)s has no second factor to reset") % {"officer": officer},
            field="officer",
        )
    record(
        LedgerKind.SECOND_FACTOR_RESET,
        subject=officer,
        actor=actor,
        unit_id=officer.unit_id,
        data={"devices": removed},
    )
    return int(removed)
