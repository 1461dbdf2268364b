"""Who may have the proof of which entry: whoever may see its subject.

An entry about a case, an incident or a person is as visible as that case, incident or person
(`casetrail.cases.access`); an app can declare the same for its own subjects with
`register_subject` (custody: measures). Entries about anything else (units, officers, tokens, keys,
calendars, checkpoints) are the ledger's own housekeeping: supervisors and administrators only,
at the entry's unit when it has one.
"""

from __future__ import annotations

from collections.abc import Callable

from casetrail.cases.access import access_case, access_incident, access_person
from casetrail.cases.models import Case, Incident, Person
from casetrail.errors import AccessDenied, NotFound
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.record import LedgerSubject
from casetrail.org.access import grants_of, has_role, unit_for
from casetrail.org.models import Officer
from casetrail.org.roles import Role

LEDGER_READERS = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})

SubjectAccess = Callable[[Officer, str], LedgerSubject]
"""Given an officer and a subject id, the subject if the officer may see it; raises NotFound
(or AccessDenied) otherwise, as the owning app's own ``access_*`` function does."""


def _by_id(access: Callable[[Officer, int], LedgerSubject]) -> SubjectAccess:
    """Adapt an app's ``access_*(officer, pk)`` to a subject id as the ledger stores it."""

    def lookup(officer: Officer, ident: str) -> LedgerSubject:
        if not ident.isdigit():
            raise NotFound(f"subject {ident} not found")
        return access(officer, int(ident))

    return lookup


_subjects: dict[str, SubjectAccess] = {
    Case.LEDGER_SUBJECT: _by_id(access_case),
    Incident.LEDGER_SUBJECT: _by_id(access_incident),
    Person.LEDGER_SUBJECT: _by_id(access_person),
}


def register_subject(subject_type: str, access: Callable[[Officer, int], LedgerSubject]) -> None:
    """Let an app say who may see its subjects' entries, with its own ``access_*(officer, pk)``
    (call it from AppConfig.ready())."""
    _subjects[subject_type] = _by_id(access)


def access_entry(officer: Officer, seq: int) -> tuple[LedgerEntry, LedgerSubject | None]:
    """The entry ``seq`` and its subject (a case, incident or person, else None), if the
    officer may see the subject; NotFound or AccessDenied otherwise."""
    entry = LedgerEntry.objects.filter(seq=seq).first()
    if entry is None:
        raise NotFound(f"ledger entry {seq} not found")
    kind, ident = entry.subject_type, entry.subject_id
    if kind in _subjects:
        try:
            return entry, _subjects[kind](officer, ident)
        except NotFound:
            raise NotFound(f"ledger entry {seq} not found") from None
    unit = unit_for(officer, entry.unit_id) if entry.unit_id else None
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
