"""The organisation API: who am I, units and officers in scope, my API tokens."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.responses import Status

from casetrail.org import actions, queries
from casetrail.org.access import (
    grants_of,
    request_officer,
    require_verified_session,
    units_in_scope,
)
from casetrail.org.inputs import TokenInput
from casetrail.org.models import ApiToken, Officer, Unit
from casetrail.org.roles import Role
from casetrail.web.inputs import RecordId, body

router = Router(tags=["organisation"])


class GrantOut(Schema):
    role: str
    unit_id: int
    scope: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    badge_number: str
    unit_id: int | None
    qualification_level: str
    qualification_valid_until: date | None
    grants: list[GrantOut]


class UnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    parent_id: int | None
    timezone: str
    pack: str


class OfficerOut(Schema):
    id: int
    name: str
    badge_number: str
    unit_id: int | None
    qualification_valid_until: date | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    read_only: bool
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    key: str = Field(description="shown once; keep it secret")


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    officer = request_officer(request)
    return {
        "id": officer.pk,
        "username": officer.username,
        "name": officer.name,
        "badge_number": officer.badge_number,
        "unit_id": officer.unit_id,
        "qualification_level": officer.qualification_level,
        "qualification_valid_until": officer.qualification_valid_until,
        "grants": [
            {"role": g.role, "unit_id": g.unit_id, "scope": g.scope} for g in grants_of(officer)
        ],
    }


@router.get("/units", response=list[UnitOut])
def list_units(request: HttpRequest) -> list[Unit]:
    return units_in_scope(request_officer(request), {r.value for r in Role})


@router.get("/officers", response=list[OfficerOut])
def list_officers(request: HttpRequest, unit: RecordId | None = None) -> list[Officer]:
    """Officers of the units in the caller's scope (to choose handlers)."""
    units = units_in_scope(request_officer(request), {r.value for r in Role})
    ids = [u.pk for u in units if unit is None or u.pk == unit]
    return list(queries.units_officers(ids))


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(queries.tokens_of(request_officer(request)))


@router.post("/tokens", response={201: NewTokenOut})
@body(TokenInput)
def create_token(request: HttpRequest, data: TokenInput) -> Status[dict[str, Any]]:
    officer = require_verified_session(request, doing=gettext("creating an API token"))
    token, key = actions.issue_token(data, actor=officer)
    return Status(
        201,
        {
            "id": token.pk,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
            "read_only": token.read_only,
            "revoked_at": None,
            "key": key,
        },
    )


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: RecordId) -> ApiToken:
    officer = request_officer(request)
    token = queries.token_of(officer, token_id)
    actions.revoke_token(token, actor=officer)
    return token
