"""Every rule a custody action enforces, refused with the field named and nothing written, on
the site tests/routes.py builds (a station with people detained and in its area, a PACE
detention in the English suite, the clock on the evening of 1 October)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from casetrail import clock
from casetrail.custody import actions
from casetrail.custody.actions import _common
from casetrail.custody.models import Deadline, InboxItem, Measure
from casetrail.errors import Refused
from tests.api.conftest import ApiClient
from tests.custody.conftest import LONDON, SHA, SHANGHAI, direct_measure, iso, ok
from tests.custody.test_pages import login
from tests.routes import Kept


@pytest.fixture
def site(kept: Kept, db: None, frozen_clock: Any) -> Any:
    return kept.at(frozen_clock)


class Refusals:
    """A client per officer, and a check that a refusal names its field and writes nothing."""

    def __init__(self, site: Any) -> None:
        self.site = site
        self.clients: dict[int, ApiClient] = {}

    def client(self, officer: Any) -> ApiClient:
        if officer.pk not in self.clients:
            self.clients[officer.pk] = ApiClient(officer)
        return self.clients[officer.pk]

    def refused(self, officer: Any, path: str, body: Any, field: str, status: int = 400) -> str:
        from casetrail.ledger.models import LedgerEntry

        client = self.client(officer)
        before = LedgerEntry.objects.count()
        response = client.post(path, body)
        assert response.status_code == status, response.content.decode()
        assert response.json()["field"] == field, response.json()
        assert LedgerEntry.objects.count() == before, "a refused request wrote to the ledger"
        return str(response.json()["detail"])


@pytest.fixture
def no(site: Any) -> Refusals:
    return Refusals(site)


def _now() -> str:
    return iso(clock.now())


def _rest_deadline(site: Any) -> Deadline:
    """The rest deadline of a stay in the English suite (PACE Code C 12.2)."""
    s = site.s
    measure = Measure.objects.get(pk=site.x["pace"])
    session = actions.open_session(
        actions.SessionInput(
            unit_id=s.gb_unit.pk,
            case_id=measure.case_id,
            person_id=measure.person_id,
            measure_id=measure.pk,
            entered_at=clock.now(),
            escort_ids=(s.gb_handler1.pk, s.gb_handler2.pk),
            reason="arrested",
        ),
        actor=s.gb_custody,
    )
    return session.deadlines.get(duty="rest")


# -- measures ----------------------------------------------------------------------------------


def test_a_measure_is_proposed_only_for_a_suspect(site, no):
    x, w = site.x, site.s.world
    body = {"case_id": x["case"].pk, "person_id": x["victim"].pk, "kind": "bail", "reason": "x"}
    assert "not a suspect" in no.refused(w.handler1, "/custody/measures", body, "person_id")


def test_only_a_proposed_measure_is_decided_and_a_refusal_says_why(site, no):
    x, s = site.x, site.s
    d1 = x["d1"].pk
    no.refused(s.head, f"/custody/measures/{d1}/decision", {"decision": "approve"}, "decision")
    path = f"/custody/measures/{x['proposed']}/decision"
    no.refused(s.head, path, {"decision": "refuse"}, "reason")
    refused = ok(no.client(s.head).post(path, {"decision": "refuse", "reason": "证据不足"}))
    assert refused["status"] == "refused"


def test_a_measure_replaces_only_a_running_measure_of_the_same_person(site, no):
    x, w = site.x, site.s.world
    path = f"/custody/measures/{x['approved']}/start"
    for other in (x["d1"].pk, 2**40):  # another person's; absent: the same answer
        body = {"started_at": _now(), "replaces_id": other}
        no.refused(w.handler1, path, body, "replaces_id")


def _approved_arrest(site: Any) -> Measure:
    s, x = site.s, site.x
    made = actions.propose_measure(
        actions.MeasureInput(
            case_id=x["case"].pk, person_id=x["p3"].pk, kind="arrest", reason="检察院批准逮捕"
        ),
        actor=s.world.handler1,
    )
    return actions.decide_measure(
        made, actions.MeasureDecisionInput(decision="approve"), actor=s.head
    )


def test_an_arrest_starts_on_the_procuratorates_dated_decision_cpl_art_80(site, no):
    """CPL art. 80: an arrest is executed by the public security organ on the approval of the
    procuratorate: its decision number and date are recorded, and it cannot postdate it."""
    arrest = _approved_arrest(site)
    path = f"/custody/measures/{arrest.pk}/start"
    handler = site.s.world.handler1
    no.refused(handler, path, {"started_at": _now()}, "decision_number")
    no.refused(handler, path, {"started_at": _now(), "decision_number": "检捕1号"}, "decided_on")
    later = (clock.now() + timedelta(days=2)).date().isoformat()
    body = {"started_at": _now(), "decision_number": "检捕1号", "decided_on": later}
    assert "after the arrest" in no.refused(handler, path, body, "decided_on")
    today = clock.today_in("Asia/Shanghai").isoformat()
    started = ok(
        no.client(handler).post(path, body | {"decided_on": today}),
    )
    assert started["decision_number"] == "检捕1号"


def _pace(site: Any, route: str, **start: Any) -> dict[str, Any]:
    s = site.s
    case = s.gb_case()
    person = s.suspect(case, "John Roe")
    client = ApiClient(s.gb_handler1)
    made = ok(
        client.post(
            "/custody/measures",
            {
                "case_id": case.pk,
                "person_id": person.pk,
                "kind": "pace_detention",
                "reason": "arrested on suspicion of theft",
                "route": route,
            },
        ),
        201,
    )
    ok(
        ApiClient(s.gb_custody).post(
            f"/custody/measures/{made['id']}/decision", {"decision": "approve"}
        )
    )
    return client.post(f"/custody/measures/{made['id']}/start", {"started_at": _now(), **start})


def test_a_pace_detention_needs_the_arrival_unless_the_person_came_voluntarily(site):
    """PACE s.41(2): the relevant time runs from arrival at the station, except for a person
    who attended voluntarily and was arrested there (s.41(2)(c)), whose runs from the arrest."""
    missing = _pace(site, "arrival")
    assert missing.status_code == 400
    assert missing.json()["field"] == "arrived_at"
    voluntary = ok(_pace(site, "voluntary"))
    assert voluntary["relevant_at"] == voluntary["started_at"]
    assert "arrived_at" not in voluntary["params"]


# -- duties ------------------------------------------------------------------------------------


def test_duties_refuse_what_the_statute_does_not_provide(site, no):
    x, s, w = site.x, site.s, site.world if hasattr(site, "world") else site.s.world
    d1, d2, pace = x["d1"].pk, x["d2"].pk, x["pace"]
    notice = {"at": _now(), "method": "phone", "recipient": "李梅", "relationship": "妻子"}
    ok(no.client(w.handler1).post(f"/custody/measures/{d1}/notifications", notice), 201)
    exception = {"ground": "impossible", "detail": "无家属"}
    message = no.refused(
        w.handler1, f"/custody/measures/{d1}/notice-exception", exception, "ground"
    )
    assert "no pending family-notice deadline" in message
    request = {"submitted_at": _now(), "received_at": _now()}
    no.refused(s.gb_handler1, f"/custody/measures/{pace}/arrest-request", request, "kind")
    assert "already requested" in no.refused(
        w.handler1, f"/custody/measures/{d2}/arrest-request", request, "submitted_at"
    )
    decision = {"approved": True, "decided_at": _now(), "number": "检捕2号"}
    no.refused(w.handler1, f"/custody/measures/{d1}/procuratorate-decision", decision, "decided_at")
    review = {"at": _now(), "outcome": "continue"}
    no.refused(s.head, f"/custody/measures/{d1}/reviews", review, "kind")  # PACE s.40 only


def test_a_review_that_releases_opens_no_next_review(site, no):
    """PACE s.40: reviews continue while detention does; a review deciding on release sets
    no next one."""
    pace = site.x["pace"]
    client = no.client(site.s.inspector)
    reviewed = ok(
        client.post(f"/custody/measures/{pace}/reviews", {"at": _now(), "outcome": "release"}),
        201,
    )
    reviews = [d for d in reviewed["deadlines"] if d["duty"] == "review"]
    assert [d["status"] for d in reviews] == ["met"]


def test_warrants_follow_ss_43_and_44(site, no):
    """PACE s.43 issues a warrant of further detention; s.44 extends a warrant in force: the
    one cannot stand for the other, and neither is issued after the period it replaces ran out."""
    pace, handler = site.x["pace"], site.s.gb_handler1
    path = f"/custody/measures/{pace}/warrants"
    base = {"issued_at": _now(), "hours": 24, "court": "Leeds MC", "reference": "W1"}
    no.refused(handler, path, base | {"extension": True}, "extension")
    ok(no.client(handler).post(path, base), 201)
    no.refused(handler, path, base | {"reference": "W2"}, "extension")


def test_a_warrant_after_the_period_ran_out_is_refused(site, no):
    pace, handler = site.x["pace"], site.s.gb_handler1
    site.s.at(datetime(2026, 10, 3, 12, 0, tzinfo=LONDON))  # past the 36 hours
    body = {"issued_at": _now(), "hours": 24, "court": "Leeds MC", "reference": "W1"}
    message = no.refused(handler, f"/custody/measures/{pace}/warrants", body, "issued_at")
    assert "before the warrant was issued" in message


# -- extensions, accounts, alerts --------------------------------------------------------------


def test_extensions_only_of_an_open_measure_deadline_the_kind_allows(site, no):
    x, s, w = site.x, site.s, site.s.world
    d1, d2 = x["d1"], x["d2"]
    body = {"extension": "special=2", "reason": "特殊情况"}
    rest = _rest_deadline(site)  # a stay's, not a measure's
    assert rest is not None
    path = f"/custody/deadlines/{rest.pk}/extensions"
    assert "takes no extension" in no.refused(
        s.gb_handler1, path, body | {"deadline_id": rest.pk}, "extension"
    )
    met = d1.deadlines.get(rule_id="CN-CPL85-DELIVER-24H")
    met.status = "met"
    met.save(update_fields=["status"])
    path = f"/custody/deadlines/{met.pk}/extensions"
    no.refused(w.handler1, path, body | {"deadline_id": met.pk}, "extension")
    limit = d2.deadlines.get(rule_id="CN-CPL91-MAX-DETENTION")
    path = f"/custody/deadlines/{limit.pk}/extensions"
    assert "already waiting" in no.refused(
        w.handler1, path, body | {"deadline_id": limit.pk}, "extension"
    )


def test_a_kind_extended_only_by_its_own_extensions(site, no):
    """A summons is extended only as the serious-complex case the statute names (MPS Provisions
    on Criminal Cases (2020) art. 200), not by another extension of its rule."""
    s, x = site.s, site.x
    case = x["case"]
    summoned = direct_measure(s, case, x["p3"], "summons", clock.now(), approver=s.world.leader)
    limit = summoned.deadlines.get(duty="limit")
    path = f"/custody/deadlines/{limit.pk}/extensions"
    body = {"deadline_id": limit.pk, "extension": "serious-complex-compelled", "reason": "x"}
    assert "only by serious-complex" in no.refused(s.world.handler1, path, body, "extension")


def test_an_extension_is_decided_once(site, no):
    pending, head = site.x["pending"], site.s.head
    path = f"/custody/extensions/{pending}/decision"
    no.refused(head, path, {"decision": "refuse"}, "reason")
    ok(no.client(head).post(path, {"decision": "refuse", "reason": "不符合条件"}))
    assert "already" in no.refused(head, path, {"decision": "approve"}, "decision")


def test_an_extension_never_moves_a_deadline_earlier(site, monkeypatch):
    """The engine never shortens a period by an extension; the action refuses rather than
    store a shorter one, should it ever be asked to."""
    from casetrail.custody.actions import extensions

    deadline = site.x["d2"].deadlines.get(rule_id="CN-CPL91-MAX-DETENTION")
    real = extensions.clocks.compute

    def shorter(*args: Any, **kwargs: Any) -> Any:
        computed = real(*args, **kwargs)
        return dataclasses.replace(computed, due_at=deadline.due_at - timedelta(hours=1))

    monkeypatch.setattr(extensions.clocks, "compute", shorter)
    with pytest.raises(Refused) as refused:
        extensions._extend(deadline, "special=1", extensions.clocks.Calendars())
    assert refused.value.field == "extension"


def test_only_a_missed_deadline_takes_an_account(site, no):
    d1 = site.x["d1"]
    open_one = d1.deadlines.filter(status="open").first()
    path = f"/custody/deadlines/{open_one.pk}/account"
    no.refused(site.s.world.handler1, path, {"account": "无"}, "account")


def test_a_stays_missed_rest_is_accounted_for_by_those_who_run_the_area(site, no):
    rest = _rest_deadline(site)
    rest.status = "missed"
    rest.save(update_fields=["status"])
    path = f"/custody/deadlines/{rest.pk}/account"
    accounted = ok(no.client(site.s.gb_custody).post(path, {"account": "interview overran"}))
    assert accounted["account"] == "interview overran"


def test_an_alert_is_acknowledged_once_and_only_by_its_recipient(site, no):
    item = InboxItem.objects.get(pk=site.x["inbox"])
    path = f"/custody/inbox/{item.pk}/acknowledge"
    ok(no.client(site.s.world.handler1).post(path))
    no.refused(site.s.world.handler1, path, None, "item")
    with pytest.raises(Refused) as refused:
        actions.acknowledge_alert(item, actor=site.s.world.handler2)
    assert refused.value.field == "item"


# -- the area ----------------------------------------------------------------------------------


def _entry(site: Any, person: Any, **over: Any) -> dict[str, Any]:
    w = site.s.world
    return {
        "unit_id": w.station.pk,
        "case_id": site.x["case"].pk,
        "person_id": person.pk,
        "entered_at": _now(),
        "escort_ids": [w.handler1.pk, w.handler2.pk],
        "reason": "带入",
    } | over


def test_an_entry_refuses_the_wrong_unit_person_or_measure(site, no):
    x, s = site.x, site.s
    keeper = s.custody
    no.refused(
        keeper,
        "/custody/sessions",
        _entry(site, x["p3"], unit_id=site.s.world.other_station.pk),
        "case_id",
    )
    assert "already in" in no.refused(
        keeper, "/custody/sessions", _entry(site, x["p1"]), "person_id"
    )
    body = _entry(site, x["p3"], measure_id=x["d1"].pk)  # p1's measure
    no.refused(keeper, "/custody/sessions", body, "measure_id")


def test_a_stay_takes_one_safety_check_and_nothing_after_the_exit(site, no):
    sid, leaving, keeper = site.x["session"], site.x["leaving"], site.s.custody
    check = {"at": _now(), "search_record": "检查", "injuries_observed": "无"}
    ok(no.client(keeper).post(f"/custody/sessions/{sid}/safety-check", check))
    assert "already" in no.refused(keeper, f"/custody/sessions/{sid}/safety-check", check, "at")
    exit_body = {"exited_at": _now(), "destination": "detention_house", "destination_detail": "所"}
    ok(no.client(keeper).post(f"/custody/sessions/{leaving}/exit", exit_body))
    no.refused(keeper, f"/custody/sessions/{leaving}/safety-check", check, "session")


def test_a_belonging_is_settled_once_with_both_signatures(site, no):
    sid, item, keeper = site.x["session"], site.x["item"], site.s.custody
    path = f"/custody/sessions/{sid}/belongings/{item}/settle"
    no.refused(keeper, path, {"outcome": "transferred", "person_signed": True}, "transferred_to")
    body = {"outcome": "returned", "person_signed": False, "refusal_witness_id": keeper.pk}
    assert "second officer" in no.refused(keeper, path, body, "refusal_witness_id")
    ok(no.client(keeper).post(path, {"outcome": "returned", "person_signed": True}))
    no.refused(keeper, path, {"outcome": "returned", "person_signed": True}, "outcome")
    missing = f"/custody/sessions/{sid}/belongings/{2**40}/settle"
    assert (
        no.client(keeper).post(missing, {"outcome": "returned", "person_signed": True}).status_code
        == 404
    )


def _interview(**over: Any) -> dict[str, Any]:
    return {
        "kind": "inquiry",
        "room": "询问室2",
        "started_at": iso(datetime(2026, 10, 1, 20, 0, tzinfo=SHANGHAI)),
        "ended_at": iso(datetime(2026, 10, 1, 20, 30, tzinfo=SHANGHAI)),
        "officer_ids": [],
        "recording_id": "R2",
        "recording_sha256": SHA,
    } | over


def test_an_inquiry_needs_one_officer_and_meets_no_interrogation_deadline(site, no):
    w, sid = site.s.world, site.x["session"]
    path = f"/custody/sessions/{sid}/interviews"
    no.refused(w.handler1, path, _interview(), "officer_ids")
    done = ok(no.client(w.handler1).post(path, _interview(officer_ids=[w.handler1.pk])), 201)
    assert done["interviews"][-1]["kind"] == "inquiry"


def test_an_interview_ends_before_the_person_left(site, no):
    w, s, leaving = site.s.world, site.s, site.x["leaving"]
    exit_body = {"exited_at": _now(), "destination": "detention_house", "destination_detail": "所"}
    ok(no.client(s.custody).post(f"/custody/sessions/{leaving}/exit", exit_body))
    late = iso(clock.now() + timedelta(minutes=1))
    body = _interview(officer_ids=[w.handler1.pk], ended_at=late)
    no.refused(w.handler1, f"/custody/sessions/{leaving}/interviews", body, "ended_at")


def test_a_person_of_unknown_age_is_a_juvenile_if_the_case_recorded_one(site, no):
    """CPL art. 281 asks for a guardian at the interview of a juvenile; with no birth date on
    the person, the party's juvenile mark on the case decides."""
    s = site.s
    case = s.world.case()
    person = s.suspect(case, "无名少年", birth_date=None)
    party = case.parties.get(person=person)
    party.juvenile = True
    party.save(update_fields=["juvenile"])
    session = actions.open_session(
        actions.SessionInput(
            unit_id=s.world.station.pk,
            case_id=case.pk,
            person_id=person.pk,
            entered_at=clock.now() - timedelta(hours=2),
            escort_ids=(s.world.handler1.pk, s.world.handler2.pk),
            reason="带入",
        ),
        actor=s.custody,
    )
    body = _interview(officer_ids=[s.world.handler1.pk])
    no.refused(
        s.world.handler1, f"/custody/sessions/{session.pk}/interviews", body, "guardian_name"
    )


