"""The API answers as its OpenAPI document says, to whatever schemathesis sends."""

from __future__ import annotations

import re
from typing import Any

import pytest

from casetrail.org.actions import issue_token
from casetrail.org.inputs import TokenInput
from tests.api.schema_fuzz import BOTH, FINDINGS, POSITIVE, Tally, run, wsgi_app
from tests.routes import Kept, api_calls


def _path_values(site: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """Each operation's path parameters as the walker's granted call fills them (a real
    record), so the generated bodies reach the actions."""
    values = {}
    for (method, template), call in api_calls(site).items():
        names = re.findall(r"\{(\w+)\}", template)
        if not names or "{own_token}" in call.path:
            continue
        pattern = re.escape(template.removeprefix("/api/v1"))
        for name in names:
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
        found = re.fullmatch(pattern, call.path)
        assert found, (template, call.path)
        values[(method, template)] = {
            k: int(v) if v.isdigit() else v for k, v in found.groupdict().items()
        }
    return values


@pytest.fixture
def site(kept: Kept, db: None, frozen_clock: Any) -> Any:
    return kept.at(frozen_clock)


# Each officer fuzzes every operation with schema-valid requests on real records (the bodies
# reach the actions); the case handler also with generated record numbers and with requests
# the schema calls invalid. Small numbers of examples, so the module stays under three minutes
# on two cores: breadth (every operation, several roles) over depth.
PLANS = {
    "handler1": ((None, 2, BOTH), ("real", 3, POSITIVE)),
    "intake": (("real", 2, POSITIVE),),
    "custody": (("real", 2, POSITIVE),),
    "head": (("real", 2, POSITIVE),),
    "supervisor": (("real", 2, POSITIVE),),
}


def _officer(site: Any, role: str) -> Any:
    return getattr(site.s.world, role, None) or getattr(site.s, role)


@pytest.mark.parametrize("role", PLANS)
def test_the_api_answers_as_its_document_says(site, role):
    """No 5xx; every status declared, with its declared body; nothing the schema calls valid
    refused as malformed (a 422, or a 400 from the operation's input)."""
    officer = _officer(site, role)
    tally = Tally()
    with wsgi_app() as app:
        for paths, examples, modes in PLANS[role]:
            _, token = issue_token(TokenInput(name="fuzz"), actor=officer)
            values = _path_values(site) if paths == "real" else None
            run(app, token, tally, examples=examples, modes=modes, path_values=values)
    found = tally.summary()
    print(role, found)  # the figures docs/operations.md reports (pytest -s shows them)
    assert tally.requests > 50
    assert {k: found[k] for k in FINDINGS} == dict.fromkeys(FINDINGS, 0), tally.report()
