import io
import json
import runpy
import subprocess
import sys
import warnings
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casetrail.ledger import verify
from casetrail.ledger.canonical import canonical_json
from casetrail.ledger.merkle import (
    CompactRange,
    consistency_proof_from_nodes,
    inclusion_proof_from_nodes,
    leaf_hash,
    root_from_nodes,
)
from casetrail.ledger.signing import SigningKey, sign_head
from casetrail.ledger.verify import (
    Anchor,
    check_head_consistency,
    check_receipt,
    entry_leaf_data,
    main,
    make_receipt,
    verify_bundle,
    write_bundle,
)

BASE = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

# Who the log is about, seq by seq from 1: case A is exported; person P appears in case B first,
# so P's chain in the export starts from an undisclosed entry (an anchor).
PLAN = [
    ("person:P", "PERSON_RECORDED"),
    ("case:A", "CASE_OPENED"),
    ("person:P", "PERSON_SUMMONED"),
    ("case:B", "CASE_OPENED"),
    ("case:A", "HANDLER_ASSIGNED"),
    ("person:P", "PERSON_INTERVIEWED"),
    ("case:A", "DOCUMENT_APPROVED"),
    ("case:B", "CASE_CLOSED"),
    ("case:A", "CUSTODY_EXTENDED"),
    ("person:P", "PERSON_RELEASED"),
    ("case:A", "VIEWED"),
    ("case:B", "CASE_ARCHIVED"),
]
EXPORTED = ("case:A", "person:P")
P_FIRST_IN_A = 6  # person P's entries from seq 6 on belong to case A


def payload(note):
    """The payload as the storage side keeps it: canonical JSON text."""
    return canonical_json({"note": note, "名称": "张三"}).decode()


class Ledger:
    """An in-memory ledger built the way the storage side builds one."""

    def __init__(self, plan):
        self.entries, self.nodes, self.edge = [], {}, CompactRange()
        last = {}
        for seq, (subject, action) in enumerate(plan, start=1):
            entry = {
                "seq": seq,
                "at": BASE + timedelta(minutes=seq),
                "actor": "officer:7",
                "action": action,
                "subject": subject,
                "unit": 3,
                "payload": payload(f"step {seq}"),
                "prev": last.get(subject),
            }
            hashed = leaf_hash(entry_leaf_data(entry))
            for node in self.edge.append(hashed):
                self.nodes[node.level, node.index] = node.hash
            last[subject] = hashed.hex()
            self.entries.append(entry)

    def entry(self, seq):
        return self.entries[seq - 1]

    def get_node(self, level, index):
        return self.nodes[level, index]

    def head(self, key, size=None, when=None):
        size = len(self.entries) if size is None else size
        root = root_from_nodes(size, self.get_node)
        return sign_head(key, size=size, root=root, timestamp=when or BASE + timedelta(days=1))

    def proof(self, seq, size=None):
        size = len(self.entries) if size is None else size
        return inclusion_proof_from_nodes(seq - 1, size, self.get_node)


@pytest.fixture(scope="module")
def key():
    return SigningKey(Ed25519PrivateKey.generate())


@pytest.fixture(scope="module")
def ledger():
    return Ledger(PLAN)


def exported_entries(ledger):
    return [
        entry
        for entry in ledger.entries
        if entry["subject"] == "case:A"
        or (entry["subject"] == "person:P" and entry["seq"] >= P_FIRST_IN_A)
    ]


def export(path, ledger, key):
    entries = exported_entries(ledger)
    p_anchor = 3  # person P's last entry before case A: undisclosed
    write_bundle(
        path,
        ledger.head(key),
        {key.key_id: key.public_key},
        entries,
        {entry["seq"]: ledger.proof(entry["seq"]) for entry in entries},
        case="A",
        anchors=[
            Anchor(
                p_anchor,
                leaf_hash(entry_leaf_data(ledger.entry(p_anchor))),
                ledger.proof(p_anchor),
            )
        ],
    )
    return path


@pytest.fixture
def bundle(tmp_path, ledger, key):
    return export(tmp_path / "case-A.zip", ledger, key)


def read_members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(path, *, manifest=None, entries=None, proofs=None, extra=None):
    """Tamper with a bundle behind the exporter's back: each function edits one member."""
    members = read_members(path)
    if manifest:
        data = json.loads(members["manifest.json"])
        manifest(data)
        members["manifest.json"] = json.dumps(data).encode()
    if entries:
        lines = [json.loads(line) for line in members["entries.jsonl"].splitlines()]
        lines = entries(lines) or lines
        members["entries.jsonl"] = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    if proofs:
        data = json.loads(members["proofs.json"])
        proofs(data)
        members["proofs.json"] = json.dumps(data).encode()
    members.update(extra or {})
    path.unlink()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def line_for(lines, seq):
    return next(line for line in lines if line["entry"]["seq"] == seq)


