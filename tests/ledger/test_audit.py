"""`ledger verify` on its own: what a full and a resumed run check, and what each reports."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casetrail import clock
from casetrail.cli.ledger import ProgressBar
from casetrail.ledger import audit, heads, merkle, tree
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerCheckpoint, LedgerEntry, SignedHead
from casetrail.ledger.signing import SigningKey, sign_head
from tests.ledger.test_tamper import FORGED, rehash_from, sql
from tests.ledger.test_tree import busy_log


def checks(report):
    return {(p.seq, p.check) for p in report.problems}


def test_a_full_run_checks_everything_and_records_a_checkpoint(world, signing_key):
    busy_log(world)
    head = heads.sign_head()
    seen = []
    report = audit.verify_ledger(progress=lambda done, total: seen.append((done, total)))
    assert report.ok, report.problems
    assert report.size == head.size
    assert report.heads_checked == 1
    assert seen[-1] == (head.size, head.size)
    checkpoint = LedgerCheckpoint.objects.get()
    assert checkpoint == report.checkpoint
    assert checkpoint.head.size == head.size
    assert not checkpoint.resumed
    entry = LedgerEntry.objects.get(action=LedgerKind.LEDGER_VERIFIED)
    assert json.loads(entry.payload) == {
        "entries": head.size,
        "head_root": head.root.hex(),
        "head_size": head.size,
        "resumed": False,
    }


def test_a_log_without_a_signed_head_verifies_with_a_warning(world):
    world.case()
    report = audit.verify_ledger()
    assert report.ok
    assert any("no signed head yet" in note for note in report.notes)
    assert report.checkpoint is None


def test_resume_checks_only_what_came_after_the_checkpoint(world, signing_key):
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok
    checkpoint_size = LedgerCheckpoint.objects.get().head.size
    world.case()
    heads.sign_head()
    report = audit.verify_ledger(resume=True)
    assert report.ok, report.problems
    assert report.start == checkpoint_size
    assert LedgerCheckpoint.objects.latest("id").resumed


def test_resume_catches_a_change_after_the_checkpoint(world, signing_key):
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok
    world.case()
    changed = tree.tree_size()
    sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = %s", [FORGED, changed])
    report = audit.verify_ledger(resume=True)
    assert not report.ok
    assert report.first.seq == changed
    assert report.first.check == "leaf"


def test_resume_does_not_reread_rows_before_the_checkpoint_but_a_full_run_does(world, signing_key):
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok
    sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 3", [FORGED])
    assert audit.verify_ledger(resume=True).ok  # the documented blind spot of --resume
    full = audit.verify_ledger()
    assert (3, "leaf") in checks(full)


def test_resume_catches_a_rehashed_rewrite_before_the_checkpoint(world, signing_key):
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok
    rehash_from(3, FORGED)
    report = audit.verify_ledger(resume=True)
    assert not report.ok
    assert "the stored tree no longer has the root the checkpoint" in report.first.message


def test_resume_without_a_checkpoint_verifies_everything(world, signing_key):
    world.case()
    heads.sign_head()
    report = audit.verify_ledger(resume=True)
    assert report.ok
    assert report.start == 0
    assert "no checkpoint to resume from: verified everything" in report.notes


def test_a_changed_node_is_named_with_the_seqs_it_covers(world, signing_key):
    busy_log(world, cases=1)
    assert tree.tree_size() >= 32
    sql(
        'UPDATE ledger_ledgernode SET hash = %s WHERE "key" = %s', [b"\1" * 32, tree.node_key(4, 1)]
    )
    report = audit.verify_ledger()
    assert (report.first.seq, report.first.last) == (17, 32)
    assert report.first.message == (
        "node (4, 1) over seqs 17..32 is not the hash of the leaf hashes below it: an entry "
        "among them was changed, added or removed after the node was stored"
    )


def test_a_node_beyond_the_log_means_entries_were_removed(world, signing_key):
    busy_log(world, cases=1)
    n = tree.tree_size()
    sql(
        'INSERT INTO ledger_ledgernode ("key", hash) VALUES (%s, %s)',
        [tree.node_key(4, n >> 4), b"\2" * 32],
    )
    report = audit.verify_ledger()
    assert report.first.seq == n + 1
    assert f"entries after seq {n} were removed" in report.first.message


def test_a_changed_link_is_a_chain_problem(world, signing_key):
    case = world.case()
    world.incident()
    from casetrail.cases import actions

    actions.transition_case(case, actions.MoveInput(move="start_review"), actor=world.handler1)
    second = LedgerEntry.objects.filter(subject_id=str(case.pk), subject_type="case").last()
    sql(
        "UPDATE ledger_ledgerentry SET prev_seq = 1 WHERE seq = %s",
        [second.seq],
    )
    report = audit.verify_ledger()
    first = LedgerEntry.objects.get(subject_id=str(case.pk), subject_type="case", prev_seq=None)
    assert report.first.message == (
        f"names seq 1 as its previous entry, but the entry of case:{case.pk} before it is "
        f"seq {first.seq}"
    )
    assert (second.seq, "chain") in checks(report)
    assert (second.seq, "leaf") in checks(report)


def test_an_altered_head_signature_is_reported(world, signing_key):
    world.case()
    heads.sign_head()
    sql("UPDATE ledger_signedhead SET signature = %s", [b"\0" * 64])
    report = audit.verify_ledger()
    assert not report.ok
    assert "the signature does not verify" in report.first.message


def test_a_later_head_with_fewer_entries_is_reported(world, signing_key):
    world.case()
    early = heads.sign_head()
    world.incident()
    heads.sign_head()
    # The key holder signs a head that forgets the last entries, behind the application's back.
    forged = sign_head(signing_key, size=early.size, root=early.root, timestamp=early.timestamp)
    SignedHead.objects.create(
        size=forged.size,
        root=forged.root,
        signed_at=heads.latest_head().timestamp,
        key_id=forged.key_id,
        signature=forged.signature,
    )
    report = audit.verify_ledger()
    assert report.first.check == "head"
    assert "has fewer entries: the log was cut back" in report.first.message


def test_a_key_added_behind_the_ledgers_back_is_reported(world, signing_key):
    world.case()
    heads.sign_head()
    intruder = SigningKey(Ed25519PrivateKey.generate())
    sql(
        "INSERT INTO ledger_ledgerkey (key_id, public_key, registered_at) VALUES (%s, %s, %s)",
        [intruder.key_id, intruder.public_key, "2026-03-01 00:00:00"],
    )
    report = audit.verify_ledger()
    assert [str(p) for p in report.problems] == [
        f"ledger (key): key {intruder.key_id} is registered, but the log has no "
        "ledger.key_registered entry for it: it was added behind the ledger's back"
    ]


def test_trusting_only_another_key_fails(world, signing_key):
    world.case()
    heads.sign_head()
    report = audit.verify_ledger(trusted=["0" * 64])
    assert not report.ok
    assert "not a trusted key" in report.first.message
    assert audit.verify_ledger(trusted=[signing_key.key_id]).ok


def test_the_progress_bar_prints_tenths_when_not_on_a_terminal():
    out = io.StringIO()
    bar = ProgressBar(out)
    for done in range(0, 1001, 50):
        bar(done, 1000)
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("verifying:   0%")
    assert lines[-1] == "verifying: 100%  1,000/1,000 entries"
    assert len(lines) == 11


def test_the_scheduled_verify_runs_once_a_head_exists_and_logs_a_failure(
    world, signing_key, caplog
):
    from casetrail import background

    job = next(job for job in background.jobs() if job.name == "ledger.verify")
    assert job.run == audit.verify_if_due
    world.case()
    sql("DELETE FROM ledger_signedhead")
    assert audit.verify_if_due() is None  # nothing signed: nothing to hold the rows to
    heads.sign_head()
    assert audit.verify_if_due().ok
    # Due is kept in the database: a restarted process or a second worker does not verify
    # again within the interval, and a run with no new head records no checkpoint.
    assert audit.verify_if_due() is None
    checkpoints = LedgerCheckpoint.objects.count()
    world.case()
    changed = tree.tree_size()
    sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = %s", [FORGED, changed])
    later = clock.now() + timedelta(seconds=audit.verify_interval_seconds() + 1)
    with (
        caplog.at_level("ERROR", logger="casetrail.ledger"),
        time_machine.travel(later, tick=False),
    ):
        assert not audit.verify_if_due().ok
    assert LedgerCheckpoint.objects.count() == checkpoints
    assert f"NOT INTACT: seq {changed} (leaf)" in caplog.text


@pytest.mark.django_db
def test_the_quick_check_reproduces_every_entry_of_an_intact_log():
    from casetrail import demo

    demo.load(seed=5, incidents=40)
    kinds = set(LedgerEntry.objects.values_list("action", flat=True))
    assert len(kinds) >= 8  # many kinds of entry, Chinese text included
    report = audit.verify_ledger(checkpoint=False)
    assert report.ok
    assert report.size > 400
    # Not one row needed the full check: the quick path's encoding of the stored rows is the
    # offline verifier's (a property test in test_record holds the encoders together).
    assert report.rechecked == 0


def test_a_changed_row_goes_through_the_full_check(world, signing_key):
    case = world.case()
    entry = LedgerEntry.objects.get(subject_type="case", subject_id=str(case.pk))
    sql(
        "UPDATE ledger_ledgerentry SET actor_label = %s WHERE seq = %s", ["someone else", entry.seq]
    )
    report = audit.verify_ledger()
    assert report.rechecked == 1
    assert checks(report) == {(entry.seq, "leaf")}


# --- resuming from a checkpoint ------------------------------------------------------------------


def checkpointed(world, signing_key):
    """A log of more than 32 entries, signed, and verified: its checkpoint's head."""
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok
    return LedgerCheckpoint.objects.get().head


