"""`casetrail ledger ...` from the command line: output, JSON, exit codes, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casetrail import cli
from casetrail.ledger import heads, merkle, receipts, tree
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.signing import SigningKey, TreeHead, public_key_pem
from casetrail.ledger.verify import check_receipt, entry_leaf_data
from tests.ledger.conftest import run
from tests.ledger.test_tree import busy_log, leaves


def test_the_parser_lists_the_ledger_and_export_commands():
    text = cli.build_parser().format_help()
    assert "ledger" in text
    assert "export" in text


def test_keygen_writes_the_key_and_refuses_to_overwrite_it(key_file, db, capsys):
    code, out, _ = run(capsys, "ledger", "keygen")
    assert code == 0
    assert key_file.exists()
    kid = heads.load_key().key_id
    assert f"key id {kid}" in out
    code, _, err = run(capsys, "ledger", "keygen")
    assert code == 2
    assert "refusing to overwrite" in err
    assert "Traceback" not in err


def test_head_signs_now_or_says_how_to_get_a_key(world, key_file, capsys):
    code, _, err = run(capsys, "ledger", "head")
    assert code == 2
    assert err.startswith(f"error: no ledger signing key at {key_file}")
    heads.generate_key(key_file)
    code, out, _ = run(capsys, "ledger", "head", "--json")
    assert code == 0
    head = TreeHead.from_dict(json.loads(out))
    assert head.size == tree.tree_size()
    assert head == heads.latest_head()


def test_verify_exits_0_then_1_and_shows_progress_on_stderr(world, signing_key, capsys):
    busy_log(world, cases=1)
    heads.sign_head()
    code, out, err = run(capsys, "ledger", "verify")
    assert code == 0
    assert out.startswith("INTACT: ")
    assert "verifying: 100%" in err
    assert "checkpoint: head of" in out
    from tests.ledger.test_tamper import sql

    sql("UPDATE ledger_ledgerentry SET action = %s WHERE seq = 4", ["case.closed"])
    code, out, _ = run(capsys, "ledger", "verify", "--resume", "--no-progress")
    assert code == 1  # seq 4 lies before the checkpoint: the resumed run's sample draws it
    assert out.startswith("NOT INTACT: first bad seq 4 (leaf)")
    code, out, _ = run(capsys, "ledger", "verify", "--no-progress")
    assert code == 1
    assert out.startswith("NOT INTACT: first bad seq 4 (leaf)")


def test_verify_refuses_a_malformed_trusted_key_id(db, capsys):
    code, _, err = run(capsys, "ledger", "verify", "--trust", "abc")
    assert code == 2
    assert "--trust: a key id is 64 lower-case hex digits" in err


def test_prove_prints_the_proof_against_the_latest_signed_head(world, signing_key, capsys):
    busy_log(world, cases=1)
    head = heads.sign_head()
    world.case()  # after the head: the default proof still uses the signed size
    code, out, _ = run(capsys, "ledger", "prove", "--seq", 5, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["size"] == head.size
    assert data["head"] == head.to_dict()
    proof = [bytes.fromhex(h) for h in data["proof"]]
    assert proof == merkle.inclusion_proof(leaves(), 4, head.size)
    assert check_receipt(data["receipt"], heads.public_keys()) == []
    code, out, _ = run(capsys, "ledger", "prove", "--seq", 5)
    assert code == 0
    assert f"seq 5 (leaf 4) in the tree of {head.size} entries" in out
    assert f"signed {head.to_dict()['time']}" in out


def test_prove_at_an_unsigned_size_says_so(world, signing_key, capsys):
    busy_log(world, cases=1)
    code, out, _ = run(capsys, "ledger", "prove", "--seq", 2, "--size", 7)
    assert code == 0
    assert "none signed at 7 entries" in out
    code, out, _ = run(capsys, "ledger", "prove", "--seq", 2, "--size", 7, "--json")
    assert json.loads(out)["receipt"] is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seq", "0"], "argument --seq: must be 1 or more"),
        (["--seq", "x"], "argument --seq: not a whole number: 'x'"),
        (["--seq", "1", "--size", "-3"], "argument --size: must not be negative: -3"),
        ([], "the following arguments are required: --seq"),
    ],
)
def test_prove_refuses_malformed_arguments_with_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exited:
        cli.main(["ledger", "prove", *argv])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_prove_errors_are_printed(world, capsys):
    world.case()
    for argv, message in [
        (["--seq", "999"], "error: --seq: seq 999: the log has entries 1.."),
        (["--seq", "5", "--size", "3"], "error: --size: size 3: a tree of 3 entries has no seq 5"),
    ]:
        code, _, err = run(capsys, "ledger", "prove", *argv)
        assert code == 2
        assert err.startswith(message)


def test_consistency_matches_the_reference(world, signing_key, capsys):
    busy_log(world, cases=1)
    n = tree.tree_size()
    code, out, _ = run(capsys, "ledger", "consistency", "--from", 5, "--to", n, "--json")
    assert code == 0
    data = json.loads(out)
    assert [bytes.fromhex(h) for h in data["proof"]] == merkle.consistency_proof(leaves(), 5, n)
    assert data["first_root"] == merkle.root_hash(leaves()[:5]).hex()
    code, out, _ = run(capsys, "ledger", "consistency", "--from", 5, "--to", n)
    assert f"the tree of 5 entries is a prefix of the tree of {n}" in out
    code, _, err = run(capsys, "ledger", "consistency", "--from", n, "--to", 5)
    assert code == 2
    assert err.startswith(f"error: --from: first {n} is larger than second 5")
    code, _, err = run(capsys, "ledger", "consistency", "--from", 1, "--to", n + 50)
    assert code == 2
    assert err.startswith(f"error: --to: second {n + 50}: the log has")


def test_check_receipt_reads_the_key_from_the_file_or_from_key(
    world, signing_key, tmp_path, capsys
):
    incident = world.incident()
    receipt = receipts.receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(receipt.file()))
    code, out, _ = run(capsys, "ledger", "check-receipt", path)
    assert code == 0
    assert out.startswith(f"VALID: seq {receipt.seq} (incident.recorded, incident:{incident.pk}")
    assert "the key came with the receipt" in out

    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(receipt.document()))
    code, _, err = run(capsys, "ledger", "check-receipt", bare)
    assert code == 2
    assert "pass the agency's with --key" in err
    pem = tmp_path / "agency.pem"
    pem.write_text(public_key_pem(signing_key.public_key))
    for key in (pem, signing_key.public_key.hex()):
        code, out, _ = run(capsys, "ledger", "check-receipt", bare, "--key", key)
        assert code == 0
        assert "the key came with the receipt" not in out

    other = SigningKey(Ed25519PrivateKey.generate())
    code, out, _ = run(capsys, "ledger", "check-receipt", path, "--key", other.public_key.hex())
    assert code == 1
    assert "which is not among the known keys" in out


def test_check_receipt_runs_outside_any_project_with_the_file_and_the_key(
    world, signing_key, tmp_path
):
    """A reporter or their lawyer runs the command on their own machine: no settings, no
    database, no data folder; only the receipt and the agency's published key."""
    incident = world.incident()
    receipt = receipts.receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt.file()))
    edited = tmp_path / "edited.json"
    changed = receipt.file()
    changed["receipt"]["entry"]["at"] = changed["receipt"]["entry"]["at"].replace("0", "1", 1)
    edited.write_text(json.dumps(changed))
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CASETRAIL_", "DATABASE_"))
    }
    key = ["--key", signing_key.public_key.hex()]

    def check(receipt_file: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "casetrail.cli",
                "ledger",
                "check-receipt",
                str(receipt_file),
                *key,
            ],
            cwd=away,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    ok = check(path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"VALID: seq {receipt.seq} (incident.recorded")
    bad = check(edited)
    assert bad.returncode == 1, bad.stderr
    assert bad.stdout.startswith("INVALID:")
    assert "Traceback" not in ok.stderr + bad.stderr
    assert list(away.iterdir()) == []  # nothing written where it ran


