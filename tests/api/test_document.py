"""The OpenAPI document says what the API answers and what it accepts (issue 16): each finding
of the schemathesis run (tests/api/test_schema_fuzz.py) as one small test."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from casetrail.cases.models import OffenceCategory
from casetrail.config.api import ERRORS, PUBLIC_ERRORS, api
from casetrail.org.actions import issue_token, revoke_token
from casetrail.org.inputs import TokenInput
from casetrail.web.inputs import (
    CODE_PATTERN,
    EARLIEST,
    LATEST,
    MAX_ID,
    Day,
    Ref,
    Text,
    When,
    day_pattern,
    text_pattern,
    when_pattern,
)
from tests.api.conftest import ApiClient

DOCUMENT = api.get_openapi_schema()
OPERATIONS = [
    (method, path, op) for path, ops in DOCUMENT["paths"].items() for method, op in ops.items()
]


def test_every_operation_declares_every_error_with_the_one_error_body():
    assert len(OPERATIONS) >= 60
    for method, path, op in OPERATIONS:
        codes = ERRORS if op.get("security") else PUBLIC_ERRORS
        for code in codes:
            declared = op["responses"].get(str(code))
            assert declared, f"{method} {path} does not declare {code}"
            schema = declared["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}
    error = DOCUMENT["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail", "field"]


def test_every_record_number_in_a_path_or_a_query_is_bounded_as_a_body_ref_is():
    seen = 0
    for method, path, op in OPERATIONS:
        for parameter in op.get("parameters", []):
            schema = parameter["schema"]
            options = schema.get("anyOf", [schema])
            for option in options:
                if option.get("type") == "integer" and parameter["name"] not in (
                    "page",
                    "page_size",
                ):
                    seen += 1
                    assert (option.get("minimum"), option.get("maximum")) == (1, MAX_ID), (
                        method,
                        path,
                        parameter["name"],
                    )
    assert seen > 40


def test_a_record_number_out_of_bounds_is_a_422_naming_it(world):
    client = ApiClient(world.intake)
    for bad in (0, -1, MAX_ID + 1):
        response = client.get(f"/incidents/{bad}")
        assert response.status_code == 422, bad
        assert response.json()["field"] == "incident_id"


def test_a_revoked_bearer_token_is_a_401_on_a_write_not_a_csrf_refusal(world):
    token, key = issue_token(TokenInput(name="script"), actor=world.intake)
    revoke_token(token, actor=world.intake)
    # A real client sends no CSRF token; Django's test client skips the check unless asked.
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/tokens",
        json.dumps({"name": "again"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 401
    assert response.json() == {
        "detail": "log in or send an API token (Authorization: Bearer …)",
        "field": None,
    }


def test_a_body_that_is_not_json_is_a_400_in_the_one_error_body(world):
    response = ApiClient(world.intake).post("/tokens", raw="{not json")
    assert response.status_code == 400
    assert response.json() == {"detail": "the body of the request is not valid JSON", "field": None}


def _body_schema(path: str) -> dict:
    op = DOCUMENT["paths"][path]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_the_document_states_the_characters_text_refuses():
    incident = _body_schema("/api/v1/incidents")["properties"]
    assert incident["reporter_name"]["pattern"] == text_pattern(multiline=False, required=True)
    assert incident["summary"]["pattern"] == text_pattern(multiline=True, required=True)
    assert incident["received_at"]["pattern"] == when_pattern()
    interview = _body_schema("/api/v1/custody/sessions/{session_id}/interviews")["properties"]
    assert interview["recording_sha256"]["pattern"] == "^(?:[0-9a-fA-F]{64})$"


ONE_LINE = Text(max_length=10_000, label="name")
RUNNING = Text(max_length=10_000, label="notes", multiline=True)


@given(st.from_regex(text_pattern(multiline=False, required=True), fullmatch=True))
def test_one_line_text_the_pattern_admits_is_accepted(text):
    assert ONE_LINE.check(text, "name", "Name", True)


@given(st.from_regex(text_pattern(multiline=True, required=True), fullmatch=True))
def test_running_text_the_pattern_admits_is_accepted(text):
    assert RUNNING.check(text, "notes", "Notes", True)


@given(st.from_regex(text_pattern(multiline=False, required=False), fullmatch=True))
def test_optional_text_the_pattern_admits_is_accepted(text):
    assert ONE_LINE.check(text, "name", "Name", False) is not None


def test_the_text_patterns_exclude_what_text_refuses():
    one_line = re.compile(text_pattern(multiline=False, required=True))
    running = re.compile(text_pattern(multiline=True, required=True))
    for refused in ("a\u0093b", "a\u202eb", "a\x00", " \u200b ", "\u3000"):
        assert not one_line.fullmatch(refused), repr(refused)
        assert not running.fullmatch(refused), repr(refused)
    assert not one_line.fullmatch("two\nlines")
    assert running.fullmatch("two\nlines")
    assert one_line.fullmatch("王小明")


@given(st.from_regex(when_pattern(), fullmatch=True))
def test_an_instant_the_pattern_admits_is_accepted(text):
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert EARLIEST <= instant < LATEST
    assert When(label="at").check(instant, "at", "At", True) == instant


@given(st.from_regex(day_pattern(EARLIEST.date(), date(2099, 12, 31)), fullmatch=True))
def test_a_day_the_pattern_admits_is_accepted(text):
    day = date.fromisoformat(text)
    assert Day(label="on", low=EARLIEST.date()).check(day, "on", "On", False) == day


def test_the_document_is_json():
    json.dumps(DOCUMENT)


def test_a_page_past_every_list_is_a_422_not_an_overflow(world):
    client = ApiClient(world.intake)
    for path in (
        "/incidents",
        "/cases",
        "/custody/measures",
        "/custody/sessions",
        "/custody/inbox",
    ):
        response = client.get(path, page=10**17, page_size=100)
        assert response.status_code == 422, path
        assert response.json()["field"] == "page"
        assert client.get(path, page=1, page_size=100).status_code == 200
    page = next(
        p
        for p in DOCUMENT["paths"]["/api/v1/incidents"]["get"]["parameters"]
        if p["name"] == "page"
    )
    assert page["schema"]["maximum"] == 10**6


def test_every_text_in_a_path_is_one_segment_the_api_routes():
    """A "/" (or a "." segment) in a case number or a rule id would route to no operation
    and answer Django's HTML 404: the document excludes them."""
    seen = 0
    for method, path, op in OPERATIONS:
        for parameter in op.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("type") == "string":
                seen += 1
                pattern = re.compile(parameter["schema"]["pattern"])
                for other_route in ("a/b", ".", "..", ""):
                    assert not pattern.search(other_route), (method, path, other_route)
                assert pattern.search("S1-2026-000001")
    assert seen >= 7


