"""The seal over the whole walk: an officer of the same station who is not on a sealed case
gets, at every API address and page that names one of its records, the answer an absent record
gets, and no list outside the seal shows it (DESIGN.md invariant 4). Split from
tests/test_routes.py so that the two halves of the walk run on two workers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import ApiClient
from tests.routes import SECRET, Kept, page_calls
from tests.test_routes import API, PAGES, _ledger, _login

# The approvers and supervisors enrolled for their second factor (tests/conftest.py `kept`).
ENROLLED = True


@pytest.fixture
def site(kept: Kept, db: None, frozen_clock: Any) -> Any:
    return kept.at(frozen_clock)


# -- the seal ----------------------------------------------------------------------------------

# Where a sealed case's records stand in a path: the walker swaps them in.
SEALABLE = (
    ("{incident_id}", "incident_id"),
    ("<int:incident_id>", "incident_id"),
    ("{case_ref}", "case_ref"),
    ("<str:case_ref>", "case_ref"),
    ("<int:case_id>", "case_id"),
    ("{person_id}", "person_id"),
    ("<int:person_id>", "person_id"),
    ("{measure_id}", "measure_id"),
    ("<int:measure_id>", "measure_id"),
    ("{session_id}", "session_id"),
    ("<int:session_id>", "session_id"),
    ("{deadline_id}", "deadline_id"),
    ("<int:deadline_id>", "deadline_id"),
    ("{belonging_id}", "belonging_id"),
    ("<int:belonging_id>", "belonging_id"),
    ("{seq}", "seq"),
    ("{item_id}", "item_id"),
    ("<int:item_id>", "item_id"),
)


def _sealed_path(template: str, sealed: dict[str, Any], prefix: str) -> str | None:
    if not any(marker in template for marker, _ in SEALABLE):
        return None
    path = template.removeprefix(prefix)
    for marker, name in SEALABLE:
        path = path.replace(marker, str(sealed[name]))
    return None if "{" in path or "<" in path else path


SEALED_API = [
    (method, template)
    for method, template in API
    if _sealed_path(template, {n: 1 for _, n in SEALABLE}, "/api/v1") is not None
]
SEALED_PAGES = [p for p in PAGES if _sealed_path(p, {n: 1 for _, n in SEALABLE}, "") is not None]


@pytest.mark.parametrize("route", SEALED_API, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_api_address_of_a_sealed_cases_records_answers_as_absent(site, route):
    """An officer of the same station who is not on the sealed case gets the answer an absent
    record gets, wherever a path names one of its records (DESIGN.md invariant 4)."""
    method, template = route
    path = _sealed_path(template, site.sealed, "/api/v1")
    assert path is not None
    client = ApiClient(site.outside_seal)
    before = _ledger()
    response = client.get(path) if method == "GET" else client.post(path, {})
    # A POST with an empty body may be refused by the schema first, naming a body field.
    assert response.status_code in (404, 422), response.content.decode()
    assert SECRET not in response.content.decode()
    assert _ledger() == before


@pytest.mark.parametrize("pattern", SEALED_PAGES)
def test_every_page_of_a_sealed_cases_records_answers_as_absent(site, pattern):
    calls = page_calls(site)
    path = _sealed_path(pattern, site.sealed, "")
    assert path is not None
    client = _login(site.outside_seal)
    methods = [m for m in ("GET", "POST") if (m, pattern) in calls]
    assert methods
    for method in methods:
        before = _ledger()
        response = client.get(path) if method == "GET" else client.post(path, {})
        assert response.status_code == 404, (method, response.content.decode()[:500])
        assert SECRET not in response.content.decode()
        assert _ledger() == before


LISTS = [
    ("api", "/cases"),
    ("api", "/incidents"),
    ("api", "/custody/measures"),
    ("api", "/custody/sessions"),
    ("page", "/"),
    ("page", "/cases/"),
    ("page", "/incidents/"),
    ("page", "/custody/start/"),
    ("api", "/supervision/findings"),
    ("page", "/supervision/"),
]


@pytest.mark.parametrize("where", LISTS, ids=lambda w: f"{w[0]} {w[1]}")
def test_a_sealed_case_is_absent_from_every_list_outside_its_seal(site, where):
    door, path = where
    outsider = site.outside_seal
    if door == "api":
        response = ApiClient(outsider).get(path)
        body = json.dumps(response.json(), ensure_ascii=False)
    else:
        response = _login(outsider).get(path)
        body = response.content.decode()
    assert response.status_code == 200
    assert SECRET not in body
    assert site.sealed["case_ref"] not in body
