"""Legal review (法制审核): the decisions the legal department reviews in writing before the
leader decides. MPS Provisions on Administrative Cases arts. 170-171 put the review before an
administrative penalty decision (the catalogue chains it); the agency adds a withdrawal and a
refusal to register (settings.CASETRAIL_LEGAL_REVIEW), and may change that list."""

from __future__ import annotations

import pytest

from casetrail.documents import actions
from casetrail.documents.inputs import DecisionInput
from casetrail.errors import Refused
from tests.documents.conftest import Docs


def test_a_notice_not_to_register_waits_for_the_legal_reviewer_before_the_head(docs: Docs):
    doc = docs.submitted("不予立案通知书")
    assert doc.approval is not None
    assert tuple(doc.approval.chain) == ("legal_reviewer", "agency_head")
    assert doc.approval.current_role == "legal_reviewer"
    # The head cannot decide ahead of the review.
    with pytest.raises(Refused):
        actions.decide_document(doc, DecisionInput(decision="approve"), actor=docs.head)
    # The reviewer's approval is a written opinion.
    with pytest.raises(Refused) as refused:
        actions.decide_document(doc, DecisionInput(decision="approve"), actor=docs.legal)
    assert refused.value.field == "opinion"
    opinion = DecisionInput(decision="approve", opinion="经审核，证据不足，同意不予立案")
    doc = actions.decide_document(doc, opinion, actor=docs.legal)
    assert doc.approval is not None
    assert doc.approval.current_role == "agency_head"
    doc = actions.decide_document(doc, DecisionInput(decision="approve"), actor=docs.head)
    assert doc.status == "issued"
    steps = list(doc.approval.steps.order_by("position").values_list("role", "opinion"))
    assert steps[0] == ("legal_reviewer", "经审核，证据不足，同意不予立案")


def test_the_agency_sets_which_decisions_are_reviewed(docs: Docs, settings):
    settings.CASETRAIL_LEGAL_REVIEW = {"cn": []}
    doc = docs.submitted("不予立案通知书")
    assert doc.approval is not None
    assert tuple(doc.approval.chain) == ("agency_head",)
    settings.CASETRAIL_LEGAL_REVIEW = {"cn": ["seizure_decision"]}
    seizure = docs.submitted("扣押决定书")
    assert seizure.approval is not None
    assert seizure.approval.chain[0] == "legal_reviewer"


def test_a_decision_not_to_punish_keeps_the_catalogues_own_review_once(docs: Docs):
    doc = docs.submitted("不予行政处罚决定书")
    assert doc.approval is not None
    assert tuple(doc.approval.chain) == ("legal_reviewer", "agency_head")
