"""Documents are part of the step: proposing a detention drafts its 拘留证 (CPL art. 82, 85: a
detention is executed on a warrant the agency head approved), the head's decision on the measure
decides and issues it, the detention cannot start before, and the family notice (CPL art. 85(2),
within 24 hours) issues and serves the 拘留通知书."""

from __future__ import annotations

import pytest

from casetrail import clock
from casetrail.custody.actions import (
    decide_measure,
    record_family_notice,
    start_measure,
)
from casetrail.custody.inputs import MeasureDecisionInput, NoticeInput, StartInput
from casetrail.documents import actions
from casetrail.documents.inputs import DecisionInput, ReasonInput
from casetrail.documents.models import Document, DocumentStatus
from casetrail.errors import Refused
from tests.documents.conftest import Docs, by_title, propose_detention


def warrant(measure) -> Document:
    return Document.objects.get(measure=measure, type_id=by_title("cn", "拘留证").id)


def test_proposing_a_detention_submits_its_warrant_for_the_heads_approval(docs: Docs):
    measure = propose_detention(docs)
    doc = warrant(measure)
    assert doc.status == DocumentStatus.PENDING
    assert doc.number
    assert doc.approval.current_role == "agency_head"
    assert doc.approval.follows == f"measure:{measure.pk}"
    # Decided with its measure, not on its own.
    with pytest.raises(Refused, match="decided with its measure"):
        actions.decide_document(doc, DecisionInput(decision="approve"), actor=docs.head)


def test_the_heads_decision_issues_the_warrant_and_the_detention_starts_on_it(docs: Docs):
    measure = propose_detention(docs)
    decide_measure(measure, MeasureDecisionInput(decision="approve"), actor=docs.head)
    doc = warrant(measure)
    assert doc.status == DocumentStatus.ISSUED
    assert doc.sha256
    started = start_measure(measure, StartInput(started_at=clock.now()), actor=docs.world.handler1)
    assert started.status == "running"


def test_a_refused_detention_voids_its_warrant_number(docs: Docs):
    measure = propose_detention(docs)
    decide_measure(
        measure, MeasureDecisionInput(decision="refuse", reason="证据不足"), actor=docs.head
    )
    doc = warrant(measure)
    assert doc.status == DocumentStatus.VOID
    assert "证据不足" in doc.end_reason


def test_a_detention_is_not_started_on_a_warrant_that_is_not_issued(docs: Docs):
    measure = propose_detention(docs)
    decide_measure(measure, MeasureDecisionInput(decision="approve"), actor=docs.head)
    actions.revoke_document(warrant(measure), ReasonInput(reason="搞错"), actor=docs.head)
    with pytest.raises(Refused, match="拘留证") as refused:
        start_measure(measure, StartInput(started_at=clock.now()), actor=docs.world.handler1)
    assert refused.value.field == "status"


def test_the_family_notice_issues_and_serves_the_notice_document(docs: Docs):
    measure = propose_detention(docs)
    decide_measure(measure, MeasureDecisionInput(decision="approve"), actor=docs.head)
    start_measure(measure, StartInput(started_at=clock.now()), actor=docs.world.handler1)
    record_family_notice(
        measure,
        NoticeInput(at=clock.now(), method="phone", recipient="张母", relationship="母亲"),
        actor=docs.world.handler1,
    )
    notice = Document.objects.get(measure=measure, type_id=by_title("cn", "拘留通知书").id)
    assert notice.status == DocumentStatus.ISSUED
    [service] = notice.services.all()
    assert (service.recipient, service.relationship, service.method) == (
        "张母",
        "母亲",
        "electronic",
    )