def test_care_records_what_each_kind_needs(site, no):
    sid, keeper = site.x["session"], site.s.custody
    path = f"/custody/sessions/{sid}/care"
    start = iso(clock.now() - timedelta(hours=1))
    no.refused(keeper, path, {"kind": "meal", "started_at": _now(), "ended_at": start}, "ended_at")
    no.refused(keeper, path, {"kind": "rest", "started_at": start}, "ended_at")
    no.refused(keeper, path, {"kind": "medical", "started_at": start}, "notes")
    # The cn pack sets no rest period (CPL art. 119(3) asks for necessary rest, no time): a
    # rest is recorded and meets nothing.
    rested = ok(
        no.client(keeper).post(path, {"kind": "rest", "started_at": start, "ended_at": _now()}), 201
    )
    assert rested["care"][-1]["kind"] == "rest"


def test_rights_name_the_interpreter_of_a_language(site, no):
    sid, keeper = site.x["session"], site.s.custody
    body = {"given_at": _now(), "interpreter_language": "维吾尔语"}
    no.refused(keeper, f"/custody/sessions/{sid}/rights", body, "interpreter_name")


def test_an_exit_is_after_the_entry_and_says_where_to(site, no):
    sid, keeper = site.x["session"], site.s.custody
    early = iso(datetime(2026, 9, 30, 12, 0, tzinfo=SHANGHAI))
    path = f"/custody/sessions/{sid}/exit"
    no.refused(keeper, path, {"exited_at": early, "destination": "released"}, "exited_at")
    no.refused(keeper, path, {"exited_at": _now(), "destination": "hospital"}, "destination_detail")
    assert "belongings" in no.refused(
        keeper, path, {"exited_at": _now(), "destination": "released"}, "belongings"
    )


