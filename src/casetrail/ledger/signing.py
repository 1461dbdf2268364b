"""Ed25519 keys and signed tree heads.

Keys
----

The private key is a PKCS#8 PEM file, unencrypted and protected by its permissions: it lives
outside the database, readable by the server's user alone. `generate_key_file` writes one with
mode 0600 and refuses to overwrite an existing file; `load_key_file` reads it back.

A key is named by its *key id*: the lower-case hex SHA-256 of the raw 32-byte public key. Heads
carry the key id of the key that signed them; verifiers take a mapping ``{key id: raw public
key}``, so after a rotation the old public keys stay in the mapping and old heads still verify.
A mapping entry whose key does not hash to its key id is never used.

Signed tree heads
-----------------

A head states that the ledger had ``size`` entries with Merkle root ``root`` at ``timestamp``.
The signed message, version 1, is the domain-separation line followed by canonical JSON
(`casetrail.ledger.canonical`)::

    b"casetrail-tree-head-v1\\n" + canonical_json({
        "key_id": "<hex key id>",
        "root": "<hex, 32 bytes>",
        "size": <int>,
        "time": "YYYY-MM-DDTHH:MM:SS.ffffffZ",
    })

The prefix keeps a head signature from being valid for any other message the same key might
sign. The JSON form of a head (`TreeHead.to_dict`) is those four fields plus ``"signature"``
(hex, 64 bytes).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from casetrail.ledger.canonical import canonical_json

HEAD_DOMAIN = b"casetrail-tree-head-v1\n"
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64
ROOT_SIZE = 32
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_HEX_KEY_ID = re.compile(r"[0-9a-f]{64}")


class KeyFileError(ValueError):
    """A key file that cannot be used."""


class HeadFormatError(ValueError):
    """A tree head in JSON form that is not well-formed."""


def key_id(public_key: bytes) -> str:
    """The key id of a raw Ed25519 public key: hex SHA-256 of its 32 bytes."""
    if not isinstance(public_key, bytes) or len(public_key) != PUBLIC_KEY_SIZE:
        raise ValueError(f"an Ed25519 public key has {PUBLIC_KEY_SIZE} bytes")
    return hashlib.sha256(public_key).hexdigest()


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key with its public half and key id."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def __repr__(self) -> str:  # never print key material
        return f"SigningKey(key_id={self.key_id!r})"


def generate_key_file(path: str | os.PathLike[str]) -> SigningKey:
    """Create a new key and write it to ``path`` with mode 0600.

    Refuses (FileExistsError) to overwrite an existing file: losing a key that signed heads
    would leave them unverifiable.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    target = Path(path)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise FileExistsError(f"{target} exists; refusing to overwrite a signing key") from None
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)  # whatever the umask
            out.write(pem)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return SigningKey(key)


def load_key_file(path: str | os.PathLike[str]) -> SigningKey:
    """Read a private key written by `generate_key_file`."""
    target = Path(path)
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read signing key {target}: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{target} is not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{target} holds a {type(key).__name__}, not an Ed25519 key")
    return SigningKey(key)


def public_key_pem(public_key: bytes) -> str:
    """The SubjectPublicKeyInfo PEM of a raw public key, for publishing it."""
    loaded = Ed25519PublicKey.from_public_bytes(public_key)
    pem = loaded.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


