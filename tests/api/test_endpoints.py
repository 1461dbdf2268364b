"""Every endpoint: the permission matrix (anonymous, no grant, granted, granted in another
unit), every write grows a verifying ledger, and bad input gets a 4xx naming the field."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from casetrail import clock
from casetrail.cases import actions
from casetrail.config.api import api
from casetrail.ledger.models import LedgerEntry
from tests.api.conftest import ApiClient


def _incident_body(world, **over):
    body = {
        "unit_id": world.station.pk,
        "channel": "call",
        "received_at": (clock.now() - timedelta(minutes=3)).isoformat(),
        "reporter_name": "张三",
        "location": "东湖路8号",
        "summary": "家中被盗",
        "category": "CR-THEFT",
    }
    return body | over


def _routes():
    """(method, path template) of every operation the API serves."""
    schema = api.get_openapi_schema()
    return {
        (m.upper(), p)
        for p, ops in schema["paths"].items()
        for m, op in ops.items()
        if set(op.get("tags", ())) & {"cases", "organisation"}
    }


def _setup(world):
    case = world.case()
    incident = world.incident()
    party = actions.add_party(
        case, actions.PartyInput(role="victim", name="王小明"), actor=world.handler1
    )
    return case, incident, party


def _requests(world, case, incident, party):
    """One concrete request per route, as the granted officer would make it."""
    handlers = [world.handler1.pk, world.handler2.pk]
    return {
        ("GET", "/api/v1/me"): ("/me", None),
        ("GET", "/api/v1/units"): ("/units", None),
        ("GET", "/api/v1/officers"): ("/officers", None),
        ("GET", "/api/v1/tokens"): ("/tokens", None),
        ("POST", "/api/v1/tokens"): ("/tokens", {"name": "script"}),
        ("POST", "/api/v1/tokens/{token_id}/revoke"): ("/tokens/{own_token}/revoke", {}),
        ("GET", "/api/v1/categories"): ("/categories", None),
        ("GET", "/api/v1/incidents"): ("/incidents", None),
        ("POST", "/api/v1/incidents"): ("/incidents", _incident_body(world)),
        ("GET", "/api/v1/incidents/{incident_id}"): (f"/incidents/{incident.pk}", None),
        ("POST", "/api/v1/incidents/{incident_id}/decision"): (
            f"/incidents/{incident.pk}/decision",
            {"decision": "administrative_case", "category": "AD-ASSAULT", "handler_ids": handlers},
        ),
        ("GET", "/api/v1/cases"): ("/cases", None),
        ("POST", "/api/v1/cases"): (
            "/cases",
            {
                "unit_id": world.station.pk,
                "kind": "criminal",
                "category": "CR-THEFT",
                "title": "新案件",
                "handler_ids": handlers,
            },
        ),
        ("GET", "/api/v1/cases/{case_ref}"): (f"/cases/{case.number}", None),
        ("POST", "/api/v1/cases/{case_ref}/transitions"): (
            f"/cases/{case.pk}/transitions",
            {"move": "start_review"},
        ),
        ("POST", "/api/v1/cases/{case_ref}/parties"): (
            f"/cases/{case.pk}/parties",
            {"role": "witness", "name": "李四"},
        ),
        ("POST", "/api/v1/cases/{case_ref}/handlers"): (
            f"/cases/{case.pk}/handlers",
            {"officer_id": world.leader.pk},
        ),
        ("POST", "/api/v1/cases/{case_ref}/handlers/{officer_id}/release"): (
            f"/cases/{case.pk}/handlers/{world.handler2.pk}/release",
            {"reason": "调岗"},
        ),
        ("GET", "/api/v1/persons/{person_id}"): (f"/persons/{party.person_id}", None),
    }


# Endpoints every authenticated officer may call about themselves.
SELF_SERVICE = {
    "/api/v1/me",
    "/api/v1/units",
    "/api/v1/officers",
    "/api/v1/tokens",
    "/api/v1/tokens/{token_id}/revoke",
    "/api/v1/categories",
    "/api/v1/incidents",
    "/api/v1/cases",
}


def test_the_matrix_covers_every_route(world):
    case, incident, party = _setup(world)
    assert set(_requests(world, case, incident, party)) == _routes()


def _call(client, method, path, body):
    return client.get(path) if method == "GET" else client.post(path, body)


def _own_token(client: ApiClient, path: str) -> str:
    if "{own_token}" not in path:
        return path
    token_id = client.get("/tokens").json()[0]["id"]
    return path.replace("{own_token}", str(token_id))


@pytest.mark.parametrize("route", sorted(_routes()))
def test_anonymous_callers_get_401(world, route):
    case, incident, party = _setup(world)
    path, body = _requests(world, case, incident, party)[route]
    response = _call(ApiClient(None), route[0], path.replace("{own_token}", "1"), body)
    assert response.status_code == 401
    assert "log in" in response.json()["detail"]


def _granted(world, route):
    """Who is granted for a route: the handler for case work, the intake officer for
    incidents, the leader for approval-free handler changes."""
    if "incidents" in route[1]:
        return world.intake
    if route[1].endswith("/handlers"):
        return world.leader
    return world.handler1


@pytest.mark.parametrize("route", sorted(_routes()))
def test_a_granted_officer_succeeds_and_every_write_grows_the_ledger(world, route):
    case, incident, party = _setup(world)
    if route[1].endswith("/release"):
        actions.assign_handler(
            case, actions.HandlerInput(officer_id=world.leader.pk), actor=world.handler1
        )
    client = ApiClient(_granted(world, route))
    path, body = _requests(world, case, incident, party)[route]
    before = LedgerEntry.objects.count()
    response = _call(client, route[0], _own_token(client, path), body)
    assert response.status_code in (200, 201), response.content
    after = LedgerEntry.objects.count()
    if route[0] == "POST":
        assert after > before, f"{route} wrote without a ledger entry"
        seqs = list(LedgerEntry.objects.values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
    if route[1] in ("/api/v1/cases/{case_ref}", "/api/v1/persons/{person_id}"):
        assert LedgerEntry.objects.filter(action="viewed").count() == 1


@pytest.mark.parametrize(
    "route", sorted(_routes() - {(m, p) for m, p in _routes() if p in SELF_SERVICE})
)
def test_an_officer_without_a_grant_is_refused(world, route):
    case, incident, party = _setup(world)
    path, body = _requests(world, case, incident, party)[route]
    before = LedgerEntry.objects.count()
    response = _call(ApiClient(world.nobody), route[0], path, body)
    assert response.status_code in (400, 403, 404), response.content
    assert response.json()["detail"]
    assert LedgerEntry.objects.filter(
        action__in=[
            "case.opened",
            "case.transitioned",
            "incident.recorded",
            "case.party_added",
            "case.handler_assigned",
            "case.handler_released",
            "incident.decided",
        ]
    ).count() == (
        LedgerEntry.objects.filter(
            seq__lte=before,
            action__in=[
                "case.opened",
                "case.transitioned",
                "incident.recorded",
                "case.party_added",
                "case.handler_assigned",
                "case.handler_released",
                "incident.decided",
            ],
        ).count()
    )


@pytest.mark.parametrize(
    "route", sorted(_routes() - {(m, p) for m, p in _routes() if p in SELF_SERVICE})
)
def test_an_officer_granted_in_another_unit_is_refused(world, route):
    case, incident, party = _setup(world)
    path, body = _requests(world, case, incident, party)[route]
    response = _call(ApiClient(world.outsider), route[0], path, body)
    assert response.status_code in (400, 403, 404), response.content
    assert response.json()["detail"]


def test_lists_show_nothing_outside_the_grants(world):
    world.case()
    world.incident()
    outsider = ApiClient(world.outsider)
    assert outsider.get("/cases").json()["count"] == 0
    assert outsider.get("/incidents").json()["count"] == 0
    assert ApiClient(world.nobody).get("/cases").json()["count"] == 0
    assert ApiClient(world.supervisor).get("/cases").json()["count"] == 1


def test_lists_are_paginated(world):
    for _ in range(3):
        world.case()
    page = ApiClient(world.handler1).get("/cases", page_size=2).json()
    assert page["count"] == 3
    assert len(page["items"]) == 2


class TestBadInput:
    def test_malformed_json_names_the_body(self, world):
        response = ApiClient(world.intake).post("/incidents", raw="{not json")
        assert response.status_code in (400, 422)
        assert response.json()["detail"]

    def test_a_missing_field_is_named(self, world):
        body = _incident_body(world)
        del body["summary"]
        response = ApiClient(world.intake).post("/incidents", body)
        assert response.status_code == 422
        assert response.json()["field"] == "summary"

    def test_an_oversized_field_is_named(self, world):
        response = ApiClient(world.intake).post(
            "/incidents", _incident_body(world, summary="盗" * 4001)
        )
        assert response.status_code == 422
        assert response.json()["field"] == "summary"

    def test_an_oversized_body_is_refused(self, world):
        response = ApiClient(world.intake).post(
            "/incidents", _incident_body(world, summary="x" * 3 * 1024 * 1024)
        )
        assert response.status_code in (400, 413, 422)

    def test_a_wrong_type_is_named(self, world):
        response = ApiClient(world.intake).post(
            "/incidents", _incident_body(world, received_at="yesterday")
        )
        assert response.status_code == 422
        assert response.json()["field"] == "received_at"

    def test_a_unit_out_of_scope_is_named(self, world):
        response = ApiClient(world.intake).post(
            "/incidents", _incident_body(world, unit_id=world.other_station.pk)
        )
        assert response.status_code == 400
        assert response.json()["field"] == "unit_id"
        assert LedgerEntry.objects.filter(action="incident.recorded").count() == 0

    def test_an_unknown_category_is_named(self, world):
        response = ApiClient(world.intake).post(
            "/incidents", _incident_body(world, category="NOPE")
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "unknown offence category NOPE", "field": "category"}

    def test_a_refused_move_says_why(self, world):
        case = world.case()
        response = ApiClient(world.handler1).post(
            f"/cases/{case.pk}/transitions", {"move": "archive"}
        )
        assert response.status_code == 400
        assert "only possible from" in response.json()["detail"]
        assert response.json()["field"] == "move"

    def test_a_bad_filter_is_named(self, world):
        response = ApiClient(world.handler1).get("/cases", status="lost")
        assert response.status_code == 422  # refused by the schema, as its OpenAPI says
        assert response.json()["field"] == "status"

    def test_a_case_that_does_not_exist_is_404(self, world):
        assert ApiClient(world.handler1).get("/cases/999999").status_code == 404
        assert ApiClient(world.handler1).get("/cases/NO-SUCH").status_code == 404


def test_receipt_code_is_returned_once_and_not_stored(world):
    response = ApiClient(world.intake).post("/incidents", _incident_body(world))
    assert response.status_code == 201
    code = response.json()["query_code"]
    assert code not in json.dumps(list(LedgerEntry.objects.values_list("payload", flat=True)))
    detail = ApiClient(world.intake).get(f"/incidents/{response.json()['incident']['id']}")
    assert "query_code" not in detail.json()


def test_a_revoked_token_stops_working(world):
    client = ApiClient(world.handler1)
    token_id = client.get("/tokens").json()[0]["id"]
    assert client.post(f"/tokens/{token_id}/revoke").status_code == 200
    assert client.get("/me").status_code == 401


def test_openapi_and_docs_are_served_without_internet(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/cases" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle" in html
