"""The cases and organisation API beyond the permission matrix (tests/test_routes.py walks
that over every route): lists filtered by scope, pagination, bad input named, receipts, tokens,
the OpenAPI document."""

from __future__ import annotations

import json
from datetime import timedelta

from casetrail import clock
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
