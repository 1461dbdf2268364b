"""Merkle tree figures at a million entries: append, proofs, verification, hashing.

    .venv/bin/python benchmarks/ledger_merkle.py [--leaves 1000000] [--samples 5000]

The tree is held as the storage side holds it, one hash per (level, index) perfect subtree,
here in a dict, built with `CompactRange.append`. Proofs are generated through the
``get_node`` callback (a dict lookup, so these are the costs of the algorithm, not of a
database). Prints figures; asserts nothing but its own set-up.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import time
from collections.abc import Callable

from casetrail.ledger.merkle import (
    CompactRange,
    consistency_nodes,
    consistency_proof_from_nodes,
    inclusion_nodes,
    inclusion_proof_from_nodes,
    leaf_hash,
    root_from_nodes,
    verify_consistency,
    verify_inclusion,
)

# A leaf the size of a real entry's canonical JSON (about 250 bytes).
TEMPLATE = (
    '{"action":"CUSTODY_EXTENDED","actor":"officer:%d","at":"2026-03-01T08:%02d:%02d.000000Z",'
    '"payload":{"reason":"further questioning of the suspect","rule":"cn.cpl.91","until":'
    '"2026-03-04T08:00:00.000000Z"},"prev":null,"seq":%d,"subject":"case:2026-%06d","unit":%d}'
)


def make_leaves(n: int) -> list[bytes]:
    return [
        (TEMPLATE % (i % 977, (i // 60) % 60, i % 60, i, i % 50000, i % 300)).encode()
        for i in range(n)
    ]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def spread(samples_ns: list[int]) -> str:
    ordered = sorted(samples_ns)
    median = statistics.median(ordered) / 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000
    worst = ordered[-1] / 1000
    return f"median {median:6.1f} us   p99 {p99:6.1f} us   max {worst:7.1f} us"


def rate(count: float, seconds: float, unit: str) -> str:
    return f"{count / seconds:12,.0f} {unit}/s"


def main() -> None:
    parser = argparse.ArgumentParser(description="Merkle tree figures for the ledger.")
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=5000)
    args = parser.parse_args()
    n, samples = args.leaves, args.samples
    rng = random.Random(6962)

    print(f"ledger merkle benchmark: {n:,} leaves, {samples:,} samples per figure")
    leaves = make_leaves(n)
    size = sum(len(leaf) for leaf in leaves)
    print(f"  leaf data: {size / n:.0f} bytes per leaf, {size / 1e6:.0f} MB in all")

    print("hashing the same bytes (best of 3 runs each, interleaved)")
    sha256 = hashlib.sha256
    raw = hashed = stream = float("inf")
    joined = b"".join(leaves)
    for _ in range(3):
        raw = min(raw, timed(lambda: [sha256(leaf).digest() for leaf in leaves]))
        hashed = min(hashed, timed(lambda: [leaf_hash(leaf) for leaf in leaves]))
        stream = min(stream, timed(lambda: sha256(joined).digest()))
    hashes = [leaf_hash(leaf) for leaf in leaves]
    mbs = size / raw / 1e6
    print(f"  raw hashlib.sha256, one call a leaf  {rate(n, raw, 'leaves')}  {mbs:6.1f} MB/s")
    print(
        f"  leaf_hash, one call a leaf           {rate(n, hashed, 'leaves')}  "
        f"{size / hashed / 1e6:6.1f} MB/s  = {raw / hashed:.2f} of raw"
    )
    print(f"  raw hashlib.sha256 over all bytes    {'':>21}  {size / stream / 1e6:6.1f} MB/s")

    print("appending (CompactRange.append, new nodes into a dict keyed (level, index))")
    nodes: dict[tuple[int, int], bytes] = {}
    edge = CompactRange()

    def build() -> None:
        for leaf in hashes:
            for node in edge.append(leaf):
                nodes[node.level, node.index] = node.hash

    built = timed(build)
    print(f"  {rate(n, built, 'appends')}; {len(nodes):,} nodes, {len(nodes) / n:.3f} a leaf")

    def get_node(level: int, index: int) -> bytes:
        return nodes[level, index]

    root = edge.root()
    assert root_from_nodes(n, get_node) == root

    indices = [rng.randrange(n) for _ in range(samples)]
    made, checked, reads, proofs = [], [], [], []
    for index in indices:
        start = time.perf_counter_ns()
        proof = inclusion_proof_from_nodes(index, n, get_node)
        made.append(time.perf_counter_ns() - start)
        proofs.append(proof)
        reads.append(len(inclusion_nodes(index, n)))
    for index, proof in zip(indices, proofs, strict=True):
        leaf = nodes[0, index]
        start = time.perf_counter_ns()
        ok = verify_inclusion(index, n, leaf, proof, root)
        checked.append(time.perf_counter_ns() - start)
        assert ok
    print(f"inclusion proofs, random leaves of the tree of {n:,}")
    mean = statistics.mean(reads)
    print(f"  generate  {spread(made)}   node reads: mean {mean:.1f}, max {max(reads)}")
    print(f"  verify    {spread(checked)}   proof: {statistics.mean(map(len, proofs)):.1f} hashes")

    pairs = []
    for _ in range(samples):
        size2 = rng.randrange(2, n + 1)
        pairs.append((rng.randrange(1, size2), size2))
    pairs[0] = (rng.randrange(1, n), n)
    roots = {size: root_from_nodes(size, get_node) for pair in pairs for size in pair}
    made, checked, reads, proofs = [], [], [], []
    for size1, size2 in pairs:
        start = time.perf_counter_ns()
        proof = consistency_proof_from_nodes(size1, size2, get_node)
        made.append(time.perf_counter_ns() - start)
        proofs.append(proof)
        reads.append(len(consistency_nodes(size1, size2)))
    for (size1, size2), proof in zip(pairs, proofs, strict=True):
        start = time.perf_counter_ns()
        ok = verify_consistency(size1, size2, proof, roots[size1], roots[size2])
        checked.append(time.perf_counter_ns() - start)
        assert ok
    print(f"consistency proofs, random size pairs up to {n:,}")
    mean = statistics.mean(reads)
    print(f"  generate  {spread(made)}   node reads: mean {mean:.1f}, max {max(reads)}")
    print(f"  verify    {spread(checked)}   proof: {statistics.mean(map(len, proofs)):.1f} hashes")

    timings = []
    for size in (rng.randrange(1, n + 1) for _ in range(samples)):
        start = time.perf_counter_ns()
        root_from_nodes(size, get_node)
        timings.append(time.perf_counter_ns() - start)
    print("root of a random earlier size (root_from_nodes)")
    print(f"  compute   {spread(timings)}")


if __name__ == "__main__":
    main()
