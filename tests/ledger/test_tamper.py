"""Tampering behind the application's back, with raw SQL, and which detector catches it.

Three detectors: `casetrail ledger verify` (the rows against themselves and their signed heads),
an earlier receipt (`casetrail ledger check-receipt FILE --live`: the receipt against today's
ledger) and an earlier exported bundle (its head against today's latest head, through the
consistency proof the API serves). Each test says which one catches what, and what it reports;
where a detector cannot see a change, the test says so too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from casetrail.cases import actions, export
from casetrail.ledger import heads, receipts, tree, verify
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.models import LedgerEntry, leaf_fields_of
from casetrail.ledger.signing import TreeHead
from tests.api.conftest import ApiClient
from tests.ledger.conftest import reported_case, run, sql
from tests.ledger.test_tree import rebuild_tree, record_in_transaction

FORGED = '{"summary":"nothing happened"}'


def verify_cli(capsys, *extra):
    return run(capsys, "ledger", "verify", "--no-progress", *extra)


@dataclass
class Story:
    case_number: str
    intake_seq: int  # the incident's intake entry, whose receipt the reporter keeps
    receipt_file: Path
    receipt_head: TreeHead
    between: int  # an entry after the receipt's head and inside the export's
    bundle: Path
    bundle_head: TreeHead
    old_key_id: str


@pytest.fixture
def story(world, signing_key, tmp_path):
    """An incident that became a case; the reporter keeps a receipt; the case is exported;
    the log goes on."""
    case, incident = reported_case(world)
    world.case()
    receipt = receipts.receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    assert receipt is not None
    receipt_file = tmp_path / "receipt.json"
    receipt_file.write_text(json.dumps(receipt.file()), encoding="utf-8")
    other = world.case()
    between = actions.add_party(
        other, actions.PartyInput(role="witness", name="李四"), actor=world.handler1
    )
    assert between is not None
    between_seq = tree.tree_size()  # that case.party_added entry
    done = export.export_case(case.number, tmp_path / "case.zip")
    world.incident()
    world.case()
    heads.sign_head()
    assert receipt.head.size < between_seq <= done.head.size
    return Story(
        case_number=case.number,
        intake_seq=receipt.seq,
        receipt_file=receipt_file,
        receipt_head=receipt.head,
        between=between_seq,
        bundle=done.path,
        bundle_head=done.head,
        old_key_id=signing_key.key_id,
    )


def bundle_against_ledger(world, bundle_path):
    """What a bundle's holder learns by asking the API for a consistency proof from the
    bundle's head to the latest head."""
    bundle = verify.read_bundle(bundle_path)
    client = ApiClient(world.supervisor)
    latest = TreeHead.from_dict(client.get("/ledger/head").json())
    response = client.get("/ledger/consistency", first=bundle.head.size, second=latest.size)
    if response.status_code != 200:
        return [f"no consistency proof: {response.json()['detail']}"]
    proof = [bytes.fromhex(h) for h in response.json()["proof"]]
    keys = bundle.public_keys | {
        k["key_id"]: bytes.fromhex(k["public_key"]) for k in client.get("/ledger/keys").json()
    }
    return verify.check_head_consistency(bundle.head, latest, proof, keys)


def rehash_from(seq, payload):
    """The thorough forger: rewrite entry ``seq``, then recompute every leaf hash and subject
    link after it and rebuild the whole tree, so the rows agree with themselves again."""
    hashes: dict[int, bytes] = {}  # the leaf hash of each seq, as rewritten
    for entry in LedgerEntry.objects.order_by("seq"):
        fields = entry.leaf_fields(hashes[entry.prev_seq] if entry.prev_seq else None)
        if entry.seq == seq:
            fields["payload"] = payload
        if entry.seq >= seq:
            hashed = leaf_hash(verify.entry_leaf_data(fields))
            sql(
                "UPDATE ledger_ledgerentry SET payload = %s, leaf_hash = %s WHERE seq = %s",
                [fields["payload"], hashed, entry.seq],
            )
        else:
            hashed = bytes(entry.leaf_hash)
        hashes[entry.seq] = hashed
    rebuild_tree()


def complete_the_block_of(world, seq):
    """Append entries until the stored node of level 4 over ``seq`` exists: the stored tree
    can say which 16 entries changed only where their node is complete."""
    while tree.tree_size() < (seq - 1) // 16 * 16 + 16:
        world.incident()


def forget_heads():
    sql("DELETE FROM ledger_ledgercheckpoint")
    sql("DELETE FROM ledger_signedhead")


def test_an_intact_story_verifies_everywhere(world, story, capsys):
    code, out, _ = verify_cli(capsys)
    assert code == 0, out
    assert "INTACT" in out
    code, out, _ = run(capsys, "ledger", "check-receipt", story.receipt_file, "--live")
    assert code == 0, out
    assert verify.verify_bundle(story.bundle).intact
    assert bundle_against_ledger(world, story.bundle) == []


