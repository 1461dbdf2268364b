"""Ledger fixtures: a signing key in a temporary folder, never the data folder's."""

from __future__ import annotations

import pytest
from django.db import connection

from casetrail import cli
from casetrail.cases import actions
from casetrail.cases.models import Case, Incident
from casetrail.ledger import heads


@pytest.fixture
def key_file(settings, tmp_path):
    """Where the signing key lives for this test (no key is made)."""
    path = tmp_path / "keys" / "ledger.pem"
    settings.CASETRAIL_LEDGER_KEY_FILE = path
    return path


@pytest.fixture
def signing_key(key_file, db):
    """A key made with `casetrail ledger keygen`'s function, registered in the ledger."""
    return heads.generate_key(key_file)


@pytest.fixture(autouse=True)
def tamper_as_superuser(request):
    """The tampering tests change ledger rows behind the application's back. On PostgreSQL the
    database refuses that (migration 0004's triggers), except to a superuser who switches
    triggers off for the session, as these tests do: they play that superuser. Tests of the
    triggers themselves switch them back on (`triggers_on`)."""
    names = request.fixturenames
    if "db" not in names and "transactional_db" not in names:
        yield
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")


def triggers_on():
    """Switch the ledger's triggers back on in this session (see `tamper_as_superuser`)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")


def reported_case(world) -> tuple[Case, Incident]:
    """An incident decided as an administrative case with two handlers and a victim: the
    story most ledger tests tell before they change, export or prove something."""
    incident = world.incident()
    case = actions.decide_incident(
        incident,
        actions.IncidentDecisionInput(
            decision="administrative_case",
            category="AD-ASSAULT",
            handler_ids=(world.handler1.pk, world.handler2.pk),
        ),
        actor=world.intake,
    )
    assert case is not None
    actions.add_party(case, actions.PartyInput(role="victim", name="王小明"), actor=world.handler1)
    return case, incident


def run(capsys, *argv):
    """`casetrail ARGV...` in this process: its exit status, what it printed, what it warned."""
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def sql(query, params=()):
    """A statement straight to the database, behind every action (and so the ledger)."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