def rehash(line):
    line["leaf_hash"] = leaf_hash(entry_leaf_data(line["entry"])).hex()


def failures(report):
    return {
        check.name: [str(p) for p in check.problems] for check in report.checks if check.problems
    }


def run(path, *args):
    out = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        status = main([str(path), *args])
    finally:
        sys.stdout = sys_stdout
    return status, out.getvalue()


# --- the leaf -----------------------------------------------------------------------------------


def test_the_leaf_is_canonical_json_of_exactly_the_eight_fields():
    entry = {
        "seq": 5,
        "at": datetime(2026, 3, 1, 16, 0, tzinfo=UTC),
        "actor": "officer:7",
        "action": "VIEWED",
        "subject": "case:A",
        "unit": 3,
        "payload": '{"a":"张","b":1}',
        "prev": None,
    }
    assert (
        entry_leaf_data(entry)
        == (
            '{"action":"VIEWED","actor":"officer:7","at":"2026-03-01T16:00:00.000000Z",'
            '"payload":"{\\"a\\":\\"张\\",\\"b\\":1}","prev":null,"seq":5,"subject":"case:A",'
            '"unit":3}'
        ).encode()
    )
    as_text = entry | {"at": "2026-03-01T16:00:00.000000Z"}
    assert entry_leaf_data(as_text) == entry_leaf_data(entry)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": 9}, r"not part of the leaf \['id'\]"),
        ({"seq": 0}, "seq must be a positive integer"),
        ({"seq": True}, "seq must be a positive integer"),
        ({"at": "2026-03-01 16:00"}, "at must be an aware datetime"),
        ({"at": datetime(2026, 3, 1)}, "naive datetime"),  # noqa: DTZ001
        ({"action": ""}, "action must be a non-empty string"),
        ({"unit": ["x"]}, "unit must be a string, an integer or null"),
        (
            {"payload": {"note": "x"}},
            "payload must be the canonical JSON text of an object, as stored, not a value",
        ),
        ({"payload": "[1]"}, "payload must be the canonical JSON text of an object"),
        ({"payload": '{"b":1, "a":2}'}, "payload is not canonical JSON text"),
        ({"payload": '{"amount":1.5}'}, "payload is not canonical JSON text: float"),
        ({"unit": 1.5}, "unit: floats have no canonical form"),
        ({"prev": "AB" * 32}, "prev must be null or a 64-digit lower-case hex hash"),
    ],
)
def test_an_entry_that_is_not_a_valid_leaf_is_refused(ledger, change, message):
    with pytest.raises(ValueError, match=message):
        entry_leaf_data(ledger.entry(1) | change)


def test_an_entry_that_is_not_a_mapping_is_refused():
    with pytest.raises(ValueError, match="an entry is a mapping of its fields"):
        entry_leaf_data([("seq", 1)])


def test_an_entry_missing_a_field_is_refused(ledger):
    entry = dict(ledger.entry(1))
    del entry["unit"]
    with pytest.raises(ValueError, match=r"missing \['unit'\]"):
        entry_leaf_data(entry)


# --- an intact bundle ---------------------------------------------------------------------------


def test_an_exported_bundle_is_intact(bundle, key):
    report = verify_bundle(bundle, trusted_key_ids={key.key_id})
    assert failures(report) == {}
    assert report.intact
    assert report.bundle.case == "A"
    assert [e.seq for e in report.bundle.entries] == [2, 5, 6, 7, 9, 10, 11]


def test_the_command_prints_a_verdict_per_check_and_exits_0(bundle, key):
    status, out = run(bundle, "--trust", key.key_id)
    assert status == 0
    for name in ("bundle", "signature", "leaves", "inclusion", "chains", "completeness"):
        assert f"  ok    {name}" in out
    assert "case A: 7 entries; signed head of 12 entries" in out
    assert "7 entries and 1 anchor are in the signed tree of size 12" in out
    assert out.rstrip().endswith("INTACT: every check holds")


def test_without_a_trusted_key_id_the_verdict_says_whose_key_it_is(bundle, key):
    status, out = run(bundle)
    assert status == 0
    assert f"signed by a key carried in the bundle, {key.key_id}" in out
    assert "pass --trust KEY_ID" in out