def test_leaving_released_ends_only_a_measure_served_in_the_area(site, no):
    """A summons or a detention ends when the person walks out released; bail is not served
    in the area, so leaving it changes nothing about the bail."""
    s, x = site.s, site.x
    bail = direct_measure(s, x["case"], x["p3"], "bail", clock.now())
    session = actions.open_session(
        actions.SessionInput(
            unit_id=s.world.station.pk,
            case_id=x["case"].pk,
            person_id=x["p3"].pk,
            measure_id=bail.pk,
            entered_at=clock.now(),
            escort_ids=(s.world.handler1.pk, s.world.handler2.pk),
            reason="取保候审期间传讯",
        ),
        actor=s.custody,
    )
    assert session.clock is None  # bail bounds no stay in the area
    ok(
        no.client(s.custody).post(
            f"/custody/sessions/{session.pk}/exit", {"exited_at": _now(), "destination": "released"}
        )
    )
    bail.refresh_from_db()
    assert bail.status == "running"


# -- shared pieces -----------------------------------------------------------------------------


def test_an_ended_measure_takes_no_further_duty(site, no):
    s, d1, pace = site.s, site.x["d1"].pk, site.x["pace"]
    end = {"ended_at": _now(), "outcome": "released", "reason": "释放"}
    ok(no.client(s.world.handler1).post(f"/custody/measures/{d1}/end", end))
    refusal = no.refused(s.world.handler1, f"/custody/measures/{d1}/end", end, "status")
    assert "not running" in refusal
    ok(no.client(s.gb_handler1).post(f"/custody/measures/{pace}/end", end))
    review = {"at": _now(), "outcome": "continue"}
    no.refused(s.inspector, f"/custody/measures/{pace}/reviews", review, "status")


