"""The Merkle tree as the database stores it, and its proofs in O(log n) reads.

Every perfect subtree is a row: level 0 is the ``leaf_hash`` column of `LedgerEntry` (node
``(0, i)`` is the entry with ``seq = i + 1``), levels 1 and above are `LedgerNode` rows keyed
``level << 56 | index``. Appending an entry writes the nodes its leaf completes, found with
`merkle.CompactRange` loaded from the ``popcount(n)`` right-edge nodes; a root, an inclusion or a
consistency proof reads the ``O(log n)`` nodes `merkle.*_nodes` names, in one query.

Appends and head signing are serialised by `append_lock`: PostgreSQL's transaction-scoped
advisory lock, and on SQLite the write lock that the ``IMMEDIATE`` transaction mode (see the
settings) takes when the transaction begins. The unique ``seq`` and node keys are the backstop:
a racing writer that slipped past the lock would fail, never leave a gap or a fork.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from casetrail.ledger import merkle
from casetrail.ledger.errors import TreeStorageError as TreeStorageError  # re-exported
from casetrail.ledger.merkle import CompactRange, Node, NodeAddress, NodeGetter
from casetrail.ledger.models import LedgerEntry, LedgerNode

LEVEL_SHIFT = LedgerNode.LEVEL_SHIFT
_INDEX_MASK = (1 << LEVEL_SHIFT) - 1

# An arbitrary, fixed key for PostgreSQL's advisory lock that serialises appends.
APPEND_LOCK_KEY = 0x6361_7365_7472_6C  # "casetrl"

# Keys per query when fetching many nodes (well under SQLite's limit on bound variables).
_FETCH_BATCH = 2000


def node_key(level: int, index: int) -> int:
    """The `LedgerNode` key of node ``(level, index)``, level >= 1."""
    if level < 1 or index < 0 or index > _INDEX_MASK:
        raise ValueError(f"no stored node ({level}, {index})")
    return level << LEVEL_SHIFT | index


def node_address(key: int) -> NodeAddress:
    return key >> LEVEL_SHIFT, key & _INDEX_MASK


def append_lock() -> None:
    """Serialise appends (and head signing) until the end of the current transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("the append lock is taken inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_KEY])
    # SQLite: an IMMEDIATE transaction already holds the database's only write lock.


def tree_size() -> int:
    """The number of entries, which is the tree's size (seqs have no gaps)."""
    with connection.cursor() as cursor:
        cursor.execute(_statement("size"))
        (last,) = cursor.fetchone()
    return int(last or 0)


def append_state(subject_type: str, subject_id: str) -> tuple[int, bytes | None]:
    """For an append, in one query: the tree's size and the subject's last leaf hash."""
    with connection.cursor() as cursor:
        cursor.execute(_statement("state"), [subject_type, subject_id])
        last, prev = cursor.fetchone()
    return int(last or 0), (bytes(prev) if prev is not None else None)


# The hot path (append, proofs) runs plain SQL, built once per shape: table and column names
# come from the models (quoted by the backend), values are always bound parameters. The ORM's
# query building cost more than the queries themselves.
_TEMPLATES = {
    "size": "SELECT MAX({seq}) FROM {entries}",
    "state": (
        "SELECT (SELECT MAX({seq}) FROM {entries}), "
        "(SELECT {leaf_hash} FROM {entries} WHERE {subject_type} = %s AND {subject_id} = %s "
        "ORDER BY {seq} DESC LIMIT 1)"
    ),
    "leaves": "SELECT 0, {seq} - 1, {leaf_hash} FROM {entries} WHERE {seq} IN ({leaf_marks})",
    "nodes": "SELECT 1, {key}, {hash} FROM {nodes} WHERE {key} IN ({node_marks})",
    "store": "INSERT INTO {nodes} ({key}, {hash}) VALUES {node_rows}",
    "insert_entry": "INSERT INTO {entries} ({entry_columns}) VALUES ({entry_marks}){returning}",
}
_STATEMENTS: dict[tuple[str, str, int, int], str] = {}


def _statement(shape: str, leaves: int = 0, nodes: int = 0) -> str:
    key = (connection.vendor, shape, leaves, nodes)
    sql = _STATEMENTS.get(key)
    if sql is None:
        sql = _STATEMENTS[key] = _build(shape, leaves, nodes)
    return sql


def _build(shape: str, leaves: int, nodes: int) -> str:
    q = connection.ops.quote_name
    columns = [str(f.column) for f in LedgerEntry._meta.concrete_fields if not f.primary_key]
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
        "returning": " RETURNING " + q(str(LedgerEntry._meta.pk.column)) if leaves else "",
    }
    if shape == "fetch":
        parts = [_TEMPLATES["leaves"]] if leaves else []
        parts += [_TEMPLATES["nodes"]] if nodes else []
        return " UNION ALL ".join(parts).format(**names)
    return _TEMPLATES[shape].format(**names)


def fetch(addresses: Iterable[NodeAddress]) -> dict[NodeAddress, bytes]:
    """The stored hashes of ``addresses``, in one query per 2,000; absent nodes are left out."""
    wanted = sorted(set(addresses))
    found: dict[NodeAddress, bytes] = {}
    for start in range(0, len(wanted), _FETCH_BATCH):
        batch = wanted[start : start + _FETCH_BATCH]
        seqs = [index + 1 for level, index in batch if level == 0]
        keys = [node_key(level, index) for level, index in batch if level > 0]
        if not batch:
            continue
        with connection.cursor() as cursor:
            cursor.execute(_statement("fetch", len(seqs), len(keys)), [*seqs, *keys])
            rows = cursor.fetchall()
        for stored, number, value in rows:
            address = (0, number) if stored == 0 else node_address(number)
            found[address] = bytes(value)
    return found


def getter(addresses: Iterable[NodeAddress]) -> NodeGetter:
    """A `merkle` node callback over the stored hashes of ``addresses`` (fetched at once)."""
    fetched = fetch(addresses)

    def get_node(level: int, index: int) -> bytes:
        try:
            return fetched[level, index]
        except KeyError:
            raise TreeStorageError(_missing(level, index)) from None

    return get_node


def _missing(level: int, index: int) -> str:
    if level == 0:
        return f"the tree needs the leaf of seq {index + 1}, which is not stored"
    first, last = (index << level) + 1, (index + 1) << level
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
    """The right edge of the stored tree of ``size`` entries: ``popcount(size)`` reads."""
    return CompactRange.from_nodes(size, getter(merkle.root_nodes(size)))


def store(nodes: Iterable[Node]) -> None:
    """Write the new nodes an append returned; level 0 is the entry's own leaf hash."""
    rows = [(node_key(n.level, n.index), n.hash) for n in nodes if n.level > 0]
    for start in range(0, len(rows), _FETCH_BATCH // 2):
        part = rows[start : start + _FETCH_BATCH // 2]
        with connection.cursor() as cursor:
            cursor.execute(_statement("store", nodes=len(part)), [v for row in part for v in row])


def insert_entry(entry: LedgerEntry) -> None:
    """INSERT the new entry row (what ``entry.save()`` would do, at a third of its cost)."""
    fields = [f for f in LedgerEntry._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    returning = connection.features.can_return_columns_from_insert
    with connection.cursor() as cursor:
        cursor.execute(_statement("insert_entry", leaves=int(returning)), values)
        entry.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    entry._state.adding = False
    entry._state.db = connection.alias
