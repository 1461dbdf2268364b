"""No endpoint tells an officer the name of a person outside the case they act in: a person id
from another (even sealed, juvenile) case is refused naming the field, never the person."""

from __future__ import annotations

from datetime import date, datetime

from tests.custody.conftest import SHANGHAI, iso, ledger_size, refused
from tests.custody.test_pages import login

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
SECRET = "秘密少年"


def _elsewhere(s):
    """A sealed juvenile case the officers below do not handle, and its suspect."""
    sealed = s.world.case(title="少年案")
    person = s.suspect(sealed, SECRET, birth_date=date(2012, 1, 1))
    sealed.refresh_from_db()
    assert sealed.sealed
    return person


def test_proposing_a_measure_for_another_cases_person_tells_no_name(scene):
    s = scene(EVE)
    case = s.world.case()
    s.suspect(case)
    other = _elsewhere(s)
    client = s.api(s.world.handler1)
    size = ledger_size()
    body = {"case_id": case.pk, "person_id": other.pk, "kind": "bail", "reason": "x"}
    message = refused(client.post("/custody/measures", body), 400, "person_id")
    assert SECRET not in message
    assert f"person #{other.pk}" in message
    assert ledger_size() == size


def test_bringing_in_another_cases_person_tells_no_name(scene):
    s = scene(EVE)
    case = s.world.case()
    s.suspect(case)
    other = _elsewhere(s)
    body = {
        "unit_id": s.world.station.pk,
        "case_id": case.pk,
        "person_id": other.pk,
        "entered_at": iso(datetime(2026, 9, 30, 13, 30, tzinfo=SHANGHAI)),
        "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
        "reason": "带入",
    }
    message = refused(s.api(s.custody).post("/custody/sessions", body), 400, "person_id")
    assert SECRET not in message


def test_the_forms_refuse_another_cases_person_without_its_name(scene):
    s = scene(EVE)
    case = s.world.case()
    s.suspect(case)
    other = _elsewhere(s)
    measure = login(s.world.handler1).post(
        f"/custody/cases/{case.pk}/measures/new/",
        {"person_id": other.pk, "kind": "bail", "reason": "x"},
    )
    assert measure.status_code == 400
    assert SECRET not in measure.content.decode()
    session = login(s.custody).post(
        f"/custody/cases/{case.pk}/sessions/new/",
        {
            "person_id": other.pk,
            "entered_at": "2026-09-30T13:30",
            "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
            "reason": "带入",
        },
    )
    assert session.status_code == 400
    assert SECRET not in session.content.decode()
