"""A reporter calls with the number on their receipt: the officer finds the incident in the
incident list, and the case opened from it in the case search, by that number as read out
(spaces, small letters), and only within what the officer may see."""

from __future__ import annotations

from django.urls import reverse

from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.ledger.conftest import reported_case


def _spoken(receipt: str) -> str:
    """The number as a caller reads it out and an officer types it: in groups, small letters."""
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4)).lower()


def test_the_incident_list_finds_an_incident_by_its_receipt_number(world):
    wanted, other = world.incident(summary="手机被盗"), world.incident(summary="自行车被盗")
    typed = _spoken(wanted.receipt_number)
    api = ApiClient(world.intake).get("/incidents", receipt=typed)
    assert api.status_code == 200
    assert [i["id"] for i in api.json()["items"]] == [wanted.pk]
    page = login(world.intake).get(reverse("cases:incident_list"), {"receipt": typed})
    assert page.status_code == 200
    html = page.content.decode()
    assert "手机被盗" in html
    assert "自行车被盗" not in html
    assert other.receipt_number not in html


def test_the_case_search_finds_the_case_opened_from_a_receipt(world):
    case, _ = reported_case(world)
    world.case()  # another case of the unit, not found
    receipt = case.incident.receipt_number
    found = ApiClient(world.handler1).get("/cases", q=_spoken(receipt))
    assert found.status_code == 200
    assert [c["number"] for c in found.json()["items"]] == [case.number]
    page = login(world.handler1).get(reverse("cases:case_list"), {"q": receipt})
    assert case.number in page.content.decode()


def test_a_receipt_of_another_station_finds_nothing_but_there(world):
    theirs = world.incident(unit=world.other_station.pk, actor=world.outsider)
    for officer, found in ((world.intake, []), (world.outsider, [theirs.pk])):
        answer = ApiClient(officer).get("/incidents", receipt=theirs.receipt_number)
        assert [i["id"] for i in answer.json()["items"]] == found


def test_a_receipt_number_too_long_is_refused_at_both_doors_naming_the_field(world):
    answer = ApiClient(world.intake).get("/incidents", receipt="R" * 41)
    assert answer.status_code == 422  # refused by the schema, as its OpenAPI says
    assert answer.json()["field"] == "receipt"
    page = login(world.intake).get(reverse("cases:incident_list"), {"receipt": "R" * 41})
    assert page.status_code == 400
    assert 'id="id_receipt-errors"' in page.content.decode()
