"""Issue 16: what the responses tell the browser and the caches. An answer to an officer
carries personal data and is never stored (Cache-Control: no-store); every answer carries the
Content-Security-Policy (tests/e2e/test_csp.py checks it in a browser)."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

import casetrail
from tests.api.conftest import ApiClient
from tests.conftest import PASSWORD


def login(officer) -> Client:
    client = Client()
    assert client.login(username=officer.username, password=PASSWORD)
    return client


def test_every_answer_to_a_logged_in_officer_is_never_stored(world):
    incident = world.incident()
    client = login(world.intake)
    for path in ("/", "/incidents/", f"/incidents/{incident.pk}/", "/api/v1/incidents"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_every_api_answer_to_a_token_is_never_stored(world):
    incident = world.incident()
    client = ApiClient(world.intake)
    for path in ("/incidents", f"/incidents/{incident.pk}", "/cases"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    refused = client.get("/incidents/999999")
    assert refused.status_code == 404
    assert "no-store" in refused["Cache-Control"]


def test_the_public_ledger_head_may_be_cached(world):
    response = ApiClient(None).get("/ledger/keys")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_pages_and_the_api_carry_the_content_security_policy(world):
    for response in (Client().get("/login/"), ApiClient(world.intake).get("/cases")):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"  # an inline script
    r"|\son[a-z]+\s*="  # an event handler attribute
    r"|\sstyle\s*=|<style",  # an inline style
    re.IGNORECASE,
)


# Rendered to PDF by WeasyPrint, never served to a browser: their styles are the page layout.
PDF_ONLY = {
    "documents/templates/documents/pdf_base.html",
    "documents/templates/documents/casefile_contents.html",
    "property/templates/property/labels.html",
    "supervision/templates/supervision/scorecard_pdf.html",
}


def test_no_template_holds_an_inline_script_handler_or_style():
    """The policy refuses them; a template that adds one breaks in the browser, so say so here."""
    root = Path(casetrail.__file__).parent
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("templates/**/*.html")
        if str(path.relative_to(root)) not in PDF_ONLY
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
