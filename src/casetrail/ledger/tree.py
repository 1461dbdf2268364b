"""The Merkle tree as the database stores it, and its proofs in O(log n) reads.

Every perfect subtree's hash is stored or follows from few stored ones: level 0 is the
``leaf_hash`` column of `LedgerEntry` (node ``(0, i)`` is the entry with ``seq = i + 1``), levels
4 and above (``LedgerNode.LOWEST_LEVEL``) are `LedgerNode` rows keyed ``level << 56 | index``,
and a node of levels 1 to 3 is computed from the 2, 4 or 8 leaves below it (`fetch`). Only the
*open block* — the entries after the last multiple of 16, which no stored node covers yet —
keeps its nodes of levels 1 to 3 as rows too, until the entry that completes it stores their
level-4 parent and drops them (`block_changes`): so the newest entries are held by stored
hashes as every older one is. Appending an entry writes the nodes its leaf completes, found
with `merkle.CompactRange` loaded from the right edge; a root, an inclusion or a consistency
proof reads the ``O(log n)`` nodes `merkle.*_nodes` names, and at most 15 leaves more, in one
query.

Appends and head signing are serialised by `append_lock`: PostgreSQL's transaction-scoped
advisory lock, and on SQLite the write lock that the ``IMMEDIATE`` transaction mode (see the
settings) takes when the transaction begins. The unique ``seq`` and node keys are the backstop:
a racing writer that slipped past the lock would fail, never leave a gap or a fork.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

from casetrail.ledger import merkle
from casetrail.ledger.errors import TreeStorageError as TreeStorageError  # re-exported
from casetrail.ledger.merkle import CompactRange, Node, NodeAddress, NodeGetter, node_hash
from casetrail.ledger.models import LedgerEntry, LedgerNode

LEVEL_SHIFT = LedgerNode.LEVEL_SHIFT
LOWEST_LEVEL = LedgerNode.LOWEST_LEVEL
BLOCK = 1 << LOWEST_LEVEL  # entries under one node of the lowest stored level
_INDEX_MASK = (1 << LEVEL_SHIFT) - 1
# The highest level the right edge is read at: trees of up to 2**48 (281 trillion) entries.
_TOP_LEVEL = 47

# An arbitrary, fixed key for PostgreSQL's advisory lock that serialises appends.
APPEND_LOCK_KEY = 0x6361_7365_7472_6C  # "casetrl"

# Keys per query when fetching many nodes (well under SQLite's limit on bound variables).
_FETCH_BATCH = 2000


def ledger_cursor() -> CursorWrapper:
    """A cursor for the ledger's own statements. On PostgreSQL it binds parameters on the
    server, so that a statement run again and again (the append's, a proof's) is prepared
    once, per connection, where the settings allow it (`database_config`), instead of being
    planned on every run; Django's own cursors bind on the client and cannot be prepared."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    binding: Any = ServerBindingCursor  # a psycopg cursor class, as Django's own cursors are
    raw = binding(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def node_key(level: int, index: int) -> int:
    """The `LedgerNode` key of node ``(level, index)``, level >= 1."""
    if level < 1 or index < 0 or index > _INDEX_MASK:
        raise ValueError(f"no stored node ({level}, {index})")
    return level << LEVEL_SHIFT | index


def node_address(key: int) -> NodeAddress:
    return key >> LEVEL_SHIFT, key & _INDEX_MASK


_LOCK_SQL = "SELECT pg_advisory_xact_lock(%s)"


def append_lock() -> None:
    """Serialise appends (and head signing) until the end of the current transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("the append lock is taken inside a transaction")
    if connection.vendor == "postgresql":
        with ledger_cursor() as cursor:
            cursor.execute(_LOCK_SQL, [APPEND_LOCK_KEY])
    # SQLite: an IMMEDIATE transaction already holds the database's only write lock.


def tree_size() -> int:
    """The number of entries, which is the tree's size (seqs have no gaps)."""
    with ledger_cursor() as cursor:
        cursor.execute(_statement("size"))
        (last,) = cursor.fetchone()
    return int(last or 0)


@dataclass(frozen=True)
class AppendState:
    """What an append needs, read under the append lock."""

    size: int
    prev_seq: int | None  # the subject's last entry, if it has one
    prev_hash: bytes | None  # and that entry's leaf hash
    edge: CompactRange  # the right edge of the tree of ``size`` entries


def append_state(subject_type: str, subject_id: str) -> AppendState:
    """For an append, under the append lock, in one query: the tree's size, the subject's
    last entry, and the right edge as stored (the last leaf, the open block's nodes of levels
    1 to 3, the nodes above): so a leaf changed behind the ledger's back is never built into
    a new node, and the node that completes its block keeps the change visible."""
    with ledger_cursor() as cursor:
        cursor.execute(_statement("state"), [subject_type, subject_id])
        rows = cursor.fetchall()
    size, prev_seq, prev_hash, found = 0, None, None, {}
    for kind, number, last_seq, value in rows:
        if kind < 0:
            size, prev_seq = int(number), last_seq
            prev_hash = bytes(value) if value is not None else None
        elif kind == 0:
            found[0, int(number) - 1] = bytes(value)
        else:
            found[node_address(int(number))] = bytes(value)
    edge = CompactRange.from_nodes(size, _get(found, computed=False))
    return AppendState(size, prev_seq, prev_hash, edge)


# The hot path (append, proofs) runs plain SQL, built once per shape: table and column names
# come from the models (quoted by the backend), values are always bound parameters. The ORM's
# query building cost more than the queries themselves.
_TEMPLATES = {
    "size": "SELECT MAX({seq}) FROM {entries}",
    # Three parts: (-1, size, the subject's last seq and leaf hash); (0, seq, -, leaf hash) of
    # the last entry if the size is odd; (1, key, -, hash) of the stored right-edge nodes: at
    # each level l >= 1 whose bit is set in the size, node (l, (size >> l) - 1).
    "state": (
        "WITH last AS (SELECT COALESCE(MAX({seq}), 0) AS n FROM {entries}), "
        "levels (l) AS (VALUES {levels}) "
        "SELECT -1, last.n, prev.{seq}, prev.{leaf_hash} FROM last LEFT JOIN "
        "(SELECT {seq}, {leaf_hash} FROM {entries} WHERE {subject_type} = %s AND {subject_id} = %s "
        "ORDER BY {seq} DESC LIMIT 1) prev ON 1 = 1 "
        "UNION ALL SELECT 0, e.{seq}, NULL, e.{leaf_hash} FROM {entries} e, last "
        "WHERE e.{seq} = last.n AND last.n %% 2 = 1 "
        "UNION ALL SELECT 1, nd.{key}, NULL, nd.{hash} FROM last, levels, {nodes} nd "
        "WHERE (last.n >> levels.l) %% 2 = 1 "
        "AND nd.{key} = levels.l * {level_unit} + (last.n >> levels.l) - 1"
    ),
    "leaves": "SELECT 0, {seq} - 1, {leaf_hash} FROM {entries} WHERE {seq} IN ({leaf_marks})",
    "nodes": "SELECT 1, {key}, {hash} FROM {nodes} WHERE {key} IN ({node_marks})",
    "store": "INSERT INTO {nodes} ({key}, {hash}) VALUES {node_rows}",
    "insert_entry": "INSERT INTO {entries} ({entry_columns}) VALUES ({entry_marks})",
    # PostgreSQL: the entry, its nodes and the nodes they replace in one statement.
    "insert_with_nodes": (
        "WITH stored AS (INSERT INTO {nodes} ({key}, {hash}) VALUES {node_rows}) "
        "INSERT INTO {entries} ({entry_columns}) VALUES ({entry_marks})"
    ),
    "insert_with_nodes_dropping": (
        "WITH stored AS (INSERT INTO {nodes} ({key}, {hash}) VALUES {node_rows}), "
        "dropped AS (DELETE FROM {nodes} WHERE {key} IN ({drop_marks})) "
        "INSERT INTO {entries} ({entry_columns}) VALUES ({entry_marks})"
    ),
    "drop": "DELETE FROM {nodes} WHERE {key} IN ({node_marks})",
    "open_block": (
        "SELECT -1, MAX({seq}), NULL FROM {entries} UNION ALL "
        "SELECT 1, {key}, {hash} FROM {nodes} WHERE {key} < {lowest_key}"
    ),
}
_STATEMENTS: dict[tuple[str, str, int, int, int], str] = {}
_ENTRY_FIELDS = LedgerEntry._meta.concrete_fields


def _statement(shape: str, leaves: int = 0, nodes: int = 0, dropped: int = 0) -> str:
    key = (connection.vendor, shape, leaves, nodes, dropped)
    sql = _STATEMENTS.get(key)
    if sql is None:
        sql = _STATEMENTS[key] = _build(shape, leaves, nodes, dropped)
    return sql


def _build(shape: str, leaves: int, nodes: int, dropped: int) -> str:
    q = connection.ops.quote_name
    columns = [str(f.column) for f in LedgerEntry._meta.concrete_fields]
    names = {
        name: q(name) for name in ("seq", "leaf_hash", "subject_type", "subject_id", "key", "hash")
    }
    names |= {
        "entries": q(LedgerEntry._meta.db_table),
        "nodes": q(LedgerNode._meta.db_table),
        "leaf_marks": ", ".join(["%s"] * leaves),
        "node_marks": ", ".join(["%s"] * nodes),
        "node_rows": ", ".join(["(%s, %s)"] * nodes),
        "entry_columns": ", ".join(q(column) for column in columns),
        "entry_marks": ", ".join(["%s"] * len(columns)),
        "levels": ", ".join(f"({level})" for level in range(1, _TOP_LEVEL + 1)),
        "level_unit": str(1 << LEVEL_SHIFT),
        "lowest_key": str(LOWEST_LEVEL << LEVEL_SHIFT),
        "drop_marks": ", ".join(["%s"] * dropped),
    }
    if shape == "fetch":
        parts = [_TEMPLATES["leaves"]] if leaves else []
        parts += [_TEMPLATES["nodes"]] if nodes else []
        return " UNION ALL ".join(parts).format(**names)
    return _TEMPLATES[shape].format(**names)


def fetch(addresses: Iterable[NodeAddress]) -> dict[NodeAddress, bytes]:
    """The hashes of ``addresses``: stored nodes and leaves read in one query per 2,000, nodes
    of levels 1 to 3 computed from their leaves; absent ones are left out."""
    wanted = set(addresses)
    derived = sorted(a for a in wanted if 0 < a[0] < LOWEST_LEVEL)
    read = wanted.difference(derived)
    for level, index in derived:
        read.update((0, leaf) for leaf in range(index << level, (index + 1) << level))
    found = _read(read)
    _derive(found, derived)
    return found


def _read(addresses: Iterable[NodeAddress]) -> dict[NodeAddress, bytes]:
    wanted = sorted(addresses)
    found: dict[NodeAddress, bytes] = {}
    for start in range(0, len(wanted), _FETCH_BATCH):
        batch = wanted[start : start + _FETCH_BATCH]
        seqs = [index + 1 for level, index in batch if level == 0]
        keys = [node_key(level, index) for level, index in batch if level > 0]
        with ledger_cursor() as cursor:
            cursor.execute(_statement("fetch", len(seqs), len(keys)), [*seqs, *keys])
            rows = cursor.fetchall()
        for stored, number, value in rows:
            address = (0, number) if stored == 0 else node_address(number)
            found[address] = bytes(value)
    return found


def _derive(found: dict[NodeAddress, bytes], derived: Iterable[NodeAddress]) -> None:
    """Add to ``found`` the nodes ``derived`` (levels 1 to 3) whose leaves it holds."""
    for level, index in derived:
        hashes = [found.get((0, leaf)) for leaf in range(index << level, (index + 1) << level)]
        if any(value is None for value in hashes):
            continue
        layer = [value for value in hashes if value is not None]
        while len(layer) > 1:
            layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
        found[level, index] = layer[0]


def _get(found: dict[NodeAddress, bytes], *, computed: bool = True) -> NodeGetter:
    """A node callback over ``found``; ``computed``: levels 1 to 3 came from the leaves."""

    def get_node(level: int, index: int) -> bytes:
        try:
            return found[level, index]
        except KeyError:
            raise TreeStorageError(_missing(level, index, computed=computed)) from None

    return get_node


def getter(addresses: Iterable[NodeAddress]) -> NodeGetter:
    """A `merkle` node callback over the hashes of ``addresses`` (fetched at once)."""
    return _get(fetch(addresses))


def _missing(level: int, index: int, *, computed: bool = True) -> str:
    if level == 0:
        return f"the tree needs the leaf of seq {index + 1}, which is not stored"
    first, last = (index << level) + 1, (index + 1) << level
    if level < LOWEST_LEVEL and computed:
        return (
            f"the tree needs node ({level}, {index}), computed from the leaves of seqs "
            f"{first}..{last}, which are not all stored"
        )
    return f"the tree needs node ({level}, {index}) over seqs {first}..{last}, which is not stored"


def root(size: int) -> bytes:
    """The root of the tree of the first ``size`` entries."""
    return merkle.root_from_nodes(size, getter(merkle.root_nodes(size)))


def inclusion_proof(index: int, size: int) -> list[bytes]:
    """The RFC 6962 proof of leaf ``index`` (seq ``index + 1``) in the tree of ``size``."""
    return merkle.inclusion_proof_from_nodes(
        index, size, getter(merkle.inclusion_nodes(index, size))
    )


def inclusion_proofs(indexes: Sequence[int], size: int) -> dict[int, list[bytes]]:
    """Inclusion proofs of many leaves in one tree, their nodes fetched together."""
    plans = {index: merkle.inclusion_nodes(index, size) for index in indexes}
    get_node = getter(address for plan in plans.values() for address in plan)
    return {index: merkle.inclusion_proof_from_nodes(index, size, get_node) for index in plans}


def consistency_proof(size1: int, size2: int) -> list[bytes]:
    """The RFC 6962 proof that the tree of ``size1`` entries is a prefix of the one of ``size2``."""
    return merkle.consistency_proof_from_nodes(
        size1, size2, getter(merkle.consistency_nodes(size1, size2))
    )


def compact_range(size: int) -> CompactRange:
    """The right edge of the stored tree of ``size`` entries: ``popcount(size)`` nodes, those
    of levels 1 to 3 computed from the leaves (the block that was open then may be closed)."""
    return CompactRange.from_nodes(size, getter(merkle.root_nodes(size)))


def open_edge(size: int) -> CompactRange:
    """The right edge of the log as it is now, ``size`` entries, read as stored (the open
    block's nodes of levels 1 to 3 included), for appending to it; see `append_state`."""
    return CompactRange.from_nodes(size, _get(_read(merkle.root_nodes(size)), computed=False))


def _block_of(level: int, index: int) -> int:
    """The block of 16 entries a node of levels 1 to 3 lies in."""
    return index >> (LOWEST_LEVEL - level)


def block_changes(
    nodes: Iterable[Node], before: int, after: int
) -> tuple[list[tuple[int, bytes]], list[int]]:
    """What appends that took the log from ``before`` to ``after`` entries change in the node
    table: the rows to insert (the new nodes of levels 4 and up, and those of levels 1 to 3 in
    the open block of ``after``) and the keys to delete (the levels 1 to 3 of the block that
    was open at ``before``, if these appends completed it)."""
    open_after = after >> LOWEST_LEVEL
    rows = [
        (node_key(n.level, n.index), n.hash)
        for n in nodes
        if n.level >= LOWEST_LEVEL or (n.level > 0 and _block_of(n.level, n.index) == open_after)
    ]
    open_before = before >> LOWEST_LEVEL
    if before % BLOCK == 0 or open_before == open_after:
        return rows, []
    return rows, open_block_keys(open_before)


def open_block_keys(block: int) -> list[int]:
    """The keys of every node of levels 1 to 3 in ``block`` (14 of them)."""
    return [
        node_key(level, index)
        for level in range(1, LOWEST_LEVEL)
        for index in range(block << (LOWEST_LEVEL - level), (block + 1) << (LOWEST_LEVEL - level))
    ]


def store(nodes: Iterable[Node], *, before: int, after: int) -> None:
    """Write what appends from ``before`` to ``after`` entries returned (a loader's many)."""
    rows, dropped = block_changes(nodes, before, after)
    store_rows(rows)
    drop(dropped)


def drop(keys: Sequence[int]) -> None:
    if keys:
        with ledger_cursor() as cursor:
            cursor.execute(_statement("drop", nodes=len(keys)), list(keys))


def store_rows(rows: Sequence[tuple[int, bytes]]) -> None:
    for start in range(0, len(rows), _FETCH_BATCH // 2):
        part = rows[start : start + _FETCH_BATCH // 2]
        with ledger_cursor() as cursor:
            cursor.execute(_statement("store", nodes=len(part)), [v for row in part for v in row])


def insert(entry: LedgerEntry, nodes: Sequence[Node]) -> None:
    """INSERT the new entry row (what ``entry.save()`` would do, at a third of its cost) and
    the nodes its leaf completes, dropping those of the block it completes: on PostgreSQL in
    one statement."""
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _ENTRY_FIELDS]
    rows, dropped = block_changes(nodes, entry.seq - 1, entry.seq)
    with ledger_cursor() as cursor:
        if rows and connection.vendor == "postgresql":
            flat = [v for row in rows for v in row]
            cursor.execute(
                _statement(
                    "insert_with_nodes_dropping" if dropped else "insert_with_nodes",
                    nodes=len(rows),
                    dropped=len(dropped),
                ),
                [*flat, *dropped, *values],
            )
            rows, dropped = [], []
        else:
            cursor.execute(_statement("insert_entry"), values)
    store_rows(rows)
    drop(dropped)
    entry._state.adding = False
    entry._state.db = connection.alias


def size_and_open_block() -> tuple[int, dict[NodeAddress, bytes]]:
    """The log's size and the stored nodes of levels 1 to 3, read in one statement (one
    snapshot, however many appenders run): what `ledger verify` holds the open block to."""
    with ledger_cursor() as cursor:
        cursor.execute(_statement("open_block"))
        rows = cursor.fetchall()
    size, found = 0, {}
    for kind, number, value in rows:
        if kind < 0:
            size = int(number or 0)
        else:
            found[node_address(int(number))] = bytes(value)
    return size, found
