"""Offline verification of exported case bundles and of receipts.

Run it on a bundle, anywhere, with only the standard library and ``cryptography``::

    python -m casetrail.ledger.verify CASE.zip [--trust KEY_ID ...]

It prints one verdict per check and exits 0 if the bundle is intact, 1 if not, naming the first
failing sequence number and what is wrong. Pass the agency's published key id with ``--trust``:
without it the verifier can only say the head was signed by *a* key carried in the bundle.

Ledger entries and their leaves
-------------------------------

The Merkle tree's leaf for an entry is `entry_leaf_data`: the canonical JSON
(`casetrail.ledger.canonical`) of exactly these fields, no more, no fewer:

========  ==================================================================================
seq       int >= 1, the entry's position: the ledger's first entry has seq 1. Entry ``seq`` is
          leaf ``seq - 1`` of the tree (`leaf_index`), so a tree of size n holds seqs 1..n
at        when it happened, an aware datetime, written ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC)
actor     who acted: a string (a label) or an int id, or null
action    the ledger kind, a non-empty string (``CUSTODY_EXTENDED``)
subject   what the entry is about, a non-empty string (``case:2026-000123``)
unit      the unit it belongs to: a string or int id, or null
payload   the action's data as stored: the canonical JSON *text* of an object (a string, so
          the leaf covers the stored bytes exactly)
prev      the hex leaf hash of the previous entry of the same subject, or null for its first
========  ==================================================================================

The storage side computes the leaf it stores with this very function, so what the server hashes
and what a verifier recomputes cannot drift apart.

Bundle format, version 1
------------------------

A zip file with three members (others are ignored and reported as not covered):

``manifest.json``::

    {"format": "casetrail-case-bundle", "version": 1, "case": "<case number>",
     "entry_count": <number of lines in entries.jsonl>,
     "head": <signed tree head, TreeHead.to_dict()>,
     "public_keys": {"<key id>": "<hex raw Ed25519 public key>", ...}}

``entries.jsonl``: one JSON object a line, in increasing ``seq`` order::

    {"entry": {<the eight leaf fields>}, "leaf_hash": "<hex>"}

``proofs.json``::

    {"inclusion": [{"seq": <seq>, "proof": ["<hex>", ...]}, ...],
     "anchors": [{"seq": <seq>, "leaf_hash": "<hex>", "proof": ["<hex>", ...]}, ...]}

``inclusion`` holds one RFC 6962 inclusion proof per entry, of leaf ``seq - 1`` in the tree of the
signed head. ``anchors`` are entries the bundle does not disclose (they belong to another case)
from which a disclosed subject chain starts: only their leaf hash and its proof are given.

The checks, in order: ``bundle`` (the members are there and well-formed), ``signature`` (the
head verifies under a key in the bundle, and a trusted one if ``--trust`` is given), ``leaves``
(every leaf hash recomputed from its entry), ``inclusion`` (every entry and anchor is in the
signed tree), ``chains`` (within each subject, taken in seq order, every entry names the one
before it; the first names nothing or an anchor) and ``completeness`` (walking back from each
subject's last entry along ``prev`` reaches every entry of the subject, with no hole).

What a bundle cannot prove: that no entry of a subject *follows* its last entry in the bundle.
An export that leaves out a chain's tail is caught by a receipt for a left-out entry, or by
asking the ledger for the subject's latest entry and its proof, not by the bundle alone.
(`check_head_consistency` holds an older head, a receipt's or an export's, against a newer one:
it catches a rewritten history, not an incomplete export.)

Receipts
--------

A receipt proves one entry to its holder (`make_receipt`, `check_receipt`)::

    {"format": "casetrail-receipt", "version": 2, "entry": {<the eight leaf fields>},
     "leaf_index": <seq - 1>, "leaf_hash": "<hex>", "proof": ["<hex>", ...],
     "head": <signed tree head>}

Version 1 receipts, issued before ``leaf_index`` was added, have the same fields less that one,
and still verify. docs/ledger-spec.md states every byte of this for an outside implementer.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import zipfile
import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from casetrail.ledger.canonical import CanonicalError, JsonValue, canonical_json, normalise, parse
from casetrail.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from casetrail.ledger.signing import (
    HeadFormatError,
    TreeHead,
    head_problem,
    key_id,
    parse_time,
)

LEAF_FIELDS = ("action", "actor", "at", "payload", "prev", "seq", "subject", "unit")
BUNDLE_FORMAT = "casetrail-case-bundle"
BUNDLE_VERSION = 1
RECEIPT_FORMAT = "casetrail-receipt"
RECEIPT_VERSION = 2  # version 1 had no leaf_index; check_receipt reads both
_RECEIPT_FIELDS = {"format", "version", "entry", "leaf_hash", "proof", "head"}
MANIFEST, ENTRIES, PROOFS = "manifest.json", "entries.jsonl", "proofs.json"
# An issued document travels as documents/<seq>.pdf, <seq> the entry that recorded its issue:
# the verifier holds the file's SHA-256 against the sha256 of that entry's payload.
DOCUMENTS = re.compile(r"documents/([1-9][0-9]{0,18})\.pdf")
DOCUMENT_ISSUED = "document.issued"
MAX_MEMBER_BYTES = 256 * 1024 * 1024  # a case's ledger is far smaller; refuse zip bombs

_HEX_HASH = re.compile(r"[0-9a-f]{64}")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same export gives the same bytes


class BundleFormatError(ValueError):
    """A bundle or receipt that is not well-formed; the message says where."""


# --- entries ------------------------------------------------------------------------------------


def entry_leaf_data(entry: Mapping[str, object]) -> bytes:
    """The leaf data of a ledger entry: canonical JSON of exactly `LEAF_FIELDS`.

    ``entry`` may hold Python values (an aware datetime for ``at``); they are normalised as
    canonical JSON does. Raises ValueError naming the field that is missing, extra or wrong.
    """
    if not isinstance(entry, Mapping):
        raise ValueError("an entry is a mapping of its fields")
    missing = sorted(set(LEAF_FIELDS) - set(entry))
    extra = sorted(str(key) for key in set(entry) - set(LEAF_FIELDS))
    if missing or extra:
        raise ValueError(f"entry fields: missing {missing}, not part of the leaf {extra}")
    leaf = {name: normalise(entry[name], path=name) for name in LEAF_FIELDS}
    problem = _leaf_problem(leaf)
    if problem:
        raise ValueError(problem)
    return canonical_json(leaf)


_STRING = json.encoder.encode_basestring  # how json writes a str when ensure_ascii is off


def encode_leaf_values(
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    unit: int | None,
    payload: str,
    prev: str | None,
) -> bytes:
    """The leaf bytes of fields already well-formed (as record() makes them, or as the rows it
    wrote come back), given one by one, ``at`` already written as `format_time` writes it,
    nothing re-validated: the canonical JSON assembled directly, keys in their sorted order, strings
    escaped by json's own C encoder. The ledger's hot paths (append, verify) use it; a
    property test holds it equal to `entry_leaf_data`. A value of another type than these
    raises TypeError, or gives bytes that hash to nothing stored."""
    return "".join(
        (
            '{"action":',
            _STRING(action),
            ',"actor":',
            _STRING(actor),
            ',"at":"',
            at,
            '","payload":',
            _STRING(payload),
            ',"prev":',
            "null" if prev is None else '"' + prev + '"',
            ',"seq":',
            str(seq),
            ',"subject":',
            _STRING(subject),
            ',"unit":',
            "null" if unit is None else str(unit),
            "}",
        )
    ).encode("utf-8")


def leaf_index(seq: int) -> int:
    """The tree leaf of the entry ``seq``: seqs count from 1, leaves from 0."""
    return seq - 1


def _leaf_problem(leaf: Mapping[str, JsonValue]) -> str | None:
    seq = leaf["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return f"seq must be a positive integer: {seq!r}"
    try:
        parse_time(leaf["at"])
    except HeadFormatError:
        return f"at must be an aware datetime (YYYY-MM-DDTHH:MM:SS.ffffffZ): {leaf['at']!r}"
    for name in ("action", "subject"):
        value = leaf[name]
        if not isinstance(value, str) or not value:
            return f"{name} must be a non-empty string: {value!r}"
    for name in ("actor", "unit"):
        value = leaf[name]
        if not (value is None or isinstance(value, str | int)) or isinstance(value, bool):
            return f"{name} must be a string, an integer or null: {value!r}"
    payload = leaf["payload"]
    if not isinstance(payload, str):
        return "payload must be the canonical JSON text of an object, as stored, not a value"
    try:
        data = parse(payload.encode("utf-8"))
    except (CanonicalError, UnicodeEncodeError) as exc:
        return f"payload is not canonical JSON text: {exc}"
    if not isinstance(data, dict):
        return "payload must be the canonical JSON text of an object"
    prev = leaf["prev"]
    if prev is not None and not (isinstance(prev, str) and _HEX_HASH.fullmatch(prev)):
        return f"prev must be null or a 64-digit lower-case hex hash: {prev!r}"
    return None


@dataclass(frozen=True)
class Entry:
    """An entry as a bundle or receipt carries it, with the leaf hash it states for it."""

    seq: int
    subject: str
    prev: bytes | None
    fields: dict[str, JsonValue]  # the eight leaf fields
    leaf_hash: bytes  # recomputed from ``fields``
    stated_hash: bytes


@dataclass(frozen=True)
class Anchor:
    """An undisclosed entry a disclosed chain starts from: its seq, leaf hash and proof."""

    seq: int
    leaf_hash: bytes
    proof: list[bytes]


@dataclass(frozen=True)
class Bundle:
    case: str
    entry_count: int
    head: TreeHead
    public_keys: dict[str, bytes]
    entries: list[Entry]
    proofs: dict[int, list[bytes]]
    anchors: list[Anchor]
    other_members: list[str] = field(default_factory=list)
    documents: dict[int, bytes] = field(default_factory=dict)  # issue entry seq -> PDF


# --- writing ------------------------------------------------------------------------------------


def write_bundle(
    path: str | Path,
    head: TreeHead,
    public_keys: Mapping[str, bytes],
    entries: Iterable[Mapping[str, object]],
    proofs: Mapping[int, Sequence[bytes]],
    *,
    case: str,
    anchors: Sequence[Anchor] = (),
    files: Mapping[str, bytes] | None = None,
) -> None:
    """Write a bundle (format above) to ``path``, which must not exist yet.

    ``entries`` are entry mappings (see `entry_leaf_data`), ``proofs`` maps each entry's seq to
    its inclusion proof in the tree of ``head``. ``files`` are further members (the issued
    documents as ``documents/<seq>.pdf``, the case file's PDF), written as given. Refuses, with
    ValueError, to write a bundle the verifier would reject for a reason the exporter controls:
    a head that does not verify, a missing or failing proof, repeated seqs.
    """
    taken = sorted(set(files or {}) & {MANIFEST, ENTRIES, PROOFS})
    if taken:
        raise ValueError(f"{taken[0]} is the bundle's own member")
    problem = head_problem(head, public_keys)
    if problem:
        raise ValueError(f"the tree head does not verify: {problem}")
    for kid, key in public_keys.items():
        if key_id(key) != kid:
            raise ValueError(f"the public key given as {kid} has key id {key_id(key)}")
    leaves = sorted((_int(entry.get("seq")), entry_leaf_data(entry)) for entry in entries)
    lines, inclusion = [], []
    last_seq = -1
    for seq, data in leaves:
        if seq == last_seq:
            raise ValueError(f"seq {seq} appears twice")
        last_seq = seq
        if seq not in proofs:
            raise ValueError(f"seq {seq}: no inclusion proof given")
        proof = list(proofs[seq])
        hashed = leaf_hash(data)
        if not verify_inclusion(leaf_index(seq), head.size, hashed, proof, head.root):
            raise ValueError(f"seq {seq}: its proof does not show it in the tree of the head")
        lines.append(canonical_json({"entry": json.loads(data), "leaf_hash": hashed.hex()}))
        inclusion.append({"seq": seq, "proof": [p.hex() for p in proof]})
    for anchor in anchors:
        if not _anchor_included(anchor, head):
            raise ValueError(f"anchor seq {anchor.seq}: its proof does not verify")
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "case": case,
        "entry_count": len(lines),
        "head": head.to_dict(),
        "public_keys": {kid: key.hex() for kid, key in sorted(public_keys.items())},
    }
    proofs_doc = {
        "inclusion": inclusion,
        "anchors": [
            {"seq": a.seq, "leaf_hash": a.leaf_hash.hex(), "proof": [p.hex() for p in a.proof]}
            for a in anchors
        ],
    }
    with zipfile.ZipFile(path, "x", compression=zipfile.ZIP_DEFLATED) as bundle:
        _write_member(bundle, MANIFEST, _pretty(manifest))
        _write_member(bundle, ENTRIES, b"".join(line + b"\n" for line in lines))
        _write_member(bundle, PROOFS, _pretty(proofs_doc))
        for name, data in sorted((files or {}).items()):
            _write_member(bundle, name, data)


def _write_member(bundle: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


def _pretty(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


# --- reading ------------------------------------------------------------------------------------


def read_bundle(path: str | Path) -> Bundle:
    """Parse a bundle; BundleFormatError says what is malformed. Checks nothing cryptographic."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = _read_members(archive)
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError) as exc:
        raise BundleFormatError(f"cannot read {path} as a zip file: {exc}") from exc
    except RuntimeError as exc:  # an encrypted member
        raise BundleFormatError(f"cannot read {path}: {exc}") from exc
    manifest = _object(_load_json(members.pop(MANIFEST), MANIFEST), MANIFEST)
    entries_text = members.pop(ENTRIES)
    proofs_doc = _object(_load_json(members.pop(PROOFS), PROOFS), PROOFS)

    _expect_keys(
        manifest, MANIFEST, {"format", "version", "case", "entry_count", "head", "public_keys"}
    )
    if manifest["format"] != BUNDLE_FORMAT:
        raise BundleFormatError(f"{MANIFEST}: format is {manifest['format']!r}, not a bundle")
    if manifest["version"] != BUNDLE_VERSION:
        raise BundleFormatError(
            f"{MANIFEST}: version {manifest['version']!r}; this verifier reads {BUNDLE_VERSION}"
        )
    case = manifest["case"]
    if not isinstance(case, str):
        raise BundleFormatError(f"{MANIFEST}: case must be a string")
    entry_count = manifest["entry_count"]
    if not isinstance(entry_count, int) or isinstance(entry_count, bool) or entry_count < 0:
        raise BundleFormatError(f"{MANIFEST}: entry_count must be a non-negative integer")
    try:
        head = TreeHead.from_dict(manifest["head"])
    except HeadFormatError as exc:
        raise BundleFormatError(f"{MANIFEST}: {exc}") from exc
    public_keys = _public_keys(manifest["public_keys"])

    entries = _entries(entries_text)
    _expect_keys(proofs_doc, PROOFS, {"inclusion", "anchors"})
    proofs = _inclusion_proofs(proofs_doc["inclusion"])
    anchors = _anchors(proofs_doc["anchors"])
    documents = {
        int(match.group(1)): members.pop(name)
        for name in sorted(members)
        if (match := DOCUMENTS.fullmatch(name))
    }
    return Bundle(
        case, entry_count, head, public_keys, entries, proofs, anchors, sorted(members), documents
    )


