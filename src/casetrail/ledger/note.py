"""The ledger's checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint, c2sp.org/signed-note).

A checkpoint names the largest tree head ever signed, in a form that lives outside the
database and that other transparency-log tools read::

    <origin>
    <tree size, decimal>
    <root hash, standard base64>

    — <origin> <base64(key hash || Ed25519 signature)>

The note text is the first three lines, each ending in a newline; a blank line follows, then one
signature line per signer: an em dash (U+2014), a space, the key name (here always the origin),
a space, and the base64 of the 4-byte key hash followed by the 64-byte signature. The key hash
is the first four bytes of ``SHA-256(key name || 0x0A || 0x01 || raw public key)`` (0x01: the
signed-note type of Ed25519); the signature covers the note text exactly, final newline
included.

The same Ed25519 key signs the database's heads and this note. The two messages cannot be
confused: a head's message starts with ``casetrail-tree-head-v1``, which `check_origin`
refuses as an origin.

Framework-free: the head signer writes the file (`casetrail.ledger.heads`), and ``ledger
verify`` holds the log to it (`casetrail.ledger.audit`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from casetrail.ledger.signing import HEAD_DOMAIN, SigningKey

DASH = "\u2014"
ED25519_TYPE = b"\x01"
MAX_NOTE_BYTES = 64 * 1024


class NoteError(ValueError):
    """A checkpoint file that is not a well-formed, signed checkpoint; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed checkpoint: the log ``origin`` had ``size`` entries with root ``root``;
    ``key_id`` is the casetrail key id (hex SHA-256 of the public key) whose signature held."""

    origin: str
    size: int
    root: bytes
    key_id: str = ""

    def text(self) -> str:
        """The note text (three lines, each ending in a newline)."""
        check_origin(self.origin)
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"


def check_origin(origin: str) -> None:
    """An origin is one non-empty line of printable ASCII without spaces or ``+``; it is also
    the key name of the signature line, which may hold neither."""
    if not origin or not all("!" <= c <= "~" and c != "+" for c in origin):
        raise NoteError(
            f"the checkpoint origin must be printable ASCII without spaces or '+': {origin!r}"
        )
    if origin.encode("ascii") == HEAD_DOMAIN.rstrip(b"\n"):
        raise NoteError("the checkpoint origin must differ from the tree-head signature domain")


def key_hash(origin: str, public_key: bytes) -> bytes:
    """The signed-note key hash of an Ed25519 key named ``origin``."""
    return hashlib.sha256(origin.encode("ascii") + b"\n" + ED25519_TYPE + public_key).digest()[:4]


def sign(key: SigningKey, *, origin: str, size: int, root: bytes) -> str:
    """The signed note of a checkpoint, as the file holds it."""
    text = Checkpoint(origin, size, root).text()
    signature = key.private_key.sign(text.encode("ascii"))
    blob = base64.b64encode(key_hash(origin, key.public_key) + signature).decode("ascii")
    return f"{text}\n{DASH} {origin} {blob}\n"


def parse(note: str, public_keys: Mapping[str, bytes], *, origin: str) -> Checkpoint:
    """Parse and verify a signed checkpoint for the log ``origin``; ``public_keys`` maps
    casetrail key ids to raw public keys. A signature by a known key that does not verify
    rejects the note; lines by unknown keys are ignored, but one known key must have signed.
    Raises NoteError saying what is wrong."""
    if len(note.encode("utf-8")) > MAX_NOTE_BYTES:
        raise NoteError("the checkpoint file is too large to be a checkpoint")
    if any(c < " " and c != "\n" for c in note):
        raise NoteError("a checkpoint holds no control characters but newlines")
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise NoteError("a checkpoint is its text, a blank line, and signature lines")
    text += "\n"
    checkpoint = _parse_text(text, origin)
    by_hash = {key_hash(origin, raw): (kid, raw) for kid, raw in public_keys.items()}
    signer = ""
    for line in signatures[:-1].split("\n"):
        name, blob = _signature_line(line)
        if name != origin or blob[:4] not in by_hash:
            continue
        kid, raw = by_hash[blob[:4]]
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(blob[4:], text.encode("ascii"))
        except (InvalidSignature, ValueError):
            raise NoteError(f"the checkpoint's signature by key {kid} does not verify") from None
        signer = signer or kid
    if not signer:
        raise NoteError(f"the checkpoint is not signed by any known key of {origin}")
    return Checkpoint(checkpoint.origin, checkpoint.size, checkpoint.root, signer)


def _parse_text(text: str, origin: str) -> Checkpoint:
    lines = text.split("\n")[:-1]
    if len(lines) < 3:
        raise NoteError("a checkpoint's text has an origin, a size and a root, a line each")
    if lines[0] != origin:
        raise NoteError(f"the checkpoint is for the log {lines[0]!r}, not {origin!r}")
    size_text, root_text = lines[1], lines[2]
    if not size_text.isascii() or not size_text.isdigit() or size_text != str(int(size_text)):
        raise NoteError(f"the checkpoint's size is not a decimal number: {size_text!r}")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        root = b""
    if len(root) != 32 or base64.b64encode(root).decode("ascii") != root_text:
        raise NoteError(f"the checkpoint's root is not the base64 of 32 bytes: {root_text!r}")
    return Checkpoint(origin, int(size_text), root)


def _signature_line(line: str) -> tuple[str, bytes]:
    prefix = DASH + " "
    name, _, encoded = line.removeprefix(prefix).partition(" ")
    if not line.startswith(prefix) or not name or not encoded:
        raise NoteError(f"not a signature line: {line[:40]!r}")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise NoteError(f"a signature line's signature is not base64: {line[:40]!r}") from None
    if len(blob) < 5:
        raise NoteError(f"a signature line's signature is too short: {line[:40]!r}")
    return name, blob
