"""`ledger verify` on its own: what a full and a resumed run check, and what each reports."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

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
    assert report.first is None
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


def test_resume_draws_older_entries_and_catches_a_payload_changed_behind_its_hash(
    world, signing_key
):
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok
    checkpoints = LedgerCheckpoint.objects.count()
    world.case()
    heads.sign_head()
    sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 3", [FORGED])
    # The log is smaller than the sample: a resumed run recomputes every older entry (it used
    # to answer intact and move its checkpoint past the change).
    report = audit.verify_ledger(resume=True)
    assert not report.ok
    assert report.first.seq == 3
    assert report.first.check == "leaf"
    assert "found by the resumed run's sample" in report.first.message
    assert report.sampled == report.start
    assert LedgerCheckpoint.objects.count() == checkpoints  # not moved over the change
    full = audit.verify_ledger()
    assert (3, "leaf") in checks(full)


def test_a_resumed_run_without_a_sample_rereads_nothing_before_its_start(world, signing_key):
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok
    sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 3", [FORGED])
    assert audit.verify_ledger(resume=True, sample=0).ok  # the blind spot a sample narrows


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


# --- what a full run finds in the rows -----------------------------------------------------------


def only_on(vendor):
    if connection.vendor != vendor:
        pytest.skip(f"{vendor} only: the other database refuses this change to its rows")


def test_problems_beyond_those_kept_for_the_report_are_still_counted(
    world, signing_key, monkeypatch
):
    monkeypatch.setattr(audit, "MAX_KEPT", 2)
    for seq in (3, 4, 5):
        sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = %s", [FORGED, seq])
    report = audit.verify_ledger()
    assert report.problem_count == 3
    assert checks(report) == {(3, "leaf"), (4, "leaf")}


@pytest.mark.parametrize(
    ("stored", "text"),
    [
        ("2026-03-10 03:00:00", "2026-03-10T03:00:00.000000Z"),  # SQLite, a whole second
        ("2026-03-10 03:00:00.012345", "2026-03-10T03:00:00.012345Z"),  # SQLite, a fraction
        ("2026-03-10T03:00:00", None),  # not as Django writes it: the full check parses it
        ("2026-03-10 03:00:00.5", None),
        (
            datetime(2026, 3, 10, 11, tzinfo=ZoneInfo("Asia/Shanghai")),
            "2026-03-10T03:00:00.000000Z",
        ),
        (datetime(2026, 3, 10, 3, 0, 0, 7, tzinfo=UTC), "2026-03-10T03:00:00.000007Z"),
        (datetime(2026, 3, 10, 3, tzinfo=UTC).replace(tzinfo=None), None),  # naive: no instant
        (None, None),
    ],
)
def test_the_quick_check_reads_a_stored_time_as_the_leaf_writes_it_or_not_at_all(stored, text):
    assert audit._time_text(stored) == text


def test_an_entry_recorded_at_a_fraction_of_a_second_passes_the_quick_check(world, signing_key):
    with time_machine.travel(clock.now() + timedelta(microseconds=123456), tick=False):
        world.incident()
    entry = LedgerEntry.objects.last()
    assert entry.at.microsecond == 123456
    report = audit.verify_ledger()
    assert report.ok, report.problems
    assert report.rechecked == 0


def test_entries_removed_while_verify_reads_the_log_are_reported_missing(
    world, signing_key, monkeypatch
):
    monkeypatch.setattr(audit, "CHUNK", 8)
    size = tree.tree_size()
    assert size > 8

    def remove_the_rest(done, total):
        if done == 8:
            sql("DELETE FROM ledger_ledgerentry WHERE seq > 8")

    report = audit.verify_ledger(progress=remove_the_rest)
    assert str(report.first) == f"seq 9 (sequence): seqs 9..{size} are missing"
    assert report.checkpoint is None


def test_a_leaf_hash_of_the_wrong_length_stops_the_tree_check_and_says_why(world, signing_key):
    sql("UPDATE ledger_ledgerentry SET leaf_hash = %s WHERE seq = 5", [b"\1" * 31])
    report = audit.verify_ledger()
    assert checks(report) == {(5, "leaf"), (5, "tree")}
    tree_problem = next(p for p in report.problems if p.check == "tree")
    assert tree_problem.message.startswith("cannot build the tree: a leaf hash has 32 bytes")


def test_a_payload_stored_as_bytes_is_a_malformed_entry(world, signing_key):
    only_on("sqlite")  # PostgreSQL's text column holds text only
    sql("UPDATE ledger_ledgerentry SET payload = CAST(payload AS BLOB) WHERE seq = 5")
    report = audit.verify_ledger()
    assert report.rechecked == 1
    assert [str(p) for p in report.problems] == [
        "seq 5 (leaf): the entry is malformed: payload: bytes has no canonical form"
    ]


@pytest.mark.postgres_only
def test_a_duplicated_seq_is_reported_once_the_primary_key_is_dropped(world, signing_key):
    only_on("postgresql")  # SQLite's seq is the rowid itself: it cannot be dropped
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # fire the deferred foreign-key checks first
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'ledger_ledgerentry'::regclass AND contype = 'p'"
        )
        (primary_key,) = cursor.fetchone()
    sql(f'ALTER TABLE ledger_ledgerentry DROP CONSTRAINT "{primary_key}"')
    sql(
        "INSERT INTO ledger_ledgerentry SELECT * FROM ledger_ledgerentry WHERE seq = 5",
    )
    report = audit.verify_ledger()
    assert [str(p) for p in report.problems] == ["seq 5 (sequence): seq 5 appears more than once"]


def test_a_missing_node_is_named_with_the_seqs_it_covers(world, signing_key):
    busy_log(world, cases=1)
    sql('DELETE FROM ledger_ledgernode WHERE "key" = %s', [tree.node_key(4, 0)])
    report = audit.verify_ledger()
    assert [str(p) for p in report.problems] == [
        "seqs 1..16 (tree): node (4, 0) over seqs 1..16 is missing"
    ]


def test_leaves_changed_in_two_blocks_name_both_blocks_and_not_their_parent(world, signing_key):
    busy_log(world, cases=1)
    assert tree.tree_size() >= 32
    for seq in (3, 20):
        sql("UPDATE ledger_ledgerentry SET leaf_hash = %s WHERE seq = %s", [b"\3" * 32, seq])
    report = audit.verify_ledger()
    nodes = [str(p) for p in report.problems if p.check == "tree"]
    assert len(nodes) == 2
    assert nodes[0].startswith("seqs 1..16 (tree): node (4, 0) over seqs 1..16 is not the hash")
    assert nodes[1].startswith("seqs 17..32 (tree): node (4, 1) over seqs 17..32 is not the hash")
    assert {(3, "leaf"), (20, "leaf")} <= checks(report)


def test_a_node_of_a_closed_block_stored_below_level_4_is_reported(world, signing_key):
    assert tree.tree_size() >= 16
    sql(
        'INSERT INTO ledger_ledgernode ("key", hash) VALUES (%s, %s)',
        [tree.node_key(1, 0), b"\4" * 32],
    )
    report = audit.verify_ledger()
    assert [str(p) for p in report.problems] == [
        "seqs 1..2 (tree): 1 node(s) of levels 1 to 3 are stored outside the open block, such "
        "as node (1, 0) over seqs 1..2: the node table was written behind the ledger's back"
    ]


def test_a_head_beyond_the_log_means_entries_were_removed(world, signing_key):
    head = heads.sign_head()
    row = SignedHead.objects.get()
    sql("DELETE FROM ledger_ledgerentry WHERE seq = %s", [head.size])
    report = audit.verify_ledger()
    n = head.size - 1
    assert (
        f"seq {head.size} (head): {audit._label(row)} signs {head.size} entries, but the log has "
        f"{n}: entries after seq {n} were removed"
    ) in [str(p) for p in report.problems]


def test_a_registered_key_changed_in_place_is_reported(world, signing_key):
    heads.sign_head()
    other = SigningKey(Ed25519PrivateKey.generate())
    sql("UPDATE ledger_ledgerkey SET public_key = %s", [other.public_key])
    report = audit.verify_ledger()
    assert f"ledger (key): registered key {signing_key.key_id} has another key id" in [
        str(p) for p in report.problems
    ]


def test_a_registration_entry_that_names_another_key_is_reported(world, signing_key):
    heads.sign_head()
    entry = LedgerEntry.objects.get(action=LedgerKind.LEDGER_KEY_REGISTERED)
    other = SigningKey(Ed25519PrivateKey.generate())
    payload = json.dumps(
        {"key_id": signing_key.key_id, "public_key": other.public_key.hex()},
        separators=(",", ":"),
        sort_keys=True,
    )
    sql("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = %s", [payload, entry.seq])
    report = audit.verify_ledger()
    assert (
        f"seq {entry.seq} (key): the entry registering key {signing_key.key_id} names another key"
    ) in [str(p) for p in report.problems]
    assert (entry.seq, "leaf") in checks(report)


def test_a_time_stored_in_another_spelling_is_checked_in_full_and_holds(world, signing_key):
    only_on("sqlite")  # PostgreSQL stores an instant, not its spelling
    sql("UPDATE ledger_ledgerentry SET at = REPLACE(at, ' ', 'T') WHERE seq = 5")
    report = audit.verify_ledger()
    assert report.ok, report.problems
    assert report.rechecked == 1