def test_the_verifier_runs_with_django_unavailable(bundle):
    script = (
        "import runpy, sys\n"
        "sys.modules['django'] = None  # any import of django now fails\n"
        f"sys.argv = ['verify', {str(bundle)!r}]\n"
        "try:\n"
        "    runpy.run_module('casetrail.ledger.verify', run_name='__main__')\n"
        "finally:\n"
        "    loaded = sorted(m for m in sys.modules if m.startswith('casetrail'))\n"
        "    print(loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "INTACT" in done.stdout
    assert done.stderr.strip() == str(
        [
            "casetrail",
            "casetrail.ledger",
            "casetrail.ledger.canonical",
            "casetrail.ledger.merkle",
            "casetrail.ledger.signing",
        ]  # verify itself runs as __main__
    )


def test_an_export_is_byte_for_byte_reproducible(tmp_path, ledger, key):
    first = export(tmp_path / "1.zip", ledger, key).read_bytes()
    assert export(tmp_path / "2.zip", ledger, key).read_bytes() == first


# --- tampering ----------------------------------------------------------------------------------


def test_a_changed_payload_fails_the_leaf_check(bundle):
    def change(lines):
        line_for(lines, 7)["entry"]["payload"] = payload("approved by nobody")

    report = verify_bundle(rewrite(bundle, entries=change))
    # The altered entry is also no longer the one its successor (seq 9) names.
    assert list(failures(report)) == ["leaves", "inclusion", "chains", "completeness"]
    assert report.first_failure[0] == "leaves"
    assert report.first_failure[1].seq == 7
    assert "does not hash to its stated leaf hash" in report.first_failure[1].message


def test_a_changed_payload_with_its_leaf_hash_recomputed_fails_inclusion(bundle):
    def change(lines):
        line = line_for(lines, 7)
        line["entry"]["payload"] = payload("approved by nobody")
        rehash(line)

    report = verify_bundle(rewrite(bundle, entries=change))
    found = failures(report)
    assert list(found) == ["inclusion", "chains", "completeness"]
    assert found["inclusion"] == [
        "seq 7: not in the signed tree of size 12: its inclusion proof fails for this entry "
        "(the entry or its proof was altered, or it was never logged)"
    ]
    assert found["chains"][0].startswith("seq 9: names previous entry")
    assert report.first_failure[1].seq == 7


def test_a_deleted_entry_breaks_its_chain_and_leaves_a_hole(bundle, ledger):
    def delete(lines):
        return [line for line in lines if line["entry"]["seq"] != 7]

    report = verify_bundle(rewrite(bundle, entries=delete))
    found = failures(report)
    assert list(found) == ["chains", "completeness"]
    hash7 = leaf_hash(entry_leaf_data(ledger.entry(7))).hex()
    hash5 = leaf_hash(entry_leaf_data(ledger.entry(5))).hex()
    assert found["chains"] == [
        f"seq 9: names previous entry {hash7}, but the entry of case:A before it in the bundle "
        f"is seq 5 ({hash5})"
    ]
    assert found["completeness"] == [
        f"seq 9: hole in the chain of case:A: the previous entry it names, {hash7}, "
        "is not in the bundle",
        "seq 2: not on the chain of case:A walked back from its last entry, seq 11",
        "seq 5: not on the chain of case:A walked back from its last entry, seq 11",
        "seq 7: proofs.json proves this entry, but entries.jsonl does not carry it",
        "manifest.json says 7 entries, entries.jsonl has 6",
    ]
    status, out = run(bundle)
    assert status == 1
    assert "NOT INTACT: first failure at seq 9 (chains)" in out


def test_a_deletion_covered_up_in_manifest_and_proofs_still_leaves_a_hole(bundle):
    def delete(lines):
        return [line for line in lines if line["entry"]["seq"] != 7]

    def fix_manifest(data):
        data["entry_count"] = 6

    def drop_proof(data):
        data["inclusion"] = [item for item in data["inclusion"] if item["seq"] != 7]

    report = verify_bundle(
        rewrite(bundle, entries=delete, manifest=fix_manifest, proofs=drop_proof)
    )
    assert list(failures(report)) == ["chains", "completeness"]
    assert report.first_failure[1].seq == 9


def test_an_inserted_entry_is_not_in_the_signed_tree(bundle, ledger):
    def insert(lines):
        forged = {
            "entry": dict(line_for(lines, 7)["entry"])
            | {"seq": 8, "action": "CASE_CLOSED", "payload": payload("closed")},
        }
        forged["entry"]["prev"] = line_for(lines, 7)["leaf_hash"]
        rehash(forged)
        lines.insert(4, forged)

    def copy_proof(data):
        data["inclusion"].append({"seq": 8, "proof": [p.hex() for p in ledger.proof(8)]})

    report = verify_bundle(rewrite(bundle, entries=insert, proofs=copy_proof))
    assert report.first_failure[0] == "inclusion"
    assert report.first_failure[1].seq == 8
    assert "not in the signed tree of size 12" in report.first_failure[1].message
    assert failures(report)["chains"][0].startswith("seq 9: names previous entry")


def test_an_entry_beyond_the_signed_head_is_named(bundle, ledger):
    def append(lines):
        late = {"entry": dict(line_for(lines, 11)["entry"]) | {"seq": 13}}
        rehash(late)
        lines.append(late)

    def add_proof(data):
        data["inclusion"].append({"seq": 13, "proof": [p.hex() for p in ledger.proof(11)]})

    report = verify_bundle(rewrite(bundle, entries=append, proofs=add_proof))
    assert failures(report)["inclusion"] == ["seq 13: beyond the signed head, which has 12 entries"]


def test_an_entry_that_forgets_its_predecessor_breaks_the_chain(bundle, ledger):
    def orphan(lines):
        line = line_for(lines, 9)
        line["entry"]["prev"] = None
        rehash(line)

    found = failures(verify_bundle(rewrite(bundle, entries=orphan)))
    hash9 = leaf_hash(entry_leaf_data(ledger.entry(9))).hex()
    assert found["chains"][0] == "seq 9: names no previous entry, yet seq 7 of case:A precedes it"
    assert found["completeness"] == [
        f"seq 11: hole in the chain of case:A: the previous entry it names, {hash9}, "
        "is not in the bundle",
        *(
            f"seq {seq}: not on the chain of case:A walked back from its last entry, seq 11"
            for seq in (2, 5, 7, 9)
        ),
    ]


def test_entries_relinked_out_of_order_are_caught_walking_back(bundle):
    def relink(lines):
        five, nine, last = line_for(lines, 5), line_for(lines, 9), line_for(lines, 11)
        five["entry"]["prev"] = nine["leaf_hash"]
        rehash(five)
        last["entry"]["prev"] = five["leaf_hash"]
        rehash(last)

    found = failures(verify_bundle(rewrite(bundle, entries=relink)))
    assert (
        found["completeness"][0] == "seq 5: names seq 9 of case:A, a later entry, as its previous"
    )
    assert found["chains"][0].startswith("seq 5: names previous entry")


def test_two_entries_swapped_in_the_file_are_out_of_order(bundle):
    def swap(lines):
        lines[1], lines[2] = lines[2], lines[1]

    report = verify_bundle(rewrite(bundle, entries=swap))
    assert failures(report) == {
        "bundle": [
            "entries.jsonl line 3: seq 5 follows seq 6; "
            "entries must be in increasing seq order, each once"
        ]
    }
    assert [c.name for c in report.checks if c.skipped] == [
        "signature",
        "leaves",
        "inclusion",
        "chains",
        "completeness",
        "documents",
    ]
    status, out = run(bundle)
    assert status == 1
    assert "  skip  signature" in out


def test_two_entries_swapped_in_content_and_rehashed_fail_inclusion(bundle):
    def swap(lines):
        first, second = line_for(lines, 5), line_for(lines, 9)
        first["entry"]["payload"], second["entry"]["payload"] = (
            second["entry"]["payload"],
            first["entry"]["payload"],
        )
        rehash(first)
        rehash(second)

    report = verify_bundle(rewrite(bundle, entries=swap))
    found = failures(report)
    assert [p.split(":")[0] for p in found["inclusion"]] == ["seq 5", "seq 9"]
    assert report.first_failure[1].seq == 5


def test_a_replaced_signature_fails_the_signature_check(bundle, key):
    def replace_signature(data):
        data["head"]["signature"] = "00" * 64

    report = verify_bundle(rewrite(bundle, manifest=replace_signature))
    assert failures(report) == {
        "signature": [f"the signature does not verify under key {key.key_id}"]
    }


def test_a_head_re_signed_with_an_unknown_key_is_refused(bundle, ledger):
    intruder = SigningKey(Ed25519PrivateKey.generate())

    def re_sign(data):
        data["head"] = ledger.head(intruder).to_dict()

    report = verify_bundle(rewrite(bundle, manifest=re_sign))
    assert failures(report) == {
        "signature": [f"signed by key {intruder.key_id}, which the bundle does not carry"]
    }


def test_a_cut_tail_re_signed_with_a_key_slipped_into_the_bundle_fails_only_trust(
    tmp_path, ledger, key
):
    intruder = SigningKey(Ed25519PrivateKey.generate())
    entries = [e for e in exported_entries(ledger) if e["seq"] < 10]
    path = tmp_path / "cut.zip"
    write_bundle(
        path,
        ledger.head(intruder, size=10),
        {intruder.key_id: intruder.public_key},
        entries,
        {e["seq"]: ledger.proof(e["seq"], size=10) for e in entries},
        case="A",
        anchors=[Anchor(3, leaf_hash(entry_leaf_data(ledger.entry(3))), ledger.proof(3, 10))],
    )
    assert verify_bundle(path).intact  # the bundle is self-consistent...
    report = verify_bundle(path, trusted_key_ids={key.key_id})
    assert failures(report) == {
        "signature": [
            f"signed by key {intruder.key_id}, which is not one of the keys you trust "
            f"({key.key_id})"
        ]
    }
    status, out = run(path, "--trust", key.key_id)
    assert status == 1
    assert "NOT INTACT: first failure in the bundle (signature)" in out


def test_a_cut_tail_signed_by_the_real_key_needs_a_receipt_to_be_caught(tmp_path, ledger, key):
    """The documented limit: a bundle cannot prove nothing follows its last entry."""
    entries = [e for e in exported_entries(ledger) if e["seq"] < 11]  # drop seq 11
    old_head = ledger.head(key, size=11)
    path = tmp_path / "cut.zip"
    write_bundle(
        path,
        old_head,
        {key.key_id: key.public_key},
        entries,
        {e["seq"]: ledger.proof(e["seq"], size=11) for e in entries},
        case="A",
        anchors=[Anchor(3, leaf_hash(entry_leaf_data(ledger.entry(3))), ledger.proof(3, 11))],
    )
    assert verify_bundle(path, trusted_key_ids={key.key_id}).intact
    # A party's receipt for seq 11 against the full head shows that entry exists all the same.
    receipt = make_receipt(ledger.entry(11), ledger.proof(11), ledger.head(key))
    assert check_receipt(receipt, {key.key_id: key.public_key}) == []


def test_a_chain_that_starts_at_an_unproven_entry_is_reported(bundle, ledger):
    def drop_anchor(data):
        data["anchors"] = []

    report = verify_bundle(rewrite(bundle, proofs=drop_anchor))
    hash3 = leaf_hash(entry_leaf_data(ledger.entry(3))).hex()
    assert failures(report) == {
        "chains": [
            f"seq 6: the first entry of person:P in the bundle names previous entry {hash3}, "
            "which is neither in the bundle nor an earlier anchor"
        ],
        "completeness": [
            f"seq 6: hole in the chain of person:P: the previous entry it names, {hash3}, "
            "is not in the bundle"
        ],
    }


def test_a_forged_anchor_is_not_in_the_signed_tree(bundle):
    def forge(data):
        data["anchors"][0]["proof"][0] = "00" * 32

    report = verify_bundle(rewrite(bundle, proofs=forge))
    assert failures(report) == {
        "inclusion": ["seq 3: the anchor is not in the signed tree of size 12"]
    }


def test_a_missing_proof_is_named(bundle):
    def drop(data):
        data["inclusion"] = [item for item in data["inclusion"] if item["seq"] != 10]

    report = verify_bundle(rewrite(bundle, proofs=drop))
    assert failures(report) == {"inclusion": ["seq 10: proofs.json has no inclusion proof for it"]}


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ({"entries": lambda lines: lines[0]["entry"].update(extra=1)}, "not part of the leaf"),
        ({"entries": lambda lines: lines[0].update(leaf_hash="xyz")}, "leaf_hash: expected 64"),
        ({"manifest": lambda m: m.update(version=2)}, "this verifier reads 1"),
        ({"manifest": lambda m: m["head"].pop("root")}, "missing ['root']"),
        ({"proofs": lambda p: p.pop("anchors")}, "missing ['anchors']"),
        (
            {"manifest": lambda m: m["public_keys"].update({"ab" * 32: "cd" * 32})},
            "the public key listed as abab",
        ),
        ({"manifest": lambda m: m.update(format="zip")}, "format is 'zip', not a bundle"),
        ({"manifest": lambda m: m.update(case=7)}, "case must be a string"),
        ({"manifest": lambda m: m.update(entry_count=-1)}, "entry_count must be a non-negative"),
        ({"proofs": lambda p: p.update(inclusion={})}, "inclusion must be a list"),
        ({"proofs": lambda p: p.update(anchors=None)}, "anchors must be a list"),
        (
            {"proofs": lambda p: p["inclusion"].append(p["inclusion"][0])},
            "a second proof for seq 2",
        ),
        ({"proofs": lambda p: p["inclusion"][0].update(seq=-2)}, "seq must be a positive"),
        ({"proofs": lambda p: p["anchors"][0].update(proof="ab")}, "proof must be a list"),
        ({"entries": lambda lines: lines[0].update(entry=[1])}, "expected a JSON object"),
    ],
)
def test_a_malformed_bundle_is_named_and_nothing_else_is_checked(bundle, tamper, message):
    report = verify_bundle(rewrite(bundle, **tamper))
    assert list(failures(report)) == ["bundle"]
    assert message in failures(report)["bundle"][0]


