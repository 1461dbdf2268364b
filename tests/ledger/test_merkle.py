import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    Node,
    consistency_nodes,
    consistency_proof,
    consistency_proof_from_nodes,
    inclusion_nodes,
    inclusion_proof,
    inclusion_proof_from_nodes,
    leaf_hash,
    node_hash,
    root_from_nodes,
    root_hash,
    root_nodes,
    verify_consistency,
    verify_inclusion,
)

VECTORS = json.loads((Path(__file__).parent / "data" / "rfc6962_vectors.json").read_text())
LEAVES = [bytes.fromhex(leaf) for leaf in VECTORS["leaves"]]
ROOTS = {int(size): bytes.fromhex(root) for size, root in VECTORS["roots"].items()}


def unhex(proof):
    return [bytes.fromhex(p) for p in proof]


# A stored tree, built once through the incremental API, and the leaves it holds.
DATA = [b"leaf %d" % i for i in range(5000)]


def build_nodes(leaves):
    edge, nodes = CompactRange(), {}
    for data in leaves:
        for node in edge.append(leaf_hash(data)):
            nodes[node.level, node.index] = node.hash
    return nodes


NODES = build_nodes(DATA)


def getter(size, nodes=NODES, reads=None):
    """A get_node for the tree of ``size`` leaves that refuses nodes outside that tree."""

    def get_node(level, index):
        assert (index + 1) << level <= size, f"read ({level}, {index}) outside size {size}"
        if reads is not None:
            reads.append((level, index))
        return nodes[level, index]

    return get_node


def reference_mth(hashes):
    """RFC 9162 section 2.1.1 transcribed literally, to check the module's own MTH."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(reference_mth(hashes[:k]), reference_mth(hashes[k:]))


# --- published RFC 6962 vectors ----------------------------------------------------------------


def test_the_empty_tree_hashes_to_sha256_of_nothing():
    assert root_hash([]) == EMPTY_ROOT == ROOTS[0]
    assert CompactRange().root() == EMPTY_ROOT
    assert root_from_nodes(0, getter(0)) == EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_roots_of_the_reference_tree_match_the_published_roots(size):
    nodes = build_nodes(LEAVES)
    assert root_hash(LEAVES[:size]) == ROOTS[size]
    assert root_from_nodes(size, getter(size, nodes)) == ROOTS[size]
    edge = CompactRange()
    for data in LEAVES[:size]:
        edge.append(leaf_hash(data))
    assert edge.root() == ROOTS[size]


def test_stored_nodes_are_the_published_complete_subtree_hashes():
    nodes = build_nodes(LEAVES)
    published = {
        (level, index): bytes.fromhex(value)
        for level, row in enumerate(VECTORS["nodes"])
        for index, value in enumerate(row)
    }
    assert nodes == published


@pytest.mark.parametrize("vector", VECTORS["inclusion"], ids=lambda v: f"{v['index']}-{v['size']}")
def test_inclusion_proofs_match_the_published_vectors(vector):
    index, size, proof = vector["index"], vector["size"], unhex(vector["proof"])
    assert inclusion_proof(LEAVES, index, size) == proof
    assert inclusion_proof_from_nodes(index, size, getter(size, build_nodes(LEAVES))) == proof
    assert verify_inclusion(index, size, leaf_hash(LEAVES[index]), proof, ROOTS[size])


@pytest.mark.parametrize(
    "vector", VECTORS["consistency"], ids=lambda v: f"{v['size1']}-{v['size2']}"
)
def test_consistency_proofs_match_the_published_vectors(vector):
    size1, size2, proof = vector["size1"], vector["size2"], unhex(vector["proof"])
    assert consistency_proof(LEAVES, size1, size2) == proof
    assert consistency_proof_from_nodes(size1, size2, getter(size2, build_nodes(LEAVES))) == proof
    assert verify_consistency(size1, size2, proof, ROOTS[size1], ROOTS[size2])


SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def inclusion_probes(index, size, leaf, proof, root):
    """The corruptions transparency-dev's verifier tests try; none may verify."""
    probes = {
        "index - 1": (index - 1, size, leaf, proof, root),
        "index + 1": (index + 1, size, leaf, proof, root),
        "index ^ 2": (index ^ 2, size, leaf, proof, root),
        "size * 2": (index, size * 2, leaf, proof, root),
        "size // 2": (index, size // 2, leaf, proof, root),
        "wrong leaf": (index, size, leaf_hash(b"WrongLeaf"), proof, root),
        "empty root": (index, size, leaf, proof, EMPTY_ROOT),
        "some root": (index, size, leaf, proof, SOME_HASH),
        "trailing garbage": (index, size, leaf, [*proof, b""], root),
        "trailing root": (index, size, leaf, [*proof, root], root),
        "preceding garbage": (index, size, leaf, [b"", *proof], root),
        "preceding root": (index, size, leaf, [root, *proof], root),
    }
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes[f"proof[{i}] bit 3 flipped"] = (index, size, leaf, flipped, root)
    if proof:
        probes["last removed"] = (index, size, leaf, proof[:-1], root)
    if len(proof) > 1:
        probes["inserted"] = (index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], root)
    return probes


