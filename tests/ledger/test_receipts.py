"""A receipt held against today's ledger (`check-receipt --live`): what each change behind the
receipt's back makes it say. test_tamper.py tells the whole stories; these are the rest."""

from __future__ import annotations

import pytest

from casetrail import clock
from casetrail.ledger import heads, merkle, receipts, tree
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.signing import sign_head
from casetrail.ledger.verify import check_receipt
from tests.ledger.test_tamper import sql
from tests.ledger.test_tree import busy_log


@pytest.fixture
def receipt(world, signing_key):
    """The receipt of an incident's intake entry, in a log of more than 16 entries."""
    busy_log(world, cases=1)
    incident = world.incident()
    issued = receipts.receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    assert issued is not None
    assert receipts.check_against_ledger(issued.document(), {}) == []
    return issued


def test_a_subject_without_an_entry_of_that_kind_has_no_receipt(world, signing_key):
    case = world.case()
    assert receipts.receipt_for(case, LedgerKind.INCIDENT_RECORDED) is None


@pytest.mark.parametrize("document", [{}, [], {"head": {}}, {"head": None}])
def test_a_malformed_receipt_is_named_not_a_traceback(db, document):
    (problem,) = receipts.check_against_ledger(document, {})
    assert problem.startswith("malformed receipt: ")


def test_an_entry_whose_chain_is_broken_no_longer_reads_as_the_receipt_shows(receipt):
    sql("UPDATE ledger_ledgerentry SET prev_seq = 999999 WHERE seq = %s", [receipt.seq])
    assert receipts.check_against_ledger(receipt.document(), {}) == [
        f"the ledger's entry seq {receipt.seq} no longer reads as the receipt shows: its fields "
        "were changed behind its unchanged leaf hash"
    ]


def test_a_tree_that_lost_a_node_is_named(receipt):
    level, index = next(
        a for a in merkle.root_nodes(receipt.head.size) if a[0] >= tree.LOWEST_LEVEL
    )
    sql('DELETE FROM ledger_ledgernode WHERE "key" = %s', [tree.node_key(level, index)])
    (problem,) = receipts.check_against_ledger(receipt.document(), {})
    assert problem.startswith(
        f"the ledger's tree is damaged: the tree needs node ({level}, {index}) over seqs "
    )


def test_a_ledger_whose_heads_were_all_removed_cannot_hold_the_receipt(receipt):
    sql("DELETE FROM ledger_signedhead")
    assert receipts.check_against_ledger(receipt.document(), {}) == [
        "the ledger has no signed head to hold the receipt against"
    ]


def test_a_ledger_whose_latest_head_is_older_than_the_receipts_was_cut_back(world, signing_key):
    older = heads.sign_head()
    incident = world.incident()
    receipt = receipts.receipt_for(incident, LedgerKind.INCIDENT_RECORDED)  # signs a new head
    assert receipt is not None
    assert receipt.head.size > older.size
    sql("DELETE FROM ledger_signedhead WHERE size = %s", [receipt.head.size])
    assert receipts.check_against_ledger(receipt.document(), {}) == [
        f"the ledger's latest signed head has {older.size} entries, fewer than the receipt's "
        f"{receipt.head.size}: the log was cut back"
    ]


def test_a_head_of_the_empty_tree_needs_no_consistency_proof(world, signing_key):
    """No proof exists from the empty tree (every tree extends it), so the live check asks for
    none; such a receipt is refused by the offline check, which `check-receipt` runs first."""
    incident = world.incident()
    receipt = receipts.receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    assert receipt is not None
    empty = sign_head(signing_key, size=0, root=merkle.EMPTY_ROOT, timestamp=clock.now())
    document = receipt.document() | {"head": empty.to_dict()}
    assert receipts.check_against_ledger(document, {}) == []
    assert check_receipt(document, heads.public_keys()) == [
        f"seq {receipt.seq}: the inclusion proof does not show the entry in the tree of size 0"
    ]