def test_numbers_with_a_fraction_are_refused_even_where_they_equal_an_integer(bundle):
    report = verify_bundle(rewrite(bundle, manifest=lambda m: m.update(version=1.0)))
    assert "1.0 is not allowed: the ledger has no floats" in failures(report)["bundle"][0]


def test_a_zip_with_two_members_of_one_name_is_refused(bundle):
    members = read_members(bundle)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we want
        with zipfile.ZipFile(bundle, "a") as archive:
            archive.writestr("entries.jsonl", members["entries.jsonl"][:0])
    report = verify_bundle(bundle)
    assert failures(report) == {"bundle": ["the zip holds several members named entries.jsonl"]}


def test_an_oversized_member_is_refused_before_it_is_read(bundle, monkeypatch):
    monkeypatch.setattr(verify, "MAX_MEMBER_BYTES", 100)
    report = verify_bundle(bundle)
    assert failures(report)["bundle"][0].endswith("bytes; too large")


def test_a_zip_without_the_entries_is_reported(bundle):
    members = read_members(bundle)
    bundle.unlink()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("manifest.json", members["manifest.json"])
    report = verify_bundle(bundle)
    assert failures(report) == {"bundle": ["the zip lacks entries.jsonl, proofs.json"]}


def test_a_long_list_of_problems_is_cut_short_in_the_printout(bundle):
    def orphans(data):
        data["inclusion"] += [{"seq": seq, "proof": []} for seq in range(100, 130)]

    status, out = run(rewrite(bundle, proofs=orphans))
    assert status == 1
    assert "seq 119: proofs.json proves this entry" in out
    assert "seq 120: proofs.json" not in out
    assert "... 10 more" in out