@pytest.mark.parametrize("vector", VECTORS["inclusion"], ids=lambda v: f"{v['index']}-{v['size']}")
def test_corrupted_published_inclusion_proofs_do_not_verify(vector):
    index, size, proof = vector["index"], vector["size"], unhex(vector["proof"])
    probes = inclusion_probes(index, size, leaf_hash(LEAVES[index]), proof, ROOTS[size])
    accepted = [name for name, args in probes.items() if verify_inclusion(*args)]
    assert accepted == []


def consistency_probes(size1, size2, proof, root1, root2):
    probes = {
        "size1 - 1": (size1 - 1, size2, proof, root1, root2),
        "size1 + 1": (size1 + 1, size2, proof, root1, root2),
        "size1 ^ 2": (size1 ^ 2, size2, proof, root1, root2),
        "size2 * 2": (size1, size2 * 2, proof, root1, root2),
        "size2 // 2": (size1, size2 // 2, proof, root1, root2),
        "wrong root1": (size1, size2, proof, SOME_HASH, root2),
        "wrong root2": (size1, size2, proof, root1, SOME_HASH),
        "swapped roots": (size1, size2, proof, root2, root1),
        "empty proof": (size1, size2, [], root1, root2),
        "trailing garbage": (size1, size2, [*proof, b""], root1, root2),
        "trailing root1": (size1, size2, [*proof, root1], root1, root2),
        "trailing root2": (size1, size2, [*proof, root2], root1, root2),
        "preceding garbage": (size1, size2, [b"", *proof], root1, root2),
        "preceding root1": (size1, size2, [root1, *proof], root1, root2),
        "preceding root2": (size1, size2, [root2, *proof], root1, root2),
        "preceding proof[0]": (size1, size2, [proof[0], *proof], root1, root2),
        "last removed": (size1, size2, proof[:-1], root1, root2),
    }
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes[f"proof[{i}] bit 4 flipped"] = (size1, size2, flipped, root1, root2)
    return probes


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS["consistency"] if v["proof"]],
    ids=lambda v: f"{v['size1']}-{v['size2']}",
)
def test_corrupted_published_consistency_proofs_do_not_verify(vector):
    size1, size2, proof = vector["size1"], vector["size2"], unhex(vector["proof"])
    probes = consistency_probes(size1, size2, proof, ROOTS[size1], ROOTS[size2])
    accepted = [name for name, args in probes.items() if verify_consistency(*args)]
    assert accepted == []


# --- the edge cases of consistency --------------------------------------------------------------


def test_equal_sizes_are_consistent_with_an_empty_proof_and_equal_roots():
    assert verify_consistency(3, 3, [], ROOTS[3], ROOTS[3])
    assert not verify_consistency(3, 3, [], ROOTS[3], ROOTS[4])
    assert not verify_consistency(3, 3, [ROOTS[3]], ROOTS[3], ROOTS[3])