def test_a_duration_reads_in_days_hours_and_minutes():
    assert _common.duration(timedelta(days=2, hours=3, minutes=4)) == "2 d 3 h 4 min"
    assert _common.duration(timedelta(hours=5, minutes=6)) == "5 h 6 min"
    assert _common.duration(timedelta(seconds=-30)) == "0 h 0 min"


def test_a_late_event_on_an_accounted_deadline_keeps_its_account(site):
    deadline = Deadline.objects.get(pk=site.x["missed"])
    deadline.accounted_at = clock.now()
    deadline.account = "已说明"
    deadline.save(update_fields=["accounted_at", "account"])
    _common.meet(deadline, clock.now(), "done late", now=clock.now())
    deadline.refresh_from_db()
    assert deadline.status == "missed"
    assert deadline.account == "已说明"


def test_today_is_derived_from_the_frozen_clock(site):
    assert clock.today_in("Asia/Shanghai") == date(2026, 10, 1)


# -- what the rest of the actions' branches do --------------------------------------------------


def test_a_second_measure_of_the_same_kind_for_the_same_person_is_refused(site, no):
    x, w = site.x, site.s.world
    body = {
        "case_id": x["case"].pk,
        "person_id": x["p1"].pk,
        "kind": "criminal_detention",
        "reason": "x",
    }
    assert "not over" in no.refused(w.handler1, "/custody/measures", body, "kind")


