"""Signing keys and signed tree heads: keygen, on-demand and periodic heads, rotation."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from casetrail import background
from casetrail.ledger import audit, heads, merkle, signing, tree
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry, LedgerKey, SignedHead, leaf_fields_of
from casetrail.ledger.signing import verify_head
from casetrail.ledger.verify import check_head_consistency, entry_leaf_data

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def reference_root():
    entries = list(LedgerEntry.objects.order_by("seq"))
    data = [entry_leaf_data(f) for f in leaf_fields_of(entries)]
    return merkle.root_hash(data)


def test_keygen_writes_a_private_file_and_registers_the_public_key_in_the_log(key_file, db):
    key = heads.generate_key(key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.stat().st_mode & 0o777 == 0o700
    row = LedgerKey.objects.get()
    assert row.key_id == key.key_id
    assert bytes(row.public_key) == key.public_key
    entry = LedgerEntry.objects.get(action=LedgerKind.LEDGER_KEY_REGISTERED)
    assert entry.subject == f"ledger_key:{row.pk}"
    assert json.loads(entry.payload) == {"key_id": key.key_id, "public_key": key.public_key.hex()}
    assert "PRIVATE KEY" not in entry.payload


def test_keygen_refuses_to_overwrite_a_key(signing_key, key_file):
    before = key_file.read_bytes()
    with pytest.raises(heads.KeyExists, match="refusing to overwrite"):
        heads.generate_key(key_file)
    assert key_file.read_bytes() == before


def test_a_head_signs_the_root_of_every_entry_so_far(world, signing_key):
    world.case()
    head = heads.sign_head()
    assert head.size == tree.tree_size()
    assert head.root == reference_root()
    assert head.key_id == signing_key.key_id
    assert verify_head(head, heads.public_keys())
    assert heads.latest_head() == head
    assert SignedHead.objects.get().tree_head() == head


def test_without_a_key_no_head_is_signed_and_the_message_says_what_to_do(world, key_file, caplog):
    with pytest.raises(heads.NoSigningKey) as raised:
        heads.sign_head()
    assert str(key_file) in str(raised.value)
    assert "casetrail ledger keygen" in str(raised.value)
    with caplog.at_level(logging.WARNING, logger="casetrail.ledger"):
        assert heads.sign_head_if_due() is None
        assert heads.sign_head_if_due() is None
    warnings = [r for r in caplog.records if "no signing key" in r.getMessage()]
    assert len(warnings) == 1  # once per process, not every tick
    assert SignedHead.objects.count() == 0


def test_an_unreadable_key_file_is_named(key_file, db):
    key_file.parent.mkdir(parents=True)
    key_file.write_text("not a key")
    with pytest.raises(heads.NoSigningKey, match="unusable"):
        heads.load_key()


def test_the_job_signs_every_n_entries(world, signing_key, settings):
    settings.CASETRAIL_LEDGER_HEAD_EVERY_ENTRIES = 5
    settings.CASETRAIL_LEDGER_HEAD_EVERY_SECONDS = 10**9
    settings.CASETRAIL_LEDGER_HEAD_MIN_SECONDS = 0
    first = heads.sign_head_if_due()  # no head yet: the first one is due at once
    assert first is not None
    assert heads.sign_head_if_due() is None
    while tree.tree_size() < first.size + 5:
        assert heads.sign_head_if_due() is None
        world.incident()
    second = heads.sign_head_if_due()
    assert second is not None
    assert second.size >= first.size + 5


def test_the_job_signs_after_t_seconds_only_if_the_log_grew(world, signing_key, settings):
    settings.CASETRAIL_LEDGER_HEAD_EVERY_ENTRIES = 10**6
    settings.CASETRAIL_LEDGER_HEAD_EVERY_SECONDS = 300
    with time_machine.travel(T0, tick=False):
        assert heads.sign_head_if_due() is not None
    with time_machine.travel(T0 + timedelta(seconds=600), tick=False):
        assert heads.sign_head_if_due() is None  # idle: the last head still states its size
        world.incident()
    with time_machine.travel(T0 + timedelta(seconds=610), tick=False):
        assert heads.sign_head_if_due() is not None
        world.incident()
    with time_machine.travel(T0 + timedelta(seconds=700), tick=False):
        assert heads.sign_head_if_due() is None  # grown, but T has not passed again


def test_the_job_signs_no_sooner_than_the_minimum_interval_however_busy(
    world, signing_key, settings
):
    settings.CASETRAIL_LEDGER_HEAD_EVERY_ENTRIES = 1
    with time_machine.travel(T0, tick=False):
        assert heads.sign_head_if_due() is not None
        world.incident()
    with time_machine.travel(T0 + timedelta(seconds=9), tick=False):
        assert heads.sign_head_if_due() is None  # N entries, but not 10 s since the last head
    with time_machine.travel(T0 + timedelta(seconds=10), tick=False):
        assert heads.sign_head_if_due() is not None


def test_the_head_job_is_registered_with_the_background_runner():
    job = next(job for job in background.jobs() if job.name == "ledger.sign_head")
    assert job.run == heads.sign_head_if_due
    assert job.every_seconds <= 60


def test_rotation_keeps_old_heads_verifiable(world, signing_key, key_file):
    world.case()
    old = heads.sign_head()
    key_file.rename(key_file.with_name("ledger-2026.pem"))
    new_key = heads.generate_key(key_file)
    world.incident()
    new = heads.sign_head()
    assert new.key_id == new_key.key_id != old.key_id
    keys = heads.public_keys()
    assert set(keys) == {old.key_id, new.key_id}
    proof = tree.consistency_proof(old.size, new.size)
    assert check_head_consistency(old, new, proof, keys) == []
    report = audit.verify_ledger()
    assert report.ok, report.problems
    assert report.heads_checked == 2


def test_ensure_key_and_head_makes_the_key_once_and_covers_the_whole_log(world, key_file):
    world.case()
    first = heads.ensure_key_and_head()
    assert first.key_created
    assert key_file.exists()
    assert first.head.size == tree.tree_size()
    assert "signed head of" in first.describe()
    again = heads.ensure_key_and_head()
    assert not again.key_created
    assert again.head == first.head  # nothing new: no new head
    world.incident()
    third = heads.ensure_key_and_head()
    assert third.head.size == tree.tree_size() > first.head.size


def test_head_including_signs_only_when_no_head_covers_the_entry(world, signing_key):
    incident = world.incident()
    seq = LedgerEntry.objects.get(subject_id=str(incident.pk), subject_type="incident").seq
    head = heads.head_including(seq)
    assert head is not None
    assert head.size >= seq
    assert heads.head_including(seq) == head
    assert SignedHead.objects.count() == 1


def test_a_loose_key_file_is_reported(signing_key, key_file):
    assert heads.key_file_mode_problem() is None
    key_file.chmod(0o644)
    assert "readable by others" in heads.key_file_mode_problem()


def test_without_the_setting_the_key_lives_in_the_data_folder(settings, tmp_path):
    del settings.CASETRAIL_LEDGER_KEY_FILE
    settings.DATA_DIR = tmp_path
    assert heads.key_file() == tmp_path / "keys" / "ledger.pem"


def test_keygen_does_not_write_through_a_dangling_link(key_file, db):
    """A link at the key's path is not followed, even to nothing: whoever placed it would
    choose where the private key is written."""
    key_file.parent.mkdir(parents=True)
    elsewhere = key_file.parent / "elsewhere.pem"
    key_file.symlink_to(elsewhere)
    with pytest.raises(heads.KeyExists, match="refusing to overwrite a signing key"):
        heads.generate_key(key_file)
    assert not elsewhere.exists()
    assert LedgerKey.objects.count() == 0


def test_keygen_names_a_path_it_cannot_write(tmp_path, db):
    folder = tmp_path / "keys"
    folder.write_text("a file, not a folder")
    target = folder / "ledger.pem"
    with pytest.raises(heads.NoSigningKey, match=rf"^cannot write {re.escape(str(target))}: Not a"):
        heads.generate_key(target)
    assert LedgerKey.objects.count() == 0


def test_the_job_signs_no_head_of_an_empty_log(key_file, db):
    key_file.parent.mkdir(parents=True)
    signing.generate_key_file(key_file)  # a key on disk, not yet registered: nothing logged
    assert tree.tree_size() == 0
    assert heads.sign_head_if_due() is None
    assert SignedHead.objects.count() == 0


def test_a_key_file_of_another_user_is_reported_and_a_missing_one_is_not(
    signing_key, key_file, monkeypatch
):
    owner = key_file.stat().st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 1)  # as another user's process sees it
    assert heads.key_file_mode_problem() == f"{key_file} belongs to another user"
    key_file.unlink()
    assert heads.key_file_mode_problem() is None  # nothing to protect (keygen makes it 0600)
