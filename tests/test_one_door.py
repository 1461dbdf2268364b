"""One door behind two entrances: every action's input is refused the same way by the API and by
the page. For every field of every input, bad values (too long, control and bidi-override
characters, invisible-only text, unknown choices, ids out of range, times and dates out of
range) are refused at both doors, each naming that field; hypothesis adds arbitrary bad text.
The doors are then checked to be made from the inputs at all: every API body is an input's
schema, every page form an input's form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import casetrail.cases.inputs
import casetrail.custody.inputs
import casetrail.org.inputs
from casetrail import clock
from casetrail.cases.models import Case, OffenceCategory, Person
from casetrail.config.api import api
from casetrail.custody.models import Deadline, Measure
from casetrail.errors import Refused
from casetrail.org.models import Officer, Unit
from casetrail.web import inputs as one
from tests.custody.conftest import build_scene, direct_measure

MODULES = (casetrail.cases.inputs, casetrail.custody.inputs, casetrail.org.inputs)


def _inputs() -> list[type[one.Input]]:
    found = {
        value
        for module in MODULES
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, one.Input) and value is not one.Input
    }
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


INPUTS = _inputs()
EXAMPLES = {one.Text: "x"}
PATTERNED = {
    "recording_sha256": "ab" * 32,
    "hospital": "2:30",
    "prior_detention": "1:05",
    "code": "123456",
}


def _valid(spec: one.Spec, name: str, records: dict[type, Any]) -> Any:
    if isinstance(spec, one.Text):
        return PATTERNED.get(name, "x")
    if isinstance(spec, one.Choice):
        return spec.values[0]
    if isinstance(spec, one.Ref):
        return records[spec.model]
    if isinstance(spec, one.Refs):
        return (records[spec.model],)
    if isinstance(spec, one.When):
        return datetime(2020, 1, 1, 8, 30, tzinfo=UTC)
    if isinstance(spec, one.Day):
        return max(spec.low, date(2000, 1, 1))
    if isinstance(spec, one.Whole):
        return spec.low
    return isinstance(spec, one.Verdict)  # a yes/no answers yes, a tick box is left empty


def _bad(spec: one.Spec, required: bool) -> list[tuple[str, Any]]:
    """Values the field must refuse, each expressible at both doors."""
    if isinstance(spec, one.Text):
        limit = spec.max_length or 0
        bad = [
            ("too long", "y" * (limit + 1)),
            ("a NUL", "a\x00b"),
            ("a right-to-left override", "exe.\u202egpj"),
        ]
        if not spec.multiline:
            bad.append(("a line break in one-line text", "a\nb"))
        if required:
            bad.append(("only invisible characters", "\u200b\u200b"))
        if spec.pattern is not None:
            bad.append(("not the pattern", "zz"))
        return bad
    if isinstance(spec, one.Choice):
        return [("no such choice", "no-such-choice")]
    if isinstance(spec, one.Ref):
        if spec.by != "pk":
            return [("no such code", "Z" * (spec.max_length + 1))]
        return [("id 0", 0), ("an id past 64 bits", one.MAX_ID + 1)]
    if isinstance(spec, one.Refs):
        return [("id 0", (0,)), ("an id past 64 bits", (2**70,))]
    if isinstance(spec, one.When):
        return [
            ("year 1", datetime(1, 1, 1, tzinfo=UTC)),
            ("year 9999", datetime(9999, 12, 31, tzinfo=UTC)),
        ]
    if isinstance(spec, one.Day):
        return [("year 1", date(1, 1, 1)), ("year 9999", date(9999, 12, 31))]
    if isinstance(spec, one.Whole):
        return [("below", spec.low - 1), ("above", spec.high + 1)]
    return []  # a yes/no has no bad value both doors can express


CASES = [
    pytest.param(cls, field.name, value, id=f"{cls.__name__}.{field.name}: {what}")
    for cls in INPUTS
    for field in one.fields_of(cls)
    for what, value in _bad(field.spec, field.required)
]


@pytest.fixture(scope="module")
def kept_records(module_db: None) -> tuple[dict[type, Any], datetime]:
    """One record of every kind an input names, for the valid rest of each input: made once
    for the module (tests/conftest.py `module_db`), with the instant the making ended."""
    with time_machine.travel(datetime(2025, 12, 1, 9, tzinfo=UTC), tick=False) as traveller:
        scene = build_scene(traveller)
        case = scene.world.case()
        person = scene.suspect(case)
        measure = direct_measure(scene, case, person, "criminal_detention", clock.now())
        made = {
            Unit: scene.world.station.pk,
            Officer: scene.world.handler1.pk,
            OffenceCategory: "CR-THEFT",
            Case: case.pk,
            Person: person.pk,
            Measure: measure.pk,
            Deadline: measure.deadlines.first().pk,
        }
        return made, clock.now()


@pytest.fixture
def records(kept_records: tuple[dict[type, Any], datetime], db: None, frozen_clock: Any) -> Any:
    made, instant = kept_records
    frozen_clock.move_to(instant)
    return made


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _api_door(cls: type[one.Input], data: dict[str, Any]) -> str | None:
    """The field the API names in refusing ``data`` (its schema, then the input), or None."""
    schema = one.schema_of(cls)
    try:
        validated = schema.model_validate({k: _json(v) for k, v in data.items()})
    except ValidationError as exc:
        return str(exc.errors()[0]["loc"][0])
    try:
        cls(**validated.model_dump())
    except Refused as exc:
        return exc.field
    return None


def _form_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return str(value)


def _page_door(cls: type[one.Input], data: dict[str, Any]) -> set[str]:
    """The fields the page's form names in refusing ``data``."""
    form_class = one.form_of(cls)
    choices = {
        f.name: f.spec.model._default_manager.all()
        for f in one.fields_of(cls)
        if isinstance(f.spec, one.Ref | one.Refs)
    }
    posted: dict[str, Any] = {}
    for name, value in data.items():
        spec = next(f.spec for f in one.fields_of(cls) if f.name == name)
        if isinstance(spec, one.Flag):
            if value:
                posted[name] = "on"
        elif value is not None:
            posted[name] = _form_value(value)
    form = form_class(data=posted, choices=choices)
    with timezone.override(UTC):
        made = form.to_input()
    return set() if made is not None else set(form.errors)


