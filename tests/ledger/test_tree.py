"""The stored tree: the nodes each append writes, and proofs from them in one query."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.db import connection, transaction

from casetrail.cases import actions
from casetrail.ledger import audit, merkle, tree
from casetrail.ledger.bulk import NewSubjectEntry, append_entries, append_first_entries
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry, LedgerNode, leaf_fields_of
from casetrail.ledger.record import record
from casetrail.ledger.verify import entry_leaf_data

backfill = importlib.import_module("casetrail.ledger.migrations.0002_tree_heads_keys")
compact = importlib.import_module("casetrail.ledger.migrations.0003_compact_rows")


def leaves():
    """The leaf data of every entry, recomputed from the rows: the reference's input."""
    return [entry_leaf_data(f) for f in leaf_fields_of(list(LedgerEntry.objects.order_by("seq")))]


def stored_nodes():
    return {
        tree.node_address(key): bytes(value)
        for key, value in LedgerNode.objects.values_list("key", "hash")
    }


def every_node(data):
    """Every perfect subtree above the leaves, hashed from the leaf data by the O(n) reference."""
    n, nodes, level = len(data), {}, 1
    while 1 << level <= n:
        for index in range(n >> level):
            span = data[index << level : (index + 1) << level]
            nodes[level, index] = merkle.root_hash(span)
        level += 1
    return nodes


def reference_nodes(data):
    """The nodes the table should hold: levels 4 and up, and levels 1 to 3 only in the open
    block (the entries after the last multiple of 16); the rest is computed from the leaves."""
    open_block = len(data) // 16
    return {
        (level, index): value
        for (level, index), value in every_node(data).items()
        if level >= 4 or index >> (4 - level) == open_block
    }