@pytest.mark.parametrize("depth", [900, 100_000])
def test_absurdly_nested_json_is_reported_not_raised(bundle, depth):
    members = read_members(bundle)
    line = json.loads(members["entries.jsonl"].splitlines()[0])
    nested = json.dumps(line).replace('"unit": 3', '"unit": ' + "[" * depth + "]" * depth)
    members["entries.jsonl"] = nested.encode() + b"\n"
    bundle.unlink()
    with zipfile.ZipFile(bundle, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    report = verify_bundle(bundle)
    assert list(failures(report)) == ["bundle"]
    assert "entries.jsonl line 1" in failures(report)["bundle"][0]


def test_a_corrupt_zip_is_reported(bundle):
    data = bytearray(bundle.read_bytes())
    start = data.index(b"entries.jsonl") + len(b"entries.jsonl")
    data[start : start + 40] = bytes(40)  # the start of the compressed stream
    bundle.write_bytes(bytes(data))
    report = verify_bundle(bundle)
    assert list(failures(report)) == ["bundle"]
    assert "as a zip file: Error -3 while decompressing data" in failures(report)["bundle"][0]


def test_an_encrypted_member_is_reported(bundle):
    data = bytearray(bundle.read_bytes())
    central = data.index(b"PK\x01\x02")  # the first central directory record
    data[central + 8] |= 0x01  # its "encrypted" flag
    bundle.write_bytes(bytes(data))
    report = verify_bundle(bundle)
    assert "is encrypted, password required" in failures(report)["bundle"][0]


def test_a_file_that_is_not_a_zip_is_reported(tmp_path):
    path = tmp_path / "case.zip"
    path.write_text("hello")
    status, out = run(path)
    assert status == 1
    assert "cannot read" in out
    assert "as a zip file" in out


def test_duplicate_and_float_json_are_refused(bundle):
    members = read_members(bundle)
    members["proofs.json"] = b'{"inclusion": [], "inclusion": [], "anchors": []}'
    bundle.unlink()
    with zipfile.ZipFile(bundle, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert "key 'inclusion' appears twice" in failures(verify_bundle(bundle))["bundle"][0]


def test_members_outside_the_format_are_named_as_not_covered(bundle):
    report = verify_bundle(rewrite(bundle, extra={"notes.txt": b"trust me"}))
    assert report.intact
    assert "not covered by this verification: notes.txt" in report.notes


# --- writing refuses what would not verify ------------------------------------------------------


def test_write_bundle_refuses_a_proof_that_does_not_verify(tmp_path, ledger, key):
    entries = exported_entries(ledger)
    proofs = {e["seq"]: ledger.proof(e["seq"]) for e in entries} | {7: ledger.proof(8)}
    with pytest.raises(ValueError, match="seq 7: its proof does not show it"):
        write_bundle(
            tmp_path / "x.zip",
            ledger.head(key),
            {key.key_id: key.public_key},
            entries,
            proofs,
            case="A",
        )
    assert not (tmp_path / "x.zip").exists()


def test_write_bundle_refuses_a_head_its_keys_do_not_verify(tmp_path, ledger, key):
    other = SigningKey(Ed25519PrivateKey.generate())
    with pytest.raises(ValueError, match="the tree head does not verify"):
        write_bundle(
            tmp_path / "x.zip",
            ledger.head(key),
            {other.key_id: other.public_key},
            [],
            {},
            case="A",
        )


def test_write_bundle_refuses_an_entry_given_twice(tmp_path, ledger, key):
    entries = exported_entries(ledger)
    with pytest.raises(ValueError, match="seq 5 appears twice"):
        write_bundle(
            tmp_path / "x.zip",
            ledger.head(key),
            {key.key_id: key.public_key},
            [*entries, entries[1]],
            {e["seq"]: ledger.proof(e["seq"]) for e in entries},
            case="A",
        )


def test_write_bundle_refuses_an_anchor_that_does_not_verify(tmp_path, ledger, key):
    with pytest.raises(ValueError, match="anchor seq 3: its proof does not verify"):
        write_bundle(
            tmp_path / "x.zip",
            ledger.head(key),
            {key.key_id: key.public_key},
            [],
            {},
            case="A",
            anchors=[Anchor(3, bytes(32), ledger.proof(3))],
        )


def test_write_bundle_refuses_a_seq_that_is_not_an_integer(tmp_path, ledger, key):
    with pytest.raises(ValueError, match="seq must be an integer: '2'"):
        write_bundle(
            tmp_path / "x.zip",
            ledger.head(key),
            {key.key_id: key.public_key},
            [ledger.entry(2) | {"seq": "2"}],
            {},
            case="A",
        )


def test_write_bundle_refuses_an_entry_without_a_proof(tmp_path, ledger, key):
    entries = exported_entries(ledger)
    proofs = {e["seq"]: ledger.proof(e["seq"]) for e in entries if e["seq"] != 9}
    with pytest.raises(ValueError, match="seq 9: no inclusion proof given"):
        write_bundle(
            tmp_path / "x.zip",
            ledger.head(key),
            {key.key_id: key.public_key},
            entries,
            proofs,
            case="A",
        )


def test_write_bundle_refuses_a_key_under_another_key_id(tmp_path, ledger, key):
    other = SigningKey(Ed25519PrivateKey.generate())
    keys = {key.key_id: key.public_key, "ab" * 32: other.public_key}
    with pytest.raises(
        ValueError, match=f"the public key given as abab.* has key id {other.key_id}"
    ):
        write_bundle(tmp_path / "x.zip", ledger.head(key), keys, [], {}, case="A")


def test_write_bundle_refuses_to_overwrite(bundle, ledger, key):
    with pytest.raises(FileExistsError):
        export(bundle, ledger, key)


# --- receipts and heads -------------------------------------------------------------------------


def test_a_receipt_holds_and_any_change_to_it_is_named(ledger, key):
    keys = {key.key_id: key.public_key}
    receipt = make_receipt(ledger.entry(5), ledger.proof(5), ledger.head(key))
    assert check_receipt(receipt, keys) == []
    assert check_receipt(json.loads(json.dumps(receipt)), keys) == []

    altered = json.loads(json.dumps(receipt))
    altered["entry"]["payload"] = payload("changed")
    assert check_receipt(altered, keys) == [
        "seq 5: the entry does not hash to the receipt's leaf hash: it was altered",
        "seq 5: the inclusion proof does not show the entry in the tree of size 12",
    ]

    other = SigningKey(Ed25519PrivateKey.generate())
    assert check_receipt(receipt, {other.key_id: other.public_key}) == [
        f"tree head: signed by key {key.key_id}, which is not among the known keys"
    ]


def test_a_receipt_of_another_format_is_named(ledger, key):
    receipt = make_receipt(ledger.entry(5), ledger.proof(5), ledger.head(key)) | {"version": 3}
    assert check_receipt(receipt, {key.key_id: key.public_key}) == [
        "not a version 1 or 2 casetrail receipt"
    ]


def test_a_receipt_names_its_leaf_index_and_a_version_1_receipt_still_verifies(ledger, key):
    receipt = make_receipt(ledger.entry(5), ledger.proof(5), ledger.head(key))
    assert receipt["version"] == 2
    assert receipt["leaf_index"] == 4  # seq 5 is leaf 4
    keys = {key.key_id: key.public_key}
    assert check_receipt(receipt, keys) == []
    old = {k: v for k, v in receipt.items() if k != "leaf_index"} | {"version": 1}
    assert check_receipt(old, keys) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"leaf_index": 5}, "leaf_index must be seq - 1 = 4: 5"),
        ({"version": 1}, "version 2 names its leaf_index, version 1 does not"),
    ],
)
def test_a_receipt_with_a_wrong_leaf_index_is_malformed(ledger, key, change, message):
    receipt = make_receipt(ledger.entry(5), ledger.proof(5), ledger.head(key)) | change
    assert check_receipt(receipt, {key.key_id: key.public_key}) == [
        f"malformed receipt: receipt: {message}"
    ]


