"""Ledger fixtures: a signing key in a temporary folder, never the data folder's."""

from __future__ import annotations

import pytest

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