def test_check_receipt_catches_an_edited_receipt(world, signing_key, tmp_path, capsys):
    incident = world.incident()
    receipt = receipts.receipt_for(incident, LedgerKind.INCIDENT_RECORDED).file()
    receipt["receipt"]["entry"]["payload"] = json.dumps({"summary": "x"}, separators=(",", ":"))
    path = tmp_path / "r.json"
    path.write_text(json.dumps(receipt))
    code, out, _ = run(capsys, "ledger", "check-receipt", path)
    assert code == 1
    assert out.startswith(f"INVALID: {path}")
    assert "the entry does not hash to the receipt's leaf hash: it was altered" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "error: FILE: cannot read"),
        ("{nope", "error: FILE: "),
        ('{"a": 1}', "error: FILE: not a receipt file"),
        ("[1, 2]", "error: FILE: a receipt file is a JSON object"),
        ('{"receipt": {}, "public_key": "zz"}', "error: FILE: public_key must be 64 hex digits"),
        (
            '{"receipt": {}, "public_key": "' + "zz" * 32 + '"}',
            "error: FILE: public_key must be 64 hex digits",
        ),
    ],
)
def test_check_receipt_names_a_bad_file(tmp_path, capsys, content, message):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    code, _, err = run(capsys, "ledger", "check-receipt", path)
    assert code == 2
    assert err.startswith(message)


def test_check_receipt_names_a_bad_key(tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text('{"receipt": {}, "public_key": "' + "ab" * 32 + '"}')
    code, _, err = run(capsys, "ledger", "check-receipt", path, "--key", tmp_path / "none.pem")
    assert code == 2
    assert err.startswith("error: --key: ")
    assert "neither 64 hex digits nor a readable file" in err


def test_the_leaf_of_a_receipt_is_the_stored_entry(world, signing_key):
    incident = world.incident()
    receipt = receipts.receipt_for(incident, LedgerKind.INCIDENT_RECORDED)
    # The receipt's entry, re-encoded by the offline verifier, hashes to the stored leaf.
    assert leaf_hash(entry_leaf_data(receipt.document()["entry"])) == bytes(receipt.entry.leaf_hash)


def test_a_damaged_tree_is_an_error_not_a_traceback(world, signing_key, capsys):
    from tests.ledger.test_tamper import sql

    for _ in range(3):
        world.case()
    n = tree.tree_size()
    sql("DELETE FROM ledger_ledgernode")
    code, _, err = run(capsys, "ledger", "prove", "--seq", 1, "--size", n)
    assert code == 1
    assert err.startswith("error: the stored tree is damaged: the tree needs node (")
    assert "Traceback" not in err
    code, _, err = run(capsys, "ledger", "head")
    assert code == 1
    assert "run `casetrail ledger verify`" in err
