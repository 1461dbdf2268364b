"""Criminal detention, end to end through the API with the clock frozen.

CPL art. 82 and MPS Provisions art. 125: detention is approved by the head of a county-level
public security organ. Art. 85(2): delivery to the detention house and notice to the family
within 24 hours. Art. 86: interrogation within 24 hours. Art. 91: the request to approve arrest
within three days (special circumstances: one to four more), the procuratorate's seven days.
Art. 105(4): a custody period never moves for a holiday.
"""

from __future__ import annotations

from datetime import datetime

from casetrail.custody.models import Deadline
from casetrail.ledger.audit import verify_ledger
from casetrail.ledger.models import LedgerEntry
from tests.custody.conftest import (
    SHA,
    SHANGHAI,
    deadline,
    iso,
    ledger_size,
    local,
    ok,
    refused,
    run_measure,
)

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)  # the eve of National Day
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)


def test_detention_on_the_eve_of_national_day_keeps_every_period_cpl_85_86_91_105(scene):
    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case)
    handler = s.api(s.world.handler1)
    before = ledger_size()

    detail = run_measure(s, case, person, "criminal_detention", DETAINED)
    assert detail["status"] == "running"
    assert ledger_size() >= before + 3  # proposed, approved, started
    # CPL art. 85(2), 86: 24 exact hours from detention.
    for rule in ("CN-CPL85-DELIVER-24H", "CN-CPL85-FAMILY-24H", "CN-CPL86-INTERROGATE-24H"):
        due = local(deadline(detail, rule)["due_at"], SHANGHAI)
        assert due == datetime(2026, 10, 1, 20, 0, tzinfo=SHANGHAI), rule
    # CPL art. 91(1) with art. 105: the day of detention is not counted; 3 October is a holiday
    # but the person is in custody, so the period is not shifted to the next working day.
    request = deadline(detail, "CN-CPL91-ARREST-REQUEST")
    assert local(request["due_at"], SHANGHAI) == datetime(2026, 10, 3, 23, 59, 59, tzinfo=SHANGHAI)
    assert any("is a holiday, custody period: not shifted" in s for s in request["explanation"])
    assert "art. 91" in request["citation"]
    assert request["provisional"] is False
    outer = deadline(detail, "CN-CPL91-MAX-DETENTION")
    assert local(outer["due_at"], SHANGHAI).date().isoformat() == "2026-10-10"

    # Into the case-handling area with two escorts; its clock is the delivery deadline.
    s.at(datetime(2026, 9, 30, 20, 30, tzinfo=SHANGHAI))
    area = s.api(s.custody)
    session = ok(
        area.post(
            "/custody/sessions",
            {
                "unit_id": s.world.station.pk,
                "case_id": case.pk,
                "person_id": person.pk,
                "measure_id": detail["id"],
                "entered_at": iso(datetime(2026, 9, 30, 20, 25, tzinfo=SHANGHAI)),
                "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
                "reason": "刑事拘留后带入办案区",
            },
        ),
        201,
    )
    assert session["clock"]["rule_id"] == "CN-CPL85-DELIVER-24H"
    sid = session["id"]
    ok(
        area.post(
            f"/custody/sessions/{sid}/safety-check",
            {
                "at": iso(datetime(2026, 9, 30, 20, 28, tzinfo=SHANGHAI)),
                "search_record": "人身检查，未发现违禁品",
                "injuries_observed": "左手背擦伤，自述被捕前摔倒",
            },
        )
    )
    phone = ok(
        area.post(f"/custody/sessions/{sid}/belongings", {"description": "手机", "quantity": 1}),
        201,
    )["belongings"][0]
    ok(
        area.post(
            f"/custody/sessions/{sid}/rights",
            {"given_at": iso(datetime(2026, 9, 30, 20, 29, tzinfo=SHANGHAI))},
        )
    )

    s.at(datetime(2026, 9, 30, 23, 0, tzinfo=SHANGHAI))
    interview = ok(
        handler.post(
            f"/custody/sessions/{sid}/interviews",
            {
                "kind": "interrogation",
                "room": "讯问室2",
                "started_at": iso(datetime(2026, 9, 30, 21, 0, tzinfo=SHANGHAI)),
                "ended_at": iso(datetime(2026, 9, 30, 22, 30, tzinfo=SHANGHAI)),
                "officer_ids": [s.world.handler1.pk, s.world.handler2.pk],
                "recording_id": "REC-2026-0930-01",
                "recording_sha256": SHA,
            },
        ),
        201,
    )
    assert interview["interviews"][0]["recording_sha256"] == SHA
    assert Deadline.objects.get(rule_id="CN-CPL86-INTERROGATE-24H").status == "met"

    s.at(datetime(2026, 10, 1, 9, 30, tzinfo=SHANGHAI))
    detail = ok(
        handler.post(
            f"/custody/measures/{detail['id']}/notifications",
            {
                "at": iso(datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI)),
                "method": "phone",
                "recipient": "李梅",
                "relationship": "妻子",
            },
        ),
        201,
    )
    assert deadline(detail, "CN-CPL85-FAMILY-24H")["status"] == "met"

    # Leaving for the detention house needs every belonging settled, with both signatures.
    s.at(datetime(2026, 10, 1, 11, 0, tzinfo=SHANGHAI))
    ok(
        area.post(
            f"/custody/sessions/{sid}/belongings/{phone['id']}/settle",
            {"outcome": "transferred", "transferred_to": "看守所", "person_signed": True},
        )
    )
    left = ok(
        area.post(
            f"/custody/sessions/{sid}/exit",
            {
                "exited_at": iso(datetime(2026, 10, 1, 10, 50, tzinfo=SHANGHAI)),
                "destination": "detention_house",
                "destination_detail": "市第一看守所",
            },
        )
    )
    assert left["exited_at"]
    assert Deadline.objects.get(rule_id="CN-CPL85-DELIVER-24H").status == "met"

    # The request to approve arrest on 3 October, a holiday: still in time, and it starts the
    # procuratorate's seven days (art. 91(3)), again never shifted.
    s.at(datetime(2026, 10, 3, 10, 0, tzinfo=SHANGHAI))
    detail = ok(
        handler.post(
            f"/custody/measures/{detail['id']}/arrest-request",
            {
                "submitted_at": iso(datetime(2026, 10, 3, 9, 0, tzinfo=SHANGHAI)),
                "received_at": iso(datetime(2026, 10, 3, 9, 30, tzinfo=SHANGHAI)),
            },
        ),
        201,
    )
    assert deadline(detail, "CN-CPL91-ARREST-REQUEST")["status"] == "met"
    decision = deadline(detail, "CN-CPL91-PROCURATORATE-7D")
    assert local(decision["due_at"], SHANGHAI) == datetime(
        2026, 10, 10, 23, 59, 59, tzinfo=SHANGHAI
    )

    # Every write above appended to the ledger, and the ledger still verifies.
    assert verify_ledger(checkpoint=False).ok
    kinds = set(LedgerEntry.objects.values_list("action", flat=True))
    assert {
        "measure.proposed",
        "measure.approved",
        "measure.started",
        "custody_session.opened",
        "custody_session.safety_checked",
        "custody_session.belonging_deposited",
        "custody_session.rights_recorded",
        "custody_session.interview_recorded",
        "measure.family_notified",
        "custody_session.belonging_transferred",
        "custody_session.closed",
        "measure.delivery_recorded",
        "measure.arrest_requested",
    } <= kinds


