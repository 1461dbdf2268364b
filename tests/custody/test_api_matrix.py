"""Every custody endpoint inherits the permission matrix: anonymous 401; an officer with no
grant refused; the granted officer succeeds and every write grows the ledger; an officer granted
in another unit gets 404 (the object is outside their scope, indistinguishable from absent)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from casetrail.config.api import api
from casetrail.custody import actions, alerts
from casetrail.custody.models import Deadline, InboxItem
from casetrail.ledger.audit import verify_ledger
from casetrail.ledger.models import LedgerEntry
from tests.api.conftest import ApiClient
from tests.custody.conftest import SHA, SHANGHAI, direct_measure, iso, ok

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)
LATE = datetime(2026, 10, 1, 21, 0, tzinfo=SHANGHAI)  # 13:00 UTC


def _routes() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (m.upper(), p)
        for p, ops in schema["paths"].items()
        for m, op in ops.items()
        if "custody" in op.get("tags", ())
    }


ROUTES = sorted(_routes())


def _session(s, case, person, measure, entered):
    return actions.open_session(
        actions.SessionInput(
            unit_id=s.world.station.pk,
            case_id=case.pk,
            person_id=person.pk,
            entered_at=entered,
            escort_ids=(s.world.handler1.pk, s.world.handler2.pk),
            reason="带入办案区",
            measure_id=measure.pk if measure else None,
        ),
        actor=s.custody,
    )


def _setup(s) -> dict[str, Any]:
    """The state every route needs, made through the actions (the API is what is tested)."""
    w = s.world
    case = w.case()
    p1, p2, p3, p4 = (s.suspect(case, n) for n in ("甲", "乙", "丙", "丁"))

    def propose(kind: str) -> Any:
        made = actions.MeasureInput(case_id=case.pk, person_id=p4.pk, kind=kind, reason="x")
        return actions.propose_measure(made, actor=w.handler1)

    proposed = propose("criminal_detention")
    approved = propose("bail")
    actions.decide_measure(approved, actions.MeasureDecisionInput(decision="approve"), actor=s.head)
    d1 = direct_measure(s, case, p1, "criminal_detention", DETAINED)
    d2 = direct_measure(s, case, p2, "criminal_detention", DETAINED)
    d3 = direct_measure(s, case, p3, "criminal_detention", DETAINED)
    s.at(datetime(2026, 9, 30, 20, 40, tzinfo=SHANGHAI))
    session = _session(s, case, p1, d1, datetime(2026, 9, 30, 20, 30, tzinfo=SHANGHAI))
    item = actions.deposit_belonging(
        session, actions.BelongingInput(description="包"), actor=s.custody
    )
    leaving = _session(s, case, p2, d2, datetime(2026, 9, 30, 20, 35, tzinfo=SHANGHAI))
    actions.record_arrest_request(
        d2,
        actions.ArrestRequestInput(submitted_at=s_now(), received_at=s_now()),
        actor=w.handler1,
    )
    pending = actions.request_extension(
        actions.ExtensionInput(
            deadline_id=d2.deadlines.get(rule_id="CN-CPL91-MAX-DETENTION").pk,
            extension="special=1",
            reason="特殊情况",
        ),
        actor=w.handler1,
    )
    # A PACE detention in the English station, 10:00 UTC on 1 October.
    gcase = s.gb_case()
    gperson = s.suspect(gcase, "Jane Doe")
    s.at(datetime(2026, 10, 1, 10, 40, tzinfo=UTC))
    pace = direct_measure(
        s,
        gcase,
        gperson,
        "pace_detention",
        datetime(2026, 10, 1, 10, 0, tzinfo=UTC),
        proposer=s.gb_handler1,
        approver=s.gb_custody,
        arrived_at=datetime(2026, 10, 1, 10, 30, tzinfo=UTC),
    )
    s.at(LATE)
    alerts.sweep()  # d3's 24-hour deadlines are missed; handler1 has alerts
    missed = Deadline.objects.filter(measure=d3, status="missed").first()
    inbox = InboxItem.objects.filter(officer=w.handler1).first()
    return {
        "case": case,
        "p1": p1,
        "p3": p3,
        "proposed": proposed.pk,
        "approved": approved.pk,
        "d1": d1,
        "d2": d2,
        "session": session.pk,
        "item": item.pk,
        "leaving": leaving.pk,
        "pending": pending.pk,
        "pace": pace.pk,
        "missed": missed.pk,
        "inbox": inbox.pk,
    }


def _requests(s, x) -> dict[tuple[str, str], tuple[str, Any, Any]]:
    """route: (path, body, the granted officer)."""
    w = s.world
    now = iso(s_now())
    d1 = x["d1"]
    request_deadline = d1.deadlines.get(rule_id="CN-CPL91-ARREST-REQUEST").pk
    sid = x["session"]
    return {
        ("GET", "/api/v1/custody/kinds"): ("/custody/kinds", None, w.handler1),
        ("GET", "/api/v1/custody/measures"): ("/custody/measures", None, w.handler1),
        ("POST", "/api/v1/custody/measures"): (
            "/custody/measures",
            {"case_id": x["case"].pk, "person_id": x["p1"].pk, "kind": "bail", "reason": "取保"},
            w.handler1,
        ),
        ("GET", "/api/v1/custody/measures/{measure_id}"): (
            f"/custody/measures/{d1.pk}",
            None,
            w.handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/decision"): (
            f"/custody/measures/{x['proposed']}/decision",
            {"decision": "approve"},
            s.head,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/start"): (
            f"/custody/measures/{x['approved']}/start",
            {"started_at": now},
            w.handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/end"): (
            f"/custody/measures/{d1.pk}/end",
            {"ended_at": now, "outcome": "released", "reason": "不需要继续拘留"},
            w.handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/notifications"): (
            f"/custody/measures/{d1.pk}/notifications",
            {"at": now, "method": "phone", "recipient": "李梅", "relationship": "妻子"},
            w.handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/notice-exception"): (
            f"/custody/measures/{d1.pk}/notice-exception",
            {"ground": "impossible", "detail": "无家属"},
            w.handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/interrogations"): (
            f"/custody/measures/{d1.pk}/interrogations",
            {"at": now, "place": "看守所"},
            w.handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/delivery"): (
            f"/custody/measures/{d1.pk}/delivery",
            {"at": now, "place": "市看守所"},
            w.handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/arrest-request"): (
            f"/custody/measures/{d1.pk}/arrest-request",
            {"submitted_at": now, "received_at": now},
            w.handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/procuratorate-decision"): (
            f"/custody/measures/{x['d2'].pk}/procuratorate-decision",
            {"approved": True, "decided_at": now, "number": "检捕1号"},
            w.handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/reviews"): (
            f"/custody/measures/{x['pace']}/reviews",
            {"at": now, "outcome": "continue"},
            s.inspector,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/warrant-applications"): (
            f"/custody/measures/{x['pace']}/warrant-applications",
            {"at": now, "court": "Leeds Magistrates' Court"},
            s.gb_handler1,
        ),
        ("POST", "/api/v1/custody/measures/{measure_id}/warrants"): (
            f"/custody/measures/{x['pace']}/warrants",
            {"issued_at": now, "hours": 24, "court": "Leeds MC", "reference": "W1"},
            s.gb_handler1,
        ),
        ("GET", "/api/v1/custody/deadlines/{deadline_id}"): (
            f"/custody/deadlines/{request_deadline}",
            None,
            w.handler1,
        ),
        ("POST", "/api/v1/custody/deadlines/{deadline_id}/extensions"): (
            f"/custody/deadlines/{request_deadline}/extensions",
            {"extension": "special=2", "reason": "特殊情况"},
            w.handler1,
        ),
        ("POST", "/api/v1/custody/extensions/{request_id}/decision"): (
            f"/custody/extensions/{x['pending']}/decision",
            {"decision": "approve"},
            s.head,
        ),
        ("POST", "/api/v1/custody/deadlines/{deadline_id}/account"): (
            f"/custody/deadlines/{x['missed']}/account",
            {"account": "已送押，系统漏录"},
            w.handler1,
        ),
        ("GET", "/api/v1/custody/sessions"): ("/custody/sessions", None, s.custody),
        ("POST", "/api/v1/custody/sessions"): (
            "/custody/sessions",
            {
                "unit_id": w.station.pk,
                "case_id": x["case"].pk,
                "person_id": x["p3"].pk,  # not in the area
                "entered_at": now,
                "escort_ids": [w.handler1.pk, w.handler2.pk],
                "reason": "带入",
            },
            s.custody,
        ),
        ("GET", "/api/v1/custody/sessions/{session_id}"): (
            f"/custody/sessions/{sid}",
            None,
            s.custody,
        ),
        ("POST", "/api/v1/custody/sessions/{session_id}/safety-check"): (
            f"/custody/sessions/{sid}/safety-check",
            {"at": now, "search_record": "检查", "injuries_observed": "无"},
            s.custody,
        ),
        ("POST", "/api/v1/custody/sessions/{session_id}/belongings"): (
            f"/custody/sessions/{sid}/belongings",
            {"description": "钥匙", "quantity": 2},
            s.custody,
        ),
        ("POST", "/api/v1/custody/sessions/{session_id}/belongings/{belonging_id}/settle"): (
            f"/custody/sessions/{sid}/belongings/{x['item']}/settle",
            {"outcome": "returned", "person_signed": True},
            s.custody,
        ),
        ("POST", "/api/v1/custody/sessions/{session_id}/interviews"): (
            f"/custody/sessions/{sid}/interviews",
            {
                "kind": "interrogation",
                "room": "讯问室1",
                "started_at": iso(datetime(2026, 9, 30, 21, 0, tzinfo=SHANGHAI)),
                "ended_at": iso(datetime(2026, 9, 30, 22, 0, tzinfo=SHANGHAI)),
                "officer_ids": [w.handler1.pk, w.handler2.pk],
                "recording_id": "R1",
                "recording_sha256": SHA,
            },
            w.handler1,
        ),
        ("POST", "/api/v1/custody/sessions/{session_id}/care"): (
            f"/custody/sessions/{sid}/care",
            {"kind": "meal", "started_at": now, "notes": "晚餐"},
            s.custody,
        ),
        ("POST", "/api/v1/custody/sessions/{session_id}/rights"): (
            f"/custody/sessions/{sid}/rights",
            {"given_at": now, "lawyer_requested": True},
            s.custody,
        ),
        ("POST", "/api/v1/custody/sessions/{session_id}/exit"): (
            f"/custody/sessions/{x['leaving']}/exit",
            {"exited_at": now, "destination": "detention_house", "destination_detail": "看守所"},
            s.custody,
        ),
        ("GET", "/api/v1/custody/board/{unit_id}"): (
            f"/custody/board/{w.station.pk}",
            None,
            s.custody,
        ),
        ("GET", "/api/v1/custody/persons/{person_id}"): (
            f"/custody/persons/{x['p1'].pk}",
            None,
            w.handler1,
        ),
        ("GET", "/api/v1/custody/inbox"): ("/custody/inbox", None, w.handler1),
        ("POST", "/api/v1/custody/inbox/{item_id}/acknowledge"): (
            f"/custody/inbox/{x['inbox']}/acknowledge",
            None,
            w.handler1,
        ),
    }


# Endpoints any officer may call: the measure catalogue and their own (filtered) lists.
SELF_SERVICE = {
    "/api/v1/custody/kinds",
    "/api/v1/custody/measures",
    "/api/v1/custody/sessions",
    "/api/v1/custody/inbox",
}
READS_RECORDED = {
    "/api/v1/custody/measures/{measure_id}",
    "/api/v1/custody/sessions/{session_id}",
    "/api/v1/custody/persons/{person_id}",
}


def s_now():
    from casetrail import clock

    return clock.now()


def _call(client: ApiClient, method: str, path: str, body: Any):
    return client.get(path) if method == "GET" else client.post(path, body)


@pytest.fixture
def matrix(scene):
    s = scene(EVE)
    return s, _requests(s, _setup(s))


def test_the_matrix_covers_every_custody_route(matrix):
    _, requests = matrix
    assert set(requests) == _routes()
    assert len(_routes()) >= 30


BODY_REFERENCES = {("POST", "/api/v1/custody/measures"), ("POST", "/api/v1/custody/sessions")}


@pytest.mark.parametrize("route", ROUTES)
def test_the_permission_matrix(matrix, route):
    """Anonymous, no grant, granted in another unit, then granted (last: it changes state)."""
    s, requests = matrix
    method, template = route
    path, body, who = requests[route]
    assert _call(ApiClient(None), method, path, body).status_code == 401

    if template not in SELF_SERVICE:
        for stranger in (s.world.nobody, s.world.outsider):
            client = s.api(stranger)
            before = LedgerEntry.objects.count()
            response = _call(client, method, path, body)
            if route in BODY_REFERENCES:
                # The case or unit is named in the body: refused as input, naming the field.
                assert response.status_code == 400, response.content.decode()
                assert response.json()["field"] in ("case_id", "unit_id")
            elif stranger == s.world.outsider:
                assert response.status_code == 404, response.content.decode()
            else:
                assert response.status_code in (403, 404), response.content.decode()
            assert response.json()["detail"]
            assert LedgerEntry.objects.count() == before, f"{stranger} wrote via {route}"

    client = s.api(who)
    before = LedgerEntry.objects.count()
    response = _call(client, method, path, body)
    assert response.status_code in (200, 201), response.content.decode()
    grew = LedgerEntry.objects.count() > before
    if method == "POST" or template in READS_RECORDED:
        assert grew, f"{route} left no ledger entry"
        assert verify_ledger(checkpoint=False).ok, f"{route} broke the ledger's chain"
    else:
        assert not grew
    seqs = list(LedgerEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_lists_show_nothing_outside_the_grants(matrix):
    s, _ = matrix
    assert ok(s.api(s.world.outsider).get("/custody/measures"))["count"] == 0
    assert ok(s.api(s.world.outsider).get("/custody/sessions"))["count"] == 0
    assert ok(s.api(s.world.nobody).get("/custody/measures"))["count"] == 0
    assert ok(s.api(s.world.supervisor).get("/custody/measures"))["count"] >= 5