def test_a_version_2_receipt_without_its_leaf_index_is_malformed(ledger, key):
    receipt = make_receipt(ledger.entry(5), ledger.proof(5), ledger.head(key))
    del receipt["leaf_index"]
    assert check_receipt(receipt, {key.key_id: key.public_key}) == [
        "malformed receipt: receipt: version 2 names its leaf_index, version 1 does not"
    ]


@pytest.mark.parametrize("receipt", [None, [], {"format": "casetrail-receipt"}, {"x": 1}])
def test_a_malformed_receipt_is_a_problem_not_an_exception(key, receipt):
    problems = check_receipt(receipt, {key.key_id: key.public_key})
    assert len(problems) == 1
    assert problems[0].startswith("malformed receipt")


def test_a_later_head_that_extends_the_log_is_consistent(ledger, key):
    keys = {key.key_id: key.public_key}
    older, newer = ledger.head(key, size=5), ledger.head(key, when=BASE + timedelta(days=2))
    proof = consistency_proof_from_nodes(5, 12, ledger.get_node)
    assert check_head_consistency(older, newer, proof, keys) == []


def test_every_head_extends_the_empty_one(ledger, key):
    keys = {key.key_id: key.public_key}
    empty = Ledger([]).head(key, when=BASE)
    assert check_head_consistency(empty, ledger.head(key), [], keys) == []


