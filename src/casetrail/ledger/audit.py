"""``casetrail ledger verify``: recompute the whole ledger from its rows and hold it to its heads.

What a full run checks, streaming the entries in seq order:

* ``sequence``: seqs run 1..n, each once;
* ``leaf``: every leaf hash, recomputed from the entry's fields with
  `casetrail.ledger.verify.entry_leaf_data` (the offline verifier's own encoding);
* ``chain``: every entry names, as its previous (``prev_seq``, whose leaf hash its own leaf
  hashes), the entry of the same subject before it;
* ``tree``: every stored node is the hash of the nodes below it (down to the stored leaf
  hashes), the open block (the entries after the last multiple of 16) has its nodes of levels
  1 to 3 and no others are kept, and no node lies beyond the log;
* ``head``: every signed head's signature under a registered key (and a trusted one, with
  ``--trust``), its root against the root of that many entries, and, in signing order, sizes
  that never shrink and an RFC 6962 consistency proof from each head to the next;
* ``key``: every registered public key matches its key id and has its ``ledger.key_registered``
  entry in the log.

* ``checkpoint``: the signed checkpoint file outside the database (``--checkpoint FILE``, else
  ``CASETRAIL_LEDGER_CHECKPOINT_FILE``): the log is at least as large as the head it names, its
  first entries still have that head's root (a consistency proof from it to today's tree), and
  the database still holds that head; and every head a ``ledger.verified`` entry names is still
  stored (heads deleted behind the ledger's back).

When everything holds, the latest head becomes a checkpoint (`LedgerCheckpoint`, with a
``ledger.verified`` entry). ``--resume`` starts from the latest checkpoint: it checks the
checkpoint head's signature (under a trusted key, with ``--trust``), its ``ledger.verified``
entry, and that the stored tree still has its root; then every entry and node after it, every
signed head (old ones against the stored tree), and a random sample of the entries before it,
each recomputed from its fields and proved in the checkpoint head's tree. A row before the
checkpoint changed without touching any hash is found when the sample draws it, and always by a
full run (the background job runs one weekly).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from casetrail import clock
from casetrail.ledger import heads, note, tree
from casetrail.ledger.errors import ChainStorageError
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.merkle import (
    CompactRange,
    Node,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from casetrail.ledger.models import (
    LedgerCheckpoint,
    LedgerEntry,
    LedgerKey,
    LedgerNode,
    SignedHead,
    leaf_fields_of,
)
from casetrail.ledger.record import record
from casetrail.ledger.signing import head_problem, key_id
from casetrail.ledger.verify import (
    check_head_consistency,
    encode_leaf_values,
    entry_leaf_data,
)

log = logging.getLogger("casetrail.ledger")

CHUNK = 5000
MAX_KEPT = 1000  # problems kept for the report; all are counted
DEFAULT_SAMPLE = 1000  # older entries a resumed run recomputes, drawn at random
_SAMPLE_BATCH = 500

Progress = Callable[[int, int], None]

_FIELDS = (
    "seq",
    "at",
    "actor_label",
    "action",
    "subject_type",
    "subject_id",
    "unit_id",
    "payload",
    "leaf_hash",
    "prev_seq",
)
_COLUMN = {field.name: str(field.column) for field in LedgerEntry._meta.concrete_fields}
_COLUMNS = tuple(_COLUMN[name] for name in _FIELDS)


@dataclass(frozen=True)
class Problem:
    seq: int | None  # the first entry concerned, when one is
    check: str
    message: str
    last: int | None = None  # when the bad entry is somewhere in seqs seq..last

    @property
    def where(self) -> str:
        if self.seq is None:
            return "ledger"
        return f"seq {self.seq}" if self.last is None else f"seqs {self.seq}..{self.last}"

    def __str__(self) -> str:
        return f"{self.where} ({self.check}): {self.message}"


@dataclass
class AuditReport:
    size: int = 0
    start: int = 0  # entries before this seq were covered by the checkpoint resumed from
    heads_checked: int = 0
    rechecked: int = 0  # rows the quick check did not reproduce, checked in full
    sampled: int = 0  # entries before a resumed run's start, recomputed at random
    outside: note.Checkpoint | None = None  # the checkpoint file the log was held to
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)
    checkpoint: LedgerCheckpoint | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def first(self) -> Problem | None:
        """The problem at the lowest seq (problems without a seq come last)."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.seq is None, p.seq or 0))

    def add(self, seq: int | None, check: str, message: str, *, last: int | None = None) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_KEPT:
            self.problems.append(Problem(seq, check, message, last))