def test_the_empty_tree_is_consistent_only_with_itself():
    assert verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    assert not verify_consistency(0, 0, [], SOME_HASH, SOME_HASH)
    assert not verify_consistency(0, 1, [], EMPTY_ROOT, ROOTS[1])
    assert not verify_consistency(0, 1, [ROOTS[1]], EMPTY_ROOT, ROOTS[1])


def test_sizes_going_backwards_are_never_consistent():
    assert not verify_consistency(2, 1, [], ROOTS[2], ROOTS[1])
    assert not verify_consistency(
        8, 6, unhex(VECTORS["consistency"][2]["proof"]), ROOTS[8], ROOTS[6]
    )


# --- impossible requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "size", "message"),
    [
        (8, 8, "outside the tree of size 8"),
        (0, 0, "outside the tree of size 0"),
        (0, 9, "beyond the 8 leaves"),
        (-1, 8, "must not be negative"),
        (0, -1, "must not be negative"),
    ],
)
def test_impossible_inclusion_proofs_are_refused(index, size, message):
    with pytest.raises(ValueError, match=message):
        inclusion_proof(LEAVES, index, size)
    if size <= 8:
        with pytest.raises(ValueError, match=message):
            inclusion_proof_from_nodes(index, size, getter(8, build_nodes(LEAVES)))


@pytest.mark.parametrize(
    ("size1", "size2", "message"),
    [
        (0, 3, "from the empty tree"),
        (0, 0, "from the empty tree"),
        (6, 3, "larger than size2"),
        (1, 9, "beyond the 8 leaves"),
        (-1, 3, "must not be negative"),
        (1, -3, "must not be negative"),
    ],
)
def test_impossible_consistency_proofs_are_refused(size1, size2, message):
    with pytest.raises(ValueError, match=message):
        consistency_proof(LEAVES, size1, size2)
    if size2 <= 8:
        with pytest.raises(ValueError, match=message):
            consistency_proof_from_nodes(size1, size2, getter(8, build_nodes(LEAVES)))


def test_non_integer_positions_are_a_type_error():
    with pytest.raises(TypeError, match="index must be an int"):
        inclusion_proof(LEAVES, 1.0, 4)
    with pytest.raises(TypeError, match="size must be an int"):
        root_from_nodes(True, getter(8))


def test_a_stored_node_that_is_not_a_hash_is_named():
    with pytest.raises(ValueError, match=r"node \(1, 0\) is not a 32-byte hash"):
        root_from_nodes(2, lambda level, index: b"short")


# --- verifiers never raise ----------------------------------------------------------------------

GOOD = (1, 5, leaf_hash(LEAVES[1]), unhex(VECTORS["inclusion"][4]["proof"]), ROOTS[5])


@pytest.mark.parametrize(
    "change",
    [
        {0: -1},
        {0: None},
        {0: True},
        {1: 0},
        {1: "5"},
        {2: None},
        {2: b"\x00" * 31},
        {2: "ab" * 32},
        {3: None},
        {3: b"".join(GOOD[3])},
        {3: "proof"},
        {3: [None, *GOOD[3][1:]]},
        {3: [p.hex() for p in GOOD[3]]},
        {3: [bytearray(p) for p in GOOD[3]]},
        {3: [GOOD[3][0][:31], *GOOD[3][1:]]},
        {3: GOOD[3] * 100},
        {4: None},
        {4: ROOTS[5] + b"\x00"},
    ],
)
def test_malformed_inclusion_arguments_are_rejected_not_raised(change):
    assert verify_inclusion(*GOOD)
    args = [change.get(i, value) for i, value in enumerate(GOOD)]
    assert verify_inclusion(*args) is False


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.binary(max_size=40),
    st.text(max_size=5),
    st.lists(st.one_of(st.binary(min_size=30, max_size=33), st.text(max_size=2), st.none())),
)


@given(anything, anything, anything, anything, anything)
def test_verifiers_never_raise(a, b, c, d, e):
    assert isinstance(verify_inclusion(a, b, c, d, e), bool)
    assert isinstance(verify_consistency(a, b, c, d, e), bool)