def test_a_changed_payload_is_caught_by_verify_by_the_receipt_and_by_a_new_export(
    world, story, capsys, tmp_path
):
    k = story.intake_seq
    sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = %s", [FORGED, k])

    code, out, _ = verify_cli(capsys)
    assert code == 1
    assert f"NOT INTACT: first bad seq {k} (leaf): its fields do not hash to its stored" in out
    assert "the entry was changed after it was recorded" in out

    # The receipt alone still checks (it is the reporter's own copy)...
    code, out, _ = run(capsys, "ledger", "check-receipt", story.receipt_file)
    assert code == 0
    # ...and held against the ledger it shows the ledger no longer says what it said.
    code, out, _ = run(capsys, "ledger", "check-receipt", story.receipt_file, "--live")
    assert code == 1
    assert f"the ledger's entry seq {k} no longer reads as the receipt shows" in out

    code, _, err = run(capsys, "export", "case", story.case_number, "--out", tmp_path / "again.zip")
    assert code == 1
    assert f"seq {k}: its proof does not show it in the tree of the head" in err
    assert not (tmp_path / "again.zip").exists()


def test_a_deleted_entry_is_caught_by_verify_and_by_the_receipt(world, story, capsys):
    k = story.intake_seq
    sql("DELETE FROM ledger_ledgerentry WHERE seq = %s", [k])

    code, out, _ = verify_cli(capsys)
    assert code == 1
    assert (
        f"NOT INTACT: first bad seq {k} (sequence): missing: the log jumps from seq {k - 1} "
        f"to seq {k + 1}"
    ) in out

    code, out, _ = run(capsys, "ledger", "check-receipt", story.receipt_file, "--live")
    assert code == 1
    assert f"the ledger has no entry seq {k} any more: it was removed" in out


def test_an_inserted_entry_is_caught_by_verify(world, story, capsys):
    k = story.between
    complete_the_block_of(world, k)
    original = LedgerEntry.objects.get(seq=k)
    # Make room at k (through a free range: the unique seq is checked row by row) and move the
    # links that point past it, then insert a forged entry there whose own leaf hash and
    # subject link are correct.
    sql("UPDATE ledger_ledgerentry SET seq = seq + 1000000 WHERE seq >= %s", [k])
    sql("UPDATE ledger_ledgerentry SET seq = seq - 999999 WHERE seq >= 1000000")
    sql("UPDATE ledger_ledgerentry SET prev_seq = prev_seq + 1 WHERE prev_seq >= %s", [k])
    fields = leaf_fields_of([original])[0] | {"payload": FORGED}
    sql(
        "INSERT INTO ledger_ledgerentry (seq, at, actor_id, actor_label, action, subject_type, "
        "subject_id, unit_id, payload, leaf_hash, prev_seq) SELECT %s, at, actor_id, "
        "actor_label, action, subject_type, subject_id, unit_id, %s, %s, prev_seq "
        "FROM ledger_ledgerentry WHERE seq = %s",
        [k, FORGED, leaf_hash(verify.entry_leaf_data(fields)), k + 1],
    )

    code, out, _ = verify_cli(capsys)
    assert code == 1
    # The forged entry hashes right; only the stored tree's node over its 16 seqs tells.
    block = (k - 1) // 16
    first, last = block * 16 + 1, block * 16 + 16
    assert (
        f"NOT INTACT: first bad seqs {first}..{last} (tree): node (4, {block}) over seqs "
        f"{first}..{last} is not the hash of the leaf hashes below it"
    ) in out
    assert f"also seq {k + 1} (leaf): its fields do not hash" in out
    assert f"also seq {k + 1} (chain): names seq {original.prev_seq} as its previous" in out


def test_two_swapped_entries_are_caught_by_verify(world, story, capsys):
    a = story.between
    b = a + 2
    complete_the_block_of(world, b)
    sql("UPDATE ledger_ledgerentry SET seq = 1000000 WHERE seq = %s", [a])
    sql("UPDATE ledger_ledgerentry SET seq = %s WHERE seq = %s", [a, b])
    sql("UPDATE ledger_ledgerentry SET seq = %s WHERE seq = 1000000", [b])

    code, out, _ = verify_cli(capsys)
    assert code == 1
    # The stored tree says which 16 entries changed; the leaves say which ones.
    block = (a - 1) // 16
    first, last = block * 16 + 1, block * 16 + 16
    assert f"NOT INTACT: first bad seqs {first}..{last} (tree): node (4, {block})" in out
    assert f"also seq {a} (leaf): its fields do not hash" in out
    assert f"also seq {b} (leaf): its fields do not hash" in out