def _row_fields(row: tuple[Any, ...], prev: bytes | None) -> dict[str, Any]:
    seq, at, actor, action, subject_type, subject_id, unit, payload, _, _ = row
    return {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "subject": f"{subject_type}:{subject_id}",
        "unit": unit,
        "payload": payload,
        "prev": prev.hex() if prev is not None else None,
    }


def _time_text(value: object) -> str | None:
    """A stored time as the leaf writes it (`signing.format_time`), read straight from the row:
    SQLite keeps ``YYYY-MM-DD HH:MM:SS[.ffffff]`` text in UTC, PostgreSQL gives an aware
    datetime (in UTC unless the database settings name another zone). None for anything else
    (the full check parses it and says what is wrong)."""
    if isinstance(value, str):
        if value[10:11] != " ":
            return None
        if len(value) == 26:
            return value[:10] + "T" + value[11:] + "Z"
        if len(value) == 19:
            return value[:10] + "T" + value[11:] + ".000000Z"
        return None
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value.astimezone(UTC).isoformat(timespec="microseconds")[:26] + "Z"
    return None


def _rows_sql() -> str:
    q = connection.ops.quote_name
    columns = ", ".join(q(name) for name in _COLUMNS)
    if connection.vendor == "sqlite":  # the text itself, not Django's parsed datetime
        columns = columns.replace(q(_COLUMN["at"]), f"CAST({q(_COLUMN['at'])} AS TEXT)", 1)
    return (
        f"SELECT {columns} FROM {q(LedgerEntry._meta.db_table)} "  # noqa: S608 - names only
        f"WHERE {q('seq')} >= %s AND {q('seq')} <= %s ORDER BY {q('seq')} LIMIT %s"
    )


def _short(value: bytes | None) -> str:
    return "nothing" if value is None else value.hex()[:16] + "…"


def _span(level: int, index: int) -> tuple[int, int]:
    """The seqs a node covers."""
    return (index << level) + 1, (index + 1) << level