def public_key_from_pem(pem: str | bytes) -> bytes:
    """The raw public key in a SubjectPublicKeyInfo PEM (as `public_key_pem` writes)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"a {type(key).__name__}, not an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class TreeHead:
    """A signed statement: the ledger had ``size`` entries with root ``root`` at ``timestamp``."""

    size: int
    root: bytes
    timestamp: datetime  # aware, UTC
    key_id: str
    signature: bytes

    def message(self) -> bytes:
        """The bytes the signature covers (see the module docstring)."""
        return head_message(self.size, self.root, self.timestamp, self.key_id)

    def to_dict(self) -> dict[str, object]:
        """The JSON form: key_id, root (hex), signature (hex), size, time."""
        return {
            "key_id": self.key_id,
            "root": self.root.hex(),
            "signature": self.signature.hex(),
            "size": self.size,
            "time": format_time(self.timestamp),
        }

    @classmethod
    def from_dict(cls, data: object) -> TreeHead:
        """Parse the JSON form strictly; HeadFormatError says what is wrong."""
        if not isinstance(data, Mapping):
            raise HeadFormatError("a tree head is a JSON object")
        expected = {"key_id", "root", "signature", "size", "time"}
        if set(data) != expected:
            missing, extra = expected - set(data), set(data) - expected
            raise HeadFormatError(
                f"tree head fields: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        size = data["size"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise HeadFormatError(f"tree head size must be a non-negative integer: {size!r}")
        key = data["key_id"]
        if not isinstance(key, str) or not _HEX_KEY_ID.fullmatch(key):
            raise HeadFormatError(f"tree head key_id must be 64 lower-case hex digits: {key!r}")
        return cls(
            size=size,
            root=_hex_field(data, "root", ROOT_SIZE),
            timestamp=parse_time(data["time"]),
            key_id=key,
            signature=_hex_field(data, "signature", SIGNATURE_SIZE),
        )


def head_message(size: int, root: bytes, timestamp: datetime, key_id: str) -> bytes:
    """The signed message of a tree head, version 1."""
    body = {"key_id": key_id, "root": root.hex(), "size": size, "time": format_time(timestamp)}
    return HEAD_DOMAIN + canonical_json(body)


def sign_head(key: SigningKey, *, size: int, root: bytes, timestamp: datetime) -> TreeHead:
    """Sign the head (size, root, timestamp) with ``key``; ``timestamp`` comes from the clock."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"size must be a non-negative integer: {size!r}")
    if not isinstance(root, bytes) or len(root) != ROOT_SIZE:
        raise ValueError(f"root must be {ROOT_SIZE} bytes")
    when = _as_utc(timestamp)
    message = head_message(size, root, when, key.key_id)
    return TreeHead(size, root, when, key.key_id, key.private_key.sign(message))


def head_problem(head: object, public_keys: Mapping[str, bytes]) -> str | None:
    """Why ``head`` does not verify under ``public_keys``, or None if it does. Never raises."""
    if not isinstance(head, TreeHead):
        return "not a tree head"
    if not isinstance(head.key_id, str) or not _HEX_KEY_ID.fullmatch(head.key_id):
        return "the head's key id is malformed"
    public = public_keys.get(head.key_id) if isinstance(public_keys, Mapping) else None
    if public is None:
        return f"signed by key {head.key_id}, which is not among the known keys"
    if not isinstance(public, bytes) or len(public) != PUBLIC_KEY_SIZE:
        return f"the public key given for key id {head.key_id} is not 32 bytes"
    if not hmac.compare_digest(hashlib.sha256(public).hexdigest(), head.key_id):
        return f"the public key given for key id {head.key_id} has another key id"
    if not isinstance(head.signature, bytes) or len(head.signature) != SIGNATURE_SIZE:
        return "the signature is not 64 bytes"
    if not isinstance(head.root, bytes) or len(head.root) != ROOT_SIZE:
        return "the root is not 32 bytes"
    if not isinstance(head.size, int) or isinstance(head.size, bool) or head.size < 0:
        return "the size is not a non-negative integer"
    if not isinstance(head.timestamp, datetime) or head.timestamp.utcoffset() is None:
        return "the time is not an aware datetime"
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(head.signature, head.message())
    except (InvalidSignature, ValueError):  # ValueError: a key that is not a curve point
        return f"the signature does not verify under key {head.key_id}"
    return None


def verify_head(head: TreeHead, public_keys: Mapping[str, bytes]) -> bool:
    """Whether ``head`` is signed by the key its key id names in ``public_keys``. Never raises."""
    return head_problem(head, public_keys) is None


def format_time(when: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC, the form canonical JSON gives datetimes."""
    return _as_utc(when).strftime(TIME_FORMAT)


def parse_time(text: object) -> datetime:
    """The inverse of `format_time`, refusing every other spelling."""
    if not isinstance(text, str):
        raise HeadFormatError(f"time must be a string: {text!r}")
    try:
        when = datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise HeadFormatError(
            f"time must look like 2026-01-31T08:00:00.000000Z: {text!r}"
        ) from None
    if format_time(when) != text:
        raise HeadFormatError(f"time is not in canonical form: {text!r}")
    return when


def _as_utc(when: datetime) -> datetime:
    if not isinstance(when, datetime) or when.utcoffset() is None:
        raise ValueError("a tree head time must be an aware datetime")
    return when.astimezone(UTC)


def _hex_field(data: Mapping[str, object], name: str, size: int) -> bytes:
    value = data[name]
    if not isinstance(value, str) or not re.fullmatch(f"[0-9a-f]{{{2 * size}}}", value):
        raise HeadFormatError(f"tree head {name} must be {2 * size} lower-case hex digits")
    return bytes.fromhex(value)
