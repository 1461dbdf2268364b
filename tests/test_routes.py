"""The permission matrix, over every API operation (the ledger's and the rules' included) and
every page: anonymous, an officer with no grant, an officer granted in another unit, a reader
who may not write (the city's supervisor), an officer of the unit outside a sealed case's
seal, and the officer granted, last (a write changes the state). A refusal is a 401/403/404
(or, for a record named in a body, a 400 naming that field), never a 400 where a 403 or 404 is
due; nobody refused writes to the ledger; every granted write grows the ledger and the ledger
still verifies; every look at a case file or a person leaves its trace."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client

from casetrail.ledger.audit import verify_ledger
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.state import reconcile
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.routes import (
    PUBLIC,
    SELF,
    SELF_WRITE,
    UPLOAD,
    WRITE,
    Call,
    Kept,
    api_calls,
    api_routes,
    page_calls,
    page_routes,
    upload_body,
)

API = sorted(api_routes())
PAGES = sorted(page_routes())


# The approvers and supervisors enrolled for their second factor (tests/conftest.py `kept`).
ENROLLED = True


@pytest.fixture
def site(kept: Kept, db: None, frozen_clock: Any) -> Any:
    return kept.at(frozen_clock)


def test_the_walker_knows_every_api_operation_and_every_page(site):
    assert set(api_calls(site)) == set(API)
    known = page_calls(site)
    patterns = {pattern for _method, pattern in known}
    assert patterns == page_routes()
    assert len(API) >= 60
    assert len(known) > 50


# -- the API ----------------------------------------------------------------------------------


def _finished(response: Any) -> Any:
    """A streamed response (a copy of a stored file) read to its end and closed, as the server
    does once it has sent it."""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
        # As Django's test client closes a response it has read: without closing the test's
        # database connection, which request_finished would do (PostgreSQL's is not kept).
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
    return response


def _api(client: ApiClient, method: str, call: Call) -> Any:
    path = call.path
    if "{own_token}" in path:
        own = client.get("/tokens")
        token = own.json()[0]["id"] if own.status_code == 200 else 1
        path = path.replace("{own_token}", str(token))
    if method == "GET":
        return _finished(client.get(path))
    if call.body == UPLOAD:
        return client.client.post(f"/api/v1{path}", upload_body(), headers=client.headers)
    return client.post(path, call.body)


def _ledger() -> int:
    return LedgerEntry.objects.count()


def _refused_quietly(response: Any, allowed: tuple[int, ...], before: int, who: str) -> None:
    assert response.status_code in allowed, (who, response.status_code, response.content[:300])
    assert _ledger() == before, f"{who} was refused yet wrote to the ledger"


@pytest.mark.parametrize("route", API, ids=lambda r: f"{r[0]} {r[1]}")
def test_the_api_matrix(site, route):
    method, _template = route
    call = api_calls(site)[route]
    w = site.s.world

    anonymous = _api(ApiClient(None), method, call)
    if call.kind == PUBLIC:
        assert anonymous.status_code == 200
        return
    assert anonymous.status_code == 401
    assert "log in" in anonymous.json()["detail"]

    for who, stranger in (("no grant", w.nobody), ("another unit", w.outsider)):
        if call.kind in (SELF, SELF_WRITE):
            break
        client = ApiClient(stranger)
        before = _ledger()
        response = _api(client, method, call)
        if call.reference:
            # The unit or case is named in the body: refused as input, naming it.
            _refused_quietly(response, (400,), before, who)
            assert response.json()["field"] == call.reference
        elif who == "another unit":
            _refused_quietly(response, (404,), before, who)
        else:
            _refused_quietly(response, (403, 404), before, who)
        assert response.json()["detail"]

    if call.kind == WRITE:
        # The city's supervisor reads everything in the city and changes nothing.
        reader = ApiClient(w.supervisor)  # its token is recorded before counting
        before = _ledger()
        response = _api(reader, method, call)
        _refused_quietly(response, (403, 404), before, "a reader")

    client = ApiClient(call.granted)
    before = _ledger()
    response = _api(client, method, call)
    assert response.status_code in (call.expect or (200, 201)), response.content.decode()
    grew = _ledger() > before
    if call.writes:
        assert grew, f"{route} left no ledger entry"
        assert verify_ledger(checkpoint=False).ok, f"{route} broke the ledger"
        # Invariant 5: the rows it wrote are the state its entries vouch for.
        assert reconcile().findings == [], f"{route} left rows its entries do not vouch for"
    else:
        assert not grew, f"{route} wrote to the ledger on a read"


# -- the pages ----------------------------------------------------------------------------------


def _login(officer: Any) -> Client:
    return Client() if officer is None else login(officer)


def _page(client: Client, method: str, call: Call) -> Any:
    if method == "GET":
        return _finished(client.get(call.path))
    if call.body == UPLOAD:
        return client.post(call.path, upload_body())
    return client.post(call.path, call.body or {})


@pytest.mark.parametrize("pattern", PAGES)
def test_the_page_matrix(site, pattern):
    """Each method the page answers: a GET first (a read), then its form's POST."""
    calls = page_calls(site)
    methods = [m for m in ("GET", "POST") if (m, pattern) in calls]
    assert methods
    for method in methods:
        _page_matrix(site, method, calls[(method, pattern)], pattern)


def _page_matrix(site: Any, method: str, call: Call, pattern: str) -> None:
    w = site.s.world
    anonymous = _page(Client(), method, call)
    if call.kind == PUBLIC:
        assert anonymous.status_code in (200, 302)
        return
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")

    for who, stranger in (("no grant", w.nobody), ("another unit", w.outsider)):
        if call.kind in (SELF, SELF_WRITE):
            break
        before = _ledger()
        response = _page(_login(stranger), method, call)
        if call.reference and response.status_code == 400:
            _refused_quietly(response, (400,), before, who)
            assert f'id="id_{call.reference}-errors"' in response.content.decode()
        elif who == "another unit":
            _refused_quietly(response, (404,), before, who)
        else:
            _refused_quietly(response, (403, 404), before, who)

    if call.kind == WRITE:
        before = _ledger()
        response = _page(_login(w.supervisor), method, call)
        _refused_quietly(response, (403, 404), before, "a reader")

    before = _ledger()
    response = _page(_login(call.granted), method, call)
    expected = call.expect or ((302,) if method == "POST" else (200,))
    assert response.status_code in expected, response.content.decode()[:2000]
    grew = _ledger() > before
    if call.writes:
        assert grew, f"{method} {pattern} left no ledger entry"
        assert verify_ledger(checkpoint=False).ok, f"{method} {pattern} broke the ledger"
        assert reconcile().findings == [], f"{method} {pattern}: rows its entries do not vouch for"
    else:
        assert not grew, f"{method} {pattern} wrote to the ledger on a read"


def test_every_page_pattern_is_called_with_at_least_one_method(site):
    calls = page_calls(site)
    assert {pattern for _m, pattern in calls} == page_routes()
