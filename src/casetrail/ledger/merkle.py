"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification.

Hashing is that of Certificate Transparency (RFC 9162 section 2.1.1)::

    leaf_hash(d)    = SHA-256(0x00 || d)
    node_hash(l, r) = SHA-256(0x01 || l || r)
    MTH([])         = SHA-256()                       (the empty tree)
    MTH(D[n])       = node_hash(MTH(D[0:k]), MTH(D[k:n]))   k = largest power of two < n

Proofs are lists of 32-byte hashes, ordered from the leaf towards the root, exactly as
RFC 9162 sections 2.1.3 (inclusion) and 2.1.4 (consistency) define them, so any RFC 6962
verifier (transparency-dev/merkle, the CT libraries) accepts what this module produces.

There are two ways to produce them:

* from the leaf data in memory: `root_hash`, `inclusion_proof`, `consistency_proof`. These
  rehash the leaves and cost O(n); they are the reference and suit small trees and tests;
* from stored nodes: `root_from_nodes`, `inclusion_proof_from_nodes`,
  `consistency_proof_from_nodes`. They read O(log n) nodes through a callback.

Verification (`verify_inclusion`, `verify_consistency`) needs only the proof and the roots,
and returns False, never raises, on anything malformed.

Node addressing
---------------

The stored tree is the set of its *perfect* subtrees. A node is addressed by
``(level, index)``:

* level 0 holds the leaf hashes: node ``(0, i)`` is ``leaf_hash`` of leaf ``i`` (0-based);
* node ``(L, i)`` is the root of the perfect subtree over leaves
  ``[i * 2**L, (i + 1) * 2**L)``, that is ``node_hash((L-1, 2i), (L-1, 2i+1))``;
* node ``(L, i)`` exists in a tree of ``n`` leaves iff ``(i + 1) * 2**L <= n``. Once it exists it
  never changes, so a row ``(level, index, hash)`` is written once and never updated, and the
  rows serve every tree size at once.

A tree of 6 leaves stores these nodes; its root is not stored, it is recomputed::

                 root(6) = node_hash((2,0), (1,2))
                /                          \\
            (2,0)                          (1,2)
           /     \\                        /    \\
       (1,0)     (1,1)                 (0,4)  (0,5)
       /  \\      /  \\
    (0,0) (0,1) (0,2) (0,3)

Appending leaf ``n`` writes ``(0, n)``, then one parent per level for as long as the new node is
a right child (its index is odd): at most ``log2(n) + 1`` rows, two per leaf on average
(`CompactRange.append`). A node that is not perfect (the right edge of a tree whose size is not
a power of two) is never stored: it is the right fold of at most ``log2(n)`` stored nodes.

The ``*_nodes`` functions (`root_nodes`, `inclusion_nodes`, `consistency_nodes`) name, in
order, the addresses a computation will read, so storage can fetch them in one query and pass
``lambda level, index: fetched[level, index]`` as the callback.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# A proof never needs more than one hash per level; 64 levels cover 2**64 leaves.
_MAX_PROOF_LENGTH = 2 * 64

NodeAddress = tuple[int, int]
"""``(level, index)``: see "Node addressing" in the module docstring."""

NodeGetter = Callable[[int, int], bytes]
"""``get_node(level, index)`` returns the 32-byte hash of a stored perfect subtree."""


@dataclass(slots=True)
class Node:
    """A perfect-subtree hash to store: the row ``(level, index, hash)``. Not frozen: a
    frozen dataclass costs three times as much to make, and a verify of the whole log makes
    two for every entry. Nothing changes one once made."""

    level: int
    index: int
    hash: bytes


# --- hashing ------------------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


# --- from the leaves in memory (the reference, O(n)) -------------------------------------------


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """The root of the tree over ``leaves`` (leaf data, not hashes)."""
    return _range_hash([leaf_hash(data) for data in leaves], 0, len(leaves))


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """The proof that leaf ``index`` is in the tree of the first ``size`` leaves (RFC 9162 PATH)."""
    _check_size(size, len(leaves))
    _check_index(index, size)
    hashes = [leaf_hash(data) for data in leaves[:size]]
    return _path(hashes, index, 0, size)


