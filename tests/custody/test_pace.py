"""A PACE detention (England and Wales) across the end of British Summer Time on 25 October 2026
(02:00 BST becomes 01:00 GMT): the relevant time (s.41(2)), the 24 hours (s.41(1)) counted in
elapsed time, reviews (s.40), a superintendent's extension (s.42) and a warrant of further
detention (s.43), the rest of Code C 12.2."""

from __future__ import annotations

from datetime import UTC, date, datetime

from casetrail.custody.measures import REST_PARAM, REST_RULES
from casetrail.custody.models import CareEvent, Deadline
from casetrail.ledger.models import LedgerEntry
from casetrail.org.roles import Role
from casetrail.procedure import resolve
from tests.custody.conftest import (
    LONDON,
    deadline,
    iso,
    ledger_size,
    local,
    officer,
    ok,
    refused,
    run_measure,
)
from tests.custody.test_pages import login

ARREST = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # 21:00 BST
ARRIVAL = datetime(2026, 10, 24, 21, 0, tzinfo=UTC)  # 22:00 BST


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


def test_pace_detention_across_the_clock_change_with_reviews_and_an_extension(scene):
    s = scene(utc(24, 21, 5))
    case = s.gb_case()
    person = s.suspect(case, "John Smith")
    handler, custody = s.api(s.gb_handler1), s.api(s.gb_custody)
    inspector, superintendent = s.api(s.inspector), s.api(s.superintendent)

    made = ok(
        handler.post(
            "/custody/measures",
            {
                "case_id": case.pk,
                "person_id": person.pk,
                "kind": "pace_detention",
                "reason": "to obtain evidence by questioning",
                "params": {"route": "arrival"},
            },
        ),
        201,
    )
    # s.37: the custody officer authorises detention; a handler cannot.
    refused(
        handler.post(f"/custody/measures/{made['id']}/decision", {"decision": "approve"}),
        403,
        "approver",
    )
    s.at(utc(24, 21, 10))
    ok(custody.post(f"/custody/measures/{made['id']}/decision", {"decision": "approve"}))
    detail = ok(
        handler.post(
            f"/custody/measures/{made['id']}/start",
            {"started_at": iso(ARREST), "arrived_at": iso(ARRIVAL)},
        )
    )
    mid = detail["id"]
    # s.41(2)(d): the relevant time is the arrival, 22:00 BST.
    assert local(detail["relevant_at"], LONDON).isoformat() == "2026-10-24T22:00:00+01:00"
    limit = deadline(detail, "EW-PACE41-24H")
    # 24 elapsed hours: 21:00 GMT the next day, 23 hours later on the wall clock.
    assert local(limit["due_at"], LONDON).isoformat() == "2026-10-25T21:00:00+00:00"
    assert any("clock changes neither lengthen nor shorten" in x for x in limit["explanation"])
    # s.40(3)(a): the first review 6 hours after the custody officer's authorisation.
    first = deadline(detail, "EW-PACE40-REVIEW-FIRST")
    assert local(first["due_at"], LONDON).isoformat() == "2026-10-25T03:10:00+00:00"
    assert local(deadline(detail, "EW-PACE44-MAX-96H")["due_at"], UTC) == utc(28, 21)

    session = ok(
        custody.post(
            "/custody/sessions",
            {
                "unit_id": s.gb_unit.pk,
                "case_id": case.pk,
                "person_id": person.pk,
                "measure_id": mid,
                "entered_at": iso(ARRIVAL),
                "escort_ids": [s.gb_handler1.pk, s.gb_handler2.pk],
                "reason": "arrested on suspicion of burglary",
            },
        ),
        201,
    )
    assert session["clock"]["rule_id"] == "EW-PACE41-24H"
    rest = next(d for d in session["deadlines"] if d["rule_id"] == "EW-CODEC-12.2-REST")
    assert local(rest["due_at"], UTC) == utc(25, 13)  # 16 hours after arrival (Code C 12.2)

    # s.42(4)(b): no superintendent's authorisation before the second review.
    s.at(utc(25, 0, 30))
    path = f"/custody/deadlines/{limit['id']}/extensions"
    assert "second review" in refused(
        handler.post(path, {"extension": "s42=12", "reason": "further interviews"}),
        400,
        "extension",
    )

    # s.40(1)(b): the review officer is not directly involved: the handler cannot review.
    s.at(utc(25, 2, 30))
    refused(
        handler.post(
            f"/custody/measures/{mid}/reviews", {"at": iso(utc(25, 2, 30)), "outcome": "continue"}
        ),
        403,
        "reviewer",
    )
    reviewed = ok(
        inspector.post(
            f"/custody/measures/{mid}/reviews",
            {"at": iso(utc(25, 2, 30)), "outcome": "continue", "notes": "grounds continue"},
        ),
        201,
    )
    reviews = sorted(
        (d for d in reviewed["deadlines"] if d["duty"] == "review"), key=lambda d: d["due_at"]
    )
    assert reviews[0]["status"] == "met"
    assert local(reviews[1]["due_at"], UTC) == utc(25, 11, 30)  # 9 hours after (s.40(3)(b))

    s.at(utc(25, 11, 5))
    after_rest = ok(
        custody.post(
            f"/custody/sessions/{session['id']}/care",
            {"kind": "rest", "started_at": iso(utc(25, 3)), "ended_at": iso(utc(25, 11))},
        ),
        201,
    )
    rests = [d for d in after_rest["deadlines"] if d["rule_id"] == "EW-CODEC-12.2-REST"]
    assert [d["status"] for d in sorted(rests, key=lambda d: d["due_at"])] == ["met", "open"]

    s.at(utc(25, 11, 15))
    ok(
        inspector.post(
            f"/custody/measures/{mid}/reviews", {"at": iso(utc(25, 11, 15)), "outcome": "continue"}
        ),
        201,
    )

    # The superintendent's extension of 12 hours, to 36 hours after the relevant time.
    s.at(utc(25, 18))
    asked = ok(handler.post(path, {"extension": "s42=12", "reason": "two more witnesses"}), 201)
    size = ledger_size()
    assert "PACE s.42" in refused(
        inspector.post(f"/custody/extensions/{asked['id']}/decision", {"decision": "approve"}),
        403,
        "approver",
    )
    assert ledger_size() == size
    ok(
        superintendent.post(
            f"/custody/extensions/{asked['id']}/decision",
            {"decision": "approve", "reason": "indictable offence, diligent investigation"},
        )
    )
    detail = ok(handler.get(f"/custody/measures/{mid}"))
    limit = deadline(detail, "EW-PACE41-24H")
    assert limit["extensions"] == ["s42=12"]
    assert local(limit["due_at"], LONDON).isoformat() == "2026-10-26T09:00:00+00:00"
    assert deadline(detail, "EW-PACE42-LATEST-AUTH")["status"] == "met"
    apply = deadline(detail, "EW-PACE43-APPLY")
    assert local(apply["due_at"], UTC) == utc(26, 9)

    # A warrant of further detention replaces the 36 hours (s.43), never past 96 (s.44).
    s.at(utc(26, 6))
    ok(
        handler.post(
            f"/custody/measures/{mid}/warrant-applications",
            {"at": iso(utc(26, 6)), "court": "Westminster Magistrates' Court"},
        ),
        201,
    )
    s.at(utc(26, 8))
    detail = ok(
        handler.post(
            f"/custody/measures/{mid}/warrants",
            {
                "issued_at": iso(utc(26, 8)),
                "hours": 36,
                "court": "Westminster Magistrates' Court",
                "reference": "WFD/2026/118",
            },
        ),
        201,
    )
    assert deadline(detail, "EW-PACE41-24H")["status"] == "met"
    assert local(deadline(detail, "EW-PACE43-WFD")["due_at"], UTC) == utc(27, 20)
    # The person still in the area is held on the warrant now, not on the met 24 hours.
    area = ok(custody.get(f"/custody/sessions/{session['id']}"))
    assert area["clock"]["rule_id"] == "EW-PACE43-WFD"
    assert local(area["clock"]["due_at"], UTC) == utc(27, 20)
    s.at(utc(27, 18))
    detail = ok(
        handler.post(
            f"/custody/measures/{mid}/warrants",
            {
                "issued_at": iso(utc(27, 18)),
                "hours": 36,
                "court": "Westminster Magistrates' Court",
                "reference": "WFD/2026/118/X",
                "extension": True,
            },
        ),
        201,
    )
    extended = deadline(detail, "EW-PACE44-EXT")
    assert local(extended["due_at"], UTC) == utc(28, 21)  # capped at 96 hours
    assert any("capped" in line for line in extended["explanation"])
    area = ok(custody.get(f"/custody/sessions/{session['id']}"))
    assert area["clock"]["rule_id"] != "EW-PACE43-WFD"
    assert local(area["clock"]["due_at"], UTC) == utc(28, 21)  # the extension, capped at 96

    # Charged: the measure ends, its limits are met and open obligations waived.
    s.at(utc(28, 10))
    ended = ok(
        handler.post(
            f"/custody/measures/{mid}/end",
            {"ended_at": iso(utc(28, 10)), "outcome": "charged", "reason": "charged with burglary"},
        )
    )
    assert ended["status"] == "ended"
    assert not [d for d in ended["deadlines"] if d["status"] == "open"]
    assert deadline(ended, "EW-PACE43-WFD")["status"] == "met"
    assert deadline(ended, "EW-PACE44-MAX-96H")["status"] == "met"
    # The third review, due at 20:15 on the 25th, was never held: missed, and it stays so
    # until somebody accounts for it.
    missed = Deadline.objects.get(measure_id=mid, status="missed")
    assert missed.rule_id == "EW-PACE40-REVIEW-NEXT"
    assert local(missed.due_at.isoformat(), UTC) == utc(25, 20, 15)
    size = ledger_size()
    accounted = ok(
        handler.post(
            f"/custody/deadlines/{missed.pk}/account",
            {"account": "review held by telephone at 20:05, not entered; see custody log"},
        )
    )
    assert accounted["accounted_at"]
    assert ledger_size() == size + 1
    assert LedgerEntry.objects.order_by("-seq").first().action == "deadline.accounted_for"