def rebuild_tree():
    """Write the node table afresh from the stored leaf hashes, as appends would have."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgernode")
    hashes = [bytes(h) for h in LedgerEntry.objects.values_list("leaf_hash", flat=True)]
    edge = merkle.CompactRange()
    nodes = [node for value in hashes for node in edge.append(value)]
    tree.store(nodes, before=0, after=len(hashes))


def busy_log(world, *, cases=3):
    """A log with entries of several subjects interleaved."""
    for _ in range(cases):
        case = world.case()
        world.incident()
        actions.add_party(
            case, actions.PartyInput(role="victim", name="王小明"), actor=world.handler1
        )
        actions.transition_case(case, actions.MoveInput(move="start_review"), actor=world.handler1)


def test_each_append_stores_exactly_the_perfect_subtrees_of_the_log(world):
    busy_log(world)
    data = leaves()
    n = len(data)
    assert n > 32
    assert stored_nodes() == reference_nodes(data)
    # Levels 4 and up: one row for every 16 entries, one for every 32, ...; about n / 8; and
    # the complete nodes of levels 1 to 3 among the last n % 16 entries.
    tail = n % 16
    assert LedgerNode.objects.count() == sum(n >> level for level in range(4, 64)) + sum(
        tail >> level for level in (1, 2, 3)
    )


def test_roots_and_proofs_from_storage_match_the_reference_at_every_size(world):
    busy_log(world, cases=2)
    data = leaves()
    n = len(data)
    for size in range(1, n + 1):
        assert tree.root(size) == merkle.root_hash(data[:size])
        for index in range(size):
            assert tree.inclusion_proof(index, size) == merkle.inclusion_proof(data, index, size)
        for first in range(1, size + 1):
            assert tree.consistency_proof(first, size) == merkle.consistency_proof(
                data, first, size
            )


def test_a_proof_is_one_query_however_long_the_log(world, django_assert_num_queries):
    entries = [
        NewSubjectEntry(
            kind=LedgerKind.VIEWED,
            subject_type="probe",
            subject_id=str(i),
            at=datetime(2026, 3, 1, tzinfo=UTC),
            actor_id=None,
            actor_label="loader",
            unit_id=None,
            data={"i": i},
        )
        for i in range(3000)
    ]
    with transaction.atomic():
        append_first_entries(entries)
    n = tree.tree_size()
    with django_assert_num_queries(1):
        proof = tree.inclusion_proof(1234, n)
    assert len(proof) <= 2 * n.bit_length()
    with django_assert_num_queries(1):
        tree.consistency_proof(1001, n)
    with django_assert_num_queries(1):
        tree.root(n)


def record_in_transaction(world):
    with transaction.atomic():
        record(LedgerKind.VIEWED, subject=world.station, actor=None)


def append_statements(world):
    statements = []

    def seen(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(seen):
        record(LedgerKind.VIEWED, subject=world.station, actor=None)
    return [sql for sql in statements if "SAVEPOINT" not in sql]


def test_an_append_costs_two_to_four_statements(world):
    busy_log(world, cases=1)
    postgresql = connection.vendor == "postgresql"

    def append_at(position):
        while tree.tree_size() % 16 != position:
            record_in_transaction(world)
        nodes = LedgerNode.objects.count()
        statements = append_statements(world)
        return statements, LedgerNode.objects.count() - nodes

    # A leaf that completes no node: PostgreSQL's lock (SQLite's is the transaction's own
    # BEGIN IMMEDIATE); the size, the subject's last entry and the right edge in one query;
    # the entry.
    statements, added = append_at(4)
    assert (len(statements), added) == ((3, 0) if postgresql else (2, 0))
    assert statements[-1].startswith("INSERT INTO")
    # One that completes nodes of the open block (here of levels 1 and 2): PostgreSQL writes
    # them in the entry's statement, SQLite after it.
    statements, added = append_at(3)
    assert (len(statements), added) == (3, 2)
    assert statements[-1].startswith("WITH stored AS (INSERT" if postgresql else "INSERT INTO")
    # One that completes the block: its node of level 4 (and any above it) is stored and the
    # 11 nodes of levels 1 to 3 the block kept while open are dropped; on SQLite one
    # statement more.
    statements, added = append_at(15)
    size = tree.tree_size()
    completed = sum(1 for level in range(4, 64) if size % (1 << level) == 0)  # 4, maybe 5...
    assert added == completed - 11
    assert len(statements) == (3 if postgresql else 4)
    assert statements[-1].startswith(
        "WITH stored AS (INSERT" if postgresql else 'DELETE FROM "ledger_ledgernode"'
    )
    assert stored_nodes() == reference_nodes(leaves())


def test_bulk_appends_store_the_same_tree_as_single_appends(world):
    busy_log(world, cases=1)
    entries = [
        NewSubjectEntry(
            kind=LedgerKind.CASE_OPENED,
            subject_type="case",
            subject_id=str(10_000 + i),
            at=datetime(2026, 3, 1, 8, i, tzinfo=UTC),
            actor_id=world.intake.pk,
            actor_label="loader",
            unit_id=world.station.pk,
            data={"number": f"X-{i}"},
        )
        for i in range(37)
    ]
    with transaction.atomic():
        append_first_entries(entries)
    world.case()  # single appends continue the bulk-built tree
    assert stored_nodes() == reference_nodes(leaves())


@pytest.mark.parametrize("extra", range(17))
def test_migrations_0002_then_0003_leave_the_nodes_appends_write(world, extra):
    busy_log(world, cases=2)
    for _ in range(extra):  # every position in the open block
        record_in_transaction(world)
    before = stored_nodes()
    assert before == reference_nodes(leaves())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgernode")
    assert stored_nodes() == {}
    backfill.backfill_nodes(apps, None)  # 0002: every node of level 1 and up, as it then was
    assert stored_nodes() == every_node(leaves())
    with connection.cursor() as cursor:
        cursor.execute(compact.DROP_LOW_NODES)  # 0003
    assert stored_nodes() == before


def test_migration_0003_finds_each_entrys_previous_by_the_hash_it_named(world):
    busy_log(world, cases=2)
    chains = {e.seq: e.prev_seq for e in LedgerEntry.objects.all()}
    assert sum(prev is not None for prev in chains.values()) > 10
    named = {f["seq"]: f["prev"] for f in leaf_fields_of(list(LedgerEntry.objects.all()))}
    forged = max(seq for seq, prev in chains.items() if prev is not None)
    with connection.cursor() as cursor:  # the rows as 0002 left them (rolled back after)
        if connection.vendor == "postgresql":  # fire the deferred foreign-key checks first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE ledger_ledgerentry ADD COLUMN prev_subject_hash BYTEA")
        for seq, prev in named.items():
            value = bytes.fromhex(prev) if prev else None
            if seq == forged:
                value = b"\7" * 32  # a hash no entry has
            cursor.execute(
                "UPDATE ledger_ledgerentry SET prev_subject_hash = %s, prev_seq = NULL "
                "WHERE seq = %s",
                [value, seq],
            )
        cursor.execute(compact.FILL_PREV_SEQ)
        cursor.execute("SELECT seq, prev_seq FROM ledger_ledgerentry")
        filled = dict(cursor.fetchall())
        cursor.execute("ALTER TABLE ledger_ledgerentry DROP COLUMN prev_subject_hash")
    assert filled == chains | {forged: None}
    # The entry that named a hash no entry has keeps no link, and verify says so.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET prev_seq = NULL WHERE seq = %s", [forged])
    report = audit.verify_ledger(checkpoint=False)
    assert (forged, "chain") in {(p.seq, p.check) for p in report.problems}


def test_the_backfill_refuses_a_log_with_a_gap(world):
    busy_log(world, cases=1)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgernode")
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = 5")
    with pytest.raises(RuntimeError, match="seq 6 follows seq 4"):
        backfill.backfill_nodes(apps, None)


def test_a_missing_node_is_named_not_a_key_error(world):
    busy_log(world, cases=1)
    n = tree.tree_size()
    level, index = merkle.root_nodes(n)[0]
    assert level >= tree.LOWEST_LEVEL
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM ledger_ledgernode WHERE key = %s", [tree.node_key(level, index)]
        )
    with pytest.raises(tree.TreeStorageError, match=rf"node \({level}, {index}\) over seqs 1\.\."):
        tree.root(n)


def test_a_missing_leaf_under_a_computed_node_is_named(world):
    busy_log(world, cases=1)
    n = tree.tree_size()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = 3")
    # Leaf 1's proof needs node (1, 1) over seqs 3..4, computed from those two leaves.
    with pytest.raises(
        tree.TreeStorageError,
        match=r"node \(1, 1\), computed from the leaves of seqs 3\.\.4, which are not all stored",
    ):
        tree.inclusion_proof(0, n)


def test_a_missing_leaf_read_as_itself_is_named(world):
    """Leaf 0's proof at size 2 reads leaf 1 itself, not a node above it."""
    world.case()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = 2")
    with pytest.raises(
        tree.TreeStorageError, match=r"^the tree needs the leaf of seq 2, which is not stored$"
    ):
        tree.inclusion_proof(0, 2)


