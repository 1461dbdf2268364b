"""Signing documents: each approval its own incremental PAdES signature, checked from the file."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from casetrail import clock
from casetrail.config.settings.env import Env
from casetrail.documents import sealing
from casetrail.documents.pdf import render_pdf
from casetrail.documents.sealing import (
    AgencyKeys,
    NoAgencyKeys,
    NotAPdf,
    PadesSealer,
    Sealer,
    configured_paths,
    ensure_demo_ca,
    ensure_demo_keys,
)
from tests.conftest import NOW

from .test_pdf import NUMBER, PARTY, document_html, pdftotext

APPROVALS = (
    ("drafted", "王五", "拟稿"),
    ("reviewed", "李四", "法制审核"),
    ("approved", "赵六", "负责人批准"),
)


@pytest.fixture(scope="session")
def agency() -> AgencyKeys:
    """The agency keys at the configured paths (a temporary folder under the test
    settings), made once per session at the instant the suite is frozen at."""
    return ensure_demo_keys(*configured_paths(), now=NOW)


@pytest.fixture(scope="session")
def unsigned() -> bytes:
    return render_pdf(document_html(paragraphs=8))


@pytest.fixture
def sealer(agency) -> PadesSealer:
    return PadesSealer(agency)


def approve_all(sealer: Sealer, pdf: bytes) -> list[bytes]:
    """The PDF after each approval, in order."""
    versions = []
    for field, signer, reason in APPROVALS:
        pdf = sealer.seal(pdf, field=field, signer=signer, reason=reason, location="江东市")
        versions.append(pdf)
    return versions


def first_signed_range(pdf: bytes) -> tuple[int, int]:
    """The first signature's /ByteRange: [0, a) is signed, then its /Contents, then more."""
    match = re.search(rb"/ByteRange \[0 (\d+) (\d+) (\d+)\]", pdf)
    assert match is not None
    return 0, int(match[1])


def flip_byte_in_stream(pdf: bytes, *, before: int) -> bytes:
    """``pdf`` with one byte changed inside the first compressed stream before offset
    ``before``: the file still parses, only the signed digest no longer matches."""
    at = pdf.index(b"stream\n") + len(b"stream\n") + 5
    assert at < before
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def test_three_approvals_make_three_signatures_that_all_verify(sealer, unsigned):
    versions = approve_all(sealer, unsigned)
    checks = sealer.check(versions[-1])
    assert [(c.field, c.signer, c.reason, c.location) for c in checks] == [
        (field, signer, reason, "江东市") for field, signer, reason in APPROVALS
    ]
    assert all(c.valid and c.intact and c.trusted and not c.problems for c in checks)
    assert [c.covers_whole_file for c in checks] == [False, False, True]
    assert all(c.only_signatures_after for c in checks)
    assert all(c.signed_at == NOW for c in checks)
    assert all("casetrail demo agency" in c.certificate for c in checks)


def test_each_signature_is_appended_and_leaves_the_bytes_before_it_alone(sealer, unsigned):
    versions = approve_all(sealer, unsigned)
    for before, after in zip([unsigned, *versions], versions, strict=False):
        assert after.startswith(before)
        assert len(after) > len(before)
    assert [len(sealer.check(v)) for v in versions] == [1, 2, 3]


def test_the_signed_document_still_reads_as_text(sealer, unsigned, tmp_path):
    text = pdftotext(approve_all(sealer, unsigned)[-1], tmp_path)
    assert PARTY in text
    assert NUMBER in text


def test_a_changed_byte_inside_the_signed_range_breaks_every_signature_over_it(sealer, unsigned):
    signed = approve_all(sealer, unsigned)[-1]
    tampered = flip_byte_in_stream(signed, before=first_signed_range(signed)[1])
    checks = sealer.check(tampered)
    assert len(checks) == 3
    assert not any(c.intact or c.valid for c in checks)
    assert "the signed bytes were changed after signing" in checks[0].problems


