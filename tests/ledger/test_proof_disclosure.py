"""Issue 16: the proof of an entry answers "absent" and "not yours" alike, for every kind of
entry on a site with every subject (cases, incidents, persons, measures, stays in the area,
housekeeping) and a case sealed by its juvenile suspect."""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.ledger.models import LedgerEntry
from tests.api.conftest import ApiClient
from tests.routes import Kept


@pytest.fixture
def site(kept: Kept, db: None, frozen_clock: Any) -> Any:
    return kept.at(frozen_clock)


def absent(seq: int) -> dict[str, Any]:
    return {"detail": f"ledger entry {seq} not found", "field": None}


def one_entry_per_kind() -> list[LedgerEntry]:
    seen: dict[tuple[str, str], LedgerEntry] = {}
    for entry in LedgerEntry.objects.order_by("seq"):
        seen.setdefault((entry.subject_type, entry.action), entry)
    return list(seen.values())


@pytest.mark.parametrize("seq", [2**31, 2**63 - 1])
def test_a_seq_no_entry_has_answers_404(site, seq):
    response = ApiClient(site.s.world.supervisor).get(f"/ledger/entries/{seq}/proof")
    assert response.status_code == 404, response.content
    assert response.json() == absent(seq)


@pytest.mark.parametrize("seq", [0, -1, 2**63, 10**30])
def test_a_seq_no_entry_can_have_is_refused_by_the_document_for_everyone(site, seq):
    """A sequence number outside 1..2^63-1 names no entry of anybody's: the document bounds it
    (422 naming seq) for every caller alike, so the answer tells nothing about any subject."""
    for officer in (site.s.world.supervisor, site.s.world.nobody):
        response = ApiClient(officer).get(f"/ledger/entries/{seq}/proof")
        assert response.status_code == 422, response.content
        assert response.json()["field"] == "seq"


def test_every_entry_an_officer_may_not_have_answers_as_an_absent_one(site):
    w = site.s.world
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]
    strangers = {
        "nobody": w.nobody,
        "outsider": w.outsider,
        "other_handler": w.other_handler,
        "outside_seal": site.outside_seal,
    }
    clients = {name: ApiClient(o) for name, o in strangers.items()}
    # The answer for a seq past the end, which the same officers get for what is not theirs.
    for client in clients.values():
        gone = client.get(f"/ledger/entries/{last + 100}/proof")
        assert (gone.status_code, gone.json()) == (404, absent(last + 100))
    entries = one_entry_per_kind()
    kinds = {e.subject_type for e in entries}
    assert {"case", "incident", "person", "measure", "custody_session", "unit", "officer"} <= kinds
    refused: dict[str, set[str]] = {name: set() for name in strangers}
    for entry in entries:
        for name, client in clients.items():
            response = client.get(f"/ledger/entries/{entry.seq}/proof")
            if response.status_code == 200:
                continue
            assert (response.status_code, response.json()) == (404, absent(entry.seq)), (
                name,
                entry.subject_type,
                entry.action,
            )
            assert response.headers["Content-Type"] == gone.headers["Content-Type"]
            refused[name].add(entry.subject_type)
    # Those with no grant at the station see none of its subjects and none of the housekeeping.
    assert refused["nobody"] >= kinds
    assert {"case", "incident", "person", "measure", "custody_session"} <= refused["outsider"]


def test_the_sealed_case_and_all_it_reaches_answer_as_absent_outside_the_seal(site):
    sealed = site.sealed
    client = ApiClient(site.outside_seal)
    inside = ApiClient(site.s.world.handler1)
    subjects = {
        "case": sealed["case_id"],
        "person": sealed["person_id"],
        "measure": sealed["measure_id"],
        "custody_session": sealed["session_id"],
    }
    for subject_type, pk in subjects.items():
        entries = LedgerEntry.objects.filter(subject_type=subject_type, subject_id=str(pk))
        assert entries.exists(), subject_type
        for entry in entries:
            response = client.get(f"/ledger/entries/{entry.seq}/proof")
            assert (response.status_code, response.json()) == (404, absent(entry.seq)), (
                subject_type,
                entry.action,
            )
            assert inside.get(f"/ledger/entries/{entry.seq}/proof").status_code == 200
            # A size the tree cannot have is judged only once the entry is found to be theirs.
            for size in (1, 10**6):
                sized = client.get(f"/ledger/entries/{entry.seq}/proof", size=size)
                assert (sized.status_code, sized.json()) == (404, absent(entry.seq))
