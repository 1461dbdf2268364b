"""The bigram search index (FTS5) on SQLite; other databases scan `search_text`."""

from django.db import migrations

from casetrail.cases.search import FTS_TABLE


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "grams, tokenize = 'unicode61', detail = 'full')"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_offence_catalogue")]
    operations = [migrations.RunPython(create, drop)]