def _valid_data(cls: type[one.Input], records: dict[type, Any]) -> dict[str, Any]:
    return {f.name: _valid(f.spec, f.name, records) for f in one.fields_of(cls) if f.required}


@pytest.mark.parametrize("cls", INPUTS, ids=lambda cls: cls.__name__)
def test_the_valid_input_passes_both_doors(records, cls):
    """The baseline the bad values are set against: without them, both doors accept."""
    data = _valid_data(cls, records)
    assert _api_door(cls, data) is None
    assert _page_door(cls, data) == set()


@pytest.mark.parametrize(("cls", "name", "value"), CASES)
def test_both_doors_refuse_a_bad_value_naming_its_field(records, cls, name, value):
    data = _valid_data(cls, records) | {name: value}
    assert _api_door(cls, data) == name
    assert _page_door(cls, data) == {name}


TEXT_FIELDS = [
    pytest.param(cls, field.name, id=f"{cls.__name__}.{field.name}")
    for cls in INPUTS
    for field in one.fields_of(cls)
    if isinstance(field.spec, one.Text)
]
FORBIDDEN = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\u202a", "\u202e", "\u2066"])


@st.composite
def _bad_text(draw: st.DrawFn, limit: int) -> str:
    """Text with a forbidden character somewhere in it, or one character too many."""
    body = draw(st.text(max_size=20))
    if draw(st.booleans()):
        at = draw(st.integers(min_value=0, max_value=len(body)))
        return body[:at] + draw(FORBIDDEN) + body[at:]
    return (body + "z" * limit)[: limit + 1].ljust(limit + 1, "z")