def test_a_case_number_of_another_shape_is_a_json_404(world):
    response = ApiClient(world.handler1).get("/cases/S9-1999-000001")
    assert response.status_code == 404
    assert response.json()["field"] is None


def test_the_document_names_the_installed_packs():
    rules = DOCUMENT["paths"]["/api/v1/rules"]["get"]["parameters"]
    assert next(p for p in rules if p["name"] == "pack")["schema"]["enum"] == ["", "cn", "gb_eng"]
    deadline = DOCUMENT["components"]["schemas"]["DeadlineIn"]["properties"]["pack"]
    assert deadline["enum"] == ["cn", "gb_eng", None]


CODE = Ref(OffenceCategory, "category", by="code", max_length=32)


def test_the_document_states_that_a_code_is_not_blank():
    category = _body_schema("/api/v1/cases")["properties"]["category"]
    assert category["pattern"] == CODE_PATTERN
    assert not re.search(CODE_PATTERN, "\xa0")


@given(st.from_regex(CODE_PATTERN, fullmatch=True).filter(lambda code: len(code) <= 32))
def test_a_code_the_pattern_admits_is_accepted(code):
    assert CODE.check(code, "category", "Category", True) == code


def _schemas(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_schemas(sub)]
    return found


def test_no_two_different_schemas_share_a_name():
    """The document keeps one component per name: a second schema of the same name silently
    replaced the first (the case limits' LimitOut took the place of property's, and every
    property answer was then checked against the wrong shape)."""
    from ninja import Schema

    by_name: dict[str, dict[str, object]] = {}
    clashes = []
    mine = [s for s in _schemas(Schema) if s.__module__.startswith("casetrail.")]
    assert len(mine) > 100
    for schema in mine:
        shape = schema.model_json_schema()
        seen = by_name.setdefault(schema.__name__, shape)
        if seen != shape:
            clashes.append(f"{schema.__module__}.{schema.__name__}")
    assert clashes == []