def consistency_proof(leaves: Sequence[bytes], size1: int, size2: int) -> list[bytes]:
    """The proof that the first ``size1`` leaves are a prefix of the first ``size2`` (RFC 9162).

    A proof from the empty tree is refused, as transparency-dev/merkle refuses it: every tree
    extends the empty one, so such a proof proves nothing.
    """
    _check_sizes(size1, size2, len(leaves))
    hashes = [leaf_hash(data) for data in leaves[:size2]]
    return _subproof(hashes, size1, 0, size2, complete=True)


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _range_hash(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH of the leaf hashes ``hashes[lo:hi]``, one level at a time."""
    if lo == hi:
        return EMPTY_ROOT
    level = list(hashes[lo:hi])
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])  # the right edge is promoted, as MTH's split implies
        level = paired
    return level[0]


def _path(hashes: Sequence[bytes], m: int, lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]) with ``m`` relative to ``lo``."""
    if hi - lo == 1:
        return []
    k = _split(hi - lo)
    if m < k:
        return [*_path(hashes, m, lo, lo + k), _range_hash(hashes, lo + k, hi)]
    return [*_path(hashes, m - k, lo + k, hi), _range_hash(hashes, lo, lo + k)]


def _subproof(hashes: Sequence[bytes], m: int, lo: int, hi: int, *, complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], complete) with ``m`` relative to ``lo``."""
    if m == hi - lo:
        return [] if complete else [_range_hash(hashes, lo, hi)]
    k = _split(hi - lo)
    if m <= k:
        return [
            *_subproof(hashes, m, lo, lo + k, complete=complete),
            _range_hash(hashes, lo + k, hi),
        ]
    return [
        *_subproof(hashes, m - k, lo + k, hi, complete=False),
        _range_hash(hashes, lo, lo + k),
    ]


# --- from stored nodes (O(log n) reads) ---------------------------------------------------------

# A plan lists, per proof hash, the stored nodes whose right fold is that hash.
_Plan = list[list[NodeAddress]]


def root_nodes(size: int) -> list[NodeAddress]:
    """The stored nodes `root_from_nodes` reads for a tree of ``size`` leaves, left to right.

    They are also the right edge that `CompactRange` keeps: one node per bit set in ``size``.
    """
    _check_count("size", size)
    return _cover(0, size)


def inclusion_nodes(index: int, size: int) -> list[NodeAddress]:
    """The stored nodes `inclusion_proof_from_nodes` reads."""
    _check_count("size", size)
    _check_index(index, size)
    return _flatten(_inclusion_plan(index, size))


def consistency_nodes(size1: int, size2: int) -> list[NodeAddress]:
    """The stored nodes `consistency_proof_from_nodes` reads."""
    _check_sizes(size1, size2, None)
    return _flatten(_consistency_plan(size1, size2))


def root_from_nodes(size: int, get_node: NodeGetter) -> bytes:
    """The root of the tree of ``size`` leaves, from ``popcount(size)`` stored nodes."""
    _check_count("size", size)
    if size == 0:
        return EMPTY_ROOT
    return _fold(_cover(0, size), get_node)


def inclusion_proof_from_nodes(index: int, size: int, get_node: NodeGetter) -> list[bytes]:
    """`inclusion_proof` computed from stored nodes: at most ``2 * log2(size)`` reads.

    ``get_node`` is only asked for nodes that exist in the tree of ``size`` leaves.
    """
    _check_count("size", size)
    _check_index(index, size)
    return [_fold(group, get_node) for group in _inclusion_plan(index, size)]


def consistency_proof_from_nodes(size1: int, size2: int, get_node: NodeGetter) -> list[bytes]:
    """`consistency_proof` computed from stored nodes: at most ``2 * log2(size2)`` reads."""
    _check_sizes(size1, size2, None)
    return [_fold(group, get_node) for group in _consistency_plan(size1, size2)]


def _cover(lo: int, hi: int) -> list[NodeAddress]:
    """The perfect subtrees covering leaves ``[lo, hi)``, left to right, largest first.

    Only for the ranges the RFC recursion produces, where ``lo`` is a multiple of a power of
    two at least ``hi - lo``: then the subtrees follow the binary digits of ``hi - lo`` and
    their right fold is MTH of the range.
    """
    cover = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        cover.append((level, lo >> level))
        lo += 1 << level
    return cover


def _inclusion_plan(index: int, size: int) -> _Plan:
    """PATH(index, D[0:size]) as node addresses, walked from the root down, then reversed."""
    plan = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            plan.append(_cover(mid, hi))
            hi = mid
        else:
            plan.append(_cover(lo, mid))
            lo = mid
    plan.reverse()
    return plan


def _consistency_plan(size1: int, size2: int) -> _Plan:
    """PROOF(size1, D[0:size2]) as node addresses, walked from the root down, then reversed."""
    plan = []
    lo, hi, m, complete = 0, size2, size1, True
    while m != hi - lo:
        mid = lo + _split(hi - lo)
        if m <= mid - lo:
            plan.append(_cover(mid, hi))
            hi = mid
        else:
            plan.append(_cover(lo, mid))
            m -= mid - lo
            lo = mid
            complete = False
    if not complete:
        plan.append(_cover(lo, hi))
    plan.reverse()
    return plan


def _flatten(plan: _Plan) -> list[NodeAddress]:
    return [address for group in plan for address in group]


def _fold(group: Sequence[NodeAddress], get_node: NodeGetter) -> bytes:
    """The right fold of the nodes in ``group``: n0 . (n1 . (... . nk))."""
    hashes = [_fetch(get_node, level, index) for level, index in group]
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _fetch(get_node: NodeGetter, level: int, index: int) -> bytes:
    value = get_node(level, index)
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise ValueError(f"node ({level}, {index}) is not a {HASH_SIZE}-byte hash: {value!r:.80}")
    return value


# --- appending ----------------------------------------------------------------------------------


class CompactRange:
    """The right edge of a growing tree: the hashes of the nodes `root_nodes(size)` names.

    It is all an appender needs: `append` returns the new nodes to store and the root follows
    from the edge alone. Load it from storage with `from_nodes` (``popcount(size)`` reads).
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        _check_count("size", size)
        edge = list(hashes)
        if len(edge) != size.bit_count():
            raise ValueError(
                f"a tree of {size} leaves has {size.bit_count()} right-edge nodes, not {len(edge)}"
            )
        for value in edge:
            if not isinstance(value, bytes) or len(value) != HASH_SIZE:
                raise ValueError(f"right-edge node is not a {HASH_SIZE}-byte hash: {value!r:.80}")
        self._size = size
        self._hashes = edge

    @classmethod
    def from_nodes(cls, size: int, get_node: NodeGetter) -> CompactRange:
        """The right edge of the stored tree of ``size`` leaves."""
        return cls(size, [_fetch(get_node, level, index) for level, index in root_nodes(size)])

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The right-edge hashes, left (largest subtree) to right."""
        return tuple(self._hashes)

    def append(self, leaf: bytes) -> list[Node]:
        """Add the leaf with hash ``leaf``; return the nodes to store, the leaf first.

        Takes the leaf *hash*, so the caller hashes the leaf data exactly once.
        """
        if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes: {leaf!r:.80}")
        index = self._size
        new = [Node(0, index, leaf)]
        value, level = leaf, 0
        while index & 1:  # a right child: its left sibling is the last node of the edge
            value = node_hash(self._hashes.pop(), value)
            level, index = level + 1, index >> 1
            new.append(Node(level, index, value))
        self._hashes.append(value)
        self._size += 1
        return new

    def root(self) -> bytes:
        """The root of the tree of `size` leaves."""
        if not self._hashes:
            return EMPTY_ROOT
        result = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            result = node_hash(left, result)
        return result


# --- verification -------------------------------------------------------------------------------


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf ``index`` with hash ``leaf_hash`` in the tree (size, root).

    RFC 9162 section 2.1.3.2. False, never an exception, on malformed arguments.
    """
    hashes = _hash_list(proof)
    if hashes is None or not (_is_hash(leaf_hash) and _is_hash(root)):
        return False
    if not (_is_count(index) and _is_count(size) and index < size):
        return False
    fn, sn, result = index, size - 1, leaf_hash
    for p in hashes:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(p, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(result, root)


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> bool:
    """Whether ``proof`` shows the tree (size1, root1) is a prefix of the tree (size2, root2).

    RFC 9162 section 2.1.4.2. Equal sizes need an empty proof and equal roots; size 0 is only
    consistent with itself, with the empty tree's root (a proof from the empty tree proves
    nothing, see `consistency_proof`). False, never an exception, on malformed arguments.
    """
    hashes = _hash_list(proof)
    if hashes is None or not (_is_hash(root1) and _is_hash(root2)):
        return False
    if not (_is_count(size1) and _is_count(size2) and size1 <= size2):
        return False
    if size1 == size2:
        same = not hashes and hmac.compare_digest(root1, root2)
        return same and (size1 > 0 or hmac.compare_digest(root1, EMPTY_ROOT))
    if size1 == 0 or not hashes:
        return False
    if size1 & (size1 - 1) == 0:  # size1 is a power of two: its root is the proof's seed
        hashes = [root1, *hashes]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first = second = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first = node_hash(c, first)
            second = node_hash(c, second)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            second = node_hash(second, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(first, root1) and hmac.compare_digest(second, root2)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _hash_list(proof: object) -> list[bytes] | None:
    """``proof`` as a list of 32-byte hashes, or None if it is not one."""
    if not isinstance(proof, Sequence) or isinstance(proof, str | bytes | bytearray):
        return None
    if len(proof) > _MAX_PROOF_LENGTH:
        return None
    hashes = list(proof)
    if not all(_is_hash(p) for p in hashes):
        return None
    return hashes


# --- argument checks for the generators ---------------------------------------------------------


def _check_count(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative: {value}")


def _check_size(size: int, available: int) -> None:
    _check_count("size", size)
    if size > available:
        raise ValueError(f"size {size} is beyond the {available} leaves given")


def _check_index(index: int, size: int) -> None:
    _check_count("index", index)
    if index >= size:
        raise ValueError(f"index {index} is outside the tree of size {size}")


def _check_sizes(size1: int, size2: int, available: int | None) -> None:
    _check_count("size1", size1)
    _check_count("size2", size2)
    if available is not None and size2 > available:
        raise ValueError(f"size2 {size2} is beyond the {available} leaves given")
    if size1 > size2:
        raise ValueError(f"size1 {size1} is larger than size2 {size2}")
    if size1 == 0:
        raise ValueError(
            "a consistency proof from the empty tree proves nothing; size1 must be > 0"
        )
