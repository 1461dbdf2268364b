"""docs/ledger-spec.md, tested: a verifier written from it alone (spec_verifier.py) agrees with
the receipts and the exported entries casetrail issues, and refuses altered ones."""

from __future__ import annotations

import copy
import json
import zipfile

import pytest
from django.db import transaction

from casetrail.cases import export
from casetrail.ledger import heads, receipts
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.record import record
from tests.ledger import spec_verifier as spec
from tests.ledger.conftest import reported_case

# Every escaping rule of section 1 in one payload: quotes, backslashes, the short escapes, other
# control characters, DEL, the line and paragraph separators, non-ASCII, an emoji, a slash, and
# integers beyond 2**53 and below zero; keys whose code-point order differs from UTF-16's.
TRICKY = {
    "text": 'a "quoted" \\ back\x08\t\n\x0c\r \x01\x1f \x7f \u2028\u2029 王小明 😀 / end',
    "big": 2**63 + 1,
    "negative": -42,
    "zero": 0,
    "nested": {"list": [True, False, None, "", {}], "\U0001f600": 1, "\uff61": 2},
}


def tricky_entry(world):
    with transaction.atomic():
        return record(LedgerKind.VIEWED, subject=world.station, actor=world.intake, data=TRICKY)


def test_the_spec_encodes_the_leaf_casetrail_hashes(world, signing_key):
    entry = tricky_entry(world)
    receipt = receipts.receipt_for_entry(entry)
    document = receipt.document()
    assert spec.leaf_hash(document["entry"]).hex() == bytes(entry.leaf_hash).hex()
    # The payload as the spec writes it is the stored text, byte for byte.
    assert spec.canonical(TRICKY) == entry.payload.encode("utf-8")


def test_a_real_receipt_verifies_under_the_spec(world, signing_key):
    incident = world.incident()
    receipt = receipts.receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    as_issued = json.loads(json.dumps(receipt.file()))  # what the reporter holds
    spec.check_receipt(as_issued["receipt"], bytes.fromhex(as_issued["public_key"]))
    assert as_issued["receipt"]["leaf_index"] == receipt.seq - 1


def test_receipts_against_later_heads_verify_under_the_spec(world, signing_key):
    entries = [tricky_entry(world) for _ in range(5)]
    heads.sign_head()
    for entry in entries:
        document = receipts.receipt_for_entry(entry).document()
        spec.check_receipt(json.loads(json.dumps(document)), signing_key.public_key)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["entry"].update(payload='{"a":1}'), "does not hash"),
        (lambda r: r.update(leaf_index=r["leaf_index"] + 1), "leaf_index is not seq - 1"),
        (lambda r: r["proof"].append("00" * 32), "inclusion proof"),
        (lambda r: r["head"].update(time="2020-01-01T00:00:00.000000Z"), "signature"),
        (lambda r: r.pop("leaf_index"), "names its leaf index"),
        (lambda r: r["entry"].update(payload='{"a": 1}'), "not canonical"),
        (lambda r: r["entry"].update(payload='{"a":1.5}'), "fraction or exponent"),
        (lambda r: r["entry"].pop("prev"), "eight fields"),
        (lambda r: r.update(version=3), "version 1 or 2"),
    ],
)
def test_an_altered_receipt_fails_under_the_spec(world, signing_key, change, message):
    entry = tricky_entry(world)
    document = copy.deepcopy(receipts.receipt_for_entry(entry).document())
    change(document)
    with pytest.raises(spec.SpecError, match=message):
        spec.check_receipt(document, signing_key.public_key)


def test_exported_entries_verify_under_the_spec(world, signing_key, tmp_path):
    case, _ = reported_case(world)
    done = export.export_case(case.number, tmp_path / "case.zip")
    with zipfile.ZipFile(done.path) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        lines = bundle.read("entries.jsonl").decode("utf-8").splitlines()
        proofs = json.loads(bundle.read("proofs.json"))
    head = manifest["head"]
    spec.check_head(head, bytes.fromhex(manifest["public_keys"][head["key_id"]]))
    by_seq = {item["seq"]: item["proof"] for item in proofs["inclusion"]}
    assert len(lines) == manifest["entry_count"] > 2
    for line in lines:
        item = json.loads(line)
        entry = item["entry"]
        hashed = spec.leaf_hash(entry)
        assert hashed.hex() == item["leaf_hash"]
        stored = LedgerEntry.objects.get(seq=entry["seq"]).leaf_hash
        assert hashed == bytes(stored)
        proof = [bytes.fromhex(p) for p in by_seq[entry["seq"]]]
        root = bytes.fromhex(head["root"])
        assert spec.verify_inclusion(entry["seq"] - 1, head["size"], hashed, proof, root)
        assert not spec.verify_inclusion(entry["seq"], head["size"], hashed, proof, root)


def test_the_spec_verifier_refuses_what_has_no_canonical_form():
    with pytest.raises(spec.SpecError, match="no canonical form"):
        spec.canonical({"x": 1.5})
    assert not spec.verify_inclusion(3, 3, b"\0" * 32, [], b"\0" * 32)
    assert not spec.verify_inclusion(0, 1, b"\0" * 32, [b"\1" * 32], b"\0" * 32)


def test_a_head_of_another_key_fails_under_the_spec(world, signing_key):
    head = heads.sign_head().to_dict()
    with pytest.raises(spec.SpecError, match="five fields"):
        spec.check_head({**head, "extra": 1}, signing_key.public_key)
    with pytest.raises(spec.SpecError, match="another key"):
        spec.check_head(head, b"\1" * 32)
