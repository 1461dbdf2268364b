"""The ledger's rows: how each names itself (admin, shell, logs) and how its key is stored."""

from __future__ import annotations

from django.db import connection

from casetrail.ledger import audit, heads, tree
from casetrail.ledger.models import (
    LedgerCheckpoint,
    LedgerEntry,
    LedgerKey,
    LedgerNode,
    SignedHead,
)
from tests.ledger.test_tree import busy_log


def test_the_seq_and_node_keys_are_the_rowid_on_sqlite_and_a_bigint_elsewhere(db):
    expected = "integer" if connection.vendor == "sqlite" else "bigint"
    for model, name in ((LedgerEntry, "seq"), (LedgerNode, "key")):
        assert model._meta.get_field(name).db_type(connection) == expected


def test_each_row_names_itself(world, signing_key):
    busy_log(world, cases=1)
    heads.sign_head()
    checkpoint = audit.verify_ledger().checkpoint
    assert checkpoint is not None
    entry = LedgerEntry.objects.get(seq=1)
    assert str(entry) == f"#1 {entry.action} {entry.subject_type}:{entry.subject_id}"
    node = LedgerNode.objects.get(key=tree.node_key(4, 1))
    assert (node.level, node.index) == (4, 1)
    assert str(node) == "node (4, 1)"
    assert str(LedgerKey.objects.get()) == f"ledger key {signing_key.key_id[:16]}…"
    head = SignedHead.objects.get()
    assert str(head) == f"head of {head.size} entries at {head.signed_at:%Y-%m-%d %H:%M:%S}"
    assert str(LedgerCheckpoint.objects.get()) == (
        f"verified up to {checkpoint.entries} entries at {checkpoint.verified_at:%Y-%m-%d %H:%M:%S}"
    )
