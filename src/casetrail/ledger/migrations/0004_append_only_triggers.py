"""On PostgreSQL the database itself refuses to change or remove ledger rows (issue 16).

Triggers, created here and on PostgreSQL only (SQLite has no roles to keep apart, and its
triggers would be one statement away for whoever can write the file):

* entries, signed heads, keys and verify checkpoints: every ``UPDATE`` and ``DELETE`` is
  refused. Nothing in casetrail changes or removes one; the bulk loader only inserts.
* tree nodes: ``UPDATE`` is refused, and so is ``DELETE`` of a node of level 4 or above. The
  one legitimate removal is the open block's rows of levels 1 to 3, which the append that
  completes a block replaces by their level-4 parent (`casetrail.ledger.tree.block_changes`).

Row-level triggers do not see ``TRUNCATE`` (the test runner empties tables with it), and the
tables' owner or a superuser can disable them: run the application as a role that owns no
ledger table for the full effect. The checkpoint file and receipts catch what they allow.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION casetrail_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'raise_exception',
              HINT = 'ledger rows are never changed or removed (docs/ledger.md)';
END
$$
"""

# (trigger, table, events, condition)
TRIGGERS = [
    ("ledger_entry_append_only", "ledger_ledgerentry", "UPDATE OR DELETE", ""),
    ("ledger_head_append_only", "ledger_signedhead", "UPDATE OR DELETE", ""),
    ("ledger_key_append_only", "ledger_ledgerkey", "UPDATE OR DELETE", ""),
    ("ledger_checkpoint_append_only", "ledger_ledgercheckpoint", "UPDATE OR DELETE", ""),
    ("ledger_node_never_updated", "ledger_ledgernode", "UPDATE", ""),
    # Levels 1 to 3 have keys below 4 << 56: only the open block's rows may go.
    (
        "ledger_node_kept_from_level_4",
        "ledger_ledgernode",
        "DELETE",
        'WHEN (OLD."key" >= 288230376151711744)',
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # its % are plpgsql's, not placeholders
    for name, table, events, condition in TRIGGERS:
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE {events} ON {table} FOR EACH ROW {condition} "
            "EXECUTE FUNCTION casetrail_ledger_append_only()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, _, _ in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS casetrail_ledger_append_only()")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_compact_rows")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
