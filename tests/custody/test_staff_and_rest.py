"""Who may escort, interview or witness is decided by the action, at both doors alike; and a
rest interrupted under PACE Code C 12.2 counts as the code says (only (a) owes a fresh one)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from casetrail.custody.models import CareEvent, Deadline
from tests.custody.conftest import (
    SHA,
    SHANGHAI,
    iso,
    ledger_size,
    ok,
    refused,
    run_measure,
)
from tests.custody.test_pages import login

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)


@pytest.fixture
def detained(scene):
    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case)
    detail = run_measure(s, case, person, "criminal_detention", DETAINED)
    s.at(datetime(2026, 9, 30, 21, 0, tzinfo=SHANGHAI))
    return s, case, person, detail


def _entry(s, case, person, detail, escorts):
    return {
        "unit_id": s.world.station.pk,
        "case_id": case.pk,
        "person_id": person.pk,
        "measure_id": detail["id"],
        "entered_at": iso(datetime(2026, 9, 30, 20, 30, tzinfo=SHANGHAI)),
        "escort_ids": [o.pk for o in escorts],
        "reason": "带入",
    }


@pytest.mark.parametrize("stranger", ["other_handler", "gb_custody"])
def test_an_escort_from_another_station_or_force_is_refused_at_both_doors(detained, stranger):
    s, case, person, detail = detained
    outsider = getattr(s.world, stranger, None) or getattr(s, stranger)
    area = s.api(s.custody)  # its token is issued (and recorded) before counting
    size = ledger_size()
    body = _entry(s, case, person, detail, [s.world.handler1, outsider])
    message = refused(area.post("/custody/sessions", body), 400, "escort_ids")
    assert outsider.badge_number in message
    page = login(s.custody).post(
        f"/custody/cases/{case.pk}/sessions/new/",
        {
            "person_id": person.pk,
            "measure_id": detail["id"],
            "entered_at": "2026-09-30T20:30",
            "escort_ids": [s.world.handler1.pk, outsider.pk],
            "reason": "带入",
        },
    )
    assert page.status_code == 400
    assert 'id="id_escort_ids-errors"' in page.content.decode()
    assert ledger_size() == size


def _interview(s, session_id, officers):
    return s.api(s.world.handler1).post(
        f"/custody/sessions/{session_id}/interviews",
        {
            "kind": "interrogation",
            "room": "讯问室1",
            "started_at": "2026-09-30T20:45:00+08:00",
            "ended_at": "2026-09-30T20:55:00+08:00",
            "officer_ids": [o.pk for o in officers],
            "recording_id": "REC-1",
            "recording_sha256": SHA,
        },
    )


def test_interviewers_are_active_qualified_officers_of_the_unit(detained):
    s, case, person, detail = detained
    session = ok(
        s.api(s.custody).post(
            "/custody/sessions", _entry(s, case, person, detail, [s.world.handler1, s.custody])
        ),
        201,
    )
    gone = s.world.handler2
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    size = ledger_size()
    # A deactivated officer, a PACE constable of the English force, a lapsed qualification.
    for second in (gone, s.gb_handler1, s.world.lapsed):
        message = refused(
            _interview(s, session["id"], [s.world.handler1, second]), 400, "officer_ids"
        )
        assert second.badge_number in message
    assert ledger_size() == size
    ok(_interview(s, session["id"], [s.world.handler1, s.world.leader]), 201)


def test_a_refusal_to_sign_is_witnessed_by_an_officer_of_the_unit(detained):
    s, case, person, detail = detained
    session = ok(
        s.api(s.custody).post(
            "/custody/sessions", _entry(s, case, person, detail, [s.world.handler1, s.custody])
        ),
        201,
    )
    area = s.api(s.custody)
    item = ok(
        area.post(f"/custody/sessions/{session['id']}/belongings", {"description": "手机"}), 201
    )["belongings"][0]
    settle = f"/custody/sessions/{session['id']}/belongings/{item['id']}/settle"
    body = {"outcome": "returned", "person_signed": False}
    message = refused(
        area.post(settle, body | {"refusal_witness_id": s.world.other_handler.pk}),
        400,
        "refusal_witness_id",
    )
    assert s.world.other_handler.badge_number in message
    done = ok(area.post(settle, body | {"refusal_witness_id": s.world.handler2.pk}))
    assert done["belongings"][0]["refusal_witness_id"] == s.world.handler2.pk


# -- PACE Code C 12.2 --------------------------------------------------------------------------


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def suite(scene):
    s = scene(utc(24, 21, 5))
    case = s.gb_case()
    person = s.suspect(case, "Jane Roe")
    detail = run_measure(
        s,
        case,
        person,
        "pace_detention",
        utc(24, 20),
        proposer=s.gb_handler1,
        approver=s.gb_custody,
        params={"route": "arrival"},
        start={"arrived_at": iso(utc(24, 21))},
    )
    session = ok(
        s.api(s.gb_custody).post(
            "/custody/sessions",
            {
                "unit_id": s.gb_unit.pk,
                "case_id": case.pk,
                "person_id": person.pk,
                "measure_id": detail["id"],
                "entered_at": iso(utc(24, 21)),
                "escort_ids": [s.gb_handler1.pk, s.gb_handler2.pk],
                "reason": "arrested on suspicion of burglary",
            },
        ),
        201,
    )
    return s, session


def _rest(s, session, start, end, interruption=None):
    body = {"kind": "rest", "started_at": iso(start), "ended_at": iso(end)}
    if interruption:
        body["interruption"] = interruption
    return ok(s.api(s.gb_custody).post(f"/custody/sessions/{session['id']}/care", body), 201)


def _rests(session_id):
    return list(
        Deadline.objects.filter(session_id=session_id, rule_id="EW-CODEC-12.2-REST").order_by(
            "trigger_at", "id"
        )
    )


def test_a_rest_interrupted_at_the_detainees_request_resumes_and_its_parts_add_up(suite):
    """Code C 12.2: "Interruptions under (b) and (c), do not require a fresh period to be
    allowed": 4 hours, a break at the detainee's request (b), then 4 more make the 8."""
    s, session = suite
    (first,) = _rests(session["id"])
    assert first.due_at == utc(25, 13)  # 16 hours after arrival
    s.at(utc(25, 8))
    _rest(s, session, utc(24, 22), utc(25, 2), interruption="b")
    first.refresh_from_db()
    assert first.status == "open"  # half a rest does not meet it
    _rest(s, session, utc(25, 3), utc(25, 7))
    met, following = _rests(session["id"])
    assert (met.status, met.met_at) == ("met", utc(24, 22))  # from the first part's start
    assert following.trigger_at == utc(25, 7)  # the next 24 hours run from the resumed end
    assert following.status == "open"