def test_an_interview_does_not_end_after_the_person_left(site, no):
    w, s, leaving = site.s.world, site.s, site.x["leaving"]
    left = clock.now() - timedelta(minutes=10)
    exit_body = {
        "exited_at": iso(left),
        "destination": "detention_house",
        "destination_detail": "所",
    }
    ok(no.client(s.custody).post(f"/custody/sessions/{leaving}/exit", exit_body))
    body = _interview(
        officer_ids=[w.handler1.pk],
        started_at=iso(left - timedelta(minutes=30)),
        ended_at=iso(left + timedelta(minutes=5)),
    )
    message = no.refused(w.handler1, f"/custody/sessions/{leaving}/interviews", body, "ended_at")
    assert "after the person left" in message


def test_a_stay_without_a_measure_ends_none_when_the_person_leaves(site, no):
    s, x = site.s, site.x
    area = no.client(s.custody)
    entry = _entry(site, x["p3"], entered_at=iso(clock.now() - timedelta(minutes=30)))
    stay = ok(area.post("/custody/sessions", entry), 201)
    assert stay["measure_id"] is None
    left = ok(
        area.post(
            f"/custody/sessions/{stay['id']}/exit", {"exited_at": _now(), "destination": "released"}
        )
    )
    assert left["destination"] == "released"


