"""Document numbers under concurrent writers on PostgreSQL: four handlers submitting at once
draw serials 1..N of one series with no gap and no repeat, and a draft cancelled after it took
its number stays in the series, void (GB/T 9704-2012 numbers; MPS case-handling rules want
every number accounted for).

SQLite serialises writers with BEGIN IMMEDIATE, so only PostgreSQL has real concurrency to
test; the suite runs this file on the throwaway PostgreSQL cluster."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from casetrail.documents import actions
from casetrail.documents.inputs import DraftInput, ReasonInput
from casetrail.documents.models import Document, DocumentSerial, DocumentStatus
from casetrail.ledger.models import LedgerEntry
from tests.documents.conftest import build_docs

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]

WRITERS, EACH = 4, 5


def test_concurrent_submissions_take_gapless_unique_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them by design")
    docs = build_docs()
    handler = docs.world.handler1
    drafts = [
        actions.draft_document(
            docs.case,
            DraftInput(type_id="seizure_decision", person_id=docs.suspect.pk),
            actor=handler,
        )
        for _ in range(WRITERS * EACH)
    ]
    errors: list[BaseException] = []

    def submit(mine: list[Document]) -> None:
        try:
            for draft in mine:
                done = actions.submit_document(draft, actor=handler)
                if done.serial % 7 == 0:  # some are cancelled once numbered: void, not gone
                    actions.cancel_document(done, ReasonInput(reason="重复拟制"), actor=handler)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(drafts[i::WRITERS],)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    series = Document.objects.filter(type_id="seizure_decision")
    serials = sorted(series.values_list("serial", flat=True))
    assert serials == list(range(1, WRITERS * EACH + 1))
    assert len(set(series.values_list("number", flat=True))) == WRITERS * EACH
    voided = sorted(series.filter(status=DocumentStatus.VOID).values_list("serial", flat=True))
    assert voided == [7, 14]
    [counter] = DocumentSerial.objects.all()
    assert counter.last == WRITERS * EACH
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