def forge_head(key, size):
    """The key holder signs a head of ``size`` entries, later than every other."""
    forged = sign_head(key, size=size, root=tree.root(size), timestamp=clock.now())
    return SignedHead.objects.create(
        size=forged.size,
        root=forged.root,
        signed_at=forged.timestamp,
        key_id=forged.key_id,
        signature=forged.signature,
    )


def test_a_resumed_verify_reports_a_checkpoint_head_whose_signature_was_altered(world, signing_key):
    head = checkpointed(world, signing_key)
    sql("UPDATE ledger_signedhead SET signature = %s WHERE id = %s", [b"\0" * 64, head.pk])
    report = audit.verify_ledger(resume=True)
    assert [str(p) for p in report.problems] == [
        f"ledger (head): checkpoint {audit._label(head)}: the signature does not verify "
        f"under key {signing_key.key_id}"
    ]
    assert report.checkpoint is None


def test_a_resumed_verify_reports_entries_cut_off_before_the_checkpoints_size(world, signing_key):
    head = checkpointed(world, signing_key)
    sql("DELETE FROM ledger_ledgerentry WHERE seq >= %s", [head.size])
    report = audit.verify_ledger(resume=True)
    assert str(report.first) == (
        f"seq {head.size} (head): checkpoint {audit._label(head)} signs {head.size} entries, "
        f"but the log has {head.size - 1}: entries after seq {head.size - 1} were removed"
    )
    assert not report.ok


