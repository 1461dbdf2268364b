"""The whiteboard of a unit's whole subtree (one board for a district or a city), and a person
in the case-handling area under no running measure shown overdue (red) with the reason, never
as within limits."""

from __future__ import annotations

from casetrail import clock
from casetrail.custody import actions
from tests.conftest import login
from tests.custody.conftest import ok


def _bare_session(s):
    case = s.mail_case()
    person = s.suspect(case)
    actions.open_session(
        actions.SessionInput(
            unit_id=s.world.station.pk,
            case_id=case.pk,
            person_id=person.pk,
            measure_id=None,
            entered_at=clock.now(),
            escort_ids=(s.world.handler1.pk, s.custody.pk),
            reason="带入询问",
        ),
        actor=s.custody,
    )
    return person


def test_a_person_in_the_area_with_no_running_measure_is_red_with_the_reason(scene):
    s = scene(clock.now())
    person = _bare_session(s)
    board = ok(s.api(s.custody).get(f"/custody/board/{s.world.station.pk}"))
    [row] = board["rows"]
    assert row["person_id"] == person.pk
    assert row["state"] == "overdue"
    assert "no running measure" in row["state_text"]
    assert board["counts"]["overdue"] == 1


def test_one_board_shows_a_unit_and_every_unit_below_it(scene):
    s = scene(clock.now())
    person = _bare_session(s)
    w = s.world
    city = s.api(w.supervisor)
    assert ok(city.get(f"/custody/board/{w.city.pk}"))["rows"] == []
    whole = ok(city.get(f"/custody/board/{w.city.pk}", subtree="true"))
    assert [(r["person_id"], r["unit_name"]) for r in whole["rows"]] == [
        (person.pk, w.station.name)
    ]
    page = login(w.supervisor, "zh-hans").get(f"/custody/board/{w.city.pk}/?subtree=1")
    assert page.status_code == 200
    body = page.content.decode()
    assert w.station.name in body
    assert f'data-person="{person.pk}"' in body
    # The other district's station sees nothing of it, subtree or not.
    other = s.api(w.outsider)
    assert ok(other.get(f"/custody/board/{w.other_station.pk}", subtree="true"))["rows"] == []
