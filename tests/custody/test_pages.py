"""The custody pages: the whiteboard (colour and text, htmx partial, plain page without JS,
constant query count), the person's custody record with every explanation and citation, the
measure and session pages with their forms, the inbox; and who may open them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casetrail.custody.clocks import in_english
from casetrail.custody.models import Deadline
from casetrail.ledger.models import LedgerEntry
from tests.conftest import login as log_in
from tests.custody.conftest import SHANGHAI, iso, ledger_size, ok, run_measure

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)


def login(officer, language: str = "en") -> Client:
    return log_in(officer, language)


def _running(s, name="张三"):
    case = s.world.case()
    person = s.suspect(case, name)
    return case, person, run_measure(s, case, person, "criminal_detention", DETAINED)


def test_the_whiteboard_shows_colour_and_text_and_the_next_obligation(scene):
    s = scene(EVE)
    _, person, _ = _running(s)
    s.at(datetime(2026, 10, 1, 17, 0, tzinfo=SHANGHAI))  # in the 4-hour warning window
    page = login(s.custody).get(f"/custody/board/{s.world.station.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-state="warning"' in html
    assert "▲ warning" in html  # a shape and a word, not only a colour
    assert "Delivery of a detained person to the detention house" in html
    assert f"/custody/persons/{person.pk}/" in html
    assert 'hx-trigger="every 30s"' in html
    assert '<meta http-equiv="refresh"' in html  # inside <noscript>: the page refreshes itself
    s.at(datetime(2026, 10, 1, 20, 30, tzinfo=SHANGHAI))
    html = login(s.custody).get(f"/custody/board/{s.world.station.pk}/").content.decode()
    assert 'data-state="overdue"' in html
    assert "✖ overdue" in html


def test_the_whiteboard_partial_is_served_to_htmx(scene):
    s = scene(EVE)
    _running(s)
    s.at(datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI))
    response = login(s.custody).get(
        f"/custody/board/{s.world.station.pk}/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html


def test_the_whiteboard_runs_a_fixed_number_of_queries(scene):
    s = scene(EVE)
    _running(s, "甲")
    client = login(s.custody)
    url = f"/custody/board/{s.world.station.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    s.at(DETAINED + timedelta(minutes=5))
    for name in ("乙", "丙", "丁"):
        case = s.world.case()
        person = s.suspect(case, name)
        run_measure(s, case, person, "criminal_detention", s_now())
    with CaptureQueriesContext(connection) as four:
        html = client.get(url).content.decode()
    assert html.count('data-testid="board-row"') == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_custody_record_shows_every_explanation_and_citation_and_is_recorded(scene):
    s = scene(EVE)
    _, person, _ = _running(s)
    before = LedgerEntry.objects.filter(action="viewed").count()
    html = login(s.world.handler1).get(f"/custody/persons/{person.pk}/").content.decode()
    for deadline in Deadline.objects.filter(person=person):
        assert deadline.rule_id in html
        assert deadline.citation in html
        assert in_english(deadline.explanation[-1]) in html
    assert LedgerEntry.objects.filter(action="viewed").count() == before + 1


def test_the_measure_page_approves_through_its_form_and_refuses_the_wrong_role(scene):
    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case)
    handler = login(s.world.handler1)
    response = handler.post(
        f"/custody/cases/{case.pk}/measures/new/",
        {"person_id": person.pk, "kind": "criminal_detention", "reason": "现行犯"},
    )
    assert response.status_code == 302
    url = response["Location"]
    assert "Approve or refuse" in handler.get(url).content.decode()
    size = ledger_size()
    refused = handler.post(f"{url}decision/", {"decision": "approve"})
    assert refused.status_code == 403
    assert "MPS Provisions on Criminal Cases (2020) art. 125" in refused.content.decode()
    assert ledger_size() == size
    head = login(s.head)
    assert head.post(f"{url}decision/", {"decision": "approve"}).status_code == 302
    started = handler.post(f"{url}start/", {"started_at": "2026-09-30T14:00"})
    assert started.status_code == 302, started.content.decode()
    assert "CN-CPL85-FAMILY-24H" in handler.get(url).content.decode()


def test_a_form_error_names_the_field_on_the_page(scene):
    s = scene(EVE)
    _, _, detail = _running(s)
    html = login(s.world.handler1).post(
        f"/custody/measures/{detail['id']}/end/",
        {"ended_at": "2026-09-30T19:00", "outcome": "released", "reason": "释放"},
    )
    assert html.status_code == 400
    assert "cannot end before it starts" in html.content.decode()


def test_the_session_page_and_its_forms(scene):
    s = scene(EVE)
    case, person, detail = _running(s)
    s.at(DETAINED + timedelta(minutes=30))
    client = login(s.custody)
    response = client.post(
        f"/custody/cases/{case.pk}/sessions/new/",
        {
            "person_id": person.pk,
            "measure_id": detail["id"],
            "entered_at": "2026-09-30T20:20",
            "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
            "reason": "带入办案区",
        },
    )
    assert response.status_code == 302, response.content.decode()
    url = response["Location"]
    assert (
        client.post(f"{url}belongings/", {"description": "钱包", "quantity": 1}).status_code == 302
    )
    refused = client.post(
        f"{url}exit/", {"exited_at": "2026-09-30T20:25", "destination": "released"}
    )
    assert refused.status_code == 400
    assert "钱包" in refused.content.decode()
    page = client.get(url).content.decode()
    assert "Delivery of a detained person" in page  # the area's clock, from the pack


def test_pages_refuse_who_may_not_see(scene):
    s = scene(EVE)
    _, person, detail = _running(s)
    outsider = login(s.world.outsider)
    assert outsider.get(f"/custody/board/{s.world.station.pk}/").status_code == 404
    assert outsider.get(f"/custody/persons/{person.pk}/").status_code == 404
    assert outsider.get(f"/custody/measures/{detail['id']}/").status_code == 404
    assert login(s.world.nobody).get("/custody/").status_code == 403
    assert Client().get(f"/custody/board/{s.world.station.pk}/").status_code == 302
    assert login(s.world.supervisor).get(f"/custody/board/{s.world.station.pk}/").status_code == 200


def test_the_inbox_lists_alerts_and_acknowledges_them(scene):
    from casetrail.custody.alerts import sweep

    s = scene(EVE)
    _running(s)
    s.at(datetime(2026, 10, 1, 17, 0, tzinfo=SHANGHAI))
    sweep()
    client = login(s.world.handler1)
    html = client.get("/custody/inbox/").content.decode()
    assert "Notice of detention to the family" in html
    item = s.world.handler1.custody_inbox.first()
    assert client.post("/custody/inbox/", {"item": item.pk}).status_code == 302
    item.refresh_from_db()
    assert item.acknowledged_at is not None
    assert LedgerEntry.objects.filter(action="alert.acknowledged").count() == 1


def s_now():
    from casetrail import clock

    return clock.now()


def test_the_api_board_agrees_with_the_page(scene):
    s = scene(EVE)
    _, person, _ = _running(s)
    body = ok(s.api(s.custody).get(f"/custody/board/{s.world.station.pk}"))
    assert body["rows"][0]["person_id"] == person.pk
    assert body["rows"][0]["state"] == "ok"
    # Not in the area: the time left is the measure's own lawful period; the next obligation
    # is the earliest deadline, the delivery within 24 hours.
    assert body["rows"][0]["limit"]["rule_id"] == "CN-CPL91-MAX-DETENTION"
    assert body["rows"][0]["next"]["rule_id"] == "CN-CPL85-DELIVER-24H"
    assert iso(DETAINED)[:10] in body["rows"][0]["clock_start"]


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_the_measure_and_session_pages_have_no_duplicate_html_ids(scene):
    s = scene(EVE)
    case, person, detail = _running(s)
    s.at(DETAINED + timedelta(minutes=30))
    handler = login(s.world.handler1)
    measure_ids = _ids(handler.get(f"/custody/measures/{detail['id']}/").content.decode())
    assert "id_end_reason" in measure_ids
    assert len(measure_ids) == len(set(measure_ids)), sorted(measure_ids)
    client = login(s.custody)
    url = client.post(
        f"/custody/cases/{case.pk}/sessions/new/",
        {
            "person_id": person.pk,
            "measure_id": detail["id"],
            "entered_at": "2026-09-30T20:20",
            "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
            "reason": "带入办案区",
        },
    )["Location"]
    for item in ("钱包", "手机"):
        client.post(f"{url}belongings/", {"description": item, "quantity": 1})
    session_ids = _ids(client.get(url).content.decode())
    assert len(session_ids) == len(set(session_ids)), sorted(session_ids)


def test_ending_a_measure_and_leaving_the_area_ask_first_saying_what_follows(scene):
    """The forms that end what cannot be resumed carry a confirmation (casetrail.js asks it),
    in the officer's language; the others do not."""
    s = scene(EVE)
    case, person, detail = _running(s)
    s.at(DETAINED + timedelta(hours=1))
    session = ok(
        s.api(s.custody).post(
            "/custody/sessions",
            {
                "unit_id": s.world.station.pk,
                "case_id": case.pk,
                "person_id": person.pk,
                "measure_id": detail["id"],
                "entered_at": iso(DETAINED + timedelta(minutes=30)),
                "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
                "reason": "刑事拘留后带入办案区",
            },
        ),
        201,
    )
    measure = f"/custody/measures/{detail['id']}/"
    english = log_in(s.world.handler1, "en").get(measure).content.decode()
    assert re.search(
        r'data-action="end" data-confirm="End the measure: [^"]*cannot be undone', english
    )
    assert english.count("data-confirm=") == 1
    chinese = log_in(s.world.handler1, "zh-hans").get(measure).content.decode()
    assert re.search(r'data-action="end" data-confirm="[^"]*[\u4e00-\u9fff][^"]*"', chinese)
    area = log_in(s.custody, "en").get(f"/custody/sessions/{session['id']}/").content.decode()
    assert re.search(r'data-action="exit" data-confirm="Record that the person left', area)
