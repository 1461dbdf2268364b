"""On PostgreSQL the database itself refuses to change or remove ledger rows (migration 0004)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from casetrail import clock
from casetrail.ledger import audit, heads, tree
from casetrail.ledger.bulk import NewSubjectEntry, append_entries
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry, SignedHead
from tests.ledger.conftest import triggers_on
from tests.ledger.test_tree import busy_log, record_in_transaction

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def guarded(world, signing_key):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only triggers are PostgreSQL's (SQLite has no roles to keep apart)")
    triggers_on()
    busy_log(world, cases=1)
    heads.sign_head()
    assert audit.verify_ledger().ok  # a checkpoint row too


def refused(statement, params=()):
    with (
        pytest.raises(DatabaseError, match="the ledger is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_ledgerentry SET payload = '{}' WHERE seq = 3",
        "DELETE FROM ledger_ledgerentry WHERE seq > 30",
        "UPDATE ledger_signedhead SET size = size - 1",
        "DELETE FROM ledger_signedhead",
        "UPDATE ledger_ledgerkey SET registered_at = registered_at",
        "DELETE FROM ledger_ledgercheckpoint",
        "UPDATE ledger_ledgernode SET hash = hash",
        'DELETE FROM ledger_ledgernode WHERE "key" >= 288230376151711744',
    ],
)
def test_the_database_refuses_to_change_or_remove_ledger_rows(guarded, statement):
    refused(statement)


def test_appends_that_close_a_block_and_bulk_loads_still_work(guarded, world):
    while tree.tree_size() % 16 != 15:
        record_in_transaction(world)
    record_in_transaction(world)  # completes the block: its rows of levels 1 to 3 go
    assert tree.tree_size() % 16 == 0
    with transaction.atomic():  # the bulk loader, across several blocks
        append_entries(
            [
                NewSubjectEntry(
                    kind=LedgerKind.VIEWED,
                    subject_type="probe",
                    subject_id=str(n % 3),
                    at=clock.now(),
                    actor_id=None,
                    actor_label="loader",
                    unit_id=None,
                    data={"n": n},
                )
                for n in range(40)
            ]
        )
    heads.sign_head()
    assert SignedHead.objects.count() == 2
    report = audit.verify_ledger()
    assert report.ok, report.problems
    assert LedgerEntry.objects.count() == tree.tree_size()
