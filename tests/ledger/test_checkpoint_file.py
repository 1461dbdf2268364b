"""The signed checkpoint outside the database (C2SP tlog-checkpoint), and what it catches.

Issue 16: with every signed head deleted, `ledger verify` printed a note and passed; with the
tail cut back by 100 entries and the later heads and nodes deleted it passed even with
``--trust``. The head signer now keeps the largest head ever signed in a file the database
cannot rewrite, and verify holds the log to it.
"""

from __future__ import annotations

import logging
import shutil

import pytest

from casetrail.ledger import audit, heads, note, tree
from casetrail.ledger.models import LedgerCheckpoint, SignedHead
from tests.ledger.test_audit import forge_head
from tests.ledger.test_tamper import FORGED, forget_heads, rehash_from, run, sql, verify_cli
from tests.ledger.test_tree import busy_log, rebuild_tree, record_in_transaction


@pytest.fixture
def outside(settings, tmp_path):
    """The checkpoint file, in a folder of its own (not the data folder)."""
    path = tmp_path / "outside" / "checkpoint"
    path.parent.mkdir()
    settings.CASETRAIL_LEDGER_CHECKPOINT_FILE = path
    return path


@pytest.fixture
def sign(django_capture_on_commit_callbacks):
    """Sign a head as the server does: the checkpoint file moves once its head is committed."""

    def sign_now():
        with django_capture_on_commit_callbacks(execute=True):
            return heads.sign_head()

    return sign_now


def test_the_signer_writes_a_c2sp_checkpoint_of_each_new_head(world, signing_key, outside, sign):
    busy_log(world, cases=1)
    head = sign()
    text = outside.read_text(encoding="utf-8")
    body, signature = text.split("\n\n")
    assert body.split("\n") == [
        "casetrail/ledger",
        str(head.size),
        __import__("base64").b64encode(head.root).decode(),
    ]
    assert signature.startswith("\u2014 casetrail/ledger ")
    parsed = heads.read_checkpoint(outside, heads.public_keys())
    assert (parsed.size, parsed.root, parsed.key_id) == (head.size, head.root, signing_key.key_id)
    world.case()
    later = sign()
    assert heads.read_checkpoint(outside, heads.public_keys()).size == later.size


def test_every_signed_head_deleted_is_caught(world, signing_key, outside, sign, capsys):
    busy_log(world, cases=1)
    head = sign()
    forget_heads()

    code, out, _ = verify_cli(capsys)
    assert code == 1
    assert (
        f"NOT INTACT: the ledger (checkpoint): the checkpoint file {outside} names a signed head "
        f"of {head.size} entries that the database no longer holds: signed heads were deleted"
    ) in out


def test_heads_deleted_after_a_verify_are_caught_by_the_log_itself(world, signing_key, capsys):
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok  # its ledger.verified entry names the head it found
    forget_heads()
    code, out, _ = verify_cli(capsys)
    assert code == 1
    assert "that the database no longer holds: signed heads were deleted" in out


def test_a_tail_cut_back_by_100_entries_with_its_heads_and_nodes_is_caught_even_with_trust(
    world, signing_key, outside, sign, capsys
):
    busy_log(world, cases=1)
    sign()
    for _ in range(130):
        record_in_transaction(world)
    head = sign()
    keep = head.size - 100
    sql("DELETE FROM ledger_signedhead WHERE size > %s", [keep])
    sql("DELETE FROM ledger_ledgerentry WHERE seq > %s", [keep])
    rebuild_tree()  # the nodes as appends up to seq `keep` would have left them

    code, out, _ = verify_cli(capsys, "--trust", signing_key.key_id)
    assert code == 1
    assert (
        f"NOT INTACT: first bad seq {keep + 1} (checkpoint): the checkpoint file {outside} names "
        f"a signed head of {head.size} entries, but the log has {keep}: entries after seq "
        f"{keep} were removed"
    ) in out


def test_an_outsiders_copy_catches_a_rewrite_the_key_holder_resigned(
    world, signing_key, outside, sign, capsys, tmp_path
):
    busy_log(world, cases=1)
    head = sign()
    copy = tmp_path / "kept-by-the-prosecutor"
    shutil.copy(outside, copy)
    rehash_from(3, FORGED)
    forget_heads()
    outside.unlink()  # the operator controls the server's own file
    sign()

    code, out, _ = verify_cli(capsys)
    assert code == 0, out  # the rows, the new head and the new file agree
    code, out, _ = verify_cli(capsys, "--checkpoint", copy)
    assert code == 1
    assert (
        f"the log's first {head.size} entries no longer have the root the checkpoint file "
        f"{copy} signed: an entry in seqs 1..{head.size} was changed"
    ) in out


def test_verify_names_a_checkpoint_copy_that_is_missing(db, capsys, tmp_path):
    code, _, err = verify_cli(capsys, "--checkpoint", tmp_path / "absent")
    assert code == 2
    assert f"error: --checkpoint: no file {tmp_path / 'absent'}" in err