def _read_members(archive: zipfile.ZipFile) -> dict[str, bytes]:
    names = [info.filename for info in archive.infolist()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BundleFormatError(f"the zip holds several members named {', '.join(repeated)}")
    missing = [name for name in (MANIFEST, ENTRIES, PROOFS) if name not in names]
    if missing:
        raise BundleFormatError(f"the zip lacks {', '.join(missing)}")
    members = {}
    for info in archive.infolist():
        if info.filename not in (MANIFEST, ENTRIES, PROOFS) and not DOCUMENTS.fullmatch(
            info.filename
        ):
            members[info.filename] = b""  # named in the report, never read
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise BundleFormatError(f"{info.filename} is {info.file_size} bytes; too large")
        members[info.filename] = archive.read(info)
    return members


def _load_json(data: bytes, where: str) -> object:
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_refuse_duplicate_keys,
            parse_float=_refuse_number,
            parse_constant=_refuse_number,
        )
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise BundleFormatError(f"{where}: not valid JSON: {exc}") from exc


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def _refuse_number(text: str) -> object:
    raise ValueError(f"{text} is not allowed: the ledger has no floats")


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise BundleFormatError(f"{where}: expected a JSON object")
    return value


def _expect_keys(value: Mapping[str, object], where: str, keys: set[str]) -> None:
    if set(value) != keys:
        missing, extra = sorted(keys - set(value)), sorted(set(value) - keys)
        raise BundleFormatError(f"{where}: missing {missing}, unexpected {extra}")