def test_the_procuratorate_approves_and_the_arrest_replaces_the_detention_cpl_80_93_94(scene):
    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case)
    handler = s.api(s.world.handler1)
    detention = run_measure(s, case, person, "criminal_detention", DETAINED)
    s.at(datetime(2026, 10, 2, 10, 0, tzinfo=SHANGHAI))
    ok(
        handler.post(
            f"/custody/measures/{detention['id']}/arrest-request",
            {"submitted_at": iso(s_now()), "received_at": iso(s_now())},
        ),
        201,
    )
    s.at(datetime(2026, 10, 6, 15, 0, tzinfo=SHANGHAI))
    detention = ok(
        handler.post(
            f"/custody/measures/{detention['id']}/procuratorate-decision",
            {"approved": True, "decided_at": iso(s_now()), "number": "京检捕〔2026〕88号"},
        ),
        201,
    )
    assert deadline(detention, "CN-CPL91-PROCURATORATE-7D")["status"] == "met"

    s.at(datetime(2026, 10, 6, 18, 0, tzinfo=SHANGHAI))
    # An arrest without the procuratorate's decision number is refused, naming the field.
    made = ok(
        handler.post(
            "/custody/measures",
            {"case_id": case.pk, "person_id": person.pk, "kind": "arrest", "reason": "批准逮捕"},
        ),
        201,
    )
    ok(s.api(s.head).post(f"/custody/measures/{made['id']}/decision", {"decision": "approve"}))
    size = ledger_size()
    refused(
        handler.post(f"/custody/measures/{made['id']}/start", {"started_at": iso(s_now())}),
        400,
        "decision_number",
    )
    assert ledger_size() == size
    arrest = ok(
        handler.post(
            f"/custody/measures/{made['id']}/start",
            {
                "started_at": iso(s_now()),
                "decision_number": "京检捕〔2026〕88号",
                "decided_on": "2026-10-06",
                "replaces_id": detention["id"],
            },
        )
    )
    assert arrest["replaces_id"] == detention["id"]
    # CPL art. 93, 94: family notice and interrogation within 24 hours of the arrest; art. 156:
    # two months of investigative custody, to the same day of December.
    assert local(deadline(arrest, "CN-CPL93-ARREST-FAMILY-24H")["due_at"], SHANGHAI) == datetime(
        2026, 10, 7, 18, 0, tzinfo=SHANGHAI
    )
    custody = deadline(arrest, "CN-CPL156-INVESTIGATIVE-CUSTODY")
    assert local(custody["due_at"], SHANGHAI).date().isoformat() == "2026-12-06"
    ended = ok(handler.get(f"/custody/measures/{detention['id']}"))
    assert ended["status"] == "ended"
    assert ended["end_outcome"] == "changed"
    # The detention's open periods closed: the limit met, the obligations not yet due waived.
    assert deadline(ended, "CN-CPL91-MAX-DETENTION")["status"] == "met"


