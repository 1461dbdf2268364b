"""Receipts: an entry, its inclusion proof and a signed head that includes it.

A receipt (`verify.make_receipt`) lets its holder prove, offline and for ever, that the entry was
in the log: ``casetrail ledger check-receipt FILE`` or `verify.check_receipt`. The file handed out
wraps the receipt with the public key that signed its head::

    {"receipt": {"format": "casetrail-receipt", "version": 2, "leaf_index": ..., ...},
     "public_key": "<hex>"}

Each receipt names its entry's leaf index (``seq - 1``), so a holder with only the
specification (docs/ledger-spec.md) knows which leaf its proof is for.

The key in the file only says who signed; a holder who wants to know that the *agency* signed
compares its key id with the published one (``GET /api/v1/ledger/keys``) or passes ``--key``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casetrail.ledger import heads, tree, verify
from casetrail.ledger.errors import ChainStorageError
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.models import LedgerEntry, LedgerKey, leaf_fields_of
from casetrail.ledger.record import LedgerSubject, subject_key
from casetrail.ledger.signing import TreeHead


@dataclass(frozen=True)
class Receipt:
    entry: LedgerEntry
    head: TreeHead
    proof: list[bytes]
    public_key: bytes

    @property
    def seq(self) -> int:
        return int(self.entry.seq)

    def document(self) -> dict[str, object]:
        return verify.make_receipt(leaf_fields_of([self.entry])[0], self.proof, self.head)

    def file(self) -> dict[str, Any]:
        """The JSON a holder keeps: the receipt and the public key that signed its head."""
        return {"receipt": self.document(), "public_key": self.public_key.hex()}


def receipt_for_entry(entry: LedgerEntry, *, sign: bool = True) -> Receipt | None:
    """A receipt for ``entry`` against the first head that includes it, signing a head now if
    none does yet; None when no head can be had (no signing key configured)."""
    head = heads.head_including(entry.seq, sign=sign)
    if head is None:
        return None
    proof = tree.inclusion_proof(verify.leaf_index(entry.seq), head.size)
    public = LedgerKey.objects.filter(key_id=head.key_id).values_list("public_key", flat=True)
    return Receipt(entry, head, proof, bytes(public.get()))


def receipt_for(subject: LedgerSubject, kind: LedgerKind, *, sign: bool = True) -> Receipt | None:
    """The receipt of the first ``kind`` entry of ``subject`` (an incident's intake entry)."""
    subject_type, subject_id = subject_key(subject)
    entry = (
        LedgerEntry.objects.filter(subject_type=subject_type, subject_id=subject_id, action=kind)
        .order_by("seq")
        .first()
    )
    if entry is None:
        return None
    return receipt_for_entry(entry, sign=sign)


def _rehash(row: LedgerEntry) -> bytes | None:
    try:
        return leaf_hash(verify.entry_leaf_data(leaf_fields_of([row])[0]))
    except (ValueError, ChainStorageError):
        return None


def check_against_ledger(receipt: object, public_keys: dict[str, bytes]) -> list[str]:
    """What the ledger as stored today says against ``receipt`` (empty if it still agrees).

    A receipt is a signed statement about the past; held against today's log it catches a
    history that was rewritten, cut back or re-signed since it was issued: the entry must still
    be there unchanged, the stored tree must still have the root its head signed, and the
    latest signed head must extend it (an RFC 6962 consistency proof from the stored nodes).
    """
    try:
        fields = receipt if isinstance(receipt, dict) else {}
        head = TreeHead.from_dict(fields["head"])
        seq = int(fields["entry"]["seq"])
        stated = bytes.fromhex(fields["leaf_hash"])
    except (KeyError, TypeError, ValueError) as exc:
        return [f"malformed receipt: {exc}"]
    problems = []
    row = LedgerEntry.objects.filter(seq=seq).first()
    if row is None:
        problems.append(f"the ledger has no entry seq {seq} any more: it was removed")
    elif bytes(row.leaf_hash) != stated:
        problems.append(
            f"the ledger's entry seq {seq} is not the one on the receipt (leaf hash "
            f"{bytes(row.leaf_hash).hex()[:16]}…, the receipt's {stated.hex()[:16]}…): "
            "it was replaced"
        )
    elif _rehash(row) != stated:
        problems.append(
            f"the ledger's entry seq {seq} no longer reads as the receipt shows: its fields "
            "were changed behind its unchanged leaf hash"
        )
    size = tree.tree_size()
    if size < head.size:
        problems.append(
            f"the ledger has {size} entries, but the receipt's head signed {head.size}: "
            f"entries after seq {size} were removed"
        )
        return problems
    try:
        root = tree.root(head.size)
    except tree.TreeStorageError as exc:
        return [*problems, f"the ledger's tree is damaged: {exc}"]
    if root != head.root:
        problems.append(
            f"the ledger's first {head.size} entries no longer have the root the receipt's head "
            "signed: history was rewritten after the receipt was issued"
        )
    latest = heads.latest_head()
    if latest is None:
        problems.append("the ledger has no signed head to hold the receipt against")
        return problems
    keys = {**heads.public_keys(), **public_keys}
    if latest.size >= head.size and head.size > 0:
        proof = tree.consistency_proof(head.size, latest.size)
        for problem in verify.check_head_consistency(head, latest, proof, keys):
            problems.append(f"the ledger's latest head against the receipt's: {problem}")
    elif latest.size < head.size:
        problems.append(
            f"the ledger's latest signed head has {latest.size} entries, fewer than the "
            f"receipt's {head.size}: the log was cut back"
        )
    return problems