def _suite_rest(site: Any) -> tuple[ApiClient, int]:
    rest = _rest_deadline(site)
    return ApiClient(site.s.gb_custody), rest.session_id


def test_rest_parts_that_resume_make_the_eight_hours_even_when_the_last_is_interrupted(site):
    """Code C 12.2: after (b) or (c) the rest resumes; once the parts reach 8 hours the rest
    deadline is met, and a part that is itself interrupted opens no next window yet."""
    client, sid = _suite_rest(site)
    start = clock.now()
    site.s.at(start + timedelta(hours=10))

    def rest(begin: float, end: float, ground: str) -> Any:
        body = {
            "kind": "rest",
            "started_at": iso(start + timedelta(hours=begin)),
            "ended_at": iso(start + timedelta(hours=end)),
            "interruption": ground,
        }
        return ok(client.post(f"/custody/sessions/{sid}/care", body), 201)

    rest(0, 4, "b")
    after = rest(4.5, 9, "c")
    rests = [d for d in after["deadlines"] if d["rule_id"] == "EW-CODEC-12.2-REST"]
    assert [d["status"] for d in rests] == ["met"]  # no next window while the rest resumes


def test_a_rest_begun_before_the_current_window_opened_meets_nothing(site):
    client, sid = _suite_rest(site)
    start = clock.now()
    site.s.at(start + timedelta(hours=20))
    first = {"kind": "rest", "started_at": iso(start), "ended_at": iso(start + timedelta(hours=8))}
    ok(client.post(f"/custody/sessions/{sid}/care", first), 201)
    overlapping = {
        "kind": "rest",
        "started_at": iso(start + timedelta(hours=7)),
        "ended_at": iso(start + timedelta(hours=16)),
    }
    after = ok(client.post(f"/custody/sessions/{sid}/care", overlapping), 201)
    rests = [d for d in after["deadlines"] if d["rule_id"] == "EW-CODEC-12.2-REST"]
    assert [d["status"] for d in rests] == ["met", "open"]


