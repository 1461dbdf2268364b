import json
from datetime import UTC, datetime

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from casetrail.cases import actions
from casetrail.ledger.canonical import canonical_json
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.models import LedgerEntry, leaf_fields_of
from casetrail.ledger.record import LedgerOutsideTransaction, leaf_data, record
from casetrail.ledger.signing import format_time
from casetrail.ledger.verify import encode_leaf_values, entry_leaf_data


def test_entries_are_numbered_without_gaps_and_chain_per_subject(world):
    case = world.case()
    actions.transition_case(case, actions.MoveInput(move="start_review"), actor=world.handler1)
    seqs = list(LedgerEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    chain = list(LedgerEntry.objects.filter(subject_type="case", subject_id=str(case.pk)))
    assert [e.action for e in chain] == [LedgerKind.CASE_OPENED, LedgerKind.CASE_TRANSITIONED]
    assert chain[0].prev_seq is None
    assert chain[1].prev_seq == chain[0].seq
    # The row keeps the seq; the leaf hashes the previous entry's leaf hash itself.
    assert leaf_fields_of(chain)[1]["prev"] == bytes(chain[0].leaf_hash).hex()


def test_leaf_hash_is_recomputable_from_the_row(world):
    case = world.case()
    entry = LedgerEntry.objects.get(subject_type="case", subject_id=str(case.pk))
    # Recomputed by the offline verifier's own validating encoder, not by record()'s.
    assert leaf_hash(entry_leaf_data(entry.leaf_fields(None))) == bytes(entry.leaf_hash)
    assert json.loads(entry.payload)["number"] == case.number


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    from tests.conftest import make_unit

    unit = make_unit("T1")
    with pytest.raises(LedgerOutsideTransaction):
        record(LedgerKind.VIEWED, subject=unit, actor=None)


def test_a_refused_action_leaves_neither_row_nor_entry(world):
    before = LedgerEntry.objects.count()
    case = world.case()
    after_open = LedgerEntry.objects.count()
    assert after_open > before
    with pytest.raises(actions.CaseError):
        actions.add_party(case, actions.PartyInput(role="suspect", name=""), actor=world.handler1)
    assert LedgerEntry.objects.count() == after_open


def test_a_write_that_fails_after_its_entry_rolls_the_entry_back(world):
    before = LedgerEntry.objects.count()

    def failing_write():
        with transaction.atomic():
            record(LedgerKind.VIEWED, subject=world.station, actor=None)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_write()
    assert LedgerEntry.objects.count() == before


def test_an_entry_without_an_officer_is_labelled_as_the_system(world):
    from casetrail.ledger.record import actor_label

    assert actor_label(None) == "system"
    assert actor_label(world.handler1) == f"{world.handler1.badge_number} {world.handler1.name}"
    unit_entry = LedgerEntry.objects.get(action="unit.created", subject_id=str(world.station.pk))
    assert unit_entry.actor_label == "system"


leaf_fields = st.fixed_dictionaries(
    {
        "seq": st.integers(min_value=1, max_value=2**53),
        "at": st.datetimes(
            # hypothesis takes naive bounds and attaches the zone it is given
            min_value=datetime(2000, 1, 1),  # noqa: DTZ001
            max_value=datetime(2100, 1, 1),  # noqa: DTZ001
            timezones=st.just(UTC),
        ),
        "actor": st.text(min_size=1, max_size=20),
        "action": st.text(min_size=1, max_size=20),
        "subject": st.text(min_size=1, max_size=20),
        "unit": st.none() | st.integers(min_value=0, max_value=10**9),
        "payload": st.dictionaries(
            st.text(max_size=8), st.text(max_size=8) | st.integers(), max_size=4
        ).map(lambda d: canonical_json(d).decode()),
        "prev": st.none() | st.binary(min_size=32, max_size=32).map(bytes.hex),
    }
)


@given(leaf_fields)
def test_the_fast_encoder_writes_the_verifiers_bytes(fields):
    # record() encodes its own fields without re-validating them; the offline verifier
    # validates and encodes canonically. The two must give the same bytes, or receipts break.
    written = leaf_data(
        seq=fields["seq"],
        at=fields["at"],
        actor=fields["actor"],
        action=fields["action"],
        subject=fields["subject"],
        unit=fields["unit"],
        payload=fields["payload"].encode("utf-8"),
        prev=bytes.fromhex(fields["prev"]) if fields["prev"] else None,
    )
    assert written == entry_leaf_data(fields)
    # ...and verify's quick check, which has the time as text already, gives them too.
    values = {**fields, "at": format_time(fields["at"])}
    assert encode_leaf_values(**values) == entry_leaf_data(fields)
