"""The case page lists every pending time limit of the case, whichever app keeps it (the case's
own statutory limits, custody deadlines, service of documents, property limits), with its state
in colour, shape and word, its due time in the unit's zone, its citation and how it was
computed, the soonest first; and links back to the report the case came from."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from casetrail import procedure
from casetrail.cases import actions as case_actions
from casetrail.custody.clocks import Calendars
from casetrail.custody.models import Deadline
from casetrail.property import actions as prop_actions
from casetrail.property.inputs import ItemInput
from tests.conftest import login
from tests.custody.conftest import SHANGHAI, Scene, ok, run_measure

AUTUMN = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)


def _computed(rule_id: str, trigger: datetime) -> procedure.Deadline:
    return procedure.compute(rule_id, trigger, pack="cn", calendar=Calendars().of_pack("cn"))


def _limits(page: Any) -> list[dict[str, str]]:
    """The rows of the page's time limits: state, the row's text, in order."""
    assert page.status_code == 200, page.content.decode()[:500]
    html = page.content.decode()
    section = html.split('data-testid="case-limits"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr data-state="(\w+)"[^>]*>(.*?)</tr>', section, re.S)
    return [
        {
            "state": state,
            "text": re.sub(r"\s+", " ", body),
            "due": re.search(r'data-testid="due">([^<]*)<', body).group(1),
        }
        for state, body in rows
    ]


def _in_review(s: Scene) -> tuple[Any, Any]:
    incident = s.world.incident()
    return incident, s.world.in_review(incident)


def test_a_case_in_registration_review_shows_its_limit_turning_from_green_to_red(scene):
    """MPS Opinions on the case acceptance and registration system (2015): the review of whether
    to register a criminal case takes three days from the report as a rule; the warning starts
    a day before. Shown in the unit's zone (Asia/Shanghai), with its citation and its steps."""
    s = scene(AUTUMN)
    incident, case = _in_review(s)
    due = _computed("CN-MPS2015-CRIM-REG-REVIEW", incident.received_at)
    page = login(s.world.handler1, "en").get(f"/cases/{case.number}/")
    (row,) = _limits(page)
    assert row["state"] == "ok"
    assert "Review of whether to register a criminal case" in row["text"]
    assert due.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == row["due"]
    assert "● within limits" in row["text"]
    assert "How it was computed" in row["text"]
    assert "2015" in row["text"]  # the Opinions' citation
    html = page.content.decode()
    assert f'href="/incidents/{incident.pk}/receipt/"' in html
    assert incident.receipt_number in html

    s.at(due.warn_at + timedelta(minutes=1))
    (row,) = _limits(login(s.world.handler1, "en").get(f"/cases/{case.number}/"))
    assert row["state"] == "warning"
    assert "▲ warning" in row["text"]

    s.at(due.due_at + timedelta(minutes=1))
    (row,) = _limits(login(s.world.handler1, "zh-hans").get(f"/cases/{case.number}/"))
    assert row["state"] == "overdue"
    assert "刑事案件立案审查期限" in row["text"]
    assert "Review of whether" not in row["text"]
    assert "《公安部关于改革完善受案立案制度的意见》" in row["text"]


def test_a_registered_case_has_no_review_limit_and_says_so(scene):
    s = scene(AUTUMN)
    _, case = _in_review(s)
    case_actions.transition_case(
        case, case_actions.MoveInput(move="register"), actor=s.world.leader
    )
    page = login(s.world.handler1, "en").get(f"/cases/{case.number}/")
    assert _limits(page) == []
    assert "No time limit of this case is running." in page.content.decode()


def test_an_administrative_case_shows_the_handling_limit_of_the_law_in_force(scene):
    """PSAPL (2025) art. 118: thirty days from registration for a case opened since
    2026-01-01; PSAPL (2012) art. 99: thirty days from acceptance for one opened before."""
    s = scene(AUTUMN)
    case = s.world.case(kind="administrative", title="殴打他人案")
    due = _computed("CN-PSAPL2025-CASE118", case.opened_at)
    (row,) = _limits(login(s.world.handler1, "en").get(f"/cases/{case.number}/"))
    assert "Time limit for handling a public security case (2025 law)" in row["text"]
    assert due.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in row["text"]

    s.at(datetime(2025, 6, 2, 9, 0, tzinfo=SHANGHAI))
    older = s.world.case(kind="administrative", title="殴打他人案")
    (row,) = _limits(login(s.world.handler1, "zh-hans").get(f"/cases/{older.number}/"))
    assert "治安案件办理期限（2012）" in row["text"]