def test_a_resumed_verify_reports_a_missing_node_of_the_checkpoints_tree(world, signing_key):
    head = checkpointed(world, signing_key)
    level, index = next(a for a in merkle.root_nodes(head.size) if a[0] >= tree.LOWEST_LEVEL)
    sql('DELETE FROM ledger_ledgernode WHERE "key" = %s', [tree.node_key(level, index)])
    report = audit.verify_ledger(resume=True)
    first, last = (index << level) + 1, (index + 1) << level
    assert [str(p) for p in report.problems] == [
        f"ledger (tree): the tree needs node ({level}, {index}) over seqs {first}..{last}, "
        "which is not stored"
    ]


def test_a_resumed_verify_reports_a_missing_node_under_a_head_older_than_its_start(
    world, signing_key
):
    """A head signed after the checkpoint at a smaller size is held to the stored tree, which
    the resumed run has not rebuilt: a node it needs that is gone is named, not a traceback."""
    checkpointed(world, signing_key)
    forge_head(signing_key, 17)
    sql('DELETE FROM ledger_ledgernode WHERE "key" = %s', [tree.node_key(4, 0)])
    report = audit.verify_ledger(resume=True)
    assert "ledger (tree): the tree needs node (4, 0) over seqs 1..16, which is not stored" in [
        str(p) for p in report.problems
    ]
    assert "has fewer entries: the log was cut back" in report.first.message
