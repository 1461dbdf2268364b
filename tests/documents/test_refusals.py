"""What a document refuses, each naming the field: the values a type declares and their kinds,
a person who is not a party, a measure document without its measure, a submission with a
required value missing, a correction of a document not issued, a signature that is not an
image; and the agency's document prefix, which every number is printed under."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casetrail import clock
from casetrail.cases import actions as case_actions
from casetrail.documents import actions, queries
from casetrail.documents.actions import checked_params
from casetrail.documents.catalogue import DocumentType, catalogue
from casetrail.documents.inputs import CorrectionInput, DraftInput
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.models import LedgerEntry
from casetrail.org import actions as org
from casetrail.org.roles import Role, Scope
from tests.conftest import make_officer
from tests.documents.conftest import Docs, by_title

# Types that declare a value of each kind (penalty decision: fine money, detention_days whole;
# criminal summons: appear_at day).
PENALTY = catalogue("cn")["penalty_decision"]
SUMMONS = catalogue("cn")["criminal_summons"]
REQUIRED = {p.name: "x" for p in PENALTY.params if p.required}


def refused(doc_type: DocumentType, given: dict[str, str], *, strict: bool = True) -> Refused:
    with pytest.raises(Refused) as caught:
        checked_params(doc_type, given, strict=strict)
    return caught.value


def test_a_name_the_type_does_not_declare_is_refused_listing_the_ones_it_does():
    error = refused(PENALTY, {**REQUIRED, "bribe": "1"})
    assert error.field == "params.bribe"
    assert "it takes: penalty" in str(error)
    assert "takes no 'x'" in str(refused(catalogue("cn")["seizure_decision"], {"x": "1"}))


def test_a_required_value_is_required_only_when_strict():
    missing = next(p for p in PENALTY.params if p.required)
    assert refused(PENALTY, {}).field == f"params.{missing.name}"
    assert checked_params(PENALTY, {}, strict=False) == {}


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("detention_days", "ten", "whole number"),
        ("detention_days", "-3", "whole number"),
        ("fine", "five hundred", "an amount such as 500"),
        ("fine", "500.001", "an amount such as 500"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_naming_it(name, value, says):
    error = refused(PENALTY, {**REQUIRED, name: value})
    assert error.field == f"params.{name}"
    assert says in str(error)


def test_values_of_each_kind_are_kept_in_one_spelling():
    clean = checked_params(PENALTY, {**REQUIRED, "fine": " 500 ", "detention_days": "10"})
    assert clean["fine"] == "500.00"
    assert clean["detention_days"] == "10"
    day = checked_params(SUMMONS, {"place": "东湖派出所", "appear_at": "2026-01-05"})
    assert day["appear_at"] == "2026-01-05"


def test_a_day_that_is_not_a_date_and_a_value_too_long_are_refused():
    assert "YYYY-MM-DD" in str(refused(SUMMONS, {"place": "所", "appear_at": "2026-02-30"}))
    place = SUMMONS.param("place")
    assert place is not None
    assert place.max_length is not None
    too_long = refused(SUMMONS, {"place": "所" * (place.max_length + 1)})
    assert too_long.field == "params.place"
    assert f"at most {place.max_length}" in str(too_long)


def test_the_person_must_be_a_party_of_the_case(docs: Docs):
    stranger = docs.world.case()
    other = case_actions.add_party(
        stranger, case_actions.PartyInput(role="suspect", name="李四"), actor=docs.world.handler1
    ).person
    before = LedgerEntry.objects.count()
    with pytest.raises(Refused, match="is not a party of case") as caught:
        docs.draft("立案决定书", person_id=other.pk)
    assert caught.value.field == "person_id"
    assert LedgerEntry.objects.count() == before


def test_a_measure_document_is_drafted_with_its_measure_only(docs: Docs):
    with pytest.raises(Refused, match="is drafted with its measure") as caught:
        actions.draft_document(
            docs.case,
            DraftInput(type_id=SUMMONS.id, person_id=docs.suspect.pk, params={"place": "所"}),
            actor=docs.world.handler1,
        )
    assert caught.value.field == "type_id"


def test_a_penalty_decision_is_drafted_alone_for_a_fine_and_issued_and_served(docs: Docs):
    """PSAPL (2012) arts. 91, 96-97: a fine is decided in writing (行政处罚决定书) and served;
    with no administrative detention to draft it with, it is drafted by hand (alone)."""
    penalty = by_title("cn", "行政处罚决定书")
    assert penalty.step == "measure:admin_detention"
    assert penalty.alone
    assert penalty.id in dict(queries.draftable_types("cn", "zh-hans"))
    doc = docs.issued(
        "行政处罚决定书",
        params={
            "penalty": "罚款五百元",
            "legal_basis": "《治安管理处罚法》第四十九条",
            "fine": "500",
        },
    )
    assert doc.status == "issued"
    assert doc.measure is None
    assert doc.service_due_at is not None  # PSAPL: served within two days
    docs.serve(doc)
    doc.refresh_from_db()
    assert doc.served_at is not None


def test_a_draft_missing_a_required_value_is_not_submitted(docs: Docs):
    draft = actions.draft_document(
        docs.case,
        DraftInput(type_id=by_title("cn", "立案决定书").id, person_id=docs.suspect.pk),
        actor=docs.world.handler1,
    )
    with pytest.raises(Refused, match="is required before submission") as caught:
        actions.submit_document(draft, actor=docs.world.handler1)
    assert caught.value.field == "params.legal_ground"
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.number == ""


def test_only_an_issued_document_is_corrected(docs: Docs):
    pending = docs.submitted("立案决定书")
    with pytest.raises(Refused, match="only an issued document is corrected"):
        actions.correct_document(pending, CorrectionInput(reason="笔误"), actor=docs.world.handler1)


def test_a_signature_that_is_not_whole_base64_is_refused(docs: Docs):
    doc = docs.issued("立案决定书")
    with pytest.raises(Refused, match="not valid base64") as caught:
        docs.serve(doc, signature="data:image/png;base64,A")
    assert caught.value.field == "signature"


def test_a_second_service_is_recorded_and_the_first_time_kept(docs: Docs, frozen_clock):
    doc = docs.issued("不予立案通知书")
    first = clock.now()
    docs.serve(doc, recipient="报案人", relationship="报案人")
    frozen_clock.shift(timedelta(hours=2))
    docs.serve(doc, recipient="报案人之妻", relationship="配偶", method="residence")
    doc.refresh_from_db()
    assert doc.served_at == first
    assert doc.services.count() == 2


def test_the_document_prefix_is_set_by_an_administrator_and_recorded(docs: Docs):
    admin = make_officer("adm", docs.world.city, Role.ADMINISTRATOR, scope=Scope.SUBTREE)
    org.set_document_prefix(docs.world.station, prefix=" 江公(东)一所 ", actor=admin)
    docs.world.station.refresh_from_db()
    assert docs.world.station.document_prefix == "江公(东)一所"
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.action == "unit.document_prefix_set"
    with pytest.raises(AccessDenied):
        org.set_document_prefix(docs.world.station, prefix="X", actor=docs.world.leader)


@pytest.mark.parametrize(
    ("prefix", "says"),
    [
        ("江" * 25, "at most 24 characters"),
        ("江公〔东〕", "no brackets"),
        ("江\x07", "no brackets"),
    ],
)
def test_a_prefix_that_would_break_the_number_is_refused(docs: Docs, prefix, says):
    with pytest.raises(Refused, match=says) as caught:
        org.set_document_prefix(docs.world.station, prefix=prefix, actor=None)
    assert caught.value.field == "document_prefix"
