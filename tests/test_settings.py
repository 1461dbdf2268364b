"""Settings read from the environment: the database options the operator can set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection, transaction

from casetrail.config.settings.base import database_config
from casetrail.config.settings.env import Env
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record


def test_postgresql_prepares_the_ledgers_statements_unless_told_not_to(tmp_path):
    prepared = database_config("postgres://casetrail@db.example/casetrail", tmp_path)
    assert prepared["OPTIONS"]["prepare_threshold"] == 2
    plain = database_config("postgres://casetrail@db.example/casetrail", tmp_path, prepare=False)
    assert "prepare_threshold" not in plain.get("OPTIONS", {})
    sqlite = database_config(None, tmp_path)
    assert "prepare_threshold" not in sqlite["OPTIONS"]


def test_database_url_may_name_an_sqlite_file(tmp_path):
    """``DATABASE_URL=sqlite:///path`` crashed every start with "'prepare_threshold' is an
    invalid keyword argument": it gets the SQLite options of the default database instead."""
    named = database_config(f"sqlite:///{tmp_path}/elsewhere.sqlite3", tmp_path)
    default = database_config(None, tmp_path)
    assert named["NAME"] == f"{tmp_path}/elsewhere.sqlite3"
    assert named["OPTIONS"] == default["OPTIONS"]
    assert "prepare_threshold" not in named["OPTIONS"]


def test_casetrail_opens_the_sqlite_file_database_url_names(tmp_path):
    """The settings read from the environment, in a process of their own: the file is created
    and opened in WAL mode with foreign keys on."""
    path = tmp_path / "named.sqlite3"
    code = (
        "import django; django.setup(); from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]\n"
        "    c.execute('PRAGMA foreign_keys'); keys = c.fetchone()[0]\n"
        "print(connection.settings_dict['NAME'], mode, keys)"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "DJANGO_SETTINGS_MODULE": "casetrail.config.settings.test",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and a constant script
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(path), "wal", "1"]
    assert path.exists()


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("1", True), ("0", False)])
def test_casetrail_pg_prepare_is_read_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("CASETRAIL_PG_PREPARE", raising=False)
    else:
        monkeypatch.setenv("CASETRAIL_PG_PREPARE", value)
    assert Env.read().pg_prepare is expected


def test_the_append_runs_as_prepared_statements_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite caches its own")
    for _ in range(3):
        with transaction.atomic():
            record(LedgerKind.VIEWED, subject=world.station, actor=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("pg_advisory_xact_lock" in sql for sql in prepared)
    assert any(sql.startswith("WITH last AS") for sql in prepared)
    assert any(sql.startswith('INSERT INTO "ledger_ledgerentry"') for sql in prepared)


def test_stored_files_go_to_the_data_folder_not_the_working_directory(settings):
    """The demo once wrote its issued PDFs into the checkout (MEDIA_ROOT unset is the cwd)."""
    from pathlib import Path

    assert Path(settings.MEDIA_ROOT) == Path(settings.DATA_DIR) / "files"
    assert Path(settings.MEDIA_ROOT).is_absolute()


def test_stored_files_stay_in_the_data_folder_unless_a_bucket_is_named(monkeypatch):
    from casetrail.config.settings.base import file_storage

    monkeypatch.delenv("CASETRAIL_S3_BUCKET", raising=False)
    assert file_storage(Env.read())["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_named_bucket_stores_files_through_django_storages_s3(monkeypatch):
    """The options are those django-storages' S3Storage takes: built for real, no network."""
    from storages.backends.s3 import S3Storage

    from casetrail.config.settings.base import file_storage

    monkeypatch.setenv("CASETRAIL_S3_BUCKET", "evidence")
    monkeypatch.setenv("CASETRAIL_S3_ENDPOINT_URL", "https://s3.agency.example")
    monkeypatch.setenv("CASETRAIL_S3_REGION", "cn-east-1")
    config = file_storage(Env.read())
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    storage = S3Storage(**config["OPTIONS"])
    assert storage.bucket_name == "evidence"
    assert storage.endpoint_url == "https://s3.agency.example"
    assert storage.region_name == "cn-east-1"
    assert storage.file_overwrite is False  # a stored exhibit is never replaced in place