# --- properties ---------------------------------------------------------------------------------


@st.composite
def tree_and_index(draw, max_size=300):
    size = draw(st.integers(1, max_size))
    return size, draw(st.integers(0, size - 1))


def flip(item, bit):
    return (int.from_bytes(item, "big") ^ (1 << bit)).to_bytes(32, "big")


@given(tree_and_index(), st.data())
def test_every_inclusion_proof_verifies_and_every_damaged_one_fails(case, data):
    size, index = case
    proof = inclusion_proof(DATA, index, size)
    root = root_hash(DATA[:size])
    leaf = leaf_hash(DATA[index])
    assert verify_inclusion(index, size, leaf, proof, root)
    for i, item in enumerate(proof):
        flipped = [*proof]
        flipped[i] = flip(item, data.draw(st.integers(0, 255), label=f"bit in proof[{i}]"))
        assert not verify_inclusion(index, size, leaf, flipped, root)
    for cut in range(len(proof)):
        assert not verify_inclusion(index, size, leaf, proof[:cut], root)
    assert not verify_inclusion(index, size, leaf, [*proof, root], root)
    # One hash too many, with the root it would lead to: the proof is for another tree size.
    assert not verify_inclusion(index, size, leaf, [*proof, SOME_HASH], node_hash(SOME_HASH, root))
    for other in {index - 1, index + 1} & set(range(size)):
        assert not verify_inclusion(other, size, leaf, proof, root)


@st.composite
def two_sizes(draw, max_size=300):
    size2 = draw(st.integers(1, max_size))
    return draw(st.integers(1, size2)), size2


@given(two_sizes(), st.data())
def test_every_consistency_proof_verifies_and_every_damaged_one_fails(sizes, data):
    size1, size2 = sizes
    proof = consistency_proof(DATA, size1, size2)
    root1, root2 = root_hash(DATA[:size1]), root_hash(DATA[:size2])
    assert verify_consistency(size1, size2, proof, root1, root2)
    for i, item in enumerate(proof):
        flipped = [*proof]
        flipped[i] = flip(item, data.draw(st.integers(0, 255), label=f"bit in proof[{i}]"))
        assert not verify_consistency(size1, size2, flipped, root1, root2)
    for cut in range(len(proof)):
        assert not verify_consistency(size1, size2, proof[:cut], root1, root2)
    assert not verify_consistency(size1, size2, [*proof, root2], root1, root2)
    longer = [*proof, SOME_HASH]
    assert not verify_consistency(
        size1, size2, longer, node_hash(SOME_HASH, root1), node_hash(SOME_HASH, root2)
    )
    if size1 < size2:
        other = root_hash([*DATA[: size1 - 1], b"rewritten"])
        assert not verify_consistency(size1, size2, proof, other, root2)


def test_every_pair_of_sizes_up_to_64_is_consistent():
    roots = [root_from_nodes(size, getter(size)) for size in range(65)]
    for size2 in range(1, 65):
        for size1 in range(1, size2 + 1):
            proof = consistency_proof_from_nodes(size1, size2, getter(size2))
            assert verify_consistency(size1, size2, proof, roots[size1], roots[size2]), (
                size1,
                size2,
            )


def test_every_leaf_of_every_tree_up_to_64_is_proven_included():
    for size in range(1, 65):
        root = root_from_nodes(size, getter(size))
        for index in range(size):
            proof = inclusion_proof_from_nodes(index, size, getter(size))
            assert verify_inclusion(index, size, NODES[0, index], proof, root), (index, size)


# --- the stored-node versions agree with the list versions --------------------------------------


def test_roots_from_nodes_agree_with_the_rfc_definition_for_every_size_up_to_200():
    hashes = [leaf_hash(data) for data in DATA[:200]]
    for size in range(201):
        expected = reference_mth(hashes[:size])
        assert root_hash(DATA[:size]) == expected
        assert root_from_nodes(size, getter(size)) == expected