def _public_keys(value: object) -> dict[str, bytes]:
    keys = _object(value, f"{MANIFEST} public_keys")
    result = {}
    for kid, text in keys.items():
        raw = _hex(text, 32, f"{MANIFEST} public key {kid}")
        if key_id(raw) != kid:
            raise BundleFormatError(
                f"{MANIFEST}: the public key listed as {kid} has key id {key_id(raw)}"
            )
        result[kid] = raw
    return result


def _entries(data: bytes) -> list[Entry]:
    entries: list[Entry] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        where = f"{ENTRIES} line {number}"
        item = _object(_load_json(line, where), where)
        _expect_keys(item, where, {"entry", "leaf_hash"})
        entry = _parse_entry(item["entry"], item["leaf_hash"], where)
        if entries and entry.seq <= entries[-1].seq:
            raise BundleFormatError(
                f"{where}: seq {entry.seq} follows seq {entries[-1].seq}; "
                "entries must be in increasing seq order, each once"
            )
        entries.append(entry)
    return entries


def _parse_entry(value: object, stated_hash: object, where: str) -> Entry:
    """An entry read from JSON, its leaf hash recomputed, with the hash it came with."""
    try:
        data = entry_leaf_data(_object(value, f"{where} entry"))
    except (ValueError, RecursionError) as exc:  # CanonicalError is a ValueError
        raise BundleFormatError(f"{where}: {exc}") from exc
    stated = _hex(stated_hash, 32, f"{where} leaf_hash")
    fields: dict[str, JsonValue] = json.loads(data)
    prev = fields["prev"]  # entry_leaf_data checked every field's type
    return Entry(
        seq=_int(fields["seq"]),
        subject=str(fields["subject"]),
        prev=None if prev is None else bytes.fromhex(str(prev)),
        fields=fields,
        leaf_hash=leaf_hash(data),
        stated_hash=stated,
    )


