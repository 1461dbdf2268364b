"""Administrative measures: questioning after a summons (PSAPL 2012 art. 83 / 2025 art. 97, the
version in force on the day of arrival) and administrative detention (PSAPL art. 16: release N
days after admission, at the same hour)."""

from __future__ import annotations

from datetime import datetime

from tests.custody.conftest import SHANGHAI, deadline, iso, local, ok, run_measure


def test_questioning_after_a_summons_uses_the_2025_law_and_ends_on_release_psapl_97(scene):
    s = scene(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))
    case = s.world.case(kind="administrative", title="殴打他人案")
    person = s.suspect(case)
    arrival = datetime(2026, 4, 1, 9, 30, tzinfo=SHANGHAI)
    detail = run_measure(
        s,
        case,
        person,
        "admin_summons",
        arrival,
        approver=s.world.leader,
        params={"questioning": "detention_possible"},
    )
    limit = deadline(detail, "CN-PSAPL2025-Q97-24H")
    assert "art. 97" in limit["citation"]
    assert local(limit["due_at"], SHANGHAI) == datetime(2026, 4, 2, 9, 30, tzinfo=SHANGHAI)
    area = s.api(s.custody)
    session = ok(
        area.post(
            "/custody/sessions",
            {
                "unit_id": s.world.station.pk,
                "case_id": case.pk,
                "person_id": person.pk,
                "measure_id": detail["id"],
                "entered_at": iso(arrival),
                "escort_ids": [s.world.handler1.pk, s.custody2.pk],
                "reason": "传唤到案",
            },
        ),
        201,
    )
    s.at(datetime(2026, 4, 1, 15, 0, tzinfo=SHANGHAI))
    ok(
        area.post(
            f"/custody/sessions/{session['id']}/exit",
            {"exited_at": iso(s_now()), "destination": "released"},
        )
    )
    after = ok(s.api(s.world.handler1).get(f"/custody/measures/{detail['id']}"))
    assert after["status"] == "ended"
    assert deadline(after, "CN-PSAPL2025-Q97-24H")["status"] == "met"


def test_administrative_detention_ends_n_days_after_admission_psapl_16(scene):
    s = scene(datetime(2026, 5, 10, 8, 0, tzinfo=SHANGHAI))
    case = s.world.case(kind="administrative", title="寻衅滋事案")
    person = s.suspect(case)
    detail = run_measure(
        s,
        case,
        person,
        "admin_detention",
        datetime(2026, 5, 10, 16, 0, tzinfo=SHANGHAI),
        params={"days": 10},
    )
    release = deadline(detail, "CN-ADMIN-DETENTION-EXEC")
    assert local(release["due_at"], SHANGHAI) == datetime(2026, 5, 20, 16, 0, tzinfo=SHANGHAI)


def s_now():
    from casetrail import clock

    return clock.now()