def test_a_rest_interrupted_for_risk_of_harm_owes_a_fresh_period(suite):
    """Code C 12.2: "If the period is interrupted in accordance with (a), a fresh period must
    be allowed": what was taken does not count, and the fresh rest is owed from the
    interruption on (its latest start is never before it)."""
    s, session = suite
    s.at(utc(25, 16))
    _rest(s, session, utc(25, 12), utc(25, 15), interruption="a")
    (owed,) = _rests(session["id"])
    assert owed.status == "open"
    assert owed.due_at == utc(25, 15)  # 16 hours from arrival was 13:00; the interruption is later
    _rest(s, session, utc(25, 15), utc(25, 15, 30))  # half an hour: not the 8 hours
    owed.refresh_from_db()
    assert owed.status == "open"
    s.at(utc(26, 0))
    _rest(s, session, utc(25, 15, 45), utc(25, 23, 45))
    owed.refresh_from_db()
    assert owed.status == "missed"  # the fresh period began 45 minutes after it was owed
    assert "45 min late" in owed.status_reason


def test_only_a_rest_is_interrupted(suite):
    s, session = suite
    s.at(utc(25, 1))
    body = {"kind": "meal", "started_at": iso(utc(24, 23)), "interruption": "b"}
    refused(
        s.api(s.gb_custody).post(f"/custody/sessions/{session['id']}/care", body),
        400,
        "interruption",
    )


def test_an_interruption_ground_the_code_does_not_know_is_refused_by_the_schema(suite):
    s, session = suite
    s.at(utc(25, 8))
    body = {
        "kind": "rest",
        "started_at": iso(utc(24, 22)),
        "ended_at": iso(utc(25, 2)),
        "interruption": "d",
    }
    refused(
        s.api(s.gb_custody).post(f"/custody/sessions/{session['id']}/care", body),
        422,
        "interruption",
    )


def test_the_english_suite_offers_the_grounds_of_an_interruption_on_the_page(suite):
    """Where PACE Code C 12.2 sets the rest period, the stay's page offers its grounds (a)-(c),
    and a rest interrupted on ground (b) entered there is recorded with its ground."""
    s, session = suite
    s.at(utc(25, 8))
    page = login(s.gb_custody)
    shown = page.get(f"/custody/sessions/{session['id']}/").content.decode()
    assert 'name="interruption"' in shown
    answer = page.post(
        f"/custody/sessions/{session['id']}/care/",
        {
            "kind": "rest",
            "started_at": "2026-10-24T23:30",  # London summer time: 22:30 UTC
            "ended_at": "2026-10-25T03:00",  # after the clocks went back: 03:00 UTC
            "interruption": "b",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert CareEvent.objects.get(session_id=session["id"]).interruption == "b"