def test_an_extension_no_longer_allowed_when_decided_is_refused(site, no):
    """An extension asked for in time but decided after the period ran out moves nothing."""
    pending = site.x["pending"]
    site.s.at(clock.now() + timedelta(days=60))
    path = f"/custody/extensions/{pending}/decision"
    no.refused(site.s.head, path, {"decision": "approve"}, "decision")


def test_an_extension_leaves_a_sibling_deadline_it_cannot_move(site, monkeypatch):
    """An approval moves every open deadline of the measure its extension applies to, and
    leaves one the extension cannot move as it was."""
    from casetrail.custody.actions import extensions
    from casetrail.custody.models import ExtensionRequest

    request = ExtensionRequest.objects.get(pk=site.x["pending"])
    measure = request.measure
    sibling = measure.deadlines.filter(status="open").exclude(pk=request.deadline_id).first()
    assert sibling is not None
    before = sibling.due_at
    real = extensions.clocks.check_extension

    def only_the_target(deadline: Any, *args: Any, **kwargs: Any) -> Any:
        ruling = real(deadline, *args, **kwargs)
        if deadline.pk == request.deadline_id:
            return ruling
        return dataclasses.replace(ruling, allowed=False)

    monkeypatch.setattr(extensions.clocks, "check_extension", only_the_target)
    actions.decide_extension(
        request, actions.ExtensionDecisionInput(decision="approve"), actor=site.s.head
    )
    sibling.refresh_from_db()
    assert sibling.due_at == before


def test_a_second_superintendents_authorisation_opens_no_second_application_deadline(site):
    """PACE s.42(1)-(2): a superintendent may authorise continued detention twice, within 36
    hours; the s.43(5) deadline to apply for a warrant opens with the first authorisation."""
    s, pace = site.s, site.x["pace"]
    inspector, handler, superintendent = (
        ApiClient(s.inspector),
        ApiClient(s.gb_handler1),
        ApiClient(s.superintendent),
    )
    for hours in (1, 10):
        s.at(clock.now() + timedelta(hours=hours))
        ok(
            inspector.post(
                f"/custody/measures/{pace}/reviews", {"at": _now(), "outcome": "continue"}
            ),
            201,
        )
    applications = []
    for n in (1, 2):
        measure = Measure.objects.get(pk=pace)
        limit = measure.deadlines.get(rule_id="EW-PACE41-24H")
        asked = ok(
            handler.post(
                f"/custody/deadlines/{limit.pk}/extensions",
                {"deadline_id": limit.pk, "extension": f"s42={n}", "reason": "indictable offence"},
            ),
            201,
        )
        ok(
            superintendent.post(
                f"/custody/extensions/{asked['id']}/decision", {"decision": "approve"}
            )
        )
        applications.append(measure.deadlines.filter(rule_id="EW-PACE43-APPLY").count())
    assert applications == [1, 1]


def test_an_interruption_ground_is_pace_s_and_refused_where_no_rest_period_runs(site, no):
    """The grounds of an interrupted rest are PACE Code C 12.2's; the cn pack sets no rest
    period (CPL art. 119(3) asks only for necessary rest), so a ground there is refused and
    the stay's page does not offer the field."""
    sid, keeper = site.x["session"], site.s.custody
    start = iso(clock.now() - timedelta(hours=1))
    body = {"kind": "rest", "started_at": start, "ended_at": _now(), "interruption": "b"}
    no.refused(keeper, f"/custody/sessions/{sid}/care", body, "interruption")
    page = login(keeper).get(f"/custody/sessions/{sid}/")
    assert page.status_code == 200
    assert 'name="kind"' in page.content.decode()
    assert 'name="interruption"' not in page.content.decode()