def test_an_intact_log_verifies_against_its_checkpoint(world, signing_key, outside, sign, capsys):
    busy_log(world, cases=1)
    head = sign()
    world.case()  # the log goes on past the checkpoint: a consistency proof holds them together
    code, out, _ = verify_cli(capsys)
    assert code == 0, out
    assert f"and the signed checkpoint of {head.size} entries" in out


def test_the_checkpoint_never_moves_backwards_or_over_a_rewrite(
    world, signing_key, outside, sign, caplog
):
    busy_log(world, cases=1)
    head = sign()
    written = outside.read_text(encoding="utf-8")
    size = head.size
    sql("DELETE FROM ledger_ledgerentry WHERE seq > %s", [size - 5])
    rebuild_tree()
    with caplog.at_level(logging.ERROR, logger="casetrail.ledger"):
        sign()
    assert outside.read_text(encoding="utf-8") == written
    assert f"it names {size} entries, more than the head of {size - 5}" in caplog.text

    caplog.clear()
    for _ in range(5):
        record_in_transaction(world)  # back to the same size, another history
    with caplog.at_level(logging.ERROR, logger="casetrail.ledger"):
        sign()
    assert outside.read_text(encoding="utf-8") == written
    assert f"it names another root for the same {size} entries" in caplog.text

    caplog.clear()
    world.case()
    with caplog.at_level(logging.ERROR, logger="casetrail.ledger"):
        sign()
    assert outside.read_text(encoding="utf-8") == written
    assert "does not extend the checkpoint's" in caplog.text


def test_the_same_head_again_leaves_the_file_alone(world, signing_key, outside, sign):
    world.case()
    head = sign()
    before = outside.stat().st_mtime_ns
    assert heads.advance_checkpoint(signing_key, head) is False
    assert outside.stat().st_mtime_ns == before


def test_a_file_that_is_not_a_checkpoint_is_kept_and_reported(
    world, signing_key, outside, sign, caplog, capsys
):
    outside.write_text("not a checkpoint\n", encoding="utf-8")
    world.case()
    with caplog.at_level(logging.ERROR, logger="casetrail.ledger"):
        sign()
    assert outside.read_text(encoding="utf-8") == "not a checkpoint\n"
    assert "it is not a checkpoint this ledger signed" in caplog.text
    code, out, _ = verify_cli(capsys)
    assert code == 1
    assert f"the ledger (checkpoint): the checkpoint file {outside}: " in out


def test_an_unwritable_checkpoint_folder_is_logged_not_raised(
    world, signing_key, settings, tmp_path, sign, caplog
):
    settings.CASETRAIL_LEDGER_CHECKPOINT_FILE = tmp_path / "no-such-folder" / "checkpoint"
    world.case()
    with caplog.at_level(logging.ERROR, logger="casetrail.ledger"):
        sign()
    assert "cannot write the checkpoint file" in caplog.text


def test_without_a_file_the_signer_writes_nothing(world, signing_key, settings, sign):
    settings.CASETRAIL_LEDGER_CHECKPOINT_FILE = None
    world.case()
    head = sign()
    assert heads.advance_checkpoint(signing_key, head) is False


def test_verify_says_when_no_checkpoint_file_is_configured_or_written_yet(
    world, signing_key, settings, tmp_path
):
    world.case()
    heads.sign_head()
    settings.CASETRAIL_LEDGER_CHECKPOINT_FILE = None
    report = audit.verify_ledger(checkpoint=False)
    assert any("no checkpoint file (CASETRAIL_LEDGER_CHECKPOINT_FILE)" in n for n in report.notes)
    settings.CASETRAIL_LEDGER_CHECKPOINT_FILE = tmp_path / "later"
    report = audit.verify_ledger(checkpoint=False)
    assert report.ok
    assert f"no checkpoint file at {tmp_path / 'later'} yet: the next signed head writes it" in (
        report.notes
    )


def test_a_checkpoint_signed_by_an_untrusted_key_is_reported(world, signing_key, outside, sign):
    world.case()
    sign()
    report = audit.verify_ledger(trusted=["0" * 64], checkpoint=False)
    problems = [p for p in report.problems if p.check == "checkpoint"]
    assert any("not a trusted key" in p.message for p in problems)


def test_a_checkpoint_of_the_empty_log_holds_every_log(world, signing_key, outside):
    text = note.sign(signing_key, origin=heads.origin(), size=0, root=tree.root(0))
    outside.write_text(text, encoding="utf-8")
    world.case()
    heads.sign_head()
    report = audit.verify_ledger(checkpoint=False)
    assert report.ok, report.problems
    assert report.outside is not None
    assert report.outside.size == 0


def test_the_signer_moves_a_checkpoint_of_the_empty_log_forward(world, signing_key, outside, sign):
    text = note.sign(signing_key, origin=heads.origin(), size=0, root=tree.root(0))
    outside.write_text(text, encoding="utf-8")
    world.case()
    head = sign()
    assert heads.read_checkpoint(outside, heads.public_keys()).size == head.size