def test_a_rewritten_history_is_caught_against_an_older_head(ledger, key):
    keys = {key.key_id: key.public_key}
    older = ledger.head(key, size=5)
    rewritten = Ledger([*PLAN[:3], ("case:A", "CASE_DROPPED"), *PLAN[4:]])
    newer = rewritten.head(key, when=BASE + timedelta(days=2))
    proof = consistency_proof_from_nodes(5, 12, rewritten.get_node)
    assert check_head_consistency(older, newer, proof, keys) == [
        "the tree of size 12 does not extend the tree of size 5: "
        "history was rewritten, or the proof is wrong"
    ]


def test_a_newer_head_that_shrank_or_went_back_in_time_is_named(ledger, key):
    keys = {key.key_id: key.public_key}
    big, small = ledger.head(key), ledger.head(key, size=5)
    assert check_head_consistency(big, small, [], keys) == [
        "the newer head has 5 entries, fewer than the older's 12"
    ]
    older = ledger.head(key, size=5, when=BASE + timedelta(days=2))
    newer = ledger.head(key, when=BASE + timedelta(days=1))
    proof = consistency_proof_from_nodes(5, 12, ledger.get_node)
    assert check_head_consistency(older, newer, proof, keys) == [
        "the newer head is dated before the older one"
    ]


