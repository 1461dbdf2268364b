"""The one function every write goes through to append its ledger entry."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.db import connection, transaction

from casetrail import clock
from casetrail.ledger.canonical import canonical_json
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import entry_leaf_data

if TYPE_CHECKING:
    from casetrail.org.models import Officer

# An arbitrary, fixed key for PostgreSQL's advisory lock that serialises appends.
_APPEND_LOCK_KEY = 0x6361_7365_7472_6C  # "casetrl"


class LedgerSubject(Protocol):
    LEDGER_SUBJECT: ClassVar[str]
    pk: Any


class LedgerOutsideTransaction(RuntimeError):
    """An entry must be appended inside the transaction of the change it records."""


def leaf_data(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    unit: int | None,
    payload: bytes,
    prev: bytes | None,
) -> bytes:
    """The bytes a leaf hashes: the canonical JSON of the whole entry, in the very encoding
    the offline verifier recomputes (`casetrail.ledger.verify.entry_leaf_data`)."""
    return entry_leaf_data(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "unit": unit,
            "payload": payload.decode("utf-8"),
            "prev": prev.hex() if prev else None,
        }
    )


def actor_label(actor: Officer | None) -> str:
    if actor is None:
        return "public"
    return f"{actor.badge_number} {actor.name}"


def subject_key(subject: LedgerSubject) -> tuple[str, str]:
    return subject.LEDGER_SUBJECT, str(subject.pk)


def record(
    kind: LedgerKind,
    *,
    subject: LedgerSubject,
    actor: Officer | None,
    data: dict[str, Any] | None = None,
    unit_id: int | None = None,
) -> LedgerEntry:
    """Append one entry for ``subject``; must run inside the writer's transaction."""
    if not connection.in_atomic_block:
        raise LedgerOutsideTransaction(f"{kind} recorded outside a transaction")
    subject_type, subject_id = subject_key(subject)
    payload = canonical_json(data or {})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    seq = (last or 0) + 1
    prev = (
        LedgerEntry.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .order_by("-seq")
        .values_list("leaf_hash", flat=True)
        .first()
    )
    prev_bytes = bytes(prev) if prev is not None else None
    at = clock.now()
    label = actor_label(actor)
    data_bytes = leaf_data(
        seq=seq,
        at=at,
        actor=label,
        action=str(kind),
        subject=f"{subject_type}:{subject_id}",
        unit=unit_id,
        payload=payload,
        prev=prev_bytes,
    )
    return LedgerEntry.objects.create(
        seq=seq,
        at=at,
        actor=actor,
        actor_label=label,
        action=str(kind),
        subject_type=subject_type,
        subject_id=subject_id,
        unit_id=unit_id,
        payload=payload.decode("utf-8"),
        leaf_hash=leaf_hash(data_bytes),
        prev_subject_hash=prev_bytes,
    )


def record_view(
    subject: LedgerSubject, *, actor: Officer | None, unit_id: int | None, what: str
) -> LedgerEntry:
    """Invariant 2: a look at a person or a case file leaves a trace."""
    with transaction.atomic():
        return record(
            LedgerKind.VIEWED, subject=subject, actor=actor, data={"what": what}, unit_id=unit_id
        )
