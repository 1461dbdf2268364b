"""Issue 16: query strings and bodies that used to answer 500. Each answers a 400 naming the
field (or the list the caller asked for), never a traceback."""

from __future__ import annotations

import pytest

HUGE = str(2**63)  # one past the largest signed 64-bit integer a database column holds
LISTS = [
    "/cases",
    "/incidents",
    "/custody/measures",
    "/custody/sessions",
    "/custody/inbox",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("page", ["2", "99999", "1000000"])
def test_a_page_past_the_end_of_a_list_is_refused_naming_page(world, as_officer, path, page):
    response = as_officer(world.nobody).get(path, page=page)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "page"
    assert page in response.json()["detail"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("page", [HUGE, str(2**63 // 25 + 1), "1000001"])
def test_a_page_past_every_list_is_refused_by_the_document(world, as_officer, path, page):
    """Past the document's bound (10^6 pages) the page number is a 422 naming page: it never
    reaches the database's OFFSET, which it would overflow (the 500 the probe found)."""
    response = as_officer(world.supervisor).get(path, page=page)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "page"


@pytest.mark.parametrize("path", LISTS)
def test_the_first_page_of_an_empty_list_is_an_empty_list(world, as_officer, path):
    response = as_officer(world.nobody).get(path, page="1")
    assert response.status_code == 200, response.content
    assert response.json() == {"items": [], "count": 0}


def test_the_last_page_is_served_and_the_one_after_it_refused(world, as_officer):
    for n in range(3):
        world.case(title=f"案件{n}")
    client = as_officer(world.handler1)
    last = client.get("/cases", page="2", page_size="2")
    assert last.status_code == 200
    assert len(last.json()["items"]) == 1
    after = client.get("/cases", page="3", page_size="2")
    assert after.status_code == 400
    assert after.json()["field"] == "page"
    assert "last page is 2" in after.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/cases", {"unit": HUGE}, "unit"),
        ("/cases", {"handler": HUGE}, "handler"),
        ("/custody/measures", {"case": HUGE, "unit": HUGE}, "unit"),
        ("/custody/measures", {"case": HUGE}, "case"),
        ("/custody/sessions", {"unit": HUGE}, "unit"),
        ("/cases", {"opened_from": "0001-01-01"}, "opened_from"),
        ("/cases", {"opened_to": "9999-12-31"}, "opened_to"),
    ],
)
def test_filters_out_of_any_range_are_refused_naming_the_filter(
    world, as_officer, path, params, field
):
    """Already refused by the one door's schema (ids up to 2**63-1, dates 1970-2100): kept
    so that it stays so."""
    response = as_officer(world.supervisor).get(path, **params)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    "received_at",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1969-12-31T23:59:59+00:00"],
)
def test_an_incident_received_outside_the_calendar_is_refused(world, as_officer, received_at):
    """Already refused by the one door (``When`` bounds instants to 1970-2100); kept."""
    response = as_officer(world.intake).post(
        "/incidents",
        {
            "unit_id": world.station.pk,
            "channel": "walk_in",
            "received_at": received_at,
            "reporter_name": "王小明",
            "location": "东湖路1号",
            "summary": "电动车被盗",
            "category": "CR-THEFT",
        },
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "received_at"
