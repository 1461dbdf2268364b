"""Appending many entries at once, for loaders (the synthetic seed); same hashing as record()."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from casetrail.ledger.canonical import canonical_json
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.record import _APPEND_LOCK_KEY, leaf_data


@dataclass(frozen=True)
class NewSubjectEntry:
    """An entry that opens a subject's chain (the subject has no earlier entry)."""

    kind: LedgerKind
    subject_type: str
    subject_id: str
    at: datetime
    actor_id: int | None
    actor_label: str
    unit_id: int | None
    data: dict[str, Any]


def append_first_entries(entries: Sequence[NewSubjectEntry], *, batch: int = 5000) -> int:
    """Append entries for subjects that have none yet; call inside a transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("append_first_entries must run inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    rows = []
    for offset, e in enumerate(entries, start=1):
        seq = last + offset
        payload = canonical_json(e.data)
        data = leaf_data(
            seq=seq,
            at=e.at,
            actor=e.actor_label,
            action=str(e.kind),
            subject=f"{e.subject_type}:{e.subject_id}",
            unit=e.unit_id,
            payload=payload,
            prev=None,
        )
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
                leaf_hash=leaf_hash(data),
                prev_subject_hash=None,
            )
        )
    LedgerEntry.objects.bulk_create(rows, batch_size=batch)
    return len(rows)
