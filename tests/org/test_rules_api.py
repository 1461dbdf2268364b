"""The procedure engine through the API: the same computation as the library, with the
notices loaded into this installation, and errors that name the field."""

from __future__ import annotations

import pytest

from casetrail.org import calendars
from casetrail.procedure import compute
from tests.api.conftest import ApiClient
from tests.org.test_calendars_and_access import NOTICE_2027


def test_anonymous_callers_are_refused(world):
    assert ApiClient(None).get("/rules").status_code == 401


def test_the_rules_of_a_pack_are_listed_with_citations(world):
    rules = ApiClient(world.handler1).get("/rules", pack="cn").json()
    ids = {r["id"] for r in rules}
    assert {"CN-CPL91-ARREST-REQUEST", "CN-PSAPL2012-CASE99", "CN-PSAPL2025-CASE118"} <= ids
    assert all(r["citation"] for r in rules)


def test_a_rule_shows_its_extensions(world):
    versions = ApiClient(world.handler1).get("/rules/CN-CPL91-ARREST-REQUEST").json()
    extensions = {e["id"]: e for e in versions[-1]["extensions"]}
    assert set(extensions) >= {"special", "roving"}
    # CPL art. 91(2): the special extension of one to four days, named in Chinese too.
    assert "一日至四日" in extensions["special"]["title_zh"]


def test_the_api_computes_what_the_library_computes(world):
    # CPL Art. 91(1)-(2) and Art. 105: detention on 2026-09-30, 3 days + special 4 days,
    # custody period not shifted off the National Day holiday.
    body = {"trigger": "2026-09-30T20:00", "extensions": ["special=4"]}
    got = ApiClient(world.handler1).post("/rules/CN-CPL91-ARREST-REQUEST/deadline", body)
    assert got.status_code == 200
    expected = compute(
        "CN-CPL91-ARREST-REQUEST", "2026-09-30T20:00", pack="cn", extensions=["special=4"]
    )
    assert got.json()["due_at"] == expected.to_dict()["due_at"] == "2026-10-07T15:59:59Z"
    assert got.json()["explanation"] == list(expected.explanation)


def test_a_loaded_notice_changes_a_provisional_deadline(world):
    # 2027 is not in the library: the fallback marks it provisional until a notice is loaded.
    body = {"trigger": "2027-09-20T10:00"}
    client = ApiClient(world.handler1)
    before = client.post("/rules/CN-PSAPL-CASE-LIMIT/deadline", body).json()
    assert before["provisional"] is True
    calendars.load_notice(NOTICE_2027, actor=None)
    after = client.post("/rules/CN-PSAPL-CASE-LIMIT/deadline", body).json()
    assert after["provisional"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"trigger": "yesterday"}, "trigger"),
        ({"trigger": "2026-09-30T20:00", "extensions": ["special=9"]}, "extensions"),
        ({"trigger": "2026-09-30T20:00", "extensions": ["warp"]}, "extensions"),
    ],
)
def test_bad_input_names_the_field(world, body, field):
    response = ApiClient(world.handler1).post("/rules/CN-CPL91-ARREST-REQUEST/deadline", body)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_an_unknown_rule_is_404(world):
    response = ApiClient(world.handler1).post(
        "/rules/NO-SUCH-RULE/deadline", {"trigger": "2026-01-01T00:00"}
    )
    assert response.status_code == 404


def test_a_version_free_alias_shows_every_member(world):
    versions = ApiClient(world.handler1).get("/rules/CN-PSAPL-CASE-LIMIT").json()
    assert [v["id"] for v in versions] == ["CN-PSAPL2012-CASE99", "CN-PSAPL2025-CASE118"]


def test_an_unknown_pack_is_named(world):
    response = ApiClient(world.handler1).post(
        "/rules/CN-CPL86-INTERROGATE-24H/deadline", {"trigger": "2026-01-01T00:00", "pack": "xx"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "pack"


def test_a_rule_set_by_a_parameter_says_so(world):
    rules = {r["id"]: r for r in ApiClient(world.handler1).get("/rules", pack="gb_eng").json()}
    assert rules["EW-PACE43-WFD"]["period"] == "N hours (param hours)"
