from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from casetrail import clock
from casetrail.org.actions import issue_token
from casetrail.org.inputs import TOKEN_DAYS_CEILING, TokenInput
from casetrail.org.models import Officer


class ApiClient:
    """A JSON client that authenticates as an officer with a real API token."""

    def __init__(self, officer: Officer | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        self.issued_at = clock.now()
        if officer is not None:
            # The longest lifetime: the custody scenes travel months past the token's issue.
            data = TokenInput(name="tests", lifetime_days=TOKEN_DAYS_CEILING)
            _, key = issue_token(data, actor=officer)
            self.headers["Authorization"] = f"Bearer {key}"

    def lasts_until(self, now: datetime) -> bool:
        """Whether its token (issued for the longest lifetime) is still good at ``now``."""
        return abs(now - self.issued_at) < timedelta(days=TOKEN_DAYS_CEILING - 1)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body or {})
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def as_officer():
    return ApiClient
