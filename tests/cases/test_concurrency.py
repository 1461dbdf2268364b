"""Case numbers under concurrent writers on PostgreSQL: unique and without gaps.

SQLite serialises writers with BEGIN IMMEDIATE, so only PostgreSQL has real concurrency
to test; the suite runs this file on the throwaway PostgreSQL cluster."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from casetrail.cases.models import Case
from casetrail.ledger.models import LedgerEntry
from tests.conftest import build_world

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_case_openings_get_gapless_unique_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them by design")
    world = build_world()
    errors: list[BaseException] = []

    def open_cases(n: int) -> None:
        try:
            for _ in range(n):
                world.case()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_cases, args=(10,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sequences = sorted(Case.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 41))
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