def test_heads_that_do_not_verify_are_named_before_anything_else(ledger, key):
    keys = {key.key_id: key.public_key}
    forged = replace(ledger.head(key), signature=bytes(64))
    assert check_head_consistency(ledger.head(key, size=5), forged, [], keys) == [
        f"newer head: the signature does not verify under key {key.key_id}"
    ]


def test_entries_without_a_final_newline_read_the_same(bundle, key):
    members = read_members(bundle)
    assert members["entries.jsonl"].endswith(b"}\n")
    rewrite(bundle, extra={"entries.jsonl": members["entries.jsonl"].rstrip(b"\n")})
    report = verify_bundle(bundle, trusted_key_ids={key.key_id})
    assert failures(report) == {}
    assert [e.seq for e in report.bundle.entries] == [2, 5, 6, 7, 9, 10, 11]


def test_run_as_a_program_it_exits_with_the_verdict(bundle, key, monkeypatch, capsys):
    """``python -m casetrail.ledger.verify FILE``, in this process (so that it is measured;
    the test above runs it in a fresh interpreter without Django)."""
    monkeypatch.delitem(sys.modules, "casetrail.ledger.verify")  # run afresh as __main__

    def program(*argv):
        monkeypatch.setattr(sys, "argv", ["verify", *map(str, argv)])
        with pytest.raises(SystemExit) as exited:
            runpy.run_module("casetrail.ledger.verify", run_name="__main__")
        return exited.value.code, capsys.readouterr().out

    code, out = program(bundle, "--trust", key.key_id)
    assert (code, out.splitlines()[-1]) == (0, "INTACT: every check holds")
    rewrite(bundle, entries=lambda lines: lines[:-1])
    code, out = program(bundle)
    assert code == 1
    assert out.splitlines()[-1].startswith("NOT INTACT: first failure")
