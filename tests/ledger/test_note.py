"""The checkpoint note (C2SP tlog-checkpoint over signed-note), without a database."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casetrail.ledger import note
from casetrail.ledger.signing import SigningKey

ORIGIN = "police.example/ledger"
ROOT = hashlib.sha256(b"root").digest()


@pytest.fixture
def key():
    return SigningKey(Ed25519PrivateKey.generate())


def keys_of(*signers):
    return {k.key_id: k.public_key for k in signers}


def test_a_signed_checkpoint_reads_back_with_its_signer(key):
    text = note.sign(key, origin=ORIGIN, size=20852163, root=ROOT)
    body, _, line = text.partition("\n\n")
    assert body == f"{ORIGIN}\n20852163\n{base64.b64encode(ROOT).decode()}"
    blob = base64.b64decode(line.split(" ")[2])
    # The key hash: SHA-256(name || 0x0A || 0x01 || public key), first four bytes.
    assert blob[:4] == hashlib.sha256(ORIGIN.encode() + b"\n\x01" + key.public_key).digest()[:4]
    parsed = note.parse(text, keys_of(key), origin=ORIGIN)
    assert parsed == note.Checkpoint(ORIGIN, 20852163, ROOT, key.key_id)


def test_lines_by_unknown_keys_are_ignored_but_a_known_key_must_have_signed(key):
    other = SigningKey(Ed25519PrivateKey.generate())
    text = note.sign(key, origin=ORIGIN, size=3, root=ROOT)
    foreign = note.sign(other, origin=ORIGIN, size=3, root=ROOT).split("\n\n")[1]
    elsewhere = note.sign(key, origin="another/log", size=3, root=ROOT).split("\n\n")[1]
    both = text + foreign + elsewhere
    assert note.parse(both, keys_of(key), origin=ORIGIN).key_id == key.key_id
    with pytest.raises(note.NoteError, match="not signed by any known key of"):
        note.parse(text, keys_of(other), origin=ORIGIN)


def bad_signature(text):
    body, _, line = text.partition("\n\n")
    dash, name, blob = line.rstrip("\n").split(" ")
    raw = base64.b64decode(blob)
    forged = raw[:4] + bytes(64)
    return f"{body}\n\n{dash} {name} {base64.b64encode(forged).decode()}\n"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: "x" * (note.MAX_NOTE_BYTES + 1), "too large"),
        (lambda t: t.replace("\n", "\r\n", 1), "no control characters"),
        (lambda t: t.replace("\n\n", "\n"), "a blank line, and signature lines"),
        (lambda t: t.rstrip("\n"), "a blank line, and signature lines"),
        (lambda t: t.split("\n", 1)[1].replace("\n", "\n\n", 0), "origin, a size and a root"),
        (lambda t: "other/log" + t[len(ORIGIN) :], "is for the log 'other/log'"),
        (lambda t: t.replace("\n3\n", "\n03\n"), "size is not a decimal number"),
        (lambda t: t.replace("\n3\n", "\n-3\n"), "size is not a decimal number"),
        (lambda t: t.replace(base64.b64encode(ROOT).decode(), "AAAA"), "root is not the base64"),
        (lambda t: t.replace(base64.b64encode(ROOT).decode(), "!!!"), "root is not the base64"),
        (bad_signature, "does not verify"),
        (lambda t: t.replace("\u2014 ", "-- "), "not a signature line"),
        (lambda t: t.rstrip("\n").rsplit(" ", 1)[0] + "\n", "not a signature line"),
        (lambda t: t.rstrip("\n").rsplit(" ", 1)[0] + " ***\n", "is not base64"),
        (lambda t: t.rstrip("\n").rsplit(" ", 1)[0] + " AAAA\n", "too short"),
    ],
)
def test_a_malformed_checkpoint_says_what_is_wrong(key, change, message):
    text = note.sign(key, origin=ORIGIN, size=3, root=ROOT)
    with pytest.raises(note.NoteError, match=message):
        note.parse(change(text), keys_of(key), origin=ORIGIN)


def test_a_two_line_text_lacks_its_root(key):
    text = f"{ORIGIN}\n3\n\n\u2014 {ORIGIN} AAAAAAA=\n"
    with pytest.raises(note.NoteError, match="origin, a size and a root"):
        note.parse(text, keys_of(key), origin=ORIGIN)


@pytest.mark.parametrize(
    "origin", ["", "has space", "plus+sign", "tab\t", "casetrail-tree-head-v1"]
)
def test_an_origin_that_could_be_confused_is_refused(key, origin):
    with pytest.raises(note.NoteError):
        note.sign(key, origin=origin, size=1, root=ROOT)
