"""The loop: a finding opened once per instance, rectified by its unit, rejected with reasons
and sent back, rectified again and accepted; escalated up the tree when its deadline passes
(the clock frozen and moved); dismissed only by a supervisor, with reasons; every step an
action with its ledger entry; the inbox showing what the supervision page shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError

from casetrail import clock
from casetrail.approvals.inbox import waiting_for
from casetrail.errors import AccessDenied, NotFound, Refused
from casetrail.ledger.models import LedgerEntry
from casetrail.org.roles import Role, Scope
from casetrail.supervision import actions
from casetrail.supervision.access import access_finding
from casetrail.supervision.checks import BY_ID
from casetrail.supervision.inputs import (
    FindingDismissInput,
    FindingRectifyInput,
    FindingReviewInput,
)
from casetrail.supervision.models import Finding
from casetrail.supervision.queries import to_rectify, to_review
from tests.conftest import make_officer
from tests.supervision.conftest import Desk

IDLE = "cases.idle"


def _idle_finding(desk: Desk, title: str = "电动车被盗案") -> Finding:
    case = desk.w.case(title=title)
    desk.later(days=31)
    desk.sweep()
    return Finding.objects.get(check_id=IDLE, case=case)


def _entries(finding: Finding) -> list[str]:
    rows = LedgerEntry.objects.filter(subject_type="finding", subject_id=str(finding.pk))
    return list(rows.order_by("seq").values_list("action", flat=True))


def test_open_rectify_reject_rectify_accept(desk):
    w = desk.w
    finding = _idle_finding(desk)
    assert finding.status == "open"
    assert finding.unit_id == w.station.pk
    assert finding.due_at == clock.now() + timedelta(days=7)  # yellow: seven days
    actions.rectify(finding, FindingRectifyInput(text="已补充调查，制作询问笔录"), actor=w.handler1)
    with pytest.raises(Refused) as refused:
        actions.review(finding, FindingReviewInput(decision="reject"), actor=w.supervisor)
    assert refused.value.field == "reasons"
    desk.later(days=1)
    actions.review(
        finding, FindingReviewInput(decision="reject", reasons="笔录未附"), actor=w.supervisor
    )
    finding.refresh_from_db()
    assert finding.status == "open"
    assert finding.due_at == clock.now() + timedelta(days=7)  # a new deadline to fix it
    actions.rectify(finding, FindingRectifyInput(text="笔录已附卷"), actor=w.handler2)
    actions.review(finding, FindingReviewInput(decision="accept"), actor=w.supervisor)
    finding.refresh_from_db()
    assert (finding.status, finding.closed_by_id) == ("accepted", w.supervisor.pk)
    assert [s.kind for s in finding.steps.all()] == [
        "rectified",
        "rejected",
        "rectified",
        "accepted",
    ]
    assert _entries(finding) == [
        "finding.opened",
        "finding.rectified",
        "finding.rejected",
        "finding.rectified",
        "finding.accepted",
    ]


def test_a_closed_finding_is_not_opened_again_and_a_live_one_not_twice(desk):
    finding = _idle_finding(desk)
    assert desk.sweep().opened == 0  # the same instance, still live: one finding
    actions.dismiss(
        finding, FindingDismissInput(reasons="案件已中止侦查，另有说明"), actor=desk.w.supervisor
    )
    assert desk.sweep().opened == 0  # dismissed by this version of the check: stays closed
    assert Finding.objects.filter(check_id=IDLE).count() == 1


def test_two_sweepers_opening_the_same_instance_leave_one_finding(desk):
    finding = _idle_finding(desk)
    check = BY_ID[IDLE]
    instance = next(i for i in check.find(clock.now(), check.params()) if i.key == finding.key)
    before = LedgerEntry.objects.count()
    with pytest.raises(IntegrityError):
        actions.open_finding(check, instance, check.params())
    assert LedgerEntry.objects.count() == before
    assert Finding.objects.filter(key=finding.key).count() == 1


def test_a_finding_past_its_deadline_climbs_the_tree_and_stops_at_the_top(desk):
    w = desk.w
    finding = _idle_finding(desk)
    desk.later(days=7, minutes=-1)
    assert desk.sweep().escalated == 0
    desk.later(minutes=2)
    assert desk.sweep().escalated == 1
    finding.refresh_from_db()
    assert (finding.escalated_to_id, finding.escalations) == (w.district.pk, 1)
    assert finding.due_at == clock.now() + timedelta(days=7)
    desk.later(days=7, minutes=1)
    desk.sweep()
    finding.refresh_from_db()
    assert (finding.escalated_to_id, finding.escalations) == (w.city.pk, 2)
    desk.later(days=7, minutes=1)
    assert desk.sweep().escalated == 0  # the city is the top: it stays overdue there
    assert not actions.escalate(finding.pk)  # nor does a direct call lift it past the top
    finding.refresh_from_db()
    assert finding.escalations == 2
    assert finding.due_at < clock.now()
    assert _entries(finding).count("finding.escalated") == 2
    # The city's leader, whose unit now answers for it, may report its rectification.
    city_leader = make_officer("cleader", w.city, Role.UNIT_LEADER)
    actions.rectify(finding, FindingRectifyInput(text="市局督办，已落实"), actor=city_leader)


def test_who_reads_rectifies_reviews_and_dismisses(desk):
    w = desk.w
    finding = _idle_finding(desk)
    # Read: the unit's handlers (owners of a case check), its leader, the city's supervisor.
    for reader in (w.handler1, w.leader, w.supervisor, w.legal):
        assert access_finding(reader, finding.pk) == finding
    # Not: another station's leader, an officer with no grant, the station's custody officer
    # (not an owner of a case check).
    for stranger in (w.outsider, w.nobody, desk.s.custody):
        with pytest.raises(NotFound):
            access_finding(stranger, finding.pk)
    before = LedgerEntry.objects.count()
    with pytest.raises(AccessDenied):
        actions.rectify(finding, FindingRectifyInput(text="x"), actor=w.supervisor)
    with pytest.raises(AccessDenied):
        actions.dismiss(finding, FindingDismissInput(reasons="x"), actor=w.leader)
    actions.rectify(finding, FindingRectifyInput(text="已办理"), actor=w.handler1)
    with pytest.raises(AccessDenied):
        actions.review(finding, FindingReviewInput(decision="accept"), actor=w.leader)
    with pytest.raises(Refused):  # already reported: the next step is the supervisor's
        actions.rectify(finding, FindingRectifyInput(text="again"), actor=w.handler1)
    assert LedgerEntry.objects.count() == before + 1


def test_nobody_reviews_their_own_rectification(desk):
    w = desk.w
    both = make_officer("both", w.station, Role.UNIT_LEADER, Role.SUPERVISOR)
    finding = _idle_finding(desk)
    actions.rectify(finding, FindingRectifyInput(text="已办理"), actor=both)
    with pytest.raises(Refused, match="cannot review"):
        actions.review(finding, FindingReviewInput(decision="accept"), actor=both)
    actions.review(finding, FindingReviewInput(decision="accept"), actor=w.supervisor)


def test_a_closed_finding_takes_no_more_moves(desk):
    w = desk.w
    finding = _idle_finding(desk)
    actions.dismiss(finding, FindingDismissInput(reasons="误报"), actor=w.supervisor)
    for move in (
        lambda: actions.dismiss(finding, FindingDismissInput(reasons="again"), actor=w.supervisor),
        lambda: actions.review(finding, FindingReviewInput(decision="accept"), actor=w.supervisor),
        lambda: actions.rectify(finding, FindingRectifyInput(text="x"), actor=w.handler1),
    ):
        with pytest.raises(Refused):
            move()
    assert not actions.escalate(finding.pk)
    assert not actions.mark_gone(finding.pk)


def test_empty_reasons_and_text_are_refused_naming_the_field():
    for make, field in (
        (lambda: FindingRectifyInput(text="  "), "text"),
        (lambda: FindingDismissInput(reasons=""), "reasons"),
        (lambda: FindingReviewInput(decision="maybe"), "decision"),
    ):
        with pytest.raises(Refused) as refused:
            make()
        assert refused.value.field == field


def test_the_inbox_shows_what_waits_on_each_side(desk):
    w = desk.w
    finding = _idle_finding(desk)
    assert list(to_rectify(w.handler1)) == [finding]
    assert list(to_review(w.supervisor)) == []
    assert any(
        item.url.endswith(f"/supervision/findings/{finding.pk}/")
        for item in waiting_for(w.handler1)
    )
    actions.rectify(finding, FindingRectifyInput(text="已办理"), actor=w.handler1)
    assert list(to_rectify(w.handler1)) == []
    assert list(to_review(w.supervisor)) == [finding]
    # A supervisor of the other district sees nothing of this station.
    other = make_officer("osup", w.other_station, Role.SUPERVISOR, scope=Scope.SUBTREE)
    assert list(to_review(other)) == []