def _inclusion_proofs(value: object) -> dict[int, list[bytes]]:
    if not isinstance(value, list):
        raise BundleFormatError(f"{PROOFS}: inclusion must be a list")
    proofs: dict[int, list[bytes]] = {}
    for number, item in enumerate(value):
        where = f"{PROOFS} inclusion[{number}]"
        fields = _object(item, where)
        _expect_keys(fields, where, {"seq", "proof"})
        seq = _seq(fields["seq"], where)
        if seq in proofs:
            raise BundleFormatError(f"{where}: a second proof for seq {seq}")
        proofs[seq] = _hashes(fields["proof"], where)
    return proofs


def _anchors(value: object) -> list[Anchor]:
    if not isinstance(value, list):
        raise BundleFormatError(f"{PROOFS}: anchors must be a list")
    anchors = []
    for number, item in enumerate(value):
        where = f"{PROOFS} anchors[{number}]"
        fields = _object(item, where)
        _expect_keys(fields, where, {"seq", "leaf_hash", "proof"})
        anchors.append(
            Anchor(
                _seq(fields["seq"], where),
                _hex(fields["leaf_hash"], 32, f"{where} leaf_hash"),
                _hashes(fields["proof"], where),
            )
        )
    return anchors


def _seq(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BundleFormatError(f"{where}: seq must be a positive integer")
    return value


def _hashes(value: object, where: str) -> list[bytes]:
    if not isinstance(value, list):
        raise BundleFormatError(f"{where}: proof must be a list of hex hashes")
    return [_hex(item, 32, f"{where} proof[{i}]") for i, item in enumerate(value)]


def _hex(value: object, size: int, where: str) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(f"[0-9a-f]{{{2 * size}}}", value):
        raise BundleFormatError(f"{where}: expected {2 * size} lower-case hex digits")
    return bytes.fromhex(value)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"seq must be an integer: {value!r}")
    return value


