"""A document's life through its actions: drafted from the case, numbered gap-free, approved
step by step on the one engine, issued with its hash in the ledger, corrected, revoked, served.

The approval chains and numbers are those of the cn catalogue (documents/catalogue/cn.toml):
GB/T 9704-2012 7.2.3 for the number (full year in 〔〕, no leading zeros, no 第)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from casetrail import clock
from casetrail.approvals.models import ApprovalStatus
from casetrail.documents import actions, queries
from casetrail.documents.actions import DocumentError
from casetrail.documents.inputs import CorrectionInput, DecisionInput, ReasonInput
from casetrail.documents.models import Document, DocumentStatus
from casetrail.documents.sealing import agency_sealer
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from tests.documents.conftest import PREFIX, Docs, by_title

REGISTER = "立案决定书"  # CPL art. 112; MPS Provisions (2020) art. 178: the agency head approves


def entries(doc: Document, kind: LedgerKind) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(subject_type="document", subject_id=str(doc.pk), action=kind)
    )


def pdf_of(doc: Document) -> bytes:
    doc.refresh_from_db()
    with doc.pdf.open("rb") as handle:
        return handle.read()


def test_a_draft_is_drawn_from_the_case_and_recorded(docs: Docs):
    doc = docs.draft(REGISTER, particulars="经审查，符合立案条件")
    assert doc.status == DocumentStatus.DRAFT
    assert doc.number == ""
    assert doc.serial is None
    assert doc.person == docs.suspect
    assert doc.case == docs.case
    assert doc.agency == docs.world.district  # the nearest unit with a prefix issues
    [entry] = entries(doc, LedgerKind.DOCUMENT_DRAFTED)
    assert "经审查" in entry.payload


def test_submission_takes_the_next_number_of_the_series(docs: Docs):
    first = docs.submitted(REGISTER)
    second = docs.submitted(REGISTER)
    year = clock.today_in("Asia/Shanghai").year
    doc_type = by_title("cn", REGISTER)
    assert (first.serial, second.serial) == (1, 2)
    assert first.number.startswith(PREFIX)
    assert f"{doc_type.series}字〔{year}〕1号" in first.number
    assert second.number.endswith(f"〔{year}〕2号")
    assert "第" not in second.number


def test_a_cancelled_draft_leaves_its_number_void_with_the_reason(docs: Docs):
    first = docs.submitted(REGISTER)
    actions.cancel_document(first, ReasonInput(reason="重复制作"), actor=docs.world.handler1)
    second = docs.submitted(REGISTER)
    assert second.serial == 2  # never reused
    series = list(queries.series(docs.world.district.pk, first.series, first.year or 0))
    assert [(d.serial, d.status) for d in series] == [(1, "void"), (2, "pending")]
    assert series[0].end_reason == "重复制作"
    [voided] = entries(first, LedgerKind.DOCUMENT_VOIDED)
    assert first.number in voided.payload
    first.approval.refresh_from_db()
    assert first.approval.status == ApprovalStatus.WITHDRAWN


def test_a_draft_without_a_number_is_cancelled_without_a_gap(docs: Docs):
    draft = docs.draft(REGISTER)
    actions.cancel_document(draft, ReasonInput(reason="不需要"), actor=docs.world.handler1)
    assert docs.submitted(REGISTER).serial == 1


def test_each_approval_is_its_own_signature_and_the_issue_seals_the_whole_file(docs: Docs):
    doc_type = by_title("cn", REGISTER)
    doc = docs.issued(REGISTER)
    assert doc.status == DocumentStatus.ISSUED
    data = pdf_of(doc)
    assert hashlib.sha256(data).hexdigest() == doc.sha256
    signatures = agency_sealer().check(data)
    assert [s.field for s in signatures] == [
        *(f"approval-1-{n}" for n in range(1, len(doc_type.approval) + 1)),
        "issued",
    ]
    assert all(s.valid for s in signatures)
    [issued] = entries(doc, LedgerKind.DOCUMENT_ISSUED)
    assert doc.sha256 in issued.payload
    assert doc.content_sha256 in issued.payload


def test_nobody_approves_their_own_draft(docs: Docs):
    """The leader drafts; the leader may not approve it, whatever role the step needs."""
    doc = actions.submit_document(
        docs.draft(REGISTER, actor=docs.world.leader), actor=docs.world.leader
    )
    before = LedgerEntry.objects.count()
    with pytest.raises(Refused, match="own draft"):
        actions.decide_document(doc, DecisionInput(decision="approve"), actor=docs.world.leader)
    assert LedgerEntry.objects.count() == before


def test_a_returned_draft_goes_back_with_reasons_and_keeps_its_number(docs: Docs):
    doc = docs.submitted(REGISTER)
    role = doc.approval.current_role
    approver = docs.approver(role)
    with pytest.raises(Refused) as refused:
        actions.decide_document(doc, DecisionInput(decision="return"), actor=approver)
    assert refused.value.field == "opinion"
    doc = actions.decide_document(
        doc, DecisionInput(decision="return", opinion="事实部分不清"), actor=approver
    )
    assert doc.status == DocumentStatus.RETURNED
    number = doc.number
    doc = actions.submit_document(doc, actor=docs.world.handler1)
    assert doc.number == number
    assert doc.approval.round == 2
    doc = docs.approve_all(doc)
    assert doc.status == DocumentStatus.ISSUED
    # The issued file carries the approvals of the second round only.
    assert next(s.field for s in agency_sealer().check(pdf_of(doc))) == "approval-2-1"


def test_an_issued_document_is_corrected_by_a_new_version_never_edited(docs: Docs):
    old = docs.issued(REGISTER, particulars="原文")
    new = actions.correct_document(
        old,
        CorrectionInput(reason="姓名笔误", particulars="更正后的文本"),
        actor=docs.world.handler1,
    )
    assert (new.version, new.supersedes, new.status) == (2, old, DocumentStatus.DRAFT)
    with pytest.raises(DocumentError, match="already drafted"):
        actions.correct_document(old, CorrectionInput(reason="再次"), actor=docs.world.handler1)
    old.refresh_from_db()
    assert old.status == DocumentStatus.ISSUED  # in force until the correction issues
    new = docs.approve_all(actions.submit_document(new, actor=docs.world.handler1))
    old.refresh_from_db()
    assert old.status == DocumentStatus.SUPERSEDED
    assert new.number in old.end_reason
    assert old.particulars == "原文"  # readable as it was
    verdict = queries.public_verdict(sha256=old.sha256)
    assert verdict is not None
    assert verdict.superseded_by == new.number


def test_only_a_leader_revokes_and_the_document_stays_readable(docs: Docs):
    doc = docs.issued(REGISTER)
    with pytest.raises(AccessDenied):
        actions.revoke_document(doc, ReasonInput(reason="错误"), actor=docs.world.handler1)
    doc = actions.revoke_document(doc, ReasonInput(reason="决定错误"), actor=docs.world.leader)
    assert doc.status == DocumentStatus.REVOKED
    assert doc.sha256
    verdict = queries.public_verdict(sha256=doc.sha256)
    assert verdict is not None
    assert verdict.status == "revoked"
    assert verdict.reason == "决定错误"
    with pytest.raises(DocumentError, match="only an issued document"):
        actions.revoke_document(doc, ReasonInput(reason="again"), actor=docs.world.leader)


def test_an_issued_document_is_not_cancelled_and_a_pending_one_not_resubmitted(docs: Docs):
    doc = docs.issued(REGISTER)
    with pytest.raises(DocumentError, match="revoked or corrected"):
        actions.cancel_document(doc, ReasonInput(reason="x"), actor=docs.world.handler1)
    pending = docs.submitted(REGISTER)
    with pytest.raises(DocumentError, match="only a draft is submitted"):
        actions.submit_document(pending, actor=docs.world.handler1)
    with pytest.raises(DocumentError, match="nothing waits"):
        actions.decide_document(doc, DecisionInput(decision="approve"), actor=docs.head)


def test_an_unknown_type_and_a_stranger_measure_are_refused_naming_the_field(docs: Docs):
    from casetrail.documents.inputs import DraftInput

    with pytest.raises(DocumentError) as unknown:
        actions.draft_document(docs.case, DraftInput(type_id="no_such"), actor=docs.world.handler1)
    assert unknown.value.field == "type_id"
    with pytest.raises(DocumentError) as measure:
        actions.draft_document(
            docs.case,
            DraftInput(type_id=by_title("cn", REGISTER).id, measure_id=999),
            actor=docs.world.handler1,
        )
    assert measure.value.field == "measure_id"
    with pytest.raises(DocumentError) as person:
        docs.draft(REGISTER, person_id=docs.world.handler1.pk)
    assert person.value.field == "person_id"


def test_service_records_how_and_the_acknowledgment_with_its_hash(docs: Docs):
    doc = docs.issued(REGISTER)
    service = docs.serve(doc)
    assert service.signature_sha256 == hashlib.sha256(service.signature.read()).hexdigest()
    doc.refresh_from_db()
    assert doc.served_at == service.served_at
    [served] = entries(doc, LedgerKind.DOCUMENT_SERVED)
    assert service.signature_sha256 in served.payload


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"acknowledgment": "signed", "signature": ""}, "signature"),
        ({"acknowledgment": "refused", "signature": ""}, "witness"),
        ({"acknowledgment": "unable", "signature": ""}, "note"),
        ({"signature": "data:image/png;base64,AAAA"}, "signature"),
    ],
)
def test_an_acknowledgment_without_its_proof_is_refused(docs: Docs, given, field):
    doc = docs.issued(REGISTER)
    before = LedgerEntry.objects.count()
    with pytest.raises(DocumentError) as refused:
        docs.serve(doc, **given)
    assert refused.value.field == field
    assert LedgerEntry.objects.count() == before


def test_service_typed_in_the_minute_of_issue_is_not_before_it(docs: Docs, frozen_clock):
    """The page types the time of service to the minute; the issue is recorded to the
    microsecond. Served in the minute it was issued is not "before the document was issued"."""
    frozen_clock.move_to(clock.now() + timedelta(seconds=37, microseconds=289))
    doc = docs.issued(REGISTER)
    assert doc.issued_at.second == 37
    typed = doc.issued_at.replace(second=0, microsecond=0)
    docs.serve(doc, served_at=typed)
    doc.refresh_from_db()
    assert doc.served_at == typed


def test_service_cannot_precede_the_issue_nor_lie_in_the_future(docs: Docs):
    doc = docs.issued(REGISTER)
    with pytest.raises(DocumentError) as early:
        docs.serve(doc, served_at=clock.now() - timedelta(minutes=1))
    assert early.value.field == "served_at"
    with pytest.raises(DocumentError) as future:
        docs.serve(doc, served_at=clock.now() + timedelta(minutes=1))
    assert future.value.field == "served_at"
    with pytest.raises(DocumentError, match="only an issued document is served"):
        docs.serve(docs.submitted(REGISTER))
