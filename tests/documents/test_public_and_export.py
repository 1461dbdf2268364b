"""Anyone verifies a document without trusting the operator: the public page (no login, rate
limited) recognises the issued file byte for byte or by the number and hash of its QR code, and
a case export carries every issued document, the whole file as one PDF with bookmarks, and a
verifier that holds each document against the hash its issue entry recorded."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from pypdf import PdfReader

from casetrail.cases import export
from casetrail.ledger import heads, verify
from tests.documents.conftest import Docs

REGISTER = "立案决定书"


@pytest.fixture
def signing_key(settings, tmp_path, db):
    settings.CASETRAIL_LEDGER_KEY_FILE = tmp_path / "keys" / "ledger.pem"
    return heads.generate_key(settings.CASETRAIL_LEDGER_KEY_FILE)


def pdf_of(doc) -> bytes:
    doc.refresh_from_db()
    with doc.pdf.open("rb") as handle:
        return handle.read()


def test_the_issued_file_is_recognised_and_a_changed_byte_is_not(docs: Docs, signing_key):
    doc = docs.issued(REGISTER)
    heads.sign_head(heads.load_key())
    data = pdf_of(doc)
    client = Client()
    page = client.post("/verify/", {"pdf": io.BytesIO(data)}, format="multipart")
    assert page.status_code == 200
    text = page.content.decode()
    assert doc.number in text
    assert "byte for byte" in text
    assert docs.world.district.name in text
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    page = client.post("/verify/", {"pdf": io.BytesIO(bytes(changed))})
    assert page.status_code == 404
    assert doc.number not in page.content.decode()


def verdict_of(page) -> str:
    text = page.content.decode()
    return text[text.index('id="verdict"') :]


def test_the_qr_codes_number_and_hash_open_the_verdict(docs: Docs):
    doc = docs.issued(REGISTER)
    page = Client().get("/verify/", {"n": doc.number, "h": doc.content_sha256})
    assert page.status_code == 200
    assert doc.number in page.content.decode()
    wrong = Client().get("/verify/", {"n": doc.number, "h": "0" * 64})
    unknown = Client().get("/verify/", {"n": "江公(东)立字〔1999〕1号", "h": doc.content_sha256})
    assert wrong.status_code == unknown.status_code == 404
    # A wrong number and a wrong hash read the same: nothing tells which part was wrong.
    assert verdict_of(wrong) == verdict_of(unknown)


def test_a_draft_is_never_verified_as_issued(docs: Docs):
    doc = docs.submitted(REGISTER)
    assert Client().get("/verify/", {"n": doc.number, "h": doc.content_sha256}).status_code == 404


def test_the_public_check_is_rate_limited_per_address(docs: Docs, settings):
    settings.CASETRAIL_VERIFY_LIMIT = 5
    client = Client(REMOTE_ADDR="203.0.113.7")
    codes = [client.get("/verify/", {"h": "1" * 64}).status_code for _ in range(7)]
    assert codes == [404] * 5 + [429, 429]
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.get("/verify/", {"h": "1" * 64}).status_code == 404


def flat(outline) -> list:
    """pypdf's outline, nested lists of items, as one list."""
    return [leaf for item in outline for leaf in (flat(item) if isinstance(item, list) else [item])]


def test_the_export_carries_each_issued_document_and_the_whole_file_with_bookmarks(
    docs: Docs, signing_key, tmp_path
):
    first = docs.issued(REGISTER)
    second = docs.issued(REGISTER)
    done = export.export_case(docs.case.number, tmp_path / "c.zip", actor=docs.world.supervisor)
    report = verify.verify_bundle(done.path, trusted_key_ids=[signing_key.key_id])
    assert report.intact, [str(c.problems) for c in report.checks]
    assert "2 of 2 issued documents" in report.check("documents").summary
    with zipfile.ZipFile(done.path) as bundle:
        names = bundle.namelist()
        casefile = PdfReader(io.BytesIO(bundle.read("casefile.pdf")))
    assert sum(n.startswith("documents/") and n.endswith(".pdf") for n in names) == 2
    titles = [item.title for item in flat(casefile.outline)]
    assert titles[0] == docs.case.number
    assert any(first.number in t for t in titles)
    assert any(second.number in t for t in titles)


def test_the_verifier_refuses_a_document_changed_inside_the_bundle(
    docs: Docs, signing_key, tmp_path
):
    docs.issued(REGISTER)
    done = export.export_case(docs.case.number, tmp_path / "c.zip")
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(done.path) as src, zipfile.ZipFile(tampered, "x") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("documents/") and info.filename.endswith(".pdf"):
                data = data.replace(b"%%EOF", b"%%EOF ", 1)
            dst.writestr(info, data)
    report = verify.verify_bundle(tampered)
    assert not report.intact
    [problem] = report.check("documents").problems
    assert "was changed" in problem.message


def test_the_verifier_refuses_a_pdf_that_names_no_issue_entry(docs: Docs, signing_key, tmp_path):
    """A PDF slipped into the bundle under a seq that did not issue a document is refused."""
    docs.issued(REGISTER)
    done = export.export_case(docs.case.number, tmp_path / "c.zip")
    planted = tmp_path / "p.zip"
    with zipfile.ZipFile(done.path) as src, zipfile.ZipFile(planted, "x") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("documents/1.pdf", b"%PDF-1.7 planted")
    report = verify.verify_bundle(planted)
    assert not report.intact
    assert any(
        "names no document.issued entry" in p.message for p in report.check("documents").problems
    )


def test_a_case_file_member_cannot_take_the_bundles_own_names(tmp_path):
    with pytest.raises(ValueError, match="is the bundle's own member"):
        verify.write_bundle(
            tmp_path / "x.zip",
            None,  # never reached: the names are checked before anything is read
            [],
            [],
            {},
            case="C-1",
            files={"manifest.json": b"{}"},
        )
