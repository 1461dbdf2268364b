"""Each check with an instance that triggers it and a near miss that does not (issue: "each
check with an instance that triggers it and a near miss"). Every date is derived from the
test's frozen clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from casetrail import clock, procedure
from casetrail.cases import actions as case_actions
from casetrail.custody import actions as custody_actions
from casetrail.custody import alerts as custody_alerts
from casetrail.custody.clocks import Calendars
from casetrail.custody.models import Deadline
from casetrail.org.models import Officer
from casetrail.org.roles import Role
from casetrail.property import actions as prop_actions
from casetrail.property import alerts as prop_alerts
from casetrail.property.inputs import ItemInput, ScanInput, TransferInput
from casetrail.supervision.checks import BY_ID, CHECKS
from casetrail.supervision.models import Finding
from tests.conftest import make_officer
from tests.custody.conftest import direct_measure
from tests.supervision.conftest import Desk


def _keys(desk: Desk, check_id: str) -> set[str]:
    desk.sweep()
    return {f.key for f in desk.findings(check_id)}


def _suspect_held(desk: Desk):
    s = desk.s
    case = s.mail_case()
    person = s.suspect(case)
    measure = direct_measure(
        s, case, person, "criminal_detention", clock.now(), proposer=s.mail_handler1
    )
    return case, person, measure


def test_every_check_states_its_basis_severity_owners_and_titles_in_both_languages():
    assert len(CHECKS) == len(BY_ID) >= 12
    for check in CHECKS:
        assert all((check.basis, check.title_en, check.title_zh, check.explain_en)), check.id
        assert check.severity in ("red", "orange", "yellow")
        assert check.owners
        assert check.version >= 1


def test_a_missed_custody_deadline_with_no_account_is_a_red_finding_until_accounted(desk):
    """CPL art. 85: the family is told within 24 hours of detention; the deadline missed and
    not accounted for is the finding. At 23 hours nothing is missed yet (the near miss)."""
    case, _, measure = _suspect_held(desk)
    desk.later(hours=23)
    custody_alerts.sweep()
    assert _keys(desk, "custody.deadline-missed") == set()
    desk.later(hours=2)
    custody_alerts.sweep()
    missed = Deadline.objects.filter(measure=measure, status="missed")
    assert missed.exists()
    found = desk.findings("custody.deadline-missed")
    desk.sweep()
    found = desk.findings("custody.deadline-missed")
    assert {f.key for f in found} == {f"custody-deadline:{d.pk}" for d in missed}
    family = next(f for f in found if f.evidence[0]["facts"]["rule"] == "CN-CPL85-FAMILY-24H")
    assert family.severity == "red"
    assert family.case_id == case.pk
    assert "85" in family.basis
    # Accounted for: the gap is gone, said once on the finding, which stays for the supervisor.
    row = Deadline.objects.get(pk=int(family.key.split(":")[1]))
    custody_actions.account_for_missed(
        row, custody_actions.AccountInput(account="家属电话无法接通，已书面通知"), actor=desk.s.head
    )
    report = desk.sweep()
    family.refresh_from_db()
    assert family.gone_at == clock.now()
    assert family.status == "open"
    assert report.gone == 1
    assert desk.sweep().gone == 0


def _session(desk: Desk, measure_id: int | None):
    s = desk.s
    case = s.mail_case()
    person = s.suspect(case, name="李四")
    if measure_id == -1:
        measure_id = direct_measure(
            s, case, person, "criminal_detention", clock.now(), proposer=s.mail_handler1
        ).pk
    return custody_actions.open_session(
        custody_actions.SessionInput(
            unit_id=s.world.station.pk,
            case_id=case.pk,
            person_id=person.pk,
            measure_id=measure_id,
            entered_at=clock.now(),
            escort_ids=(s.world.handler1.pk, s.custody.pk),
            reason="带入",
        ),
        actor=s.custody,
    )


def test_a_person_in_the_area_without_a_running_measure_is_red_after_the_grace(desk):
    bare = _session(desk, None)
    held = _session(desk, -1)  # the near miss: brought in under a running detention
    desk.later(minutes=29)
    assert _keys(desk, "custody.area-without-measure") == set()
    desk.later(minutes=2)
    assert _keys(desk, "custody.area-without-measure") == {f"custody-session:{bare.pk}"}
    finding = desk.findings("custody.area-without-measure")[0]
    assert finding.severity == "red"
    assert finding.evidence[0]["facts"]["measure"] is None
    assert f"custody-session:{held.pk}" not in _keys(desk, "custody.area-without-measure")


def test_a_case_left_with_one_active_handler_is_found(desk):
    w = desk.w
    case = w.case()
    other = w.case(title="另一案")  # the near miss: both handlers active
    assert _keys(desk, "cases.few-handlers") == set()
    # handler2 leaves the force; nobody takes their place on either case.
    Officer.objects.filter(pk=w.handler2.pk).update(is_active=False)
    assert _keys(desk, "cases.few-handlers") == {
        f"case-handlers:{case.pk}",
        f"case-handlers:{other.pk}",
    }
    assert desk.findings("cases.few-handlers")[0].evidence[0]["facts"]["active_handlers"] == 1


def test_a_case_with_no_active_handler_counts_none_and_a_least_of_zero_finds_nothing(desk):
    w = desk.w
    case = w.case()
    Officer.objects.filter(pk__in=[w.handler1.pk, w.handler2.pk]).update(is_active=False)
    check = BY_ID["cases.few-handlers"]
    (found,) = check.find(clock.now(), {"least": 2})
    assert found.key == f"case-handlers:{case.pk}"
    assert found.records[0].facts == {"active_handlers": 0, "status": case.status}
    assert list(check.find(clock.now(), {"least": 0})) == []


def test_a_handler_whose_qualification_lapsed_on_an_open_case_is_found(desk):
    w = desk.w
    case = w.case()
    assert _keys(desk, "cases.handler-unqualified") == set()
    today = clock.now().date()
    # The near miss: valid through today is still valid.
    Officer.objects.filter(pk=w.handler1.pk).update(qualification_valid_until=today)
    assert _keys(desk, "cases.handler-unqualified") == set()
    Officer.objects.filter(pk=w.handler1.pk).update(
        qualification_valid_until=today - timedelta(days=1)
    )
    keys = _keys(desk, "cases.handler-unqualified")
    assert len(keys) == 1
    finding = desk.findings("cases.handler-unqualified")[0]
    assert finding.case_id == case.pk
    assert {r["kind"] for r in finding.evidence} == {"case", "officer"}


def test_a_case_with_no_action_past_its_kinds_days_is_found(desk):
    w = desk.w
    criminal = w.case()
    administrative = w.case(kind="administrative", title="殴打他人案")
    desk.later(days=15, minutes=-1)
    assert _keys(desk, "cases.idle") == set()
    desk.later(minutes=2)  # past 15 days: the administrative case only
    assert {k.split(":")[1] for k in _keys(desk, "cases.idle")} == {str(administrative.pk)}
    desk.later(days=15)  # past 30 days: the criminal case too
    assert {k.split(":")[1] for k in _keys(desk, "cases.idle")} == {
        str(administrative.pk),
        str(criminal.pk),
    }


def test_the_days_of_a_check_are_set_per_installation(desk, settings):
    settings.CASETRAIL_SUPERVISION = {"cases.idle": {"criminal_days": 5}}
    case = desk.w.case()
    desk.later(days=5, minutes=1)
    assert _keys(desk, "cases.idle") == {f"case-idle:{case.pk}:{case.updated_at:%Y%m%d%H%M}"}
    assert desk.findings("cases.idle")[0].params["criminal_days"] == 5
    settings.CASETRAIL_SUPERVISION = {"cases.idle": {"weeks": 2}}
    with pytest.raises(ImproperlyConfigured, match="weeks"):
        desk.sweep()


def _due(rule_id: str, trigger):
    return procedure.compute(rule_id, trigger, pack="cn", calendar=Calendars().of_pack("cn")).due_at


def test_a_case_in_registration_review_past_the_rules_limit_is_found(desk):
    """MPS Opinions 2015, review time limits: three days from the report, a last day on a
    holiday moving to the next working day. The near miss is a minute before the due time."""
    w = desk.w
    incident = w.incident()
    case = w.in_review(incident)
    due = _due("CN-MPS2015-CRIM-REG-REVIEW", incident.received_at)
    desk.traveller.move_to(due - timedelta(minutes=1))
    assert _keys(desk, "cases.registration-review-overdue") == set()
    desk.traveller.move_to(due + timedelta(minutes=1))
    assert _keys(desk, "cases.registration-review-overdue") == {f"registration-review:{case.pk}"}
    finding = desk.findings("cases.registration-review-overdue")[0]
    assert "2015" in finding.basis


def test_a_report_never_decided_past_the_acceptance_review_is_found(desk):
    """MPS Opinions 2015: the acceptance review takes no more than 24 hours (exact)."""
    w = desk.w
    waiting = w.incident()
    decided = w.incident(summary="已受理")  # the near miss: decided in time
    case_actions.decide_incident(
        decided,
        case_actions.IncidentDecisionInput(
            decision="no_case", reason="不属于公安机关管辖", notify_method="当面告知"
        ),
        actor=w.intake,
    )
    due = _due("CN-MPS2015-ADMIN-ACCEPT-24H", waiting.received_at)
    assert due == waiting.received_at + timedelta(hours=24)
    desk.traveller.move_to(due - timedelta(minutes=1))
    assert _keys(desk, "cases.incident-undecided") == set()
    desk.traveller.move_to(due + timedelta(minutes=1))
    assert _keys(desk, "cases.incident-undecided") == {f"incident:{waiting.pk}"}


def _item(desk: Desk, case, **given):
    fields = {
        "kind": "device",
        "basis": "seized",
        "description": "黑色手机一部",
        "found_place": "嫌疑人住处",
        "found_at": clock.now(),
        "legal_basis": "扣押决定书",
    } | given
    return prop_actions.register_item(case, ItemInput(**fields), actor=desk.w.handler1)


def _to_room(desk: Desk, item):
    """The handler who holds it hands it to the room's shelf: pending until confirmed."""
    moved = TransferInput(
        to_kind="room",
        location_id=desk.shelf.pk,
        purpose="入库",
        condition="intact",
        seal_intact=True,
    )
    return prop_actions.send(item, moved, actor=desk.w.handler1)


