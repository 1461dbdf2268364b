"""Who may have the proof of which entry: whoever may see its subject.

An entry about a case, an incident or a person is as visible as that case, incident or person
(`casetrail.cases.access`); an app can declare the same for its own subjects with
`register_subject` (custody: measures). Entries about anything else (units, officers, tokens, keys,
calendars, checkpoints) are the ledger's own housekeeping: supervisors and administrators only,
at the entry's unit when it has one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model

from casetrail.cases.access import access_case, access_incident, access_person
from casetrail.cases.models import Case, Incident, Person
from casetrail.ledger.models import LedgerEntry
from casetrail.org.access import AccessDenied, NotFound, grants_of, has_role
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role

LEDGER_READERS = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})

SubjectAccess = Callable[[Officer, str], Model]
"""Given an officer and a subject id, the subject if the officer may see it; raises NotFound
(or AccessDenied) otherwise, as the owning app's own ``access_*`` function does."""

_subjects: dict[str, SubjectAccess] = {}


def register_subject(subject_type: str, access: SubjectAccess) -> None:
    """Let an app say who may see its subjects' entries (call it from AppConfig.ready())."""
    _subjects[subject_type] = access


def access_entry(officer: Officer, seq: int) -> tuple[LedgerEntry, Model | None]:
    """The entry ``seq`` and its subject (a case, incident or person, else None), if the
    officer may see the subject; NotFound or AccessDenied otherwise."""
    entry = LedgerEntry.objects.filter(seq=seq).first()
    if entry is None:
        raise NotFound(f"ledger entry {seq} not found")
    kind, ident = entry.subject_type, entry.subject_id
    if kind in (Case.LEDGER_SUBJECT, Incident.LEDGER_SUBJECT, Person.LEDGER_SUBJECT):
        if not ident.isdigit():
            raise NotFound(f"ledger entry {seq} not found")
        try:
            if kind == Case.LEDGER_SUBJECT:
                return entry, access_case(officer, int(ident))
            if kind == Incident.LEDGER_SUBJECT:
                return entry, access_incident(officer, int(ident))
            return entry, access_person(officer, int(ident))
        except NotFound:
            raise NotFound(f"ledger entry {seq} not found") from None
    if kind in _subjects:
        try:
            return entry, _subjects[kind](officer, ident)
        except NotFound:
            raise NotFound(f"ledger entry {seq} not found") from None
    unit = Unit.objects.filter(pk=entry.unit_id).first() if entry.unit_id else None
    allowed = (
        has_role(officer, unit, LEDGER_READERS)
        if unit is not None
        else any(g.role in LEDGER_READERS for g in grants_of(officer))
    )
    if not allowed:
        raise AccessDenied(
            f"the proof of a {kind} entry needs the supervisor or administrator role"
        )
    return entry, None
