"""Ledger rows. Append-only: entries and tree nodes are written only by
``casetrail.ledger.record.record`` and ``casetrail.ledger.bulk``; heads, keys and checkpoints only
by ``casetrail.ledger.heads`` and ``casetrail.ledger.audit``. Nothing here is ever updated or
deleted. docs/ledger.md describes the layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from casetrail.ledger.errors import ChainStorageError
from casetrail.ledger.signing import TreeHead


class RowidKeyField(models.BigIntegerField):  # type: ignore[type-arg]
    """A 64-bit integer primary key. On SQLite it is declared ``integer`` so that it is the
    table's rowid itself and costs no separate index; elsewhere it is a bigint."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class LedgerEntry(models.Model):
    """One entry of the log. ``seq`` is its key and its position: the tree's leaf ``seq - 1``.

    The entry's leaf hashes, besides its own fields, the leaf hash of the subject's previous
    entry; the row keeps only that entry's ``prev_seq`` (the hash is its ``leaf_hash``), so the
    subject's chain costs an integer, not a second hash (`leaf_fields_of`).
    """

    seq = RowidKeyField(primary_key=True, help_text="1-based position; no gaps, no duplicates")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=120, help_text="who acted, as shown when recorded")
    action = models.CharField(max_length=64, help_text="a LedgerKind value")
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    unit_id = models.BigIntegerField(null=True, blank=True)
    payload = models.TextField(help_text="canonical JSON of the entry's data")
    leaf_hash = models.BinaryField(max_length=32)
    prev_seq = models.BigIntegerField(
        null=True, blank=True, help_text="the subject's previous entry, whose leaf hash it names"
    )

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "seq"]),
            # The looks at records, by time, for supervision's access checks: a partial index,
            # so the entries that record an action carry no extra bytes for it.
            models.Index(
                fields=["at"], name="ledger_viewed_at", condition=models.Q(action="viewed")
            ),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledger_seq_1")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id}"

    @property
    def subject(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"

    def leaf_fields(self, prev_hash: bytes | None) -> dict[str, Any]:
        """The eight fields the entry's leaf hashes (`casetrail.ledger.verify.entry_leaf_data`),
        given the leaf hash of entry ``prev_seq`` (`leaf_fields_of` looks it up)."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor_label,
            "action": self.action,
            "subject": self.subject,
            "unit": self.unit_id,
            "payload": self.payload,
            "prev": prev_hash.hex() if prev_hash is not None else None,
        }


def leaf_fields_of(entries: Sequence[LedgerEntry]) -> list[dict[str, Any]]:
    """The leaf fields of ``entries``, their previous entries' hashes read in one query."""
    known = {e.seq: bytes(e.leaf_hash) for e in entries}
    missing = {e.prev_seq for e in entries if e.prev_seq is not None} - known.keys()
    if missing:
        rows = LedgerEntry.objects.filter(seq__in=missing).values_list("seq", "leaf_hash")
        known |= {seq: bytes(value) for seq, value in rows}
    fields = []
    for e in entries:
        if e.prev_seq is not None and e.prev_seq not in known:
            raise ChainStorageError(
                f"entry {e.seq} names seq {e.prev_seq} as its previous, which is not in the log"
            )
        fields.append(e.leaf_fields(known[e.prev_seq] if e.prev_seq is not None else None))
    return fields


class LedgerNode(models.Model):
    """The hash of one perfect subtree of the Merkle tree, at level ``LOWEST_LEVEL`` or above.

    ``key`` packs the node's address: ``level << 56 | index`` (`casetrail.ledger.tree.node_key`).
    Level 0, the leaves, is not stored here: node ``(0, i)`` is the ``leaf_hash`` of the entry
    with ``seq = i + 1``. Levels 1 to 3 are not stored either: each such node is the root of at
    most 8 consecutive leaves and `casetrail.ledger.tree` computes it from them, which saves
    seven node rows in eight for at most 15 more leaf reads a proof. A node is written once, in
    the transaction of the entry that completes its subtree, and never changes.
    """

    key = RowidKeyField(primary_key=True, help_text="level << 56 | index")
    hash = models.BinaryField(max_length=32)

    LEVEL_SHIFT: ClassVar[int] = 56
    LOWEST_LEVEL: ClassVar[int] = 4

    def __str__(self) -> str:
        return f"node ({self.level}, {self.index})"

    @property
    def level(self) -> int:
        return int(self.key) >> self.LEVEL_SHIFT

    @property
    def index(self) -> int:
        return int(self.key) & ((1 << self.LEVEL_SHIFT) - 1)


class LedgerKey(models.Model):
    """A public key that signs (or signed) tree heads. Kept after rotation, for verification."""

    LEDGER_SUBJECT: ClassVar[str] = "ledger_key"

    key_id = models.CharField(max_length=64, unique=True, help_text="hex SHA-256 of the key")
    public_key = models.BinaryField(max_length=32, help_text="raw Ed25519 public key")
    registered_at = models.DateTimeField()

    class Meta:
        ordering = ["registered_at", "id"]

    def __str__(self) -> str:
        return f"ledger key {self.key_id[:16]}…"


class SignedHead(models.Model):
    """A signed tree head: the ledger had ``size`` entries with Merkle root ``root``."""

    size = models.BigIntegerField()
    root = models.BinaryField(max_length=32)
    signed_at = models.DateTimeField()
    key = models.ForeignKey(
        LedgerKey,
        on_delete=models.PROTECT,
        to_field="key_id",
        db_column="key_id",
        related_name="heads",
    )
    signature = models.BinaryField(max_length=64)

    class Meta:
        ordering = ["size", "signed_at", "id"]
        indexes = [models.Index(fields=["size", "signed_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(size__gte=0), name="head_size_0")]

    def __str__(self) -> str:
        return f"head of {self.size} entries at {self.signed_at:%Y-%m-%d %H:%M:%S}"

    def tree_head(self) -> TreeHead:
        return TreeHead(
            size=self.size,
            root=bytes(self.root),
            timestamp=self.signed_at,
            key_id=self.key_id,
            signature=bytes(self.signature),
        )


class LedgerCheckpoint(models.Model):
    """A head that `casetrail ledger verify` found to hold, with everything before it;
    ``verify --resume`` starts from the latest one."""

    LEDGER_SUBJECT: ClassVar[str] = "ledger_checkpoint"

    head = models.ForeignKey(SignedHead, on_delete=models.PROTECT, related_name="+")
    entries = models.BigIntegerField(help_text="entries verified: the log's size then")
    verified_at = models.DateTimeField()
    resumed = models.BooleanField(help_text="an incremental run from an earlier checkpoint")

    class Meta:
        ordering = ["verified_at", "id"]

    def __str__(self) -> str:
        return f"verified up to {self.entries} entries at {self.verified_at:%Y-%m-%d %H:%M:%S}"
