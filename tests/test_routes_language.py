"""Every page, and every refusal of every route, said in the language the officer reads.

Over the route walker's site (tests/routes.py), each API operation is refused as an officer
meets refusals: not logged in, by an officer with no grant and by one of another unit, and,
for a write, with a body whose every value is of the wrong kind and with an empty body. Each
page's form is sent empty. Asked for Chinese (the cookie, or Accept-Language at the API), every
refusal must contain Chinese; asked for English, none may. A message made without gettext, or
one the catalogue lacks, comes out in English under a Chinese request and fails here, naming
the route and the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.routes import (
    PUBLIC,
    SELF,
    SELF_WRITE,
    UPLOAD,
    Call,
    Kept,
    api_calls,
    api_routes,
    page_calls,
    page_routes,
)

API = sorted(api_routes())
PAGES = sorted(page_routes())
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Beside a field (web/field.html), over a form (web/form_errors.html), or over the page.
ERRORS = re.compile(
    r'<ul class="errors[^"]*"[^>]*>(.*?)</ul>|<p class="[^"]*"\s+role="alert"[^>]*>(.*?)</p>', re.S
)

# The approvers and supervisors enrolled for their second factor (tests/conftest.py `kept`).
ENROLLED = True


@pytest.fixture
def site(kept: Kept, db: None, frozen_clock: Any) -> Any:
    return kept.at(frozen_clock)


def _api(client: ApiClient, method: str, path: str, body: Any, language: str) -> Any:
    headers = {**client.headers, "Accept-Language": language}
    if method == "GET":
        return client.client.get(f"/api/v1{path}", headers=headers)
    return client.client.post(
        f"/api/v1{path}", body, content_type="application/json", headers=headers
    )


def _said(response: Any, language: str, where: str) -> str | None:
    """What is wrong with a refusal that should be in ``language``, or None."""
    if not 400 <= response.status_code < 500:
        return f"{where}: answered {response.status_code}, not a refusal"
    return _in(response.json()["detail"], language, where)


def _in(text: str, language: str, where: str) -> str | None:
    if language == "zh-hans" and not CHINESE.search(text):
        return f"{where}: not in Chinese: {text!r}"
    if language == "en" and CHINESE.search(text):
        return f"{where}: Chinese in English: {text!r}"
    return None


def _wrong_kinds(body: dict[str, Any]) -> dict[str, Any]:
    """Every value of the body replaced by one of another kind than it has."""
    return {key: ({"x": 1} if isinstance(value, list) else [value]) for key, value in body.items()}


@contextmanager
def _undone() -> Iterator[None]:
    """What a route wrote (a write whose fields are all optional may just work), rolled back
    before the next route is tried."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _api_refusals(site: Any, route: tuple[str, str], language: str) -> list[str | None]:
    method, template = route
    call: Call = api_calls(site)[route]
    w = site.s.world
    path = call.path.replace("{own_token}", "999999")
    body = call.body if isinstance(call.body, dict) else {}
    where = f"{method} {template}"
    found = [_said(_api(ApiClient(None), method, path, body, language), language, where)]
    if call.kind not in (SELF, SELF_WRITE):
        for who, stranger in (("no grant", w.nobody), ("another unit", w.outsider)):
            response = _api(ApiClient(stranger), method, path, body, language)
            found.append(_said(response, language, f"{where}, {who}"))
    if method == "POST" and call.body != UPLOAD and body:
        granted = ApiClient(call.granted)
        wrong = _api(granted, method, path, _wrong_kinds(body), language)
        found.append(_said(wrong, language, f"{where}, wrong kinds"))
        empty = _api(granted, method, path, {}, language)
        if empty.status_code >= 400:
            found.append(_said(empty, language, f"{where}, empty body"))
    return found


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_api_refusal_is_said_in_the_language_asked_for(site, language):
    """Each operation but the public reads (the ledger's head and keys: nothing to refuse),
    refused not logged in, by an officer with no grant and by one of another unit, and, for a
    write, with values of the wrong kind and with an empty body."""
    calls = api_calls(site)
    refused = [route for route in API if calls[route].kind != PUBLIC]
    problems = []
    for route in refused:
        with _undone():
            problems += _api_refusals(site, route, language)
    assert len(refused) > 100  # the walker's operations, not a filter gone wrong
    assert [p for p in problems if p] == []


def _form_errors(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", " ", "".join(found)).strip() for found in ERRORS.findall(page)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_form_refusal_is_said_in_the_officer_language(site, language):
    """Each page's form sent with every field left empty, as a browser sends it: each error
    beside a field in the officer's language. A form with nothing to fill in (a button) does
    what it does; the token and second-factor forms answer their errors with the page (200)."""
    calls = page_calls(site)
    forms = [
        (pattern, call)
        for (method, pattern), call in sorted(calls.items())
        if method == "POST" and call.body != UPLOAD and call.kind != PUBLIC
    ]
    problems, refused = [], 0
    for pattern, call in forms:
        with _undone():
            client: Client = login(call.granted, language)
            response = client.post(call.path, {name: "" for name in call.body or {"_": ""}})
        errors = _form_errors(response.content.decode())
        if response.status_code == 400:
            refused += 1
            problems += [] if errors else [f"{pattern}: a 400 with no error beside any field"]
        elif response.status_code not in (200, 302, 403, 404):
            problems.append(f"{pattern}: answered {response.status_code}")
        problems += [_in(error, language, pattern) for error in errors]
    assert refused > 20  # most forms refuse empty fields
    assert [p for p in problems if p] == []


# Two English words running: a sentence or a title left in English (a rule id, a file name, a
# code, "SHA-256" or "CSV" alone are not).
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,})+\b")


class _Text(HTMLParser):
    """The text an officer reads in a page's main part: its words and the texts of its
    placeholders, labels for screen readers and confirmations (a tooltip may keep the pack's
    English citation beside the Chinese one)."""

    def __init__(self) -> None:
        super().__init__()
        self.skipping = self.main = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skipping += tag in ("script", "style")
        self.main += tag == "main"
        if self.main:
            shown = ("placeholder", "aria-label", "data-confirm")
            self.texts += [value for name, value in attrs if name in shown and value]

    def handle_endtag(self, tag: str) -> None:
        self.skipping -= tag in ("script", "style")
        self.main -= tag == "main"

    def handle_data(self, data: str) -> None:
        if self.main and not self.skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def test_every_page_reads_in_chinese_for_a_chinese_officer(site):
    """Every page the walker reads (a public one as anyone does): no English sentence."""
    calls = page_calls(site)
    problems, read = [], 0
    for (method, pattern), call in sorted(calls.items()):
        if method != "GET":
            continue
        client = Client() if call.kind == PUBLIC else login(call.granted, "zh-hans")
        client.cookies["django_language"] = "zh-hans"
        response = client.get(call.path)
        if response.streaming or not response["Content-Type"].startswith("text/html"):
            continue  # a PDF, a download
        read += 1
        reader = _Text()
        reader.feed(response.content.decode())
        english = [t for t in reader.texts if not CHINESE.search(t) and ENGLISH.search(t)]
        problems += [f"{pattern}: {t!r}" for t in english]
    assert read > 30  # the walker's HTML pages, 38 when this was written
    assert problems == []
