"""Concurrent appenders and head signers on PostgreSQL: no gap, no duplicate, one tree.

SQLite serialises writers with BEGIN IMMEDIATE, so only PostgreSQL has real concurrency to
test; the suite runs this file on the throwaway PostgreSQL cluster."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections, transaction

from casetrail.ledger import audit, heads
from casetrail.ledger.bulk import NewSubjectEntry, append_first_entries
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry, SignedHead
from casetrail.ledger.record import record
from tests.conftest import build_world
from tests.ledger.test_tree import leaves, reference_nodes, stored_nodes

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_appends_and_heads_leave_one_gapless_consistent_tree(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them by design")
    settings.CASETRAIL_LEDGER_KEY_FILE = tmp_path / "ledger.pem"
    world = build_world()
    heads.generate_key()
    before = LedgerEntry.objects.count()
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def in_thread(work):
        def run() -> None:
            try:
                start.wait()
                work()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        return threading.Thread(target=run)

    def writer(tag: str) -> None:
        for i in range(25):
            with transaction.atomic():  # all on one subject: its chain must stay linked
                record(LedgerKind.VIEWED, subject=world.station, actor=None, data={tag: i})

    def loader() -> None:
        for batch in range(3):
            entries = [
                NewSubjectEntry(
                    kind=LedgerKind.CASE_OPENED,
                    subject_type="probe",
                    subject_id=f"{batch}-{i}",
                    at=datetime(2026, 3, 1, tzinfo=UTC),
                    actor_id=None,
                    actor_label="loader",
                    unit_id=None,
                    data={"i": i},
                )
                for i in range(40)
            ]
            with transaction.atomic():
                append_first_entries(entries)

    def signer() -> None:
        for _ in range(10):
            heads.sign_head()
            heads.sign_head_if_due()

    threads = [in_thread(lambda t=t: writer(t)) for t in "abcd"]
    threads += [in_thread(loader), in_thread(signer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == before + 4 * 25 + 3 * 40
    assert stored_nodes() == reference_nodes(leaves())
    assert SignedHead.objects.count() >= 10
    report = audit.verify_ledger()
    assert report.ok, report.problems
