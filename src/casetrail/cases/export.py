"""``casetrail export case NUMBER --out FILE.zip``: a case file's ledger as an offline bundle.

The bundle (`casetrail.ledger.verify`, format version 1) holds, against one signed head:

* the case's own chain, every entry of ``case:<id>``;
* the chain of the incident the case came from, if any, every entry of ``incident:<id>``;
* for each person who is a party, the person's chain from the moment they joined this case:
  from their first entry if this case recorded them (``person.recorded`` right before the
  ``case.party_added`` that names them), else from that ``case.party_added`` on, the person's
  last earlier entry (about another case) given as an *anchor*: its seq, leaf hash and proof
  only, so the chain is provably complete without disclosing another case;
* the whole chain of every other subject that belongs to the case, as the apps that own such
  subjects declare with `register_case_subjects` (custody: a case's coercive measures);
* an inclusion proof for every entry and anchor, and every registered public key.

Ordering: an export is a look at the case file, so it first appends a ``viewed`` entry for the
case and signs a head *in the same transaction*; the bundle's head therefore includes that entry
and the bundle discloses it, last in the case's chain. A bundle proves its own export was logged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from casetrail.cases.models import Case, Incident, Party, Person
from casetrail.errors import Refused
from casetrail.ledger import heads, tree, verify
from casetrail.ledger.errors import ChainStorageError
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry, leaf_fields_of
from casetrail.ledger.record import record_view
from casetrail.ledger.signing import TreeHead
from casetrail.ledger.verify import Anchor, leaf_index

if TYPE_CHECKING:
    from casetrail.org.models import Officer


CaseSubjects = Callable[[Case], Iterable[tuple[str, str]]]
"""Given a case, the (subject_type, subject_id) of subjects whose whole chain is its file."""

_case_subjects: list[CaseSubjects] = []

CaseFiles = Callable[[Case, list[LedgerEntry]], Mapping[str, bytes]]
"""Given a case and the entries a bundle discloses, further members for the bundle (the issued
documents as documents/<seq>.pdf, the case file as one PDF)."""

_case_files: list[CaseFiles] = []


def register_case_files(provider: CaseFiles) -> None:
    """Let an app add files to case exports (call it from its AppConfig.ready())."""
    if provider not in _case_files:
        _case_files.append(provider)


def register_case_subjects(provider: CaseSubjects) -> None:
    """Let an app add its subjects to case exports (call it from its AppConfig.ready())."""
    if provider not in _case_subjects:
        _case_subjects.append(provider)


class ExportError(Refused):
    """A request that cannot be exported (no such case, an existing file...)."""


class LedgerBroken(RuntimeError):
    """The ledger does not verify for this case; nothing was written."""


@dataclass(frozen=True)
class Exported:
    path: Path
    case: str
    head: TreeHead
    entries: int
    anchors: int
    viewed_seq: int


def export_case(number: str, out: Path, *, actor: Officer | None = None) -> Exported:
    case = Case.objects.filter(number=number).first()
    if case is None:
        raise ExportError(
            gettext("no case numbered %(number)s") % {"number": number}, field="NUMBER"
        )
    if out.exists():
        raise ExportError(
            gettext("%(path)s exists; refusing to overwrite it") % {"path": out}, field="--out"
        )
    if not out.parent.is_dir():
        raise ExportError(gettext("%(path)s is not a folder") % {"path": out.parent}, field="--out")
    key = heads.load_key()  # before the view is logged: no key, no export
    with transaction.atomic():
        viewed = record_view(case, actor=actor, unit_id=case.unit_id, what="case file export")
        head = heads.sign_head(key)
    entries, anchor_rows = disclosed(case, head.size)
    proofs = tree.inclusion_proofs([leaf_index(e.seq) for e in entries + anchor_rows], head.size)
    anchors = [
        Anchor(row.seq, bytes(row.leaf_hash), proofs[leaf_index(row.seq)]) for row in anchor_rows
    ]
    try:
        verify.write_bundle(
            out,
            head,
            heads.public_keys(),
            leaf_fields_of(entries),
            {e.seq: proofs[leaf_index(e.seq)] for e in entries},
            case=case.number,
            anchors=anchors,
            files={
                name: data for files in _case_files for name, data in files(case, entries).items()
            },
        )
    except (ValueError, ChainStorageError) as exc:  # a changed entry, a broken chain
        raise LedgerBroken(
            f"cannot export case {number}: {exc}; run `casetrail ledger verify`"
        ) from exc
    return Exported(out, case.number, head, len(entries), len(anchors), viewed.seq)


def _chain(subject_type: str, subject_id: int | str, size: int) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(
            subject_type=subject_type, subject_id=str(subject_id), seq__lte=size
        ).order_by("seq")
    )


def disclosed(case: Case, size: int) -> tuple[list[LedgerEntry], list[LedgerEntry]]:
    """The entries a bundle of ``case`` discloses (in seq order) and its anchors."""
    case_chain = _chain(Case.LEDGER_SUBJECT, case.pk, size)
    entries = list(case_chain)
    if case.incident_id:
        entries += _chain(Incident.LEDGER_SUBJECT, case.incident_id, size)
    for provider in _case_subjects:
        for subject_type, subject_id in provider(case):
            entries += _chain(subject_type, subject_id, size)
    joined: dict[int, int] = {}
    for e in case_chain:
        if e.action == LedgerKind.PARTY_ADDED:
            person = json.loads(e.payload).get("person")
            if isinstance(person, int):
                joined.setdefault(person, e.seq)
    anchors = []
    person_ids = Party.objects.filter(case=case).values_list("person_id", flat=True).distinct()
    for person_id in sorted(set(person_ids)):
        chain = _chain(Person.LEDGER_SUBJECT, person_id, size)
        if not chain:
            continue
        since = joined.get(person_id, case_chain[0].seq if case_chain else 1)
        first = chain[0]
        # A person first recorded for this very case belongs wholly to its file; one known
        # from elsewhere shows from the moment they joined it, anchored to what came before.
        recorded_here = (
            first.action == LedgerKind.PERSON_RECORDED
            and json.loads(first.payload).get("case") == case.pk
        )
        start = first.seq if recorded_here else since
        shown = [e for e in chain if e.seq >= start]
        earlier = [e for e in chain if e.seq < start]
        entries += shown
        if shown and earlier:
            anchors.append(earlier[-1])
    unique = {e.seq: e for e in entries}  # a provider may name a subject twice
    return [unique[seq] for seq in sorted(unique)], anchors