def test_a_hand_over_nobody_confirmed_within_a_day_is_found(desk):
    w = desk.w
    case = w.case()
    item = _item(desk, case)
    sent = _to_room(desk, item)
    desk.later(hours=23, minutes=59)
    assert _keys(desk, "property.transfer-unconfirmed") == set()
    desk.later(minutes=2)
    assert _keys(desk, "property.transfer-unconfirmed") == {f"property-transfer:{sent.pk}"}


def test_a_property_limit_missed_with_no_account_is_found(desk):
    """MPS Provisions on Administrative Cases art. 110(3): a registered preservation is
    decided within seven days; missed and not accounted for, it is a finding."""
    w = desk.w
    case = w.case(kind="administrative", title="殴打他人案")
    item = _item(desk, case, basis="preserved")
    limit = item.deadlines.get()
    desk.traveller.move_to(limit.due_at - timedelta(minutes=1))
    prop_alerts.sweep()
    assert _keys(desk, "property.limit-missed") == set()
    desk.traveller.move_to(limit.due_at + timedelta(minutes=1))
    prop_alerts.sweep()
    assert _keys(desk, "property.limit-missed") == {f"property-limit:{limit.pk}"}
    assert "110" in desk.findings("property.limit-missed")[0].basis


def test_a_stock_take_difference_nobody_accounted_for_is_found(desk):
    w = desk.w
    case = w.case()
    item = _item(desk, case)
    transfer = _to_room(desk, item)
    from casetrail.property.inputs import AnswerInput

    prop_actions.answer(
        transfer,
        AnswerInput(answer="confirm", condition="intact", seal_intact=True),
        actor=desk.keeper,
    )
    counted = prop_actions.start_stocktake(desk.shelf, actor=desk.keeper)
    assert _keys(desk, "property.stocktake-difference") == set()  # not submitted yet
    prop_actions.reconcile(counted, ScanInput(codes=""), actor=desk.keeper)
    keys = _keys(desk, "property.stocktake-difference")
    assert len(keys) == 1
    finding = desk.findings("property.stocktake-difference")[0]
    assert finding.evidence[0]["facts"]["code"] == item.code
    assert Finding.objects.count() == 1


