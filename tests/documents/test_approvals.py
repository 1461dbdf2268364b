"""The one approval engine: every role at every step of a chain, the drafter, the same officer
twice, and the "awaiting my approval" list that gathers documents, measures and case decisions."""

from __future__ import annotations

import pytest

from casetrail.approvals import actions as engine
from casetrail.approvals.inbox import count_for, waiting_for
from casetrail.approvals.models import ApprovalStatus, ApprovalStep
from casetrail.documents import actions
from casetrail.documents.inputs import DecisionInput
from casetrail.errors import Refused
from casetrail.ledger.models import LedgerEntry
from casetrail.org.models import Officer
from casetrail.org.roles import Role
from tests.conftest import make_officer
from tests.documents.conftest import Docs

CHAIN = (Role.UNIT_LEADER, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD)


def one_per_role(docs: Docs) -> dict[str, Officer]:
    station = docs.world.station
    return {role: make_officer(f"m-{role}", station, role) for role in Role.values}


def test_every_role_at_every_step_is_allowed_only_when_it_is_the_steps_role(docs: Docs):
    """A chain of unit leader, legal reviewer, agency head (the 3-step review of MPS Provisions
    (2020) art. 171 for a decision the head signs): at each step only the officer holding that
    step's role decides; everybody else is refused with the role named (by its label, in the
    officer's language) and nothing written."""
    officers = one_per_role(docs)
    approval = engine.open_approval(
        subject_type="test",
        subject_id=1,
        unit=docs.world.station,
        title="matrix",
        case_number="",
        chain=CHAIN,
        actor=docs.world.handler1,
    )
    for position, role in enumerate(CHAIN):
        for other, officer in officers.items():
            if other == role:
                continue
            steps = ApprovalStep.objects.count()
            with pytest.raises(Refused) as refused:
                engine.decide(approval, actor=officer, approve=True, opinion="")
            assert str(Role(role).label) in str(refused.value), (position, other)
            assert ApprovalStep.objects.count() == steps
        step = engine.decide(approval, actor=officers[role], approve=True, opinion="同意")
        assert (step.position, step.role) == (position, role)
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED


def test_one_officer_does_not_decide_two_steps_of_a_round(docs: Docs):
    both = make_officer("both", docs.world.station, Role.UNIT_LEADER, Role.AGENCY_HEAD)
    approval = engine.open_approval(
        subject_type="test",
        subject_id=2,
        unit=docs.world.station,
        title="two hats",
        case_number="",
        chain=(Role.UNIT_LEADER, Role.AGENCY_HEAD),
        actor=docs.world.handler1,
    )
    engine.decide(approval, actor=both, approve=True, opinion="")
    with pytest.raises(Refused, match="earlier step"):
        engine.decide(approval, actor=both, approve=True, opinion="")


def test_an_empty_chain_is_approved_at_once_and_a_closed_one_takes_no_decision(docs: Docs):
    approval = engine.open_approval(
        subject_type="test",
        subject_id=3,
        unit=docs.world.station,
        title="notice",
        case_number="",
        chain=(),
        actor=docs.world.handler1,
    )
    assert approval.status == ApprovalStatus.APPROVED
    with pytest.raises(Refused, match="nothing waits"):
        engine.decide(approval, actor=docs.head, approve=True, opinion="")
    with pytest.raises(Refused, match="only a returned one"):
        engine.reopen(approval)
    assert engine.withdraw(approval).status == ApprovalStatus.APPROVED  # closed stays closed


def test_a_document_step_refused_to_the_wrong_role_writes_nothing(docs: Docs):
    officers = one_per_role(docs)
    doc = docs.submitted("立案决定书")
    waiting = doc.approval.current_role
    for role, officer in officers.items():
        if role == waiting:
            continue
        before = LedgerEntry.objects.count()
        with pytest.raises(Refused) as refused:
            actions.decide_document(doc, DecisionInput(decision="approve"), actor=officer)
        assert refused.value.field == "decision"
        assert LedgerEntry.objects.count() == before
    actions.decide_document(doc, DecisionInput(decision="approve"), actor=officers[waiting])


def test_the_awaiting_list_shows_the_waiting_step_to_its_role_only(docs: Docs):
    doc = docs.submitted("立案决定书")
    role = doc.approval.current_role
    approver = docs.approver(role)
    titles = [w.title for w in waiting_for(approver)]
    assert any(doc.number in t for t in titles)
    assert count_for(approver) == len(waiting_for(approver))
    assert not any(doc.number in w.title for w in waiting_for(docs.world.handler1))
    assert not any(doc.number in w.title for w in waiting_for(docs.world.outsider))
