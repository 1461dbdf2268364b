"""Service deadlines: a notice not to register is served on the complainant within three days
(MPS Provisions on Criminal Cases art. 178(2); CN-MPS178-NONREG-NOTICE-3D), warned about, marked
missed and kept on the lists until accounted for; a request for approval of arrest (CPL art.
91(1) and (2), CN-CPL91-ARREST-REQUEST) runs on the detention's own clock, which custody
already tracks and flags, so the documents sweep leaves it alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casetrail import clock
from casetrail.custody.actions import decide_measure, start_measure
from casetrail.custody.inputs import MeasureDecisionInput, StartInput
from casetrail.documents import actions, alerts
from casetrail.documents.inputs import ServiceAccountInput
from casetrail.documents.models import Document
from casetrail.errors import Refused
from casetrail.ledger.models import LedgerEntry
from tests.documents.conftest import Docs, propose_detention

NONREG = "不予立案通知书"


def _kinds(doc: Document) -> list[str]:
    return list(
        LedgerEntry.objects.filter(subject_type="document", subject_id=str(doc.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_an_unserved_notice_is_warned_then_missed_then_accounted_for(docs: Docs, frozen_clock):
    doc = docs.issued(NONREG)
    issued_at = clock.now()
    assert doc.service_rule == "CN-MPS178-NONREG-NOTICE-3D"
    assert doc.service_due_at is not None
    assert doc.service_warn_at is not None
    # Three days: the due moment is the end of the third day after issue, never before it.
    assert doc.service_due_at >= issued_at + timedelta(days=3)
    assert doc.service_due_at < issued_at + timedelta(days=5)
    with pytest.raises(Refused, match="only a missed service") as early:
        actions.account_for_service(
            doc, ServiceAccountInput(account="x"), actor=docs.world.handler1
        )
    assert early.value.field == "account"

    assert alerts.run_sweep() == 0
    frozen_clock.move_to(doc.service_warn_at)
    assert alerts.run_sweep() == 1
    assert alerts.run_sweep() == 0  # warned once
    frozen_clock.move_to(doc.service_due_at + timedelta(seconds=1))
    assert alerts.run_sweep() == 1
    assert alerts.run_sweep() == 0  # missed once
    doc.refresh_from_db()
    assert doc.service_missed_at == doc.service_due_at + timedelta(seconds=1)

    accounted = actions.account_for_service(
        doc, ServiceAccountInput(account="报案人外出，电话未接通"), actor=docs.world.handler1
    )
    assert accounted.service_account == "报案人外出，电话未接通"
    with pytest.raises(Refused, match="only a missed service"):
        actions.account_for_service(
            doc, ServiceAccountInput(account="再次"), actor=docs.world.handler1
        )
    assert _kinds(doc)[-3:] == [
        "document.service_warned",
        "document.service_missed",
        "document.service_accounted",
    ]


def test_a_notice_served_in_time_is_never_flagged(docs: Docs, frozen_clock):
    doc = docs.issued(NONREG)
    docs.serve(doc, recipient="报案人", relationship="报案人")
    frozen_clock.move_to(doc.service_due_at + timedelta(days=1))
    assert alerts.run_sweep() == 0
    doc.refresh_from_db()
    assert doc.service_missed_at is None


def test_the_arrest_request_runs_on_the_detentions_own_deadline(docs: Docs, frozen_clock):
    measure = propose_detention(docs)
    decide_measure(measure, MeasureDecisionInput(decision="approve"), actor=docs.head)
    start_measure(measure, StartInput(started_at=clock.now()), actor=docs.world.handler1)
    duty = measure.deadlines.get(rule_id="CN-CPL91-ARREST-REQUEST")
    frozen_clock.shift(timedelta(hours=30))  # the request is drafted a day later
    doc = docs.issued("提请批准逮捕书", measure_id=measure.pk, person_id=None)
    assert doc.person_id == measure.person_id  # drafted with the measure: its person
    # Its deadline is the detention's, counted from the detention, not from the issue.
    assert doc.service_rule == "CN-CPL91-ARREST-REQUEST"
    assert doc.service_due_at == duty.due_at
    assert doc.service_citation == duty.citation
    # Custody's sweep flags the duty; the documents sweep does not flag it a second time.
    frozen_clock.move_to(duty.due_at + timedelta(hours=1))
    assert alerts.run_sweep() == 0
    doc.refresh_from_db()
    assert doc.service_missed_at is None
