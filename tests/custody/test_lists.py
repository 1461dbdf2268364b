"""The custody lists show nothing outside the officer's grants. (The permission matrix of
every custody route, API and page, is walked by tests/test_routes.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.custody.conftest import ok
from tests.routes import build_site


@pytest.fixture
def matrix(db: None, frozen_clock: Any, settings: Any, tmp_path: Any) -> Any:
    settings.CASETRAIL_LEDGER_KEY_FILE = tmp_path / "keys" / "ledger.pem"  # never the shared one
    site = build_site(frozen_clock)
    return site.s, site.x


def test_lists_show_nothing_outside_the_grants(matrix):
    s, _ = matrix
    assert ok(s.api(s.world.outsider).get("/custody/measures"))["count"] == 0
    assert ok(s.api(s.world.outsider).get("/custody/sessions"))["count"] == 0
    assert ok(s.api(s.world.nobody).get("/custody/measures"))["count"] == 0
    assert ok(s.api(s.world.supervisor).get("/custody/measures"))["count"] >= 5
