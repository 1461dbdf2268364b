"""Proofs from the stored tree, as the CLI and the API ask for them: defaults and refusals."""

from __future__ import annotations

import pytest

from casetrail.ledger import heads, proofs, tree
from casetrail.ledger.verify import verify_consistency


def test_a_consistency_proof_goes_to_the_latest_signed_head_by_default(world, signing_key):
    unsigned = proofs.consistency(1)
    assert unsigned.second == tree.tree_size()  # nothing signed yet: the log as it is
    assert unsigned.second_head is None
    head = heads.sign_head()
    world.incident()
    assert tree.tree_size() > head.size
    signed = proofs.consistency(1)
    assert signed.second == head.size
    assert signed.second_head == head
    assert signed.second_root == head.root
    assert verify_consistency(1, head.size, signed.proof, signed.first_root, head.root)


@pytest.mark.parametrize(
    ("ask", "field"),
    [
        (lambda: proofs.inclusion(1, size=-1), "size"),
        (lambda: proofs.consistency(-1, 3), "first"),
        (lambda: proofs.consistency(1, -3), "second"),
    ],
)
def test_a_negative_size_is_refused_by_name(world, ask, field):
    with pytest.raises(proofs.ProofError, match=rf"^{field} must not be negative: -\d$") as refused:
        ask()
    assert refused.value.field == field