def test_a_cut_back_log_resigned_with_a_new_key_is_caught_by_the_receipt(
    world, story, capsys, key_file
):
    keep = story.receipt_head.size - 3
    assert keep >= story.intake_seq
    forget_heads()
    sql("DELETE FROM ledger_ledgerentry WHERE seq > %s", [keep])
    rebuild_tree()  # the nodes as appends up to seq `keep` would have left them
    key_file.rename(key_file.with_name("old.pem"))
    heads.generate_key(key_file)  # registered through the application, with its entry
    heads.sign_head()

    # The rows agree with themselves and with the only head left: verify cannot tell...
    code, out, _ = verify_cli(capsys)
    assert code == 0
    # ...unless told which key the agency published.
    code, out, _ = verify_cli(capsys, "--trust", story.old_key_id)
    assert code == 1
    assert "not a trusted key" in out

    size = tree.tree_size()
    code, out, _ = run(capsys, "ledger", "check-receipt", story.receipt_file, "--live")
    assert code == 1
    assert (
        f"the ledger has {size} entries, but the receipt's head signed "
        f"{story.receipt_head.size}: entries after seq {size} were removed"
    ) in out
    # The bundle's head is larger than the whole log now: no proof can extend it.
    (problem,) = bundle_against_ledger(world, story.bundle)
    assert problem.startswith(f"no consistency proof: first {story.bundle_head.size}: the log has ")
    assert int(problem.rsplit(" ", 2)[1]) < story.bundle_head.size


def test_a_rewrite_rehashed_without_the_key_is_caught_by_verify_at_the_signed_heads(
    world, story, capsys
):
    rehash_from(story.between, FORGED)

    code, out, _ = verify_cli(capsys)
    assert code == 1
    first = story.receipt_head.size + 1
    assert f"NOT INTACT: first bad seq {first} (head): head #" in out
    assert (
        f"an entry in seqs {first}..{story.bundle_head.size} was changed after the head was signed"
    ) in out


def test_a_rewrite_rehashed_and_resigned_is_caught_by_the_exported_bundle(world, story, capsys):
    rehash_from(story.between, FORGED)
    forget_heads()
    heads.sign_head()

    code, out, _ = verify_cli(capsys)
    assert code == 0, out  # the operator holds the key: the rows and the new heads agree
    # The receipt's head predates the rewritten entry: what it signed is still true.
    code, _, _ = run(capsys, "ledger", "check-receipt", story.receipt_file, "--live")
    assert code == 0
    # The bundle's head covers it: today's log does not extend it.
    assert verify.verify_bundle(story.bundle).intact  # the bundle itself is untouched
    problems = bundle_against_ledger(world, story.bundle)
    assert problems == [
        f"the tree of size {heads.latest_head().size} does not extend the tree of size "
        f"{story.bundle_head.size}: history was rewritten, or the proof is wrong"
    ]


def test_a_rewrite_rehashed_and_resigned_before_the_receipt_is_caught_by_the_receipt(
    world, story, capsys
):
    rehash_from(story.intake_seq, FORGED)
    forget_heads()
    heads.sign_head()

    code, out, _ = verify_cli(capsys)
    assert code == 0
    code, out, _ = run(capsys, "ledger", "check-receipt", story.receipt_file, "--live")
    assert code == 1
    assert f"the ledger's entry seq {story.intake_seq} is not the one on the receipt" in out
    assert (
        f"the ledger's first {story.receipt_head.size} entries no longer have the root the "
        "receipt's head signed: history was rewritten after the receipt was issued"
    ) in out


# --- the newest entries: the open block ----------------------------------------------------------


def grow_to(world, position):
    """Append until the log's size is ``position`` past a multiple of 16."""
    while tree.tree_size() % 16 != position:
        record_in_transaction(world)


def test_a_rehashed_entry_among_the_newest_is_caught_now_and_after_its_block_closes(world, capsys):
    grow_to(world, 12)  # twelve entries that no node of level 4 covers yet
    size = tree.tree_size()
    k = size - 3
    entry = LedgerEntry.objects.get(seq=k)
    # The careless forger: the row and its own leaf hash rewritten, the nodes left alone.
    forged = leaf_fields_of([entry])[0] | {"payload": FORGED}
    sql(
        "UPDATE ledger_ledgerentry SET payload = %s, leaf_hash = %s WHERE seq = %s",
        [FORGED, leaf_hash(verify.entry_leaf_data(forged)), k],
    )

    code, out, _ = verify_cli(capsys)
    assert code == 1
    pair = (k - 1) // 2
    assert (
        f"NOT INTACT: first bad seqs {2 * pair + 1}..{2 * pair + 2} (tree): node (1, {pair}) "
        "over seqs"
    ) in out
    assert "is not the hash of the leaf hashes below it" in out

    # The appends that close the block build its node from the nodes stored, not from the
    # forged leaf: the change stays visible for good.
    grow_to(world, 3)
    block = (k - 1) // 16
    code, out, _ = verify_cli(capsys)
    assert code == 1
    assert (
        f"NOT INTACT: first bad seqs {16 * block + 1}..{16 * block + 16} (tree): node (4, {block})"
    ) in out


def test_the_newest_entries_cut_off_are_caught_by_verify(world, capsys):
    grow_to(world, 12)
    keep = tree.tree_size() - 5
    sql("DELETE FROM ledger_ledgerentry WHERE seq > %s", [keep])

    code, out, _ = verify_cli(capsys)
    assert code == 1
    assert f"entries after seq {keep} were removed" in out
