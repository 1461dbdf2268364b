"""Bad input is refused with a message naming the field, never a 500, and nothing is written:
the ledger does not grow."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from casetrail.custody import actions
from casetrail.custody.actions import area as area_actions
from casetrail.custody.errors import CustodyError
from casetrail.custody.models import CustodySession, Measure
from tests.custody.conftest import SHA, SHANGHAI, iso, ledger_size, ok, refused, run_measure

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)


@pytest.fixture
def running(scene):
    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case)
    detail = run_measure(s, case, person, "criminal_detention", DETAINED)
    s.at(datetime(2026, 9, 30, 21, 0, tzinfo=SHANGHAI))
    return s, case, person, detail


def _unchanged(call, status, field):
    size = ledger_size()
    message = refused(call(), status, field)
    assert ledger_size() == size, "a refused request wrote to the ledger"
    return message


def test_a_measure_ending_before_it_starts_is_refused(running):
    s, _, _, detail = running
    client = s.api(s.world.handler1)
    message = _unchanged(
        lambda: client.post(
            f"/custody/measures/{detail['id']}/end",
            {
                "ended_at": iso(datetime(2026, 9, 30, 19, 0, tzinfo=SHANGHAI)),
                "outcome": "released",
                "reason": "释放",
            },
        ),
        400,
        "ended_at",
    )
    assert "cannot end before it starts" in message
    assert Measure.objects.get(pk=detail["id"]).status == "running"


def test_an_approval_by_the_wrong_role_is_refused_with_the_citation(scene):
    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case)
    handler, leader = s.api(s.world.handler1), s.api(s.world.leader)
    made = ok(
        handler.post(
            "/custody/measures",
            {
                "case_id": case.pk,
                "person_id": person.pk,
                "kind": "criminal_detention",
                "reason": "x",
            },
        ),
        201,
    )
    for client in (handler, leader):
        message = _unchanged(
            lambda client=client: client.post(
                f"/custody/measures/{made['id']}/decision", {"decision": "approve"}
            ),
            403,
            "approver",
        )
        assert "agency head" in message
        assert "CPL art. 82" in message
    assert Measure.objects.get(pk=made["id"]).status == "proposed"
    # Nor can a measure start before it is approved.
    _unchanged(
        lambda: handler.post(f"/custody/measures/{made['id']}/start", {"started_at": iso(EVE)}),
        400,
        "status",
    )


def test_a_session_exit_without_returning_belongings_is_refused(running):
    s, case, person, detail = running
    area = s.api(s.custody)
    session = ok(
        area.post(
            "/custody/sessions",
            {
                "unit_id": s.world.station.pk,
                "case_id": case.pk,
                "person_id": person.pk,
                "measure_id": detail["id"],
                "entered_at": iso(datetime(2026, 9, 30, 20, 30, tzinfo=SHANGHAI)),
                "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
                "reason": "带入",
            },
        ),
        201,
    )
    item = ok(
        area.post(f"/custody/sessions/{session['id']}/belongings", {"description": "手表"}), 201
    )["belongings"][0]
    message = _unchanged(
        lambda: area.post(
            f"/custody/sessions/{session['id']}/exit",
            {
                "exited_at": iso(datetime(2026, 9, 30, 20, 50, tzinfo=SHANGHAI)),
                "destination": "released",
            },
        ),
        400,
        "belongings",
    )
    assert "item 1 (手表)" in message
    assert CustodySession.objects.get(pk=session["id"]).exited_at is None
    # Returning it needs the person's signature (or a witnessed refusal) as well as the officer's.
    _unchanged(
        lambda: area.post(
            f"/custody/sessions/{session['id']}/belongings/{item['id']}/settle",
            {"outcome": "returned", "person_signed": False},
        ),
        400,
        "person_signed",
    )
    ok(
        area.post(
            f"/custody/sessions/{session['id']}/belongings/{item['id']}/settle",
            {"outcome": "returned", "person_signed": False, "refusal_witness_id": s.custody2.pk},
        )
    )
    left = ok(
        area.post(
            f"/custody/sessions/{session['id']}/exit",
            {
                "exited_at": iso(datetime(2026, 9, 30, 20, 55, tzinfo=SHANGHAI)),
                "destination": "released",
            },
        )
    )
    assert left["exited_at"]
    # Released from the area: the detention ends with it (CPL art. 86, release at once).
    assert Measure.objects.get(pk=detail["id"]).end_outcome == "released"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "pace_detention"}, 400, "kind"),  # a gb_eng measure in a cn unit
        ({"kind": "house_arrest"}, 422, "kind"),  # not a measure at all: the schema says so
        ({"kind": "admin_detention", "days": 21}, 400, "days"),  # PSAPL art. 16: 20 at most
        ({"kind": "admin_detention", "days": 400}, 422, "days"),  # no detention is that long
        ({"kind": "admin_summons", "questioning": "long"}, 422, "questioning"),
        ({"kind": "bail", "days": 3}, 400, "days"),  # bail takes no days
        ({"reason": "   "}, 400, "reason"),
    ],
)
def test_a_bad_proposal_names_the_field(scene, body, status, field):
    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case)
    client = s.api(s.world.handler1)
    payload = {"case_id": case.pk, "person_id": person.pk, "kind": "bail", "reason": "理由"} | body
    _unchanged(lambda: client.post("/custody/measures", payload), status, field)


def test_a_measure_needs_a_suspect_of_the_case(scene):
    s = scene(EVE)
    case = s.world.case()
    witness = s.world.case()  # another case's suspect
    other = s.suspect(witness, "李四")
    client = s.api(s.world.handler1)
    body = {"case_id": case.pk, "person_id": other.pk, "kind": "bail", "reason": "x"}
    _unchanged(lambda: client.post("/custody/measures", body), 400, "person_id")


@pytest.mark.parametrize(
    ("started_at", "status", "field"),
    [
        ("2026-09-30T20:30:00", 422, "started_at"),  # no offset: the schema refuses it
        ("2026-10-01T20:30:00+08:00", 400, "started_at"),  # in the future
        ("2026-09-30T13:00:00+08:00", 400, "started_at"),  # before the approval
    ],
)
def test_a_bad_start_time_names_the_field(scene, started_at, status, field):
    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case)
    client, head = s.api(s.world.handler1), s.api(s.head)
    made = ok(
        client.post(
            "/custody/measures",
            {
                "case_id": case.pk,
                "person_id": person.pk,
                "kind": "criminal_detention",
                "reason": "x",
            },
        ),
        201,
    )
    ok(head.post(f"/custody/measures/{made['id']}/decision", {"decision": "approve"}))
    s.at(datetime(2026, 9, 30, 21, 0, tzinfo=SHANGHAI))
    _unchanged(
        lambda: client.post(f"/custody/measures/{made['id']}/start", {"started_at": started_at}),
        status,
        field,
    )


def _session(s, case, person, detail):
    return ok(
        s.api(s.custody).post(
            "/custody/sessions",
            {
                "unit_id": s.world.station.pk,
                "case_id": case.pk,
                "person_id": person.pk,
                "measure_id": detail["id"],
                "entered_at": iso(datetime(2026, 9, 30, 20, 30, tzinfo=SHANGHAI)),
                "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
                "reason": "带入",
            },
        ),
        201,
    )


def test_one_escort_is_not_enough(running):
    s, case, person, detail = running
    area = s.api(s.custody)
    body = {
        "unit_id": s.world.station.pk,
        "case_id": case.pk,
        "person_id": person.pk,
        "measure_id": detail["id"],
        "entered_at": iso(datetime(2026, 9, 30, 20, 30, tzinfo=SHANGHAI)),
        "escort_ids": [s.world.handler1.pk, s.world.handler1.pk],
        "reason": "带入",
    }
    _unchanged(lambda: area.post("/custody/sessions", body), 400, "escort_ids")


@pytest.mark.parametrize(
    ("over", "status", "field"),
    [
        ({"recording_sha256": "z" * 64}, 422, "recording_sha256"),  # the schema's pattern
        ({"officer_ids": ("handler1",)}, 400, "officer_ids"),  # CPL art. 118: two investigators
        ({"ended_at": "2026-09-30T20:40:00+08:00"}, 400, "ended_at"),
        ({"started_at": "2026-09-30T20:00:00+08:00"}, 400, "started_at"),  # before the entry
    ],
)
def test_a_bad_interview_names_the_field(running, over, status, field):
    s, case, person, detail = running
    session = _session(s, case, person, detail)
    body = {
        "kind": "interrogation",
        "room": "讯问室1",
        "started_at": "2026-09-30T20:45:00+08:00",
        "ended_at": "2026-09-30T20:55:00+08:00",
        "officer_ids": [s.world.handler1.pk, s.world.handler2.pk],
        "recording_id": "REC-1",
        "recording_sha256": SHA,
    } | over
    if isinstance(body["officer_ids"], tuple):  # officers named in the parameter
        body["officer_ids"] = [getattr(s.world, name).pk for name in body["officer_ids"]]
    client = s.api(s.world.handler1)
    _unchanged(
        lambda: client.post(f"/custody/sessions/{session['id']}/interviews", body), status, field
    )


def test_a_juvenile_is_interviewed_with_a_guardian_present_cpl_281(scene):
    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case, "小明", birth_date=date(2010, 3, 1))
    detail = run_measure(s, case, person, "criminal_detention", DETAINED)
    s.at(datetime(2026, 9, 30, 21, 0, tzinfo=SHANGHAI))
    session = _session(s, case, person, detail)
    client = s.api(s.world.handler1)
    body = {
        "kind": "interrogation",
        "room": "讯问室1",
        "started_at": "2026-09-30T20:45:00+08:00",
        "ended_at": "2026-09-30T20:55:00+08:00",
        "officer_ids": [s.world.handler1.pk, s.world.handler2.pk],
        "recording_id": "REC-1",
        "recording_sha256": SHA,
    }
    message = _unchanged(
        lambda: client.post(f"/custody/sessions/{session['id']}/interviews", body),
        400,
        "guardian_name",
    )
    assert "CPL art. 281" in message
    ok(
        client.post(
            f"/custody/sessions/{session['id']}/interviews",
            body | {"guardian_name": "王芳", "guardian_relation": "母亲"},
        ),
        201,
    )


def test_an_arrest_allows_no_hindrance_exception_to_family_notice_cpl_93(scene):
    s = scene(datetime(2026, 3, 31, 9, 0, tzinfo=SHANGHAI))
    case = s.world.case()
    person = s.suspect(case)
    arrest = run_measure(
        s,
        case,
        person,
        "arrest",
        datetime(2026, 3, 31, 10, 0, tzinfo=SHANGHAI),
        start={"decision_number": "检捕1号", "decided_on": "2026-03-31"},
    )
    client = s.api(s.world.handler1)
    message = _unchanged(
        lambda: client.post(
            f"/custody/measures/{arrest['id']}/notice-exception",
            {"ground": "state_security", "detail": "可能有碍侦查"},
        ),
        400,
        "ground",
    )
    assert "CPL art. 93(2)" in message
    waived = ok(
        client.post(
            f"/custody/measures/{arrest['id']}/notice-exception",
            {"ground": "impossible", "detail": "无家属，户籍地查无此人"},
        ),
        201,
    )
    family = next(d for d in waived["deadlines"] if d["duty"] == "notify_family")
    assert family["status"] == "waived"
    assert "CPL art. 93(2)" in family["status_reason"]


def test_malformed_json_is_a_4xx(running):
    s, _, _, detail = running
    response = s.api(s.world.handler1).post(f"/custody/measures/{detail['id']}/end", raw="{oops")
    assert response.status_code in (400, 422)
    assert response.json()["detail"]


def test_a_second_open_stay_racing_past_the_check_is_refused_naming_the_person(
    running, monkeypatch
):
    s, case, person, detail = running
    _session(s, case, person, detail)
    # Another officer's request passed the check before this one committed its stay.
    monkeypatch.setattr(area_actions, "_in_area", lambda person: False)
    size = ledger_size()
    with pytest.raises(CustodyError) as refused_entry:
        actions.open_session(
            actions.SessionInput(
                unit_id=s.world.station.pk,
                case_id=case.pk,
                person_id=person.pk,
                entered_at=datetime(2026, 9, 30, 20, 40, tzinfo=SHANGHAI),
                escort_ids=(s.world.handler1.pk, s.world.handler2.pk),
                reason="带入",
            ),
            actor=s.custody,
        )
    assert refused_entry.value.field == "person_id"
    assert f"person #{person.pk}" in str(refused_entry.value)
    assert CustodySession.objects.filter(person=person, exited_at__isnull=True).count() == 1
    assert ledger_size() == size


def test_a_measure_whose_statute_has_no_notice_exception_refuses_any_ground(scene):
    """Bail (取保候审) carries no family notice duty that a ground could waive: any ground is
    refused, saying the statute allows none, in the officer's language."""
    s = scene(datetime(2026, 3, 31, 9, 0, tzinfo=SHANGHAI))
    case = s.world.case()
    person = s.suspect(case)
    bail = run_measure(s, case, person, "bail", datetime(2026, 3, 31, 10, 0, tzinfo=SHANGHAI))
    message = _unchanged(
        lambda: s.api(s.world.handler1).post(
            f"/custody/measures/{bail['id']}/notice-exception",
            {"ground": "impossible", "detail": "无家属"},
        ),
        400,
        "ground",
    )
    assert message.startswith("the statute allows no exception to the family notice")
