"""The one function every write goes through to append its ledger entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, ClassVar, Protocol

from django.db import connection, transaction

from casetrail import clock
from casetrail.ledger import state as subject_state
from casetrail.ledger import tree
from casetrail.ledger.canonical import canonical_json
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.signing import format_time
from casetrail.ledger.verify import encode_leaf_values


class LedgerSubject(Protocol):
    LEDGER_SUBJECT: ClassVar[str]
    pk: Any


class Actor(Protocol):
    """Who acts: an officer (org's user model; the ledger needs only these)."""

    pk: Any
    badge_number: str
    name: str


class LedgerOutsideTransaction(RuntimeError):
    """An entry must be appended inside the transaction of the change it records."""


# The seq of the last entry appended in this context, while `appending` watches it.
_last_appended: ContextVar[int | None] = ContextVar("casetrail_last_appended", default=None)


@contextmanager
def appending() -> Iterator[Callable[[], int | None]]:
    """Inside the block, the function it yields tells the seq of the last entry appended in
    the block (a page request's, for the page that says what was recorded), or None; the
    entry may have been rolled back since, which the caller checks if it matters."""
    token = _last_appended.set(None)
    try:
        yield _last_appended.get
    finally:
        _last_appended.reset(token)


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
    the offline verifier recomputes. The fields are made here, so they are encoded without
    being re-validated inside the append lock (`verify.encode_leaf_values`)."""
    return encode_leaf_values(
        seq,
        format_time(at),
        actor,
        action,
        subject,
        unit,
        payload.decode("utf-8"),
        prev.hex() if prev else None,
    )


def actor_label(actor: Actor | None) -> str:
    """Who acted, as the entry shows it. No officer means casetrail itself acted: the command
    line run by the operator, a loader, or a background job (the sweep, head signing); the
    entry's data says which."""
    if actor is None:
        return "system"
    return f"{actor.badge_number} {actor.name}"


def subject_key(subject: LedgerSubject) -> tuple[str, str]:
    return subject.LEDGER_SUBJECT, str(subject.pk)


def record(
    kind: LedgerKind,
    *,
    subject: LedgerSubject,
    actor: Actor | None,
    data: dict[str, Any] | None = None,
    unit_id: int | None = None,
) -> LedgerEntry:
    """Append one entry for ``subject``, and the tree nodes its leaf completes; must run inside
    the writer's transaction, so the entry commits or rolls back with the change it records."""
    if not connection.in_atomic_block:
        raise LedgerOutsideTransaction(f"{kind} recorded outside a transaction")
    subject_type, subject_id = subject_key(subject)
    # The subject's row as the action left it (read back, in this transaction): invariant 5.
    state = subject_state.payload_for(subject_type, subject_id, str(kind))
    payload = canonical_json({**(data or {}), **state})
    tree.append_lock()  # its own statement: on PostgreSQL the read after it must see
    chain = tree.append_state(subject_type, subject_id)  # every append committed before it
    seq = chain.size + 1
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
        prev=chain.prev_hash,
    )
    hashed = leaf_hash(data_bytes)
    entry = LedgerEntry(
        seq=seq,
        at=at,
        actor_id=actor.pk if actor is not None else None,
        actor_label=label,
        action=str(kind),
        subject_type=subject_type,
        subject_id=subject_id,
        unit_id=unit_id,
        payload=payload.decode("utf-8"),
        leaf_hash=hashed,
        prev_seq=chain.prev_seq,
    )
    tree.insert(entry, chain.edge.append(hashed))
    _last_appended.set(seq)
    return entry


def record_view(
    subject: LedgerSubject, *, actor: Actor | None, unit_id: int | None, what: str
) -> LedgerEntry:
    """Invariant 2: a look at a person or a case file leaves a trace."""
    with transaction.atomic():
        return record(
            LedgerKind.VIEWED, subject=subject, actor=actor, data={"what": what}, unit_id=unit_id
        )