# --- checking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.seq is None else f"seq {self.seq}: {self.message}"


@dataclass
class Check:
    name: str
    summary: str = ""  # what holds, when it does
    problems: list[Problem] = field(default_factory=list)
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return not self.skipped and not self.problems


@dataclass
class Report:
    path: str
    checks: list[Check]
    bundle: Bundle | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return all(check.ok for check in self.checks)

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)

    @property
    def first_failure(self) -> tuple[str, Problem] | None:
        for check in self.checks:
            if check.problems:
                return check.name, check.problems[0]
        return None


CHECKS = ("bundle", "signature", "leaves", "inclusion", "chains", "completeness", "documents")


def verify_bundle(path: str | Path, *, trusted_key_ids: Collection[str] = ()) -> Report:
    """Run every check on the bundle at ``path``. Never raises on a bad bundle: it reports."""
    report = Report(str(path), [Check(name) for name in CHECKS])
    try:
        bundle = read_bundle(path)
    except BundleFormatError as exc:
        report.check("bundle").problems.append(Problem(None, str(exc)))
        for check in report.checks[1:]:
            check.skipped = True
        return report
    report.bundle = bundle
    read = f"{MANIFEST}, {ENTRIES} ({len(bundle.entries)} entries) and {PROOFS} are well-formed"
    report.check("bundle").summary = read
    if bundle.other_members:
        report.notes.append(f"not covered by this verification: {', '.join(bundle.other_members)}")
    _check_signature(bundle, trusted_key_ids, report)
    _check_leaves(bundle, report.check("leaves"))
    _check_inclusion(bundle, report.check("inclusion"))
    _check_chains(bundle, report.check("chains"))
    _check_completeness(bundle, report.check("completeness"))
    _check_documents(bundle, report.check("documents"))
    return report


def _check_documents(bundle: Bundle, check: Check) -> None:
    """Each documents/<seq>.pdf is the file whose hash the issue entry <seq> recorded."""
    by_seq = {entry.seq: entry for entry in bundle.entries}
    for seq, data in sorted(bundle.documents.items()):
        entry = by_seq.get(seq)
        if entry is None or entry.fields.get("action") != DOCUMENT_ISSUED:
            check.problems.append(
                Problem(seq, f"documents/{seq}.pdf names no {DOCUMENT_ISSUED} entry of the bundle")
            )
            continue
        payload = parse(str(entry.fields["payload"]).encode("utf-8"))
        stated = payload.get("sha256") if isinstance(payload, dict) else None
        actual = hashlib.sha256(data).hexdigest()
        if stated != actual:
            check.problems.append(
                Problem(
                    seq,
                    f"documents/{seq}.pdf hashes to {actual}, but the ledger recorded {stated} "
                    "when it was issued: the file was changed",
                )
            )
    issued = sum(1 for e in bundle.entries if e.fields.get("action") == DOCUMENT_ISSUED)
    check.summary = (
        f"{len(bundle.documents)} of {issued} issued documents carried, each the file the "
        "ledger recorded"
    )