def test_the_code_c_rest_minimum_is_read_from_the_pack():
    rule = resolve(REST_RULES["gb_eng"], date(2026, 10, 25), pack="gb_eng")
    (param,) = [p for p in rule.params if p.name == REST_PARAM]
    assert (param.default, param.min, param.unit) == (8, 8, "hours")  # Code C 12.2


def _pace(s):
    case = s.gb_case()
    person = s.suspect(case, "Jane Roe")
    return run_measure(
        s,
        case,
        person,
        "pace_detention",
        ARREST,
        proposer=s.gb_handler1,
        approver=s.gb_custody,
        params={"route": "arrival"},
        start={"arrived_at": iso(ARRIVAL)},
    )


def test_a_warrant_past_36_hours_is_refused_by_the_pack_naming_the_field(scene):
    s = scene(utc(24, 21, 5))
    detail = _pace(s)
    s.at(utc(25, 12))
    body = {
        "issued_at": iso(utc(25, 12)),
        "hours": 40,
        "court": "Westminster Magistrates' Court",
        "reference": "WFD/1",
    }
    handler = s.api(s.gb_handler1)
    size = ledger_size()
    message = refused(
        handler.post(f"/custody/measures/{detail['id']}/warrants", body), 400, "hours"
    )
    assert "EW-PACE43-WFD" in message
    assert "at most 36" in message
    page = login(s.gb_handler1).post(
        f"/custody/measures/{detail['id']}/warrants/",
        {"issued_at": "2026-10-25T12:00", "hours": 40, "court": "WMC", "reference": "WFD/1"},
    )
    assert page.status_code == 400
    assert "at most 36" in page.content.decode()
    assert ledger_size() == size


def test_a_time_typed_on_the_session_page_is_the_areas_time_not_the_officers(scene):
    s = scene(utc(24, 21, 5))
    detail = _pace(s)
    session = ok(
        s.api(s.gb_custody).post(
            "/custody/sessions",
            {
                "unit_id": s.gb_unit.pk,
                "case_id": detail["case_id"],
                "person_id": detail["person_id"],
                "measure_id": detail["id"],
                "entered_at": iso(ARRIVAL),
                "escort_ids": [s.gb_handler1.pk, s.gb_handler2.pk],
                "reason": "arrested on suspicion of burglary",
            },
        ),
        201,
    )
    # A custody officer of a Shanghai station, serving in the London suite.
    visitor = officer("visitor", s.world.station, Role.CUSTODY_OFFICER, at=s.gb_unit)
    s.at(utc(24, 23))
    response = login(visitor).post(
        f"/custody/sessions/{session['id']}/care/",
        {"kind": "meal", "started_at": "2026-10-24T23:30", "notes": "sandwich"},
    )
    assert response.status_code == 302, response.content.decode()
    meal = CareEvent.objects.get(session_id=session["id"], kind="meal")
    assert meal.started_at == utc(24, 22, 30)  # 23:30 BST on the page
