"""Who may have an entry: `access_entry` fails closed, and "absent" and "not yours" answer alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from casetrail.errors import NotFound
from casetrail.ledger import access
from casetrail.ledger.bulk import NewSubjectEntry, append_entries
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry


def test_without_a_housekeeping_policy_nobody_has_a_housekeeping_entry(world, monkeypatch):
    entry = LedgerEntry.objects.filter(subject_type="unit").first()
    assert entry is not None
    assert access.access_entry(world.supervisor, entry.seq).entry == entry  # with org's policy
    monkeypatch.setattr(access, "_housekeeping", [])  # as before any app registered one
    with pytest.raises(NotFound, match=f"ledger entry {entry.seq} not found"):
        access.access_entry(world.supervisor, entry.seq)


def loaded_case_entry(subject_id):
    """An entry about ``case:<subject_id>`` as a loader may write it (any text)."""
    append_entries(
        [
            NewSubjectEntry(
                kind=LedgerKind.VIEWED,
                subject_type="case",
                subject_id=subject_id,
                at=datetime(2026, 3, 1, tzinfo=UTC),
                actor_id=None,
                actor_label="loader",
                unit_id=None,
                data={},
            )
        ]
    )
    return LedgerEntry.objects.get(subject_type="case", subject_id=subject_id)


def case_entry(case):
    return LedgerEntry.objects.filter(subject_type="case", subject_id=str(case.pk)).first()


def test_an_entry_whose_subject_id_is_no_key_answers_as_absent(world):
    case = world.case()
    assert access.access_entry(world.handler1, case_entry(case).seq).subject == case
    wide = str(case.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    # Not a number; digits, but not the ASCII ones a key is written with (int() would read
    # the full-width ones as the case's key, and fail on a superscript).
    for subject_id in ("C-2026-1", "", wide, "²"):
        entry = loaded_case_entry(subject_id)
        for officer in (world.handler1, world.supervisor):
            with pytest.raises(NotFound, match=f"ledger entry {entry.seq} not found"):
                access.access_entry(officer, entry.seq)