def _check_signature(bundle: Bundle, trusted: Collection[str], report: Report) -> None:
    check, head = report.check("signature"), bundle.head
    if head.key_id not in bundle.public_keys:
        message = f"signed by key {head.key_id}, which the bundle does not carry"
        check.problems.append(Problem(None, message))
        return
    problem = head_problem(head, bundle.public_keys)
    if problem:
        check.problems.append(Problem(None, problem))
        return
    if trusted and head.key_id not in trusted:
        check.problems.append(
            Problem(
                None,
                f"signed by key {head.key_id}, which is not one of the keys you trust "
                f"({', '.join(sorted(trusted))})",
            )
        )
        return
    whose = "a trusted key" if trusted else "a key carried in the bundle"
    check.summary = f"the head of size {head.size} is signed by {whose}, {head.key_id}"
    if not trusted:
        report.notes.append(
            "the signing key came with the bundle: compare its key id with the one the agency "
            "publishes, or pass --trust KEY_ID"
        )


def _check_leaves(bundle: Bundle, check: Check) -> None:
    for entry in bundle.entries:
        if entry.stated_hash != entry.leaf_hash:
            check.problems.append(
                Problem(
                    entry.seq,
                    f"the entry does not hash to its stated leaf hash {entry.stated_hash.hex()} "
                    f"(its fields hash to {entry.leaf_hash.hex()}): the entry was altered",
                )
            )
    check.summary = f"{len(bundle.entries)} leaf hashes recomputed from their entries"


def _check_inclusion(bundle: Bundle, check: Check) -> None:
    head = bundle.head
    for entry in bundle.entries:
        proof = bundle.proofs.get(entry.seq)
        if proof is None:
            check.problems.append(Problem(entry.seq, f"{PROOFS} has no inclusion proof for it"))
        elif entry.seq > head.size:
            check.problems.append(
                Problem(entry.seq, f"beyond the signed head, which has {head.size} entries")
            )
        elif not verify_inclusion(
            leaf_index(entry.seq), head.size, entry.leaf_hash, proof, head.root
        ):
            check.problems.append(
                Problem(
                    entry.seq,
                    f"not in the signed tree of size {head.size}: its inclusion proof fails "
                    "for this entry (the entry or its proof was altered, or it was never logged)",
                )
            )
    for anchor in bundle.anchors:
        if not _anchor_included(anchor, head):
            check.problems.append(
                Problem(anchor.seq, f"the anchor is not in the signed tree of size {head.size}")
            )
    check.problems.sort(key=_by_seq)
    anchors = f" and {_count(len(bundle.anchors), 'anchor')}" if bundle.anchors else ""
    check.summary = (
        f"{len(bundle.entries)} entries{anchors} are in the signed tree of size {head.size}"
    )


def _anchor_included(anchor: Anchor, head: TreeHead) -> bool:
    index = leaf_index(anchor.seq)
    return verify_inclusion(index, head.size, anchor.leaf_hash, anchor.proof, head.root)


def _by_seq(problem: Problem) -> tuple[bool, int]:
    return problem.seq is not None, problem.seq or 0


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _subjects(bundle: Bundle) -> dict[str, list[Entry]]:
    subjects: dict[str, list[Entry]] = {}
    for entry in bundle.entries:  # already in seq order
        subjects.setdefault(entry.subject, []).append(entry)
    return subjects


def _anchor_hashes(bundle: Bundle) -> dict[bytes, int]:
    return {anchor.leaf_hash: anchor.seq for anchor in bundle.anchors}


