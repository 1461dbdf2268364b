"""Issue 16: what the responses tell the browser and the caches. An answer to an officer
carries personal data and is never stored (Cache-Control: no-store)."""

from __future__ import annotations

from django.test import Client

from tests.api.conftest import ApiClient
from tests.conftest import PASSWORD


def login(officer) -> Client:
    client = Client()
    assert client.login(username=officer.username, password=PASSWORD)
    return client


def test_every_answer_to_a_logged_in_officer_is_never_stored(world):
    incident = world.incident()
    client = login(world.intake)
    for path in ("/", "/incidents/", f"/incidents/{incident.pk}/", "/api/v1/incidents"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_every_api_answer_to_a_token_is_never_stored(world):
    incident = world.incident()
    client = ApiClient(world.intake)
    for path in ("/incidents", f"/incidents/{incident.pk}", "/cases"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    refused = client.get("/incidents/999999")
    assert refused.status_code == 404
    assert "no-store" in refused["Cache-Control"]


def test_the_public_ledger_head_may_be_cached(world):
    response = ApiClient(None).get("/ledger/keys")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