def _look(officer, person) -> None:
    from casetrail.ledger.record import record_view

    record_view(person, actor=officer, unit_id=officer.unit_id, what="person")


def test_an_officer_opening_more_records_in_an_hour_than_the_agency_allows_is_found(desk, settings):
    settings.CASETRAIL_SUPERVISION = {"access.many-person-views": {"per_hour": 2}}
    w = desk.w
    case = w.case()
    people = [desk.s.suspect(case, name=n) for n in ("甲", "乙", "丙")]
    for person in people[:2]:
        _look(w.handler1, person)
        _look(w.handler1, person)  # the same record twice is one record
    assert _keys(desk, "access.many-person-views") == set()  # two: the limit, not over it
    _look(w.handler1, people[2])
    keys = _keys(desk, "access.many-person-views")
    assert len(keys) == 1
    finding = desk.findings("access.many-person-views")[0]
    assert finding.unit_id == w.station.pk
    assert finding.evidence[0]["facts"]["persons"] == 3
    assert finding.severity == "yellow"


def test_a_look_at_a_persons_record_with_no_link_to_the_officers_cases_is_found(desk):
    w = desk.w
    case = w.case()
    person = desk.s.suspect(case, name="王某")
    # Linked: a handler of the case, the unit's leader, the city's supervisor.
    for officer in (w.handler1, w.leader, w.supervisor):
        _look(officer, person)
    assert _keys(desk, "access.unlinked-person-view") == set()
    # Not: a handler of the station who handles none of the person's cases.
    stranger = make_officer("h7", w.station, Role.CASE_HANDLER)
    _look(stranger, person)
    keys = _keys(desk, "access.unlinked-person-view")
    assert len(keys) == 1
    finding = desk.findings("access.unlinked-person-view")[0]
    assert finding.evidence[0]["id"] == stranger.pk
    assert finding.evidence[0]["facts"]["person"] == person.pk
    # Past the look-back window the look is no longer read, and the finding says the gap went.
    desk.later(hours=49)
    assert desk.sweep().gone >= 1