def test_node_keys_round_trip_and_refuse_leaves():
    assert tree.node_address(tree.node_key(5, 12345)) == (5, 12345)
    assert tree.node_key(1, 0) == 1 << 56
    assert tree.node_key(4, 0) == 4 << 56
    with pytest.raises(ValueError, match="no stored node"):
        tree.node_key(0, 5)


@pytest.mark.django_db(transaction=True)
def test_the_append_lock_is_taken_only_inside_a_transaction():
    with pytest.raises(RuntimeError, match="inside a transaction"):
        tree.append_lock()


def test_bulk_appends_are_refused_outside_a_transaction():
    """Refused before any query: outside a transaction the append lock would be let go before
    the entries are written."""
    entry = NewSubjectEntry(
        kind=LedgerKind.VIEWED,
        subject_type="probe",
        subject_id="1",
        at=datetime(2026, 3, 1, tzinfo=UTC),
        actor_id=None,
        actor_label="loader",
        unit_id=None,
        data={},
    )
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="append_entries must run inside a transaction"):
        append_entries([entry])
    with pytest.raises(RuntimeError, match="bulk appends must run inside a transaction"):
        append_first_entries([entry])


def test_bulk_appends_link_each_entry_to_its_subjects_previous_one(world):
    case = world.case()
    opened = LedgerEntry.objects.get(subject_type="case", subject_id=str(case.pk))

    def entry(subject_type, subject_id, i):
        return NewSubjectEntry(
            kind=LedgerKind.VIEWED,
            subject_type=subject_type,
            subject_id=subject_id,
            at=datetime(2026, 3, 1, 9, i, tzinfo=UTC),
            actor_id=None,
            actor_label="importer",
            unit_id=None,
            data={"i": i},
        )

    with transaction.atomic():
        append_entries(
            [entry("case", str(case.pk), 1), entry("probe", "x", 2), entry("case", str(case.pk), 3)]
        )
    chain = list(LedgerEntry.objects.filter(subject_type="case", subject_id=str(case.pk)))
    assert [e.prev_seq for e in chain] == [None, opened.seq, chain[1].seq]
    assert [f["prev"] for f in leaf_fields_of(chain)] == [
        None,
        bytes(opened.leaf_hash).hex(),
        bytes(chain[1].leaf_hash).hex(),
    ]
    assert LedgerEntry.objects.get(subject_type="probe").prev_seq is None
    assert stored_nodes() == reference_nodes(leaves())
    assert audit.verify_ledger().ok