def test_a_change_appended_after_a_signature_that_is_not_a_signature_invalidates_it(
    sealer, unsigned
):
    drafted = sealer.seal(unsigned, field="drafted", signer="王五", reason="拟稿")
    # Replace the first page's text in an incremental update, then sign again on top.
    writer = IncrementalPdfFileWriter(BytesIO(drafted))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    resigned = sealer.seal(out.getvalue(), field="approved", signer="赵六", reason="批准")
    first, last = sealer.check(resigned)
    assert first.intact  # its own bytes are untouched ...
    assert not first.only_signatures_after  # ... but what follows is more than a signature
    assert not first.valid
    assert last.valid
    assert last.covers_whole_file


def retitled(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    writer.set_info(
        generic.DictionaryObject(
            {generic.NameObject("/Title"): generic.TextStringObject("不予立案通知书")}
        )
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def with_empty_field(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec("to-sign-later"))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("change", [retitled, with_empty_field])
def test_a_revision_after_a_signature_counts_only_if_it_is_itself_a_signature(
    sealer, unsigned, change
):
    # pyHanko's difference analysis lets these pass as form filling or less; a document's
    # approvals allow nothing between them but the next approval.
    drafted = sealer.seal(unsigned, field="drafted", signer="王五", reason="拟稿")
    approved = sealer.seal(change(drafted), field="approved", signer="赵六", reason="批准")
    first, last = sealer.check(approved)
    assert first.intact
    assert first.trusted
    assert not first.only_signatures_after
    assert not first.valid
    assert last.valid


def test_a_document_signed_under_another_ca_is_intact_but_not_trusted(sealer, unsigned, tmp_path):
    stranger = PadesSealer(ensure_demo_ca(tmp_path, now=NOW, agency="某冒名机关"))
    (check,) = sealer.check(stranger.seal(unsigned, field="x", signer="x", reason="x"))
    assert check.intact
    assert not check.trusted
    assert not check.valid
    assert any("agency CA" in p for p in check.problems)
    # The stranger's own CA does trust it: trust is the only difference.
    assert stranger.check(stranger.seal(unsigned, field="x", signer="x", reason="x"))[0].valid


def test_the_signing_time_is_casetrails_clock_not_the_machines(sealer, unsigned):
    replayed = NOW - timedelta(days=400, hours=5)
    with clock.backdated(replayed):
        signed = sealer.seal(unsigned, field="drafted", signer="王五", reason="拟稿")
    (check,) = sealer.check(signed)
    assert check.signed_at == replayed
    assert check.valid  # the demo certificate reaches years into the past


def test_a_check_after_the_certificate_expired_does_not_trust_it(sealer, unsigned, agency):
    signed = sealer.seal(unsigned, field="drafted", signer="王五", reason="拟稿")
    expired = agency.cert.not_valid_after_utc + timedelta(days=1)
    assert sealer.check(signed, at=expired - timedelta(days=2))[0].trusted
    (late,) = sealer.check(signed, at=expired)
    assert late.intact
    assert not late.trusted


def test_a_field_name_is_signed_once(sealer, unsigned):
    drafted = sealer.seal(unsigned, field="drafted", signer="王五", reason="拟稿")
    with pytest.raises(ValueError, match="drafted"):
        sealer.seal(drafted, field="drafted", signer="李四", reason="again")


def test_an_unsigned_pdf_has_no_signatures_and_other_bytes_are_no_pdf(sealer, unsigned):
    assert sealer.check(unsigned) == []
    with pytest.raises(NotAPdf):
        sealer.check(b"%PDF-1.7\nnot really")
    with pytest.raises(NotAPdf):
        sealer.check("张三丰".encode())


def test_a_standard_validator_finds_the_signatures_valid_and_a_changed_byte_broken(
    sealer, unsigned, tmp_path
):
    pdfsig = shutil.which("pdfsig")
    if pdfsig is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    signed = approve_all(sealer, unsigned)[-1]
    tampered = flip_byte_in_stream(signed, before=first_signed_range(signed)[1])
    reports = {}
    for name, pdf in (("signed", signed), ("tampered", tampered)):
        (tmp_path / name).write_bytes(pdf)
        # -nocert: poppler's trust store is NSS's, not our CA; pyHanko checks trust above.
        run = subprocess.run(  # noqa: S603
            [pdfsig, "-nocert", str(tmp_path / name)], capture_output=True, check=False
        )
        reports[name] = run.stdout.decode("utf-8")
    assert reports["signed"].count("Signature is Valid.") == 3
    assert "Total document signed" in reports["signed"]
    assert "Signature is Valid." not in reports["tampered"]


def test_the_demo_ca_is_written_private_once_and_loaded_after(tmp_path):
    made = ensure_demo_ca(tmp_path / "keys", now=NOW)
    files = sorted((tmp_path / "keys").iterdir())
    assert [f.name for f in files] == sorted([sealing.KEY_FILE, sealing.CERT_FILE, sealing.CA_FILE])
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    again = ensure_demo_ca(tmp_path / "keys", now=NOW + timedelta(days=30))
    assert again.cert == made.cert
    assert again.roots == made.roots


def test_the_demo_certificates_sign_documents_and_only_that(agency):
    (root,) = agency.roots
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = agency.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment  # nonRepudiation
    assert not usage.key_cert_sign
    assert agency.cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert agency.cert.issuer == root.subject
    # Valid well either side of the instant it was made (the suite's frozen instants).
    assert agency.cert.not_valid_before_utc <= NOW - timedelta(days=3650)
    assert agency.cert.not_valid_after_utc >= NOW + timedelta(days=3650)


def test_a_partial_set_of_key_files_is_never_completed_or_overwritten(tmp_path):
    (tmp_path / sealing.KEY_FILE).write_bytes(b"a real key, perhaps")
    with pytest.raises(NoAgencyKeys, match="only some"):
        ensure_demo_ca(tmp_path, now=NOW)
    assert (tmp_path / sealing.KEY_FILE).read_bytes() == b"a real key, perhaps"
    assert not (tmp_path / sealing.CERT_FILE).exists()


def test_loading_refuses_a_key_that_is_not_the_certificates(tmp_path):
    ensure_demo_ca(tmp_path / "a", now=NOW)
    ensure_demo_ca(tmp_path / "b", now=NOW)
    with pytest.raises(NoAgencyKeys, match="not the key of the certificate"):
        AgencyKeys.load(
            tmp_path / "a" / sealing.KEY_FILE,
            tmp_path / "b" / sealing.CERT_FILE,
            tmp_path / "b" / sealing.CA_FILE,
        )
    with pytest.raises(NoAgencyKeys, match="cannot read"):
        AgencyKeys.load(tmp_path / "none.pem", tmp_path / "none.pem", tmp_path / "none.pem")


def test_the_settings_point_at_the_files_the_demo_ca_writes(monkeypatch, tmp_path):
    for name in ("KEY", "CERT", "CA"):
        monkeypatch.delenv(f"CASETRAIL_DOCUMENT_SIGNING_{name}", raising=False)
    monkeypatch.setenv("CASETRAIL_DATA_DIR", str(tmp_path))
    env = Env.read()
    assert env.document_signing_key == tmp_path.resolve() / "keys" / sealing.KEY_FILE
    assert env.document_signing_cert == tmp_path.resolve() / "keys" / sealing.CERT_FILE
    assert env.document_signing_ca == tmp_path.resolve() / "keys" / sealing.CA_FILE
    monkeypatch.setenv("CASETRAIL_DOCUMENT_SIGNING_CERT", "/etc/casetrail/agency-chain.pem")
    assert Env.read().document_signing_cert == Path("/etc/casetrail/agency-chain.pem")


def test_the_configured_sealer_uses_the_configured_keys(agency, settings, unsigned):
    signed = sealing.agency_sealer().seal(unsigned, field="d", signer="王五", reason="拟稿")
    assert PadesSealer(agency).check(signed)[0].valid
    settings.CASETRAIL_DOCUMENT_SIGNING_KEY = Path("/nonexistent/key.pem")
    with pytest.raises(NoAgencyKeys):
        sealing.agency_sealer()