def test_proofs_from_nodes_agree_with_the_list_versions_for_every_size_up_to_40():
    for size in range(1, 41):
        for index in range(size):
            expected = inclusion_proof(DATA, index, size)
            assert inclusion_proof_from_nodes(index, size, getter(size)) == expected
        for size1 in range(1, size + 1):
            expected = consistency_proof(DATA, size1, size)
            assert consistency_proof_from_nodes(size1, size, getter(size)) == expected


sizes = st.one_of(st.integers(1, 200), st.integers(201, len(DATA)))


@settings(max_examples=60)
@given(sizes, st.data())
def test_inclusion_from_nodes_agrees_with_the_list_version(size, data):
    index = data.draw(st.integers(0, size - 1))
    reads = []
    proof = inclusion_proof_from_nodes(index, size, getter(size, reads=reads))
    assert proof == inclusion_proof(DATA, index, size)
    assert reads == inclusion_nodes(index, size)
    assert len(reads) <= 2 * size.bit_length()


@settings(max_examples=60)
@given(sizes, st.data())
def test_consistency_from_nodes_agrees_with_the_list_version(size2, data):
    size1 = data.draw(st.integers(1, size2))
    reads = []
    proof = consistency_proof_from_nodes(size1, size2, getter(size2, reads=reads))
    assert proof == consistency_proof(DATA, size1, size2)
    assert reads == consistency_nodes(size1, size2)
    assert len(reads) <= 2 * size2.bit_length()


@given(st.integers(1, 2**62), st.data())
def test_proofs_of_huge_trees_read_only_logarithmically_many_existing_nodes(size, data):
    # The hashes are fake; what is checked is which nodes are read and how many.
    def fake(level, index):
        assert (index + 1) << level <= size, f"({level}, {index}) does not exist yet"
        return hashlib.sha256(b"%d/%d" % (level, index)).digest()

    index = data.draw(st.integers(0, size - 1))
    size1 = data.draw(st.integers(1, size))
    assert len(inclusion_proof_from_nodes(index, size, fake)) <= size.bit_length()
    assert len(inclusion_nodes(index, size)) <= 2 * size.bit_length()
    assert len(consistency_proof_from_nodes(size1, size, fake)) <= size.bit_length() + 1
    assert len(consistency_nodes(size1, size)) <= 2 * size.bit_length()
    assert len(root_nodes(size)) == size.bit_count()


# --- appending ----------------------------------------------------------------------------------


def test_append_returns_exactly_the_subtrees_the_new_leaf_completes():
    edge = CompactRange()
    stored = 0
    for size in range(1, 300):
        new = edge.append(leaf_hash(DATA[size - 1]))
        completed = {
            (level, (size >> level) - 1)
            for level in range(size.bit_length())
            if size % (1 << level) == 0
        }
        assert {(node.level, node.index) for node in new} == completed
        assert all(node.hash == NODES[node.level, node.index] for node in new)
        assert new[0] == Node(0, size - 1, NODES[0, size - 1])
        stored += len(new)
        assert stored == 2 * size - size.bit_count()
        assert edge.size == size
        assert [NODES[address] for address in root_nodes(size)] == list(edge.hashes)


def test_an_edge_loaded_from_storage_continues_the_same_tree():
    edge = CompactRange.from_nodes(1000, getter(1000))
    for data in DATA[1000:1300]:
        edge.append(leaf_hash(data))
    assert edge.root() == root_hash(DATA[:1300])


@pytest.mark.parametrize(
    ("size", "hashes", "message"),
    [
        (3, [SOME_HASH], "has 2 right-edge nodes, not 1"),
        (1, [b"short"], "not a 32-byte hash"),
        (-1, [], "must not be negative"),
    ],
)
def test_an_inconsistent_edge_is_refused(size, hashes, message):
    with pytest.raises(ValueError, match=message):
        CompactRange(size, hashes)


def test_append_takes_a_leaf_hash_not_leaf_data():
    with pytest.raises(ValueError, match="a leaf hash has 32 bytes"):
        CompactRange().append(b"leaf data")