def _check_chains(bundle: Bundle, check: Check) -> None:
    anchors = _anchor_hashes(bundle)
    subjects = _subjects(bundle)
    for subject, entries in subjects.items():
        before: Entry | None = None
        for entry in entries:
            prev = entry.prev
            if before is None:
                anchor_seq = None if prev is None else anchors.get(prev)
                if prev is not None and (anchor_seq is None or anchor_seq >= entry.seq):
                    check.problems.append(
                        Problem(
                            entry.seq,
                            f"the first entry of {subject} in the bundle names previous entry "
                            f"{prev.hex()}, which is neither in the bundle nor an earlier anchor",
                        )
                    )
            elif prev is None:
                check.problems.append(
                    Problem(
                        entry.seq,
                        f"names no previous entry, yet seq {before.seq} of {subject} precedes it",
                    )
                )
            elif prev != before.leaf_hash:
                check.problems.append(
                    Problem(
                        entry.seq,
                        f"names previous entry {prev.hex()}, but the entry of {subject} before it "
                        f"in the bundle is seq {before.seq} ({before.leaf_hash.hex()})",
                    )
                )
            before = entry
    check.problems.sort(key=_by_seq)
    check.summary = f"{_count(len(subjects), 'subject chain')} linked entry to entry"


def _check_completeness(bundle: Bundle, check: Check) -> None:
    """Problems come cause first: a subject's hole, then the entries it cut off."""
    anchors = _anchor_hashes(bundle)
    for subject, entries in _subjects(bundle).items():
        by_hash = {entry.leaf_hash: entry for entry in entries}
        reached: set[int] = set()
        entry: Entry | None = entries[-1]
        while entry is not None:
            reached.add(entry.seq)
            prev = entry.prev
            if prev is None or prev in anchors:
                break
            earlier = by_hash.get(prev)
            if earlier is None:
                check.problems.append(
                    Problem(
                        entry.seq,
                        f"hole in the chain of {subject}: the previous entry it names, "
                        f"{prev.hex()}, is not in the bundle",
                    )
                )
            elif earlier.seq >= entry.seq:  # walking back, seqs only go down: the walk ends
                check.problems.append(
                    Problem(
                        entry.seq,
                        f"names seq {earlier.seq} of {subject}, a later entry, as its previous",
                    )
                )
                earlier = None
            entry = earlier
        last = entries[-1].seq
        for missed in entries:
            if missed.seq not in reached:
                check.problems.append(
                    Problem(
                        missed.seq,
                        f"not on the chain of {subject} walked back from its last entry, "
                        f"seq {last}",
                    )
                )
    seqs = {entry.seq for entry in bundle.entries}
    for seq in sorted(set(bundle.proofs) - seqs):
        check.problems.append(
            Problem(seq, f"{PROOFS} proves this entry, but {ENTRIES} does not carry it")
        )
    if bundle.entry_count != len(bundle.entries):
        check.problems.append(
            Problem(
                None,
                f"{MANIFEST} says {bundle.entry_count} entries, {ENTRIES} has "
                f"{len(bundle.entries)}",
            )
        )
    check.summary = "every chain reaches all its entries back from its last one, without a hole"


# --- receipts and heads -------------------------------------------------------------------------


def make_receipt(
    entry: Mapping[str, object], proof: Sequence[bytes], head: TreeHead
) -> dict[str, object]:
    """A receipt for ``entry``: its leaf fields, leaf hash, inclusion proof and signed head."""
    data = entry_leaf_data(entry)
    fields = json.loads(data)
    return {
        "format": RECEIPT_FORMAT,
        "version": RECEIPT_VERSION,
        "entry": fields,
        "leaf_index": leaf_index(fields["seq"]),
        "leaf_hash": leaf_hash(data).hex(),
        "proof": [p.hex() for p in proof],
        "head": head.to_dict(),
    }


def split_receipt_file(document: object) -> tuple[object, dict[str, bytes]]:
    """The receipt in a receipt file, and the public keys the file carries (none for a bare
    receipt). Raises ValueError if the file is neither shape. Here, with no framework, so that
    `casetrail ledger check-receipt` runs on the holder's machine with the file alone."""
    if not isinstance(document, dict):
        raise ValueError("a receipt file is a JSON object")
    if document.get("format") == RECEIPT_FORMAT:
        return document, {}
    if set(document) != {"receipt", "public_key"}:
        raise ValueError(
            "not a receipt file: expected a casetrail receipt, or an object with "
            "'receipt' and 'public_key'"
        )
    raw = document["public_key"]
    if not isinstance(raw, str) or len(raw) != 64:
        raise ValueError("public_key must be 64 hex digits (a raw Ed25519 public key)")
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise ValueError("public_key must be 64 hex digits (a raw Ed25519 public key)") from None
    return document["receipt"], {key_id(key): key}