@pytest.mark.parametrize(("cls", "name"), TEXT_FIELDS)
@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_bad_text_is_refused_at_both_doors_naming_the_field(records, cls, name, data):
    spec = next(f.spec for f in one.fields_of(cls) if f.name == name)
    assert isinstance(spec, one.Text)
    value = data.draw(_bad_text(spec.max_length or 0))
    posted = _valid_data(cls, records) | {name: value}
    assert _api_door(cls, posted) == name
    assert _page_door(cls, posted) == {name}


# -- the doors are made from the inputs ------------------------------------------------------

# POST operations that take no body (the path says it all).
NO_BODY = {
    "/api/v1/custody/inbox/{item_id}/acknowledge",
    "/api/v1/tokens/{token_id}/revoke",
    "/api/v1/documents/{document_id}/submit",
}


# POST operations that take no body (the path says it all), and one that writes nothing: the
# rules API computes a deadline from a rule's own parameters, which the engine checks by name.
NO_INPUT = {
    "/custody/inbox/{item_id}/acknowledge",
    "/tokens/{token_id}/revoke",
    "/rules/{rule_id}/deadline",
    "/documents/{document_id}/submit",
    "/property/transfers/{transfer_id}/withdraw",
    # Multipart: the file is not JSON; its FileInput is built from the form field beside it.
    "/property/items/{item_id}/files",
    # Multipart too, and the file is all it takes.
    "/supervision/findings/{finding_id}/files",
}


def _posts(router: Any, found: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    for path, path_view in router.path_operations.items():
        found += [(path, op.view_func) for op in path_view.operations if "POST" in op.methods]
    for _prefix, child, *_rest in router._routers:
        _posts(child, found)
    return found


def test_every_api_write_takes_an_actions_input():
    writes: list[tuple[str, Any]] = []
    for _prefix, router in api._routers:
        _posts(router, writes)
    assert len(writes) > 30
    missing = [
        path
        for path, func in writes
        if getattr(func, "input_class", None) is None and path not in NO_INPUT
    ]
    assert missing == []


def test_every_page_form_is_an_inputs_form():
    import casetrail.cases.forms
    import casetrail.custody.forms
    import casetrail.documents.forms
    import casetrail.org.forms
    import casetrail.property.forms
    import casetrail.supervision.forms

    modules = (
        casetrail.cases.forms,
        casetrail.custody.forms,
        casetrail.documents.forms,
        casetrail.org.forms,
        casetrail.property.forms,
        casetrail.supervision.forms,
    )
    forms_found = [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__name__.endswith("Form")
        # The public check of a document is a look, not an action: it has no input.
        and value is not casetrail.documents.forms.VerifyForm
        # A file beside a finding is all the attachment takes: the action reads the upload.
        and value is not casetrail.supervision.forms.AttachForm
    ]
    assert len(forms_found) > 25
    assert [f for f in forms_found if not issubclass(f, one.InputForm)] == []


def test_a_schema_declares_the_limits_the_input_holds():
    """The OpenAPI says what the input enforces: length, choices, id range."""
    schema = one.schema_of(casetrail.custody.inputs.InterviewInput).model_json_schema()
    props = schema["properties"]
    assert props["room"]["maxLength"] == 40  # Interview.room
    assert props["kind"]["enum"] == ["interrogation", "inquiry"]  # InterviewKind
    assert props["officer_ids"]["items"]["maximum"] == one.MAX_ID
    # Anchored: JSON Schema searches, the input matches the whole text.
    assert props["recording_sha256"]["pattern"] == "^(?:[0-9a-fA-F]{64})$"
    assert set(schema["required"]) >= {"kind", "room", "started_at", "officer_ids"}
