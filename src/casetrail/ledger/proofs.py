"""Inclusion and consistency proofs from the stored tree, for the CLI, the API and receipts.

Each result carries what a holder needs to check it offline: the hashes in RFC 6962 order, the
roots they lead to, and the signed head of that size when there is one (a proof against an
unsigned size proves only what the server says today).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from casetrail.errors import Refused
from casetrail.ledger import heads, tree, verify
from casetrail.ledger.models import LedgerEntry, leaf_fields_of
from casetrail.ledger.signing import TreeHead
from casetrail.ledger.verify import leaf_index


class ProofError(Refused):
    """An impossible request (an entry or size the log does not have); names the argument."""


def entry(seq: int) -> LedgerEntry:
    found = LedgerEntry.objects.filter(seq=seq).first()
    if found is None:
        size = tree.tree_size()
        raise ProofError(
            gettext("seq %(seq)s: the log has entries 1..%(size)s") % {"seq": seq, "size": size},
            field="seq",
        )
    return found


def _head_json(head: TreeHead | None) -> dict[str, object] | None:
    return head.to_dict() if head is not None else None


@dataclass(frozen=True)
class Inclusion:
    entry: LedgerEntry
    size: int
    proof: list[bytes]
    root: bytes
    head: TreeHead | None  # a signed head of this very size, if any

    @property
    def seq(self) -> int:
        return int(self.entry.seq)

    def receipt(self) -> dict[str, object] | None:
        """The receipt (`verify.make_receipt`) when the proof is against a signed head."""
        if self.head is None:
            return None
        return verify.make_receipt(leaf_fields_of([self.entry])[0], self.proof, self.head)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "leaf_index": leaf_index(self.seq),
            "size": self.size,
            "leaf_hash": bytes(self.entry.leaf_hash).hex(),
            "root": self.root.hex(),
            "proof": [p.hex() for p in self.proof],
            "head": _head_json(self.head),
            "receipt": self.receipt(),
        }


def inclusion(seq: int, size: int | None = None) -> Inclusion:
    """The proof of entry ``seq`` in the tree of ``size`` entries.

    Without ``size``: against the latest signed head if it includes the entry, else against
    the whole log as it is now (unsigned).
    """
    found = entry(seq)
    head: TreeHead | None
    if size is None:
        head = heads.latest_head()
        if head is None or head.size < seq:
            head, size = None, tree.tree_size()
        else:
            size = head.size
    else:
        _check_size(size, "size")
        if size < seq:
            raise ProofError(
                gettext("size %(size)s: a tree of %(size)s entries has no seq %(seq)s")
                % {"size": size, "seq": seq},
                field="size",
            )
        head = heads.head_of_size(size)
    proof = tree.inclusion_proof(leaf_index(seq), size)
    root = head.root if head is not None else tree.root(size)
    return Inclusion(found, size, proof, root, head)


@dataclass(frozen=True)
class Consistency:
    first: int
    second: int
    proof: list[bytes]
    first_root: bytes
    second_root: bytes
    first_head: TreeHead | None
    second_head: TreeHead | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "first_root": self.first_root.hex(),
            "second_root": self.second_root.hex(),
            "proof": [p.hex() for p in self.proof],
            "first_head": _head_json(self.first_head),
            "second_head": _head_json(self.second_head),
        }


def consistency(first: int, second: int | None = None) -> Consistency:
    """The proof that the log's first ``first`` entries are a prefix of its first ``second``
    (default: the latest signed head's size, or the log's size if none is signed)."""
    if second is None:
        latest = heads.latest_head()
        second = latest.size if latest is not None else tree.tree_size()
    _check_size(first, "first")
    _check_size(second, "second")
    if first < 1:
        raise ProofError(
            gettext("first: a consistency proof from the empty tree proves nothing; use 1 or more"),
            field="first",
        )
    if first > second:
        raise ProofError(
            gettext("first %(first)s is larger than second %(second)s")
            % {"first": first, "second": second},
            field="first",
        )
    return Consistency(
        first,
        second,
        tree.consistency_proof(first, second),
        tree.root(first),
        tree.root(second),
        heads.head_of_size(first),
        heads.head_of_size(second),
    )


def _check_size(size: int, field: str) -> None:
    if size < 0:
        raise ProofError(
            gettext("%(field)s must not be negative: %(size)s") % {"field": field, "size": size},
            field=field,
        )
    have = tree.tree_size()
    if size > have:
        raise ProofError(
            gettext("%(field)s %(size)s: the log has %(have)s entries")
            % {"field": field, "size": size, "have": have},
            field=field,
        )