def test_a_checkpoint_whose_proof_needs_a_missing_node_names_it(world, signing_key, outside):
    busy_log(world, cases=1)
    text = note.sign(signing_key, origin=heads.origin(), size=17, root=tree.root(17))
    outside.write_text(text, encoding="utf-8")
    heads.sign_head()
    sql('DELETE FROM ledger_ledgernode WHERE "key" = %s', [tree.node_key(4, 0)])
    report = audit.verify_ledger(checkpoint=False)
    assert "the tree needs node (4, 0) over seqs 1..16, which is not stored" in [
        p.message for p in report.problems
    ]


def test_heads_whose_consistency_proof_needs_a_missing_node_name_it(world, signing_key):
    busy_log(world, cases=1)
    forge_head(signing_key, 17)
    heads.sign_head()
    sql('DELETE FROM ledger_ledgernode WHERE "key" = %s', [tree.node_key(4, 0)])
    report = audit.verify_ledger(checkpoint=False)
    messages = [p.message for p in report.problems]
    assert messages.count("the tree needs node (4, 0) over seqs 1..16, which is not stored") == 1


def test_a_checkpoint_over_a_missing_node_names_the_node(world, signing_key, outside, sign):
    busy_log(world, cases=1)
    head = sign()
    world.case()
    heads.sign_head()
    sql('DELETE FROM ledger_ledgernode WHERE "key" = %s', [tree.node_key(4, 0)])
    report = audit.verify_ledger(checkpoint=False)
    assert not report.ok
    assert head.size > 16
    assert any("node (4, 0)" in p.message for p in report.problems)


# --- resuming: trusted keys, the checkpoint row, the weekly full run ------------------------------


def checkpointed(world):
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok
    return LedgerCheckpoint.objects.get()


def test_resume_with_trust_checks_the_checkpoints_head(world, signing_key, capsys):
    checkpointed(world)
    code, out, _ = verify_cli(capsys, "--resume", "--trust", "f" * 64)
    assert code == 1
    assert f"signed by key {signing_key.key_id}, not a trusted key" in out
    code, out, _ = verify_cli(capsys, "--resume", "--trust", signing_key.key_id)
    assert code == 0, out


def test_a_checkpoint_row_written_behind_the_ledgers_back_is_not_resumed_from(world, signing_key):
    checkpointed(world)
    world.case()
    head = heads.sign_head()
    row = SignedHead.objects.get(size=head.size)
    sql(
        "INSERT INTO ledger_ledgercheckpoint (head_id, entries, verified_at, resumed) "
        "SELECT %s, entries, verified_at, resumed FROM ledger_ledgercheckpoint",
        [row.pk],
    )
    report = audit.verify_ledger(resume=True)
    assert not report.ok
    assert "has no ledger.verified entry naming that head" in report.first.message


def test_a_resumed_run_reports_an_old_leaf_rewritten_with_its_hash(world, signing_key):
    checkpointed(world)
    world.case()
    heads.sign_head()
    # The careless forger: the row and its leaf hash rewritten, the nodes left alone.
    sql(
        "UPDATE ledger_ledgerentry SET leaf_hash = %s WHERE seq = 2",
        [b"\1" * 32],
    )
    report = audit.verify_ledger(resume=True)
    assert not report.ok
    assert {(p.seq, p.check) for p in report.problems} >= {(2, "leaf")}


def test_a_resumed_run_reports_an_old_entry_that_is_malformed(world, signing_key):
    checkpointed(world)
    sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 2", ["[1]"])
    report = audit.verify_ledger(resume=True, checkpoint=False)
    assert (2, "leaf") in {(p.seq, p.check) for p in report.problems}
    assert "the entry is malformed" in report.first.message


def test_a_resumed_run_reports_an_old_entry_that_is_gone(world, signing_key):
    checkpointed(world)
    sql("DELETE FROM ledger_ledgerentry WHERE seq = 2")
    report = audit.verify_ledger(resume=True, checkpoint=False)
    assert (2, "sequence") in {(p.seq, p.check) for p in report.problems}


def test_the_weekly_full_verify_runs_when_no_full_run_is_recent(world, signing_key, settings):
    from casetrail import background

    job = next(j for j in background.jobs() if j.name == "ledger.verify_full")
    assert job.run == audit.verify_full_if_due
    assert job.every_seconds == 7 * 86400
    assert audit.verify_full_if_due() is None  # nothing signed yet
    world.case()
    heads.sign_head()
    report = audit.verify_full_if_due()
    assert report is not None
    assert report.ok
    assert report.start == 0
    assert audit.verify_full_if_due() is None  # a full run within the week
    sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 2", [FORGED])
    settings.CASETRAIL_LEDGER_FULL_VERIFY_EVERY_SECONDS = 0
    report = audit.verify_full_if_due()
    assert report is not None
    assert not report.ok


def test_check_receipt_and_cli_still_run(capsys, tmp_path):
    code, _, err = run(capsys, "ledger", "check-receipt", tmp_path / "absent.json")
    assert code == 2
    assert "cannot read" in err