def _converted(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row as the ORM reads it (the time as a datetime), for the full check."""
    found = LedgerEntry.objects.filter(seq=row[0]).values_list(*_FIELDS).first()
    return found if found is not None else row


class _Auditor:
    def __init__(
        self, report: AuditReport, *, trusted: Collection[str], progress: Progress | None
    ) -> None:
        self.report = report
        self.trusted = frozenset(trusted)
        self.progress = progress
        self.keys = heads.public_keys()
        self.last: dict[str, tuple[int, bytes]] = {}  # subject -> (seq, leaf hash) of its last
        self.tree_ok = True
        self.edge = CompactRange()
        self.roots: dict[int, bytes] = {}  # recomputed roots at the sizes heads were signed
        self.tainted: set[tuple[int, int]] = set()  # ancestors of nodes that differ

    # --- entries ------------------------------------------------------------------------------

    def run_entries(self, start: int, size: int, head_sizes: set[int]) -> None:
        report, expected, done = self.report, start + 1, 0
        sql = _rows_sql()
        while expected <= size:
            with tree.ledger_cursor() as cursor:  # rows as stored, no ORM conversions
                cursor.execute(sql, [expected, size, CHUNK])
                rows = cursor.fetchall()
            if not rows:
                report.add(expected, "sequence", f"seqs {expected}..{size} are missing")
                self.tree_ok = False
                break
            new_nodes: list[Node] = []
            for row in rows:
                seq = row[0]
                if seq < expected:  # only if the primary key on seq was dropped
                    report.add(seq, "sequence", f"seq {seq} appears more than once")
                    self.tree_ok = False
                    continue
                if seq > expected:
                    report.add(
                        expected,
                        "sequence",
                        f"missing: the log jumps from seq {expected - 1} to seq {seq}",
                    )
                    self.tree_ok = False
                stored = bytes(row[8])
                if not self._unchanged(row, stored, start):
                    report.rechecked += 1
                    self._check_chain_and_leaf(_converted(row), stored, start)
                if self.tree_ok:
                    try:
                        new_nodes += self.edge.append(stored)
                    except ValueError as exc:
                        report.add(seq, "tree", f"cannot build the tree: {exc}")
                        self.tree_ok = False
                    if self.edge.size in head_sizes:
                        self.roots[self.edge.size] = self.edge.root()
                expected = seq + 1
            if self.tree_ok:
                self._check_nodes(new_nodes)
            done += len(rows)
            if self.progress:
                self.progress(done, size - start)

    def _unchanged(self, row: tuple[Any, ...], stored: bytes, start: int) -> bool:
        """The quick check every row of an intact log passes: it names its subject's last
        entry seen, and its stored fields, in the leaf's encoding, give its stored leaf hash.
        False sends the row to the full check, which says what is wrong, if anything."""
        seq, at, actor, action, subject_type, subject_id, unit, payload, _, named = row
        subject = f"{subject_type}:{subject_id}"
        before = self.last.get(subject)
        if before is None:
            if named is not None or start:  # a resumed run looks before its start first
                return False
            prev = None
        elif before[0] != named:
            return False
        else:
            prev = before[1].hex()
        text = _time_text(at)
        if text is None:
            return False
        try:
            data = encode_leaf_values(seq, text, actor, action, subject, unit, payload, prev)
        except (TypeError, UnicodeEncodeError):  # a value of a type record() never writes
            return False
        if leaf_hash(data) != stored:
            return False
        self.last[subject] = (seq, stored)
        return True

    def _check_leaf(self, row: tuple[Any, ...], stored: bytes, prev: bytes | None) -> None:
        seq = row[0]
        try:
            data = entry_leaf_data(_row_fields(row, prev))
        except ValueError as exc:
            self.report.add(seq, "leaf", f"the entry is malformed: {exc}")
            return
        if leaf_hash(data) != stored:
            self.report.add(
                seq,
                "leaf",
                f"its fields do not hash to its stored leaf hash {_short(stored)}: "
                "the entry was changed after it was recorded",
            )

    def _previous(self, subject_type: str, subject_id: str, start: int) -> tuple[int, bytes] | None:
        """On a resumed run, a subject's last entry before the checkpoint, from the rows."""
        if start == 0:
            return None
        row = (
            LedgerEntry.objects.filter(
                subject_type=subject_type, subject_id=subject_id, seq__lte=start
            )
            .order_by("-seq")
            .values_list("seq", "leaf_hash")
            .first()
        )
        return (row[0], bytes(row[1])) if row else None

    def _check_chain_and_leaf(self, row: tuple[Any, ...], stored: bytes, start: int) -> None:
        """The entry names its subject's previous entry, and its fields, with that entry's
        leaf hash, hash to its stored leaf hash."""
        seq, subject_type, subject_id, named = row[0], row[4], row[5], row[9]
        subject = f"{subject_type}:{subject_id}"
        before = self.last.get(subject)
        if before is None and subject not in self.last:
            before = self._previous(subject_type, subject_id, start)
        self.last[subject] = (seq, stored)
        if before is not None and named == before[0]:
            self._check_leaf(row, stored, before[1])
            return
        if named is None and before is None:
            self._check_leaf(row, stored, None)
            return
        if before is None:
            problem = f"names seq {named} as its previous entry, but it is the first of {subject}"
        elif named is None:
            problem = f"names no previous entry, but seq {before[0]} of {subject} comes before it"
        else:
            problem = (
                f"names seq {named} as its previous entry, but the entry of {subject} before it "
                f"is seq {before[0]}"
            )
        self.report.add(seq, "chain", problem)
        prev = None if named is None else self._leaf_of(named)
        if named is None or prev is not None:
            self._check_leaf(row, stored, prev)

    def _leaf_of(self, seq: int) -> bytes | None:
        value = LedgerEntry.objects.filter(seq=seq).values_list("leaf_hash", flat=True).first()
        return bytes(value) if value is not None else None

    def _check_nodes(self, new_nodes: list[Node]) -> None:
        wanted = {(n.level, n.index): n.hash for n in new_nodes if n.level >= tree.LOWEST_LEVEL}
        if not wanted:
            return
        spans: dict[int, list[int]] = {}
        for level, index in wanted:
            low_high = spans.setdefault(level, [index, index])
            low_high[0], low_high[1] = min(low_high[0], index), max(low_high[1], index)
        where = Q()
        for level, (low, high) in spans.items():
            where |= Q(key__range=(tree.node_key(level, low), tree.node_key(level, high)))
        stored = {
            tree.node_address(key): bytes(value)
            for key, value in LedgerNode.objects.filter(where).values_list("key", "hash")
        }
        for (level, index), value in sorted(wanted.items()):  # lower levels first
            found = stored.get((level, index))
            if found is not None and found != value and (level, index) in self.tainted:
                continue  # a node below it differs too: that one says where
            if self._node_problem(level, index, found, value):
                self._taint(level, index)

    def _node_problem(
        self, level: int, index: int, found: bytes | None, expected: bytes | None
    ) -> bool:
        """Report a stored node that is missing or not ``expected``; True if it was either."""
        first, last = _span(level, index)
        if found is None:
            message = f"node ({level}, {index}) over seqs {first}..{last} is missing"
        elif found != expected:
            message = (
                f"node ({level}, {index}) over seqs {first}..{last} is not the hash of the "
                "leaf hashes below it: an entry among them was changed, added or removed "
                "after the node was stored"
            )
        else:
            return False
        self.report.add(first, "tree", message, last=last)
        return True

    def _taint(self, level: int, index: int) -> None:
        """Mark the ancestors of a node that differs: their difference follows from it."""
        while level < LedgerNode.LEVEL_SHIFT:
            level, index = level + 1, index >> 1
            if (level, index) in self.tainted:
                return
            self.tainted.add((level, index))

    def check_open_block(self, size: int, stored: dict[tuple[int, int], bytes]) -> None:
        """The nodes of levels 1 to 3 stored at ``size`` (read with it, in one statement) are
        exactly those of the open block, and hash its leaves: a rewritten or removed entry
        among the newest is caught as any older one is by the nodes of level 4 and up."""
        block = size >> tree.LOWEST_LEVEL
        expected = [
            (level, index)
            for level in range(1, tree.LOWEST_LEVEL)
            for index in range(block << (tree.LOWEST_LEVEL - level), size >> level)
        ]
        hashes = tree.fetch(expected)  # never raises: a node whose leaves are absent is left out
        for level, index in expected:
            self._node_problem(level, index, stored.get((level, index)), hashes.get((level, index)))
        beyond = sorted(a for a in stored if _span(*a)[1] > size)
        self._report_beyond(size, beyond)
        stale = sorted(set(stored) - set(expected) - set(beyond))
        if stale:
            level, index = stale[0]
            first, last = _span(level, index)
            self.report.add(
                first,
                "tree",
                f"{len(stale)} node(s) of levels 1 to 3 are stored outside the open block, such "
                f"as node ({level}, {index}) over seqs {first}..{last}: the node table was "
                "written behind the ledger's back",
                last=last,
            )

    def check_beyond(self) -> None:
        """No stored node may cover seqs the log does not have (entries removed at the end)."""
        size = tree.tree_size()  # read now: appends since the start add entries and nodes alike
        where = Q()
        for level in range(tree.LOWEST_LEVEL, LedgerNode.LEVEL_SHIFT):
            where |= Q(
                key__gte=tree.node_key(level, size >> level),
                key__lt=(level + 1) << LedgerNode.LEVEL_SHIFT,
            )
        keys = LedgerNode.objects.filter(where).order_by("key").values_list("key", flat=True)
        self._report_beyond(size, [tree.node_address(key) for key in keys])

    def _report_beyond(self, size: int, beyond: list[tuple[int, int]]) -> None:
        if not beyond:
            return
        level, index = beyond[0]
        first, last = _span(level, index)
        self.report.add(
            size + 1,
            "tree",
            f"{len(beyond)} stored node(s) cover entries the log no longer has, such as "
            f"node ({level}, {index}) over seqs {first}..{last}: entries after seq {size} "
            "were removed",
        )

    # --- heads and keys -----------------------------------------------------------------------

    def check_heads(self, rows: list[SignedHead], size: int, *, since: SignedHead | None) -> None:
        """Every head: its signature (but the checkpoint's, which `_start_from` checked), under
        a trusted key, and its root against the log's."""
        report = self.report
        last_ok = 0
        for row in sorted(rows, key=lambda r: (r.size, r.signed_at, r.pk)):
            head, label = row.tree_head(), _label(row)
            report.heads_checked += 1
            problem = head_problem(head, self.keys)
            if since is not None and row.pk == since.pk:
                pass
            elif problem:
                report.add(None, "head", f"{label}: {problem}")
            elif self.trusted and head.key_id not in self.trusted:
                report.add(None, "head", f"{label}: signed by key {head.key_id}, not a trusted key")
            if head.size > size:
                report.add(
                    size + 1,
                    "head",
                    f"{label} signs {head.size} entries, but the log has {size}: "
                    f"entries after seq {size} were removed",
                )
                continue
            root = self.roots.get(head.size)
            if root is None and self.tree_ok:
                try:  # a head from before a resumed run's start, or of the empty log
                    root = tree.root(head.size)
                except tree.TreeStorageError as exc:
                    self._tree_problem(exc)
            if root is not None and root != head.root:
                first = min(last_ok + 1, head.size)
                report.add(
                    self._first_known(first, head.size),
                    "head",
                    f"{label}: the log's first {head.size} entries have root {_short(root)}, "
                    f"not the signed {_short(head.root)}: an entry in seqs {first}..{head.size} "
                    "was changed after the head was signed",
                )
            elif root is not None:
                last_ok = max(last_ok, head.size)

    def _tree_problem(self, exc: tree.TreeStorageError) -> None:
        """A node some proof needs is not stored: reported once, whichever check met it."""
        message = str(exc)
        if not any(p.check == "tree" and p.message == message for p in self.report.problems):
            self.report.add(None, "tree", message)

    def _first_known(self, first: int, last: int) -> int:
        """A head's mismatch says "somewhere in seqs first..last"; when the entries already
        showed a problem in that span, that one is the first bad seq."""
        known = [
            p.seq
            for p in self.report.problems
            if p.seq is not None and first <= p.seq <= last and p.check != "head"
        ]
        return min(known, default=first)

    def check_order(self, rows: list[SignedHead], *, since: SignedHead | None) -> None:
        """In signing order: sizes and times never go back, and each head extends the last."""
        ordered = ([since] if since is not None else []) + sorted(rows, key=lambda r: r.pk)
        for older, newer in pairwise(ordered):
            if newer.size < older.size:
                self.report.add(
                    newer.size + 1,
                    "head",
                    f"{_label(newer)} was signed after {_label(older)} but has fewer entries: "
                    f"the log was cut back after seq {newer.size}",
                )
                continue
            first, second = older.tree_head(), newer.tree_head()
            signed = (
                head_problem(first, self.keys) is None and head_problem(second, self.keys) is None
            )
            if not (self.tree_ok and signed) or older.size == 0 or older.size == newer.size:
                continue  # a bad signature is reported with its head; nothing to prove here
            try:
                proof = tree.consistency_proof(older.size, newer.size)
            except tree.TreeStorageError as exc:
                self._tree_problem(exc)
                continue
            for problem in check_head_consistency(first, second, proof, self.keys):
                self.report.add(None, "head", f"{_label(older)} → {_label(newer)}: {problem}")

    def check_keys(self) -> None:
        registered: dict[str, Any] = {}
        rows = LedgerEntry.objects.filter(action=LedgerKind.LEDGER_KEY_REGISTERED).values_list(
            "seq", "payload"
        )
        for seq, payload in rows:
            data = json.loads(payload)
            registered.setdefault(data.get("key_id"), (seq, data.get("public_key")))
        for row in LedgerKey.objects.all():
            raw = bytes(row.public_key)
            if len(raw) != 32 or key_id(raw) != row.key_id:
                self.report.add(None, "key", f"registered key {row.key_id} has another key id")
                continue
            entry = registered.get(row.key_id)
            if entry is None:
                self.report.add(
                    None,
                    "key",
                    f"key {row.key_id} is registered, but the log has no ledger.key_registered "
                    "entry for it: it was added behind the ledger's back",
                )
            elif entry[1] != raw.hex():
                self.report.add(
                    entry[0], "key", f"the entry registering key {row.key_id} names another key"
                )

    # --- what a resumed run checks before its start ---------------------------------------------

    def check_checkpoint_entry(self, row: LedgerCheckpoint) -> None:
        """The checkpoint resumed from has its ``ledger.verified`` entry, naming its head: a
        checkpoint row written behind the ledger's back would skip what it claims was checked."""
        payload = (
            LedgerEntry.objects.filter(
                action=LedgerKind.LEDGER_VERIFIED,
                subject_type=LedgerCheckpoint.LEDGER_SUBJECT,
                subject_id=str(row.pk),
            )
            .values_list("payload", flat=True)
            .first()
        )
        data = json.loads(payload) if payload is not None else {}
        head = row.head
        if data.get("head_size") != head.size or data.get("head_root") != bytes(head.root).hex():
            self.report.add(
                None,
                "head",
                f"the checkpoint resumed from ({_label(head)}) has no ledger.verified entry "
                "naming that head: it was written behind the ledger's back; run a full verify",
            )

    def sample_before(self, since: SignedHead, count: int) -> None:
        """Recompute ``count`` entries drawn at random from before the checkpoint (all of them
        in a smaller log) from their fields, and prove each stored leaf hash in the checkpoint
        head's tree: a payload changed behind an old, unchanged leaf hash is found when drawn."""
        size = since.size
        if count <= 0 or size == 0 or not self.tree_ok:
            return
        draw = random.SystemRandom()  # not guessable by whoever chose what to change
        seqs = sorted(draw.sample(range(1, size + 1), min(count, size)))
        root = bytes(since.root)
        for first in range(0, len(seqs), _SAMPLE_BATCH):
            batch = seqs[first : first + _SAMPLE_BATCH]
            rows = {e.seq: e for e in LedgerEntry.objects.filter(seq__in=batch)}
            hashed = [seq for seq in batch if self._sampled_leaf(seq, rows.get(seq))]
            try:
                proofs = tree.inclusion_proofs([seq - 1 for seq in hashed], size)
            except tree.TreeStorageError as exc:
                self._tree_problem(exc)
                return
            for seq in hashed:
                stored = bytes(rows[seq].leaf_hash)
                if not verify_inclusion(seq - 1, size, stored, proofs[seq - 1], root):
                    self.report.add(
                        seq,
                        "tree",
                        f"its leaf hash is not in the tree of the checkpoint head ({size} "
                        "entries): it was rewritten with its hash",
                    )

    def _sampled_leaf(self, seq: int, entry: LedgerEntry | None) -> bool:
        """A drawn entry is there and its fields give its stored leaf hash (True), or the
        report says what is wrong."""
        if entry is None:
            self.report.add(seq, "sequence", "missing (found by the resumed run's sample)")
            return False
        self.report.sampled += 1
        stored = bytes(entry.leaf_hash)
        try:
            data = entry_leaf_data(leaf_fields_of([entry])[0])
        except (ValueError, ChainStorageError) as exc:
            self.report.add(seq, "leaf", f"the entry is malformed: {exc}")
            return False
        if leaf_hash(data) != stored:
            self.report.add(
                seq,
                "leaf",
                f"its fields do not hash to its stored leaf hash {_short(stored)}: the entry "
                "was changed after it was recorded (found by the resumed run's sample)",
            )
            return False
        return True

    # --- heads the database no longer has -----------------------------------------------------

    def check_verified_heads(self, rows: list[SignedHead]) -> None:
        """Every head a ``ledger.verified`` entry names is still stored: the log itself
        remembers the heads that verify found, so deleting them shows."""
        stored = {(row.size, bytes(row.root).hex()) for row in rows}
        entries = LedgerEntry.objects.filter(action=LedgerKind.LEDGER_VERIFIED).values_list(
            "seq", "payload"
        )
        for seq, payload in entries:
            data = json.loads(payload)
            named = (data.get("head_size"), data.get("head_root"))
            if named not in stored:
                self.report.add(
                    None,
                    "head",
                    f"entry seq {seq} records a verified head of {named[0]} entries that the "
                    "database no longer holds: signed heads were deleted",
                )

    def check_outside(self, path: Path | None, size: int, rows: list[SignedHead]) -> None:
        """Hold the log to the signed checkpoint file (see the module docstring)."""
        report = self.report
        configured = heads.checkpoint_file()
        path = path or configured
        if path is None:
            if rows:
                report.notes.append(
                    "no checkpoint file (CASETRAIL_LEDGER_CHECKPOINT_FILE): heads deleted or "
                    "entries cut off the end with their heads are found only by receipts, "
                    "bundles and published heads"
                )
            return
        if not path.exists():
            report.notes.append(f"no checkpoint file at {path} yet: the next signed head writes it")
            return
        try:
            outside = heads.read_checkpoint(path, self.keys)
        except (OSError, UnicodeDecodeError, note.NoteError) as exc:
            report.add(None, "checkpoint", f"the checkpoint file {path}: {exc}")
            return
        report.outside = outside
        where = f"the checkpoint file {path}"
        if self.trusted and outside.key_id not in self.trusted:
            report.add(
                None, "checkpoint", f"{where} is signed by key {outside.key_id}, not a trusted key"
            )
        if outside.size > size:
            report.add(
                size + 1,
                "checkpoint",
                f"{where} names a signed head of {outside.size} entries, but the log has {size}: "
                f"entries after seq {size} were removed",
            )
            return
        if outside.size and not any(
            r.size == outside.size and bytes(r.root) == outside.root for r in rows
        ):
            report.add(
                None,
                "checkpoint",
                f"{where} names a signed head of {outside.size} entries that the database no "
                "longer holds: signed heads were deleted",
            )
        if not self.tree_ok or outside.size == 0:
            return
        current = self.edge.root()
        try:
            proof = tree.consistency_proof(outside.size, size) if outside.size < size else []
        except tree.TreeStorageError as exc:
            self._tree_problem(exc)
            return
        if not verify_consistency(outside.size, size, proof, outside.root, current):
            report.add(
                self._first_known(1, outside.size),
                "checkpoint",
                f"the log's first {outside.size} entries no longer have the root {where} "
                f"signed: an entry in seqs 1..{outside.size} was changed",
            )


def _label(row: SignedHead) -> str:
    return f"head #{row.pk} ({row.size} entries, signed {row.signed_at:%Y-%m-%d %H:%M:%S})"


def sample_size() -> int:
    return int(getattr(settings, "CASETRAIL_LEDGER_VERIFY_SAMPLE", DEFAULT_SAMPLE))


def verify_ledger(
    *,
    resume: bool = False,
    trusted: Iterable[str] = (),
    progress: Progress | None = None,
    checkpoint: bool = True,
    checkpoint_file: Path | None = None,
    sample: int | None = None,
) -> AuditReport:
    """Check the ledger (see the module docstring); record a checkpoint if everything holds.

    ``checkpoint_file`` is a copy of the signed checkpoint to hold the log to (default: the one
    the head signer keeps, ``CASETRAIL_LEDGER_CHECKPOINT_FILE``); ``sample`` how many entries
    before a resumed run's start to recompute (default ``CASETRAIL_LEDGER_VERIFY_SAMPLE``).
    """
    report = AuditReport()
    auditor = _Auditor(report, trusted=set(trusted), progress=progress)
    since_row = (
        LedgerCheckpoint.objects.select_related("head").order_by("-verified_at", "-id").first()
        if resume
        else None
    )
    since = since_row.head if since_row is not None else None
    if resume and since is None:
        report.notes.append("no checkpoint to resume from: verified everything")
    # Every head, on a resumed run too: one deleted or rewritten before the checkpoint is a
    # change the rows after it cannot show.
    head_rows = list(SignedHead.objects.all())
    # After the heads: every head read is within it. The open block's stored nodes are read
    # in the same statement, so they belong to exactly this size.
    size, open_block = tree.size_and_open_block()
    report.size = size
    if since_row is not None and since is not None:
        report.start = since.size
        _start_from(auditor, since, size)
        auditor.check_checkpoint_entry(since_row)
    auditor.run_entries(report.start, size, {row.size for row in head_rows})
    if auditor.tree_ok:
        auditor.check_open_block(size, open_block)
        auditor.check_beyond()
    if since is not None:
        auditor.sample_before(since, sample_size() if sample is None else sample)
    auditor.check_heads(head_rows, size, since=since)
    auditor.check_order(head_rows, since=None)
    auditor.check_keys()
    auditor.check_verified_heads(head_rows)
    auditor.check_outside(checkpoint_file, size, head_rows)
    if not head_rows:
        report.notes.append(
            "no signed head yet: nothing outside the database vouches for these rows "
            "(sign one with `casetrail ledger head`)"
        )
    if report.ok and checkpoint:
        newest = max(head_rows, key=lambda r: (r.size, r.signed_at, r.pk), default=None)
        if newest is not None and newest != since:  # no new head checked: nothing to record
            report.checkpoint = _record_checkpoint(
                newest, size, resumed=since is not None, sampled=report.sampled
            )
    return report


def _start_from(auditor: _Auditor, since: SignedHead, size: int) -> None:
    """Resume: the checkpoint head still verifies and the stored tree still has its root."""
    report, head = auditor.report, since.tree_head()
    problem = head_problem(head, auditor.keys)
    if problem:
        report.add(None, "head", f"checkpoint {_label(since)}: {problem}")
    elif auditor.trusted and head.key_id not in auditor.trusted:
        report.add(
            None,
            "head",
            f"checkpoint {_label(since)}: signed by key {head.key_id}, not a trusted key",
        )
    if head.size > size:
        report.add(
            size + 1,
            "head",
            f"checkpoint {_label(since)} signs {head.size} entries, but the log has {size}: "
            f"entries after seq {size} were removed",
        )
        auditor.tree_ok = False
        return
    try:
        auditor.edge = tree.compact_range(head.size)
    except tree.TreeStorageError as exc:
        report.add(None, "tree", str(exc))
        auditor.tree_ok = False
        return
    if auditor.edge.root() != head.root:
        report.add(
            None,
            "head",
            f"the stored tree no longer has the root the checkpoint {_label(since)} signed: "
            f"an entry in seqs 1..{head.size} was changed; run a full verify",
        )
        auditor.tree_ok = False


@transaction.atomic
def _record_checkpoint(
    head: SignedHead, size: int, *, resumed: bool, sampled: int = 0
) -> LedgerCheckpoint:
    checkpoint = LedgerCheckpoint.objects.create(
        head=head, entries=size, verified_at=clock.now(), resumed=resumed
    )
    data: dict[str, object] = {
        "entries": size,
        "head_size": head.size,
        "head_root": bytes(head.root).hex(),
        "resumed": resumed,
    }
    if resumed:  # what a resumed run vouches for before its start: the entries it drew
        data["sampled"] = sampled
    record(LedgerKind.LEDGER_VERIFIED, subject=checkpoint, actor=None, data=data)
    return checkpoint


def verify_interval_seconds() -> float:
    return float(getattr(settings, "CASETRAIL_LEDGER_VERIFY_EVERY_SECONDS", 86400))


def full_verify_interval_seconds() -> float:
    return float(getattr(settings, "CASETRAIL_LEDGER_FULL_VERIFY_EVERY_SECONDS", 7 * 86400))


def verify_full_if_due() -> AuditReport | None:
    """The weekly job: a full verify, which rereads every row (a resumed run only samples the
    rows before its start). Due when no full run recorded a checkpoint within
    ``CASETRAIL_LEDGER_FULL_VERIFY_EVERY_SECONDS`` (default a week); logged like the daily one."""
    if not SignedHead.objects.exists():
        return None
    since = clock.now() - timedelta(seconds=full_verify_interval_seconds())
    if LedgerCheckpoint.objects.filter(resumed=False, verified_at__gt=since).exists():
        return None
    report = verify_ledger()
    _log_report(report, "full")
    return report


def verify_if_due() -> AuditReport | None:
    """The background job: an incremental verify (from the last checkpoint), logged.

    Runs every ``CASETRAIL_LEDGER_VERIFY_EVERY_SECONDS`` (default a day) once a head exists; a
    failure is logged as an error naming the first bad seq. A full run stays a deliberate act
    (``casetrail ledger verify``), since it rereads every row.
    """
    if not SignedHead.objects.exists():
        return None
    # Due is decided by the database, not by this process: a restart, or a second worker,
    # must not verify again before the interval has passed.
    every = timedelta(seconds=verify_interval_seconds())
    last = LedgerCheckpoint.objects.order_by("-verified_at").values_list("verified_at", flat=True)
    if last.exists() and last[0] > clock.now() - every:
        return None
    report = verify_ledger(resume=True)
    _log_report(report, "resumed")
    return report


def _log_report(report: AuditReport, kind: str) -> None:
    if report.ok:
        log.info("ledger: %s verify: intact up to %s entries", kind, report.size)
    else:
        log.error(
            "ledger: %s verify: NOT INTACT: %s (%s problems)",
            kind,
            report.first,
            report.problem_count,
        )