def _issue(desk: Desk, case, type_id: str, params: dict):
    """A document drafted by the case's handler and approved by every step of its chain."""
    from casetrail.documents import actions as docs
    from casetrail.documents.inputs import DecisionInput, DraftInput

    w = desk.w
    doc = docs.draft_document(case, DraftInput(type_id=type_id, params=params), actor=w.handler1)
    doc = docs.submit_document(doc, actor=w.handler1)
    approvers = {"agency_head": desk.s.head, "legal_reviewer": w.legal, "unit_leader": w.leader}
    while doc.status == "pending":
        role = doc.approval.current_role
        decision = DecisionInput(
            decision="approve", opinion="同意" if role == "legal_reviewer" else ""
        )
        doc = docs.decide_document(doc, decision, actor=approvers[role])
    return doc


def _registered(desk: Desk):
    return desk.w.in_review()


def test_a_case_at_a_stage_whose_document_was_never_issued_is_found(desk):
    """MPS Provisions on Criminal Cases (2020) art. 178: a case is registered on a decision
    to register (立案决定书); a case moved to registered without one is a finding."""
    w = desk.w
    bare = _registered(desk)
    covered = _registered(desk)  # the near miss: its decision is issued before the move
    _issue(desk, covered, "registration_decision", {"legal_ground": "刑法第二百六十四条"})
    for case in (bare, covered):
        case_actions.transition_case(case, case_actions.MoveInput(move="register"), actor=w.leader)
    assert _keys(desk, "documents.stage-without-document") == {
        f"stage-document:{bare.pk}:registration_decision"
    }


def test_a_document_served_late_and_not_accounted_for_is_found(desk):
    """MPS Provisions on Criminal Cases (2020) art. 178: the notice not to register is served
    within three days; missed, it is a finding until somebody accounts for it."""
    from casetrail.documents import alerts as doc_alerts

    w = desk.w
    case = _registered(desk)
    doc = _issue(
        desk,
        case,
        "nonregistration_notice",
        {"reason": "不构成犯罪", "legal_ground": "第一百一十二条"},
    )
    desk.traveller.move_to(doc.service_due_at - timedelta(minutes=1))
    doc_alerts.run_sweep()
    assert _keys(desk, "documents.service-late") == set()
    desk.traveller.move_to(doc.service_due_at + timedelta(minutes=1))
    doc_alerts.run_sweep()
    assert _keys(desk, "documents.service-late") == {f"document-service:{doc.pk}"}
    assert w.station.pk == desk.findings("documents.service-late")[0].unit_id


def test_a_running_measure_with_no_approval_on_record_is_red(desk):
    from casetrail.custody.models import MeasureApproval

    _, _, measure = _suspect_held(desk)  # approved by the agency head, then started
    assert _keys(desk, "custody.measure-unapproved") == set()
    # An approval row changed behind the actions (an import, a repair): no authority left.
    MeasureApproval.objects.filter(measure=measure).update(role="unit_leader")
    assert _keys(desk, "custody.measure-unapproved") == {f"measure-unapproved:{measure.pk}"}
    assert desk.findings("custody.measure-unapproved")[0].severity == "red"
