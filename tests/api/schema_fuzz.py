"""Schemathesis against the API in-process: the harness tests/api/test_schema_fuzz.py runs.

The OpenAPI document casetrail serves is the contract. For every operation, schemathesis
generates requests from it (schema-valid ones, and schema-invalid ones), sends them through
Django's own WSGI handler inside the test's transaction, authenticated with an officer's real
API token, and each response is held to the document:

- ``server_error``: no 5xx, whatever was sent;
- ``undeclared_status``: every status the API answers is declared on the operation;
- ``undeclared_body``: the body of a declared status matches its declared schema;
- ``valid_refused``: a request the schema calls valid is never refused as malformed: no 422
  (ninja's validation disagreeing with the document it published), and no 400 from the
  operation's input (the input refusing what its schema allows). A 400 from the action (a
  rule about the world: the case is not in a state that allows the move, the unit is not the
  caller's) is the API's documented answer and is counted apart, in ``refused_by_action``.

Every run is derandomised (hypothesis's ``derandomize``, no example database) and the clock
is the suite's frozen one, so the same code gives the same tally.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pydantic
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure

from casetrail.config.api import api
from casetrail.errors import Refused
from casetrail.web.inputs import schema_of

POSITIVE = (GenerationMode.POSITIVE,)
BOTH = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
FINDINGS = ("server_error", "undeclared_status", "undeclared_body", "valid_refused")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextmanager
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, serving inside the test's transaction: like Django's test client,
    it must not close the connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def openapi() -> Any:
    return schemathesis.openapi.from_dict(api.get_openapi_schema())


def _views() -> dict[tuple[str, str], Any]:
    """Each operation's view function, by (METHOD, path as the document spells it)."""
    found: dict[tuple[str, str], Any] = {}
    for router_prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = re.sub(r"\{(?:\w+:)?(\w+)\}", r"{\1}", f"/api/v1/{router_prefix}{path}")
                full = re.sub("/+", "/", full)
                for method in operation.methods:
                    found[(method.upper(), full)] = operation.view_func
    return found


@dataclass
class Tally:
    """What the run found, by kind of finding and by operation."""

    findings: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)
    refused_by_action: Counter[str] = field(default_factory=Counter)
    requests: int = 0

    def add(self, kind: str, label: str, detail: str) -> None:
        self.findings[(kind, label)] += 1
        self.examples.setdefault((kind, label), detail[:600])

    def count(self, kind: str) -> int:
        return sum(n for (k, _), n in self.findings.items() if k == kind)

    def summary(self) -> dict[str, int]:
        return {k: self.count(k) for k in FINDINGS} | {
            "refused_by_action": sum(self.refused_by_action.values()),
            "requests": self.requests,
        }

    def report(self) -> str:
        lines = [str(self.summary())]
        for (kind, label), n in sorted(self.findings.items()):
            lines.append(f"{kind:18} {n:4}  {label}: {self.examples[(kind, label)]}")
        return "\n".join(lines)


def _kind_of(failure: Failure) -> str:
    name = type(failure).__name__
    if name == "ServerError":
        return "server_error"
    if name == "UndefinedStatusCode":
        return "undeclared_status"
    return "undeclared_body"


def _input_refuses(view: Any, case: Any) -> Refused | None:
    """The refusal the operation's input gives for what the case sent, if any: read through
    the operation's schema and then made into the input, as `web.inputs.body` does."""
    input_class = getattr(view, "input_class", None)
    if input_class is None:
        return None
    fields = {f.name for f in dataclasses.fields(input_class)}
    from_path = {k: v for k, v in (case.path_parameters or {}).items() if k in fields}
    sent = case.body if isinstance(case.body, dict) else dict(case.query or {})
    try:
        payload = schema_of(input_class, exclude=from_path).model_validate(sent)
    except pydantic.ValidationError:
        return None  # not schema-valid after all: ninja answers 422, not the input
    try:
        input_class(**payload.model_dump(), **from_path)
    except Refused as exc:
        return exc
    return None


def _probe(
    app: WSGIHandler, headers: dict[str, str], tally: Tally, mode: GenerationMode, view: Any
) -> Any:
    def probe(case: Any) -> None:
        tally.requests += 1
        response = case.call(app=app, headers=headers)
        label = f"{case.method} {case.operation.path} [{mode.value}]"
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseException as exc:
            for failure in getattr(exc, "exceptions", [exc]):
                if not isinstance(failure, Failure):
                    raise
                detail = f"{response.status_code} {response.content.decode(errors='replace')}"
                tally.add(_kind_of(failure), label, f"{failure.title}: {detail}")
        if mode is not GenerationMode.POSITIVE:
            return
        status = response.status_code
        text = response.content.decode(errors="replace")
        if status == 422:
            tally.add("valid_refused", label, f"422 {text} <- {case.body!r} {case.query!r}")
        elif status == 400:
            refusal = _input_refuses(view, case)
            if refusal is not None:
                sent = f"{case.body!r} {case.query!r}"
                tally.add("valid_refused", label, f"400 {refusal} <- {sent}")
            else:
                tally.refused_by_action[label] += 1

    return probe


def run(
    app: WSGIHandler,
    token: str,
    tally: Tally,
    *,
    examples: int,
    modes: tuple[GenerationMode, ...] = BOTH,
    path_values: dict[tuple[str, str], dict[str, Any]] | None = None,
    only: set[tuple[str, str]] | None = None,
) -> Tally:
    """Fuzz every operation (or those in ``only``) as the bearer of ``token``; with
    ``path_values``, an operation's path parameters are those given (a real record) rather
    than generated ones."""
    schema = openapi()
    views = _views()
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Revoking tokens last: a generated id may be the caller's own token.
    operations.sort(key=lambda op: op.path.endswith("/revoke"))
    for operation in operations:
        key = (operation.method.upper(), operation.path)
        if only is not None and key not in only:
            continue
        view = views[key]
        fixed = (path_values or {}).get(key)
        for mode in modes:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            probe = given(case=strategy)(_probe(app, headers, tally, mode, view))
            try:
                settings(
                    max_examples=examples,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )(probe)()
            except Unsatisfiable:
                continue  # nothing to negate in an operation that takes no input
    return tally
