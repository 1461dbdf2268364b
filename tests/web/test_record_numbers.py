"""A record number is ASCII digits from 1 to 2^63-1. "²" is a digit to str.isdigit() and
nothing to int(): wherever an address or a form names a record, it is "not found" or a
refusal on the field, never a 500 (found by the schemathesis run, tests/api/test_schema_fuzz.py).
"""

from __future__ import annotations

import pytest

from casetrail.cases.access import access_case
from casetrail.web.inputs import MAX_ID, record_number
from tests.api.conftest import ApiClient
from tests.web.test_pages import login


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        ("0", None),
        (str(MAX_ID + 1), None),
        ("²", None),
        ("١٢", None),
        ("", None),
        ("1" * 40, None),
        (" 1", None),
    ],
)
def test_a_record_number_is_ascii_digits_within_what_a_database_stores(text, number):
    assert record_number(text) == number


def test_record_number_takes_only_text():
    assert record_number(12) is None


@pytest.mark.parametrize("ref", ["²", "0", "99999999999999999999"])
def test_a_case_address_that_names_no_record_is_a_404(world, ref):
    world.case()
    response = ApiClient(world.handler1).get(f"/cases/{ref}")
    assert response.status_code == 404
    assert response.json()["field"] is None


def test_revoking_a_token_named_by_a_superscript_digit_is_not_found(world):
    response = login(world.intake).post("/account/tokens/", {"revoke": "²"})
    assert response.status_code == 404


def test_acknowledging_an_alert_named_by_a_superscript_digit_is_not_found(world):
    response = login(world.handler1).post("/custody/inbox/", {"item": "²"})
    assert response.status_code == 404


def test_a_superscript_page_number_shows_the_first_page(world):
    world.case()
    response = login(world.handler1).get("/cases/", {"page": "²"})
    assert response.status_code == 200


def test_a_superscript_handler_is_refused_on_the_field(world):
    incident = world.incident()
    response = login(world.intake).post(
        f"/incidents/{incident.pk}/",
        {"decision": "administrative_case", "category": "AD-ASSAULT", "handler_ids": ["²", "1"]},
    )
    assert response.status_code in (200, 400)
    assert "handler_ids" in response.context["form"].errors


def test_a_case_is_found_by_its_record_number_as_a_number_or_as_digits(world):
    case = world.case()
    assert access_case(world.handler1, case.pk) == case
    assert access_case(world.handler1, str(case.pk)) == case
    assert access_case(world.handler1, case.number) == case
