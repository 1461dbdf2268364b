"""Who may have the proof of which entry: whoever may see its subject.

The ledger knows no app. Each app declares its subjects from its AppConfig.ready() with
`register_subject` (cases: cases, incidents and persons; custody: measures and stays in the
area), naming its own ``access_*(officer, pk)`` gate; an entry about such a subject is exactly as
visible as the subject. Entries about anything else (units, officers, tokens, keys, calendars,
checkpoints) are the ledger's housekeeping, and the policy for them is registered the same way
(`register_housekeeping`, by org). Whatever the reason, an entry the officer may not have
answers as if it did not exist.

Beside the gate, an app says which table holds a subject's state with `register_state`
(`casetrail.ledger.state`): each entry then carries the digest of that row after the action,
and `casetrail ledger verify --state` holds the tables against the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from casetrail.errors import AccessDenied, NotFound
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.record import LedgerSubject
from casetrail.ledger.state import register_state

__all__ = ["access_entry", "register_housekeeping", "register_state", "register_subject"]

SubjectAccess = Callable[[Any, int], LedgerSubject]
"""An app's gate: given an officer and a primary key, the subject if the officer may see it;
raises NotFound (or AccessDenied) otherwise."""

HousekeepingAccess = Callable[[Any, LedgerEntry], None]
"""Raises AccessDenied unless the officer may read this housekeeping entry."""


@dataclass(frozen=True)
class SubjectType:
    name: str
    access: SubjectAccess
    # Reading an entry of this subject through the ledger is a look at it (invariant 2).
    traced: bool


_subjects: dict[str, SubjectType] = {}
_housekeeping: list[HousekeepingAccess] = []


def register_subject(subject_type: str, access: SubjectAccess, *, traced: bool = True) -> None:
    """Let an app say who may see its subjects' entries (call it from AppConfig.ready())."""
    _subjects[subject_type] = SubjectType(subject_type, access, traced)


def register_housekeeping(policy: HousekeepingAccess) -> None:
    """The policy for entries whose subject no app registered (one, from AppConfig.ready())."""
    _housekeeping[:] = [policy]


@dataclass(frozen=True)
class Visible:
    entry: LedgerEntry
    subject: LedgerSubject | None  # None for housekeeping
    traced: bool


def access_entry(officer: Any, seq: int) -> Visible:
    """The entry ``seq`` and its subject, if the officer may see the subject; NotFound
    otherwise, the same for an absent entry as for one that is not the officer's."""
    entry = LedgerEntry.objects.filter(seq=seq).first()
    try:
        if entry is None:
            raise NotFound
        kind = _subjects.get(entry.subject_type)
        if kind is None:
            if not _housekeeping:
                raise AccessDenied
            _housekeeping[0](officer, entry)
            return Visible(entry, None, traced=False)
        # A key as str(pk) writes it: isdigit() alone also passes digits int() reads as
        # another key (full-width "１２" is 12) or cannot read at all (superscript "²").
        if not (entry.subject_id.isascii() and entry.subject_id.isdigit()):
            raise NotFound
        return Visible(entry, kind.access(officer, int(entry.subject_id)), kind.traced)
    except (NotFound, AccessDenied):
        raise NotFound(gettext("ledger entry %(seq)s not found") % {"seq": seq}) from None