def s_now() -> datetime:
    from casetrail import clock

    return clock.now()


def test_a_summons_becomes_detention_in_the_area_cpl_119_82(scene):
    """CPL art. 119(2): a summons lasts 12 hours from arrival; art. 82: detention, approved by
    the head of a county-level organ, changes it. The person stays in the area, now on the
    detention's 24-hour clock (art. 85(2)); leaving released ends the measure."""
    s = scene(datetime(2026, 9, 30, 8, 0, tzinfo=SHANGHAI))
    case = s.world.case()
    person = s.suspect(case)
    arrival = datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI)
    summons = run_measure(s, case, person, "summons", arrival, approver=s.world.leader)
    limit = deadline(summons, "CN-CPL119-SUMMONS-12H")
    assert local(limit["due_at"], SHANGHAI) == datetime(2026, 9, 30, 21, 0, tzinfo=SHANGHAI)
    area = s.api(s.custody)
    session = ok(
        area.post(
            "/custody/sessions",
            {
                "unit_id": s.world.station.pk,
                "case_id": case.pk,
                "person_id": person.pk,
                "measure_id": summons["id"],
                "entered_at": iso(arrival),
                "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
                "reason": "传唤到案",
            },
        ),
        201,
    )
    assert session["clock"]["rule_id"] == "CN-CPL119-SUMMONS-12H"
    s.at(datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI))
    detention = run_measure(
        s,
        case,
        person,
        "criminal_detention",
        datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI),
        start={"replaces_id": summons["id"]},
    )
    assert (
        ok(s.api(s.world.handler1).get(f"/custody/measures/{summons['id']}"))["status"] == "ended"
    )
    moved = ok(area.get(f"/custody/sessions/{session['id']}"))
    assert moved["measure_id"] == detention["id"]
    assert moved["clock"]["rule_id"] == "CN-CPL85-DELIVER-24H"
    board = ok(area.get(f"/custody/board/{s.world.station.pk}"))
    assert len(board["rows"]) == 1  # one person, one row
    assert board["rows"][0]["elapsed"].startswith("9")  # nine hours in the area
    assert LedgerEntry.objects.filter(action="custody_session.measure_changed").count() == 1
