"""A verifier written from docs/ledger-spec.md alone, with hashlib, json and cryptography.

It imports nothing from casetrail: if it agrees with what casetrail issues, the specification
says enough for an outsider to check receipts and exported entries. ``json`` is used only to
parse; every byte that is hashed or signed is encoded here, by the rules of the specification.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HEAD_PREFIX = b"casetrail-tree-head-v1\n"
_SHORT = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}


class SpecError(ValueError):
    """The checked object does not hold; the message says which rule failed."""


# --- section 1: canonical JSON ------------------------------------------------------------------


def _string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif code in _SHORT:
            out.append(_SHORT[code])
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _encode(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value)  # Python compares str by code point, as the spec sorts
        return "{" + ",".join(_string(k) + ":" + _encode(value[k]) for k in keys) + "}"
    raise SpecError(f"no canonical form for {type(value).__name__}")


def canonical(value: Any) -> bytes:
    return _encode(value).encode("utf-8")


def _no_float(text: str) -> float:
    raise SpecError(f"a number with a fraction or exponent is not canonical: {text}")


def parse(text: str) -> Any:
    return json.loads(text, parse_float=_no_float)


# --- sections 2 and 3: leaves and the tree ------------------------------------------------------

LEAF_FIELDS = {"seq", "at", "actor", "action", "subject", "unit", "payload", "prev"}


def leaf(entry: dict[str, Any]) -> bytes:
    if set(entry) != LEAF_FIELDS:
        raise SpecError(f"an entry has exactly the eight fields: {sorted(entry)}")
    payload = entry["payload"]
    if not isinstance(payload, str) or not isinstance(parse(payload), dict):
        raise SpecError("payload is the canonical JSON text of an object")
    if canonical(parse(payload)) != payload.encode("utf-8"):
        raise SpecError("payload is not canonical")
    return canonical(entry)


def leaf_hash(entry: dict[str, Any]) -> bytes:
    return hashlib.sha256(b"\x00" + leaf(entry)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index: int, size: int, hashed: bytes, proof: list[bytes], root: bytes) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, hashed
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


# --- section 4: signed heads --------------------------------------------------------------------


def check_head(head: dict[str, Any], public_key: bytes) -> None:
    if set(head) != {"key_id", "root", "signature", "size", "time"}:
        raise SpecError(f"a head has five fields: {sorted(head)}")
    if hashlib.sha256(public_key).hexdigest() != head["key_id"]:
        raise SpecError("the head names another key")
    body = {k: head[k] for k in ("key_id", "root", "size", "time")}
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            bytes.fromhex(head["signature"]), HEAD_PREFIX + canonical(body)
        )
    except InvalidSignature:
        raise SpecError("the head's signature does not verify") from None


# --- section 5: receipts ------------------------------------------------------------------------


def check_receipt(receipt: dict[str, Any], public_key: bytes) -> None:
    if receipt.get("format") != "casetrail-receipt" or receipt.get("version") not in (1, 2):
        raise SpecError("not a casetrail receipt of version 1 or 2")
    entry, head = receipt["entry"], receipt["head"]
    index = receipt.get("leaf_index", entry["seq"] - 1)
    if receipt["version"] == 2 and "leaf_index" not in receipt:
        raise SpecError("a version 2 receipt names its leaf index")
    if index != entry["seq"] - 1:
        raise SpecError("leaf_index is not seq - 1")
    hashed = leaf_hash(entry)
    if hashed.hex() != receipt["leaf_hash"]:
        raise SpecError("the entry does not hash to the receipt's leaf hash")
    proof = [bytes.fromhex(p) for p in receipt["proof"]]
    if not verify_inclusion(index, head["size"], hashed, proof, bytes.fromhex(head["root"])):
        raise SpecError("the inclusion proof does not hold")
    check_head(head, public_key)
