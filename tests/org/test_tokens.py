"""API tokens lapse and may be read-only (issue 16): a chosen lifetime bounded by the
deployment's setting, 401 with a reason once expired, 403 with a reason when a read-only token
writes, the ledger entry names both, and the token page shows both in either language."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.models import LedgerEntry
from casetrail.org import actions
from casetrail.org.inputs import TokenInput
from casetrail.org.models import ApiToken
from tests.conftest import NOW, login


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_token_lives_the_default_ninety_days_and_its_entry_names_expiry_and_scope(world):
    token, _key = actions.issue_token(TokenInput(name="script"), actor=world.handler1)
    assert token.expires_at == NOW + timedelta(days=90)
    assert token.read_only is False
    entry = LedgerEntry.objects.filter(action="token.issued").latest("seq")
    payload = json.loads(entry.payload)
    assert payload["scope"] == "read-write"
    assert payload["expires_at"].startswith((NOW + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"))


def test_a_read_only_token_with_a_chosen_lifetime_is_recorded_so(world):
    token, _key = actions.issue_token(
        TokenInput(name="report", lifetime_days=7, read_only=True), actor=world.handler1
    )
    assert token.expires_at == NOW + timedelta(days=7)
    payload = json.loads(LedgerEntry.objects.filter(action="token.issued").latest("seq").payload)
    assert payload["scope"] == "read"


@pytest.mark.parametrize("days", [0, 366, -1])
def test_a_lifetime_outside_one_to_365_days_is_refused_naming_the_field(world, days):
    with pytest.raises(Refused) as refused:
        TokenInput(name="script", lifetime_days=days)
    assert refused.value.field == "lifetime_days"


def test_a_lifetime_past_the_deployments_ceiling_is_refused_and_writes_nothing(world, settings):
    settings.CASETRAIL_TOKEN_MAX_DAYS = 30
    before = LedgerEntry.objects.count()
    with pytest.raises(Refused) as refused:
        actions.issue_token(TokenInput(name="script", lifetime_days=31), actor=world.handler1)
    assert refused.value.field == "lifetime_days"
    assert "30 days" in str(refused.value)
    assert not ApiToken.objects.exists()
    assert LedgerEntry.objects.count() == before


def test_the_api_refuses_a_lifetime_past_365_days_naming_the_field(world, client):
    client = login(world.handler1)
    response = client.post(
        "/api/v1/tokens",
        json.dumps({"name": "script", "lifetime_days": 400}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "lifetime_days"


def test_an_expired_token_is_refused_with_401_saying_so(world, frozen_clock):
    _token, key = actions.issue_token(
        TokenInput(name="script", lifetime_days=7), actor=world.handler1
    )
    client = login(world.nobody)  # any client: the bearer decides
    client.logout()
    assert client.get("/api/v1/me", headers=_bearer(key)).status_code == 200
    frozen_clock.move_to(NOW + timedelta(days=7))
    response = client.get("/api/v1/me", headers=_bearer(key))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert "create a new one" in response.json()["detail"]


def test_a_read_only_token_reads_and_is_refused_writes_with_403(world, client):
    _token, key = actions.issue_token(
        TokenInput(name="report", read_only=True), actor=world.handler1
    )
    assert client.get("/api/v1/tokens", headers=_bearer(key)).status_code == 200
    before = LedgerEntry.objects.count()
    response = client.post(
        "/api/v1/tokens",
        json.dumps({"name": "more"}),
        content_type="application/json",
        headers=_bearer(key),
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert LedgerEntry.objects.count() == before
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "post"])
def test_a_read_only_token_is_refused_every_write_method(world, method):
    _token, key = actions.issue_token(
        TokenInput(name="report", read_only=True), actor=world.handler1
    )
    with pytest.raises(AccessDenied, match="read-only"):
        actions.authenticate_token(key, method=method)
    assert actions.authenticate_token(key, method="HEAD") == world.handler1


def test_a_revoked_token_or_one_of_an_officer_who_left_authenticates_nobody(world):
    token, key = actions.issue_token(TokenInput(name="script"), actor=world.handler1)
    actions.revoke_token(token, actor=world.handler1)
    assert actions.authenticate_token(key, method="GET") is None
    _token, key = actions.issue_token(TokenInput(name="script"), actor=world.handler2)
    world.handler2.is_active = False
    world.handler2.save(update_fields=["is_active"])
    assert actions.authenticate_token(key, method="GET") is None


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("Expires", "Scope", "read-only", "read and write", "expired")),
        ("zh-hans", ("到期", "权限范围", "只读", "读写", "已过期")),
    ],
)
def test_the_token_page_shows_expiry_and_scope(world, frozen_clock, language, words):
    actions.issue_token(TokenInput(name="old", lifetime_days=1), actor=world.handler1)
    actions.issue_token(TokenInput(name="report", read_only=True), actor=world.handler1)
    frozen_clock.move_to(NOW + timedelta(days=2))
    html = login(world.handler1, language).get("/account/tokens/").content.decode()
    for word in words:
        assert word in html, word
    assert (NOW + timedelta(days=1)).strftime("%Y-%m-%d") in html


def test_the_token_page_creates_a_read_only_token_and_refuses_a_long_one(world, settings):
    settings.CASETRAIL_TOKEN_MAX_DAYS = 30
    client = login(world.handler1, "en")
    response = client.post("/account/tokens/", {"name": "long", "lifetime_days": "31"})
    assert 'id="id_lifetime_days-errors"' in response.content.decode()
    assert not ApiToken.objects.exists()
    response = client.post(
        "/account/tokens/", {"name": "report", "lifetime_days": "7", "read_only": "on"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.read_only
    assert token.expires_at == NOW + timedelta(days=7)