def test_custody_deadlines_are_listed_with_the_person_and_a_link_to_the_measure(scene):
    """CPL art. 85(2): the family is told within 24 hours of a detention; art. 91: the request
    for arrest follows within three days. Each is the custody module's row, said on the case."""
    s = scene(AUTUMN)
    case = s.world.case()
    person = s.suspect(case, "李四")
    measure = run_measure(s, case, person, "criminal_detention", AUTUMN)
    page = login(s.world.handler1, "en").get(f"/cases/{case.number}/")
    rows = _limits(page)
    open_rules = Deadline.objects.filter(case=case, status="open")
    assert len(rows) == open_rules.count() >= 2
    assert all("李四" in row["text"] for row in rows)
    assert all(f"/custody/measures/{measure['id']}/" in row["text"] for row in rows)
    dues = [d.due_at.astimezone(SHANGHAI) for d in open_rules.order_by("due_at")]
    assert [row["due"] for row in rows] == [d.strftime("%Y-%m-%d %H:%M") for d in dues]


def test_property_limits_are_listed_with_the_item(scene):
    """MPS Provisions on Administrative Cases art. 110(3): a registered preservation is decided
    within seven days."""
    s = scene(AUTUMN)
    case = s.world.case(kind="administrative", title="殴打他人案")
    item = prop_actions.register_item(
        case,
        ItemInput(
            kind="device",
            basis="preserved",
            description="黑色手机一部",
            found_place="现场",
            found_at=AUTUMN - timedelta(hours=1),
            legal_basis="证据保全决定书",
        ),
        actor=s.world.handler1,
    )
    limit = item.deadlines.get()
    rows = _limits(login(s.world.handler1, "en").get(f"/cases/{case.number}/"))
    (mine,) = [row for row in rows if item.code in row["text"]]
    assert f"/property/items/{item.pk}/" in mine["text"]
    assert limit.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in mine["text"]
    s.at(limit.due_at + timedelta(minutes=1))
    rows = _limits(login(s.world.handler1, "zh-hans").get(f"/cases/{case.number}/"))
    (mine,) = [row for row in rows if item.code in row["text"]]
    assert mine["state"] == "overdue"
    assert limit.title_zh in mine["text"]


def test_an_issued_document_not_yet_served_is_listed_until_it_is(scene):
    """MPS Provisions on Criminal Cases (2020) art. 178: the notice not to register is served
    within three days."""
    from casetrail.documents import actions as docs
    from casetrail.documents.inputs import DecisionInput, DraftInput

    s = scene(AUTUMN)
    w = s.world
    _, case = _in_review(s)
    doc = docs.draft_document(
        case,
        DraftInput(
            type_id="nonregistration_notice",
            params={"reason": "不构成犯罪", "legal_ground": "第一百一十二条"},
        ),
        actor=w.handler1,
    )
    doc = docs.submit_document(doc, actor=w.handler1)
    approvers = {"agency_head": s.head, "legal_reviewer": w.legal, "unit_leader": w.leader}
    while doc.status == "pending":
        role = doc.approval.current_role
        opinion = "同意" if role == "legal_reviewer" else ""
        doc = docs.decide_document(
            doc, DecisionInput(decision="approve", opinion=opinion), actor=approvers[role]
        )
    assert doc.service_due_at is not None
    rows = _limits(login(w.handler1, "en").get(f"/cases/{case.number}/"))
    (served,) = [row for row in rows if f"/documents/{doc.pk}/" in row["text"]]
    assert doc.number in served["text"]
    assert doc.service_due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in served["text"]
    # The soonest first: the service (three days from issue) before nothing later than it.
    dues = [row["due"] for row in rows]
    assert dues == sorted(dues)


def test_the_api_lists_the_same_limits_in_the_language_asked_for(scene):
    """GET /api/v1/cases/{case}/limits: the page's list, with the time as an instant and the
    state at the time of the request; Accept-Language says the titles and citations."""
    s = scene(AUTUMN)
    incident, case = _in_review(s)
    due = _computed("CN-MPS2015-CRIM-REG-REVIEW", incident.received_at)
    client = s.api(s.world.handler1)
    (limit,) = ok(client.get(f"/cases/{case.number}/limits"))
    assert limit["title"] == "Review of whether to register a criminal case"
    assert datetime.fromisoformat(limit["due_at"].replace("Z", "+00:00")) == due.due_at
    assert limit["state"] == "ok"
    assert limit["url"] == f"/cases/{case.number}/"
    assert len(limit["steps"]) == len(due.explanation_said) > 0
    s.at(due.due_at)
    chinese = client.client.get(
        f"/api/v1/cases/{case.number}/limits",
        headers=client.headers | {"Accept-Language": "zh-hans"},
    )
    (limit,) = ok(chinese)
    assert limit["title"] == "刑事案件立案审查期限"
    assert limit["state"] == "overdue"
    outsider = s.api(s.world.outsider)
    assert outsider.get(f"/cases/{case.number}/limits").status_code == 404