def check_receipt(receipt: object, public_keys: Mapping[str, bytes]) -> list[str]:
    """What is wrong with ``receipt`` (empty if it holds), checked against trusted keys.

    ``public_keys`` maps key ids to raw public keys the holder trusts (published by the agency);
    a receipt carries none of its own. Never raises on a malformed receipt.
    """
    try:
        fields = _object(receipt, "receipt")
        indexed = "leaf_index" in fields
        _expect_keys(fields, "receipt", _RECEIPT_FIELDS | ({"leaf_index"} if indexed else set()))
        version = fields["version"]
        if fields["format"] != RECEIPT_FORMAT or version not in (1, RECEIPT_VERSION):
            return [f"not a version 1 or {RECEIPT_VERSION} casetrail receipt"]
        if indexed != (version == RECEIPT_VERSION):
            raise BundleFormatError("receipt: version 2 names its leaf_index, version 1 does not")
        entry = _parse_entry(fields["entry"], fields["leaf_hash"], "receipt")
        if version == RECEIPT_VERSION and fields["leaf_index"] != leaf_index(entry.seq):
            raise BundleFormatError(
                f"receipt: leaf_index must be seq - 1 = {leaf_index(entry.seq)}: "
                f"{fields['leaf_index']!r}"
            )
        proof = _hashes(fields["proof"], "receipt")
        head = TreeHead.from_dict(fields["head"])
    except (BundleFormatError, HeadFormatError) as exc:
        return [f"malformed receipt: {exc}"]
    problems = []
    if entry.stated_hash != entry.leaf_hash:
        problems.append(
            f"seq {entry.seq}: the entry does not hash to the receipt's leaf hash: it was altered"
        )
    problem = head_problem(head, public_keys)
    if problem:
        problems.append(f"tree head: {problem}")
    if not verify_inclusion(leaf_index(entry.seq), head.size, entry.leaf_hash, proof, head.root):
        problems.append(
            f"seq {entry.seq}: the inclusion proof does not show the entry in the tree of size "
            f"{head.size}"
        )
    return problems


def check_head_consistency(
    older: TreeHead,
    newer: TreeHead,
    proof: Sequence[bytes],
    public_keys: Mapping[str, bytes],
) -> list[str]:
    """What is wrong between two signed heads (empty if ``newer`` extends ``older``).

    Both signatures, the order of sizes and times, and the RFC 6962 consistency proof. This is
    how a receipt's head, or an export's, is held against the log as it is today.
    """
    problems = []
    for name, head in (("older", older), ("newer", newer)):
        problem = head_problem(head, public_keys)
        if problem:
            problems.append(f"{name} head: {problem}")
    if problems:
        return problems
    if newer.size < older.size:
        return [f"the newer head has {newer.size} entries, fewer than the older's {older.size}"]
    if newer.timestamp < older.timestamp:
        problems.append("the newer head is dated before the older one")
    if older.size == 0:
        return problems  # every tree extends the empty one
    if not verify_consistency(older.size, newer.size, proof, older.root, newer.root):
        problems.append(
            f"the tree of size {newer.size} does not extend the tree of size {older.size}: "
            "history was rewritten, or the proof is wrong"
        )
    return problems


# --- command line -------------------------------------------------------------------------------


def print_report(report: Report, out: TextIO) -> None:
    """The human verdict: one line per check, the problems under a failing one."""
    print(f"casetrail bundle {report.path}", file=out)
    bundle = report.bundle
    if bundle is not None:
        head = bundle.head
        print(
            f"  case {bundle.case}: {len(bundle.entries)} entries; signed head of "
            f"{head.size} entries at {head.to_dict()['time']}",
            file=out,
        )
    for check in report.checks:
        if check.skipped:
            print(f"  skip  {check.name:<13} not checked: the bundle could not be read", file=out)
        elif check.ok:
            print(f"  ok    {check.name:<13} {check.summary}", file=out)
        else:
            print(f"  FAIL  {check.name:<13} {check.problems[0]}", file=out)
            for problem in check.problems[1:20]:
                print(f"        {'':<13} {problem}", file=out)
            if len(check.problems) > 20:
                print(f"        {'':<13} ... {len(check.problems) - 20} more", file=out)
    for note in report.notes:
        print(f"  note: {note}", file=out)
    failure = report.first_failure
    if failure is None:
        print("INTACT: every check holds", file=out)
    else:
        name, problem = failure
        where = f"at seq {problem.seq}" if problem.seq is not None else "in the bundle"
        print(f"NOT INTACT: first failure {where} ({name}): {problem.message}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m casetrail.ledger.verify",
        description="Verify an exported casetrail case bundle offline.",
    )
    parser.add_argument("bundle", help="the bundle, a .zip file")
    parser.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="KEY_ID",
        help="a key id the agency publishes; the head must be signed by one of these",
    )
    args = parser.parse_args(argv)
    report = verify_bundle(args.bundle, trusted_key_ids=args.trust)
    print_report(report, sys.stdout)
    return 0 if report.intact else 1


if __name__ == "__main__":
    sys.exit(main())
