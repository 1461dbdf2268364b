"""Appending many entries at once, for loaders (the synthetic seed, imports of records kept
elsewhere); the same leaves, subject links and tree nodes as record(), in a few queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Max, Q

from casetrail.ledger import state as subject_state
from casetrail.ledger import tree
from casetrail.ledger.canonical import canonical_json
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.merkle import Node, leaf_hash
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.record import leaf_data

Subject = tuple[str, str]


@dataclass(frozen=True)
class NewSubjectEntry:
    """An entry to append in bulk. For `append_first_entries` it opens its subject's chain
    (the subject has no entry in the log yet); `append_entries` takes any subject."""

    kind: LedgerKind
    subject_type: str
    subject_id: str
    at: datetime
    actor_id: int | None
    actor_label: str
    unit_id: int | None
    data: dict[str, Any]


def append_first_entries(entries: Sequence[NewSubjectEntry], *, batch: int = 5000) -> int:
    """Append entries for subjects that have none in the log yet (not looked up: the seeder
    has just created them), with their tree nodes; call inside a transaction."""
    return _append(entries, {}, batch)


def append_entries(entries: Sequence[NewSubjectEntry], *, batch: int = 5000) -> int:
    """Append entries for any subjects, each linked to its subject's previous entry in the log
    or earlier in ``entries``; call inside a transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("append_entries must run inside a transaction")
    tree.append_lock()  # before the look-up, so no other writer moves a subject's last entry
    subjects = {(e.subject_type, e.subject_id) for e in entries}
    return _append(entries, last_entries(subjects), batch)


def last_entries(
    subjects: Iterable[Subject], *, chunk: int = 500
) -> dict[Subject, tuple[int, bytes]]:
    """The seq and leaf hash of each subject's latest entry, for those that have one."""
    wanted = sorted(set(subjects))
    found: dict[Subject, tuple[int, bytes]] = {}
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        which = Q()
        for subject_type, subject_id in part:
            which |= Q(subject_type=subject_type, subject_id=subject_id)
        latest = (
            LedgerEntry.objects.filter(which)
            .order_by()
            .values("subject_type", "subject_id")
            .annotate(last=Max("seq"))
            .values_list("last", flat=True)
        )
        rows = LedgerEntry.objects.filter(seq__in=list(latest)).values_list(
            "subject_type", "subject_id", "seq", "leaf_hash"
        )
        found.update({(t, i): (seq, bytes(h)) for t, i, seq, h in rows})
    return found


def _append(
    entries: Sequence[NewSubjectEntry], last: dict[Subject, tuple[int, bytes]], batch: int
) -> int:
    if not connection.in_atomic_block:
        raise RuntimeError("bulk appends must run inside a transaction")
    tree.append_lock()
    size = tree.tree_size()
    edge = tree.open_edge(size)
    rows: list[LedgerEntry] = []
    nodes: list[Node] = []
    # The rows are in their final state: only each subject's last entry here vouches for it.
    closing = {
        (e.subject_type, e.subject_id): i
        for i, e in enumerate(entries)
        if str(e.kind) not in subject_state.STATELESS_KINDS
    }
    states = subject_state.payloads_for(closing)
    for offset, e in enumerate(entries, start=1):
        seq = size + offset
        subject = (e.subject_type, e.subject_id)
        prev_seq, prev = last.get(subject, (None, None))
        data = e.data
        if closing.get(subject) == offset - 1:
            data = {**data, **states.get(subject, {})}
        payload = canonical_json(data)
        leaf = leaf_data(
            seq=seq,
            at=e.at,
            actor=e.actor_label,
            action=str(e.kind),
            subject=f"{e.subject_type}:{e.subject_id}",
            unit=e.unit_id,
            payload=payload,
            prev=prev,
        )
        hashed = leaf_hash(leaf)
        last[subject] = (seq, hashed)
        nodes += edge.append(hashed)
        rows.append(
            LedgerEntry(
                seq=seq,
                at=e.at,
                actor_id=e.actor_id,
                actor_label=e.actor_label,
                action=str(e.kind),
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                unit_id=e.unit_id,
                payload=payload.decode("utf-8"),
                leaf_hash=hashed,
                prev_seq=prev_seq,
            )
        )
    LedgerEntry.objects.bulk_create(rows, batch_size=batch)
    tree.store(nodes, before=size, after=size + len(rows))
    return len(rows)
