"""Signing documents: one interface, a PAdES implementation behind it.

Documents call a `Sealer` and nothing else: ``seal`` adds one signature to a PDF and returns
the new file; ``check`` reports on every signature in a file. `PadesSealer` signs with
pyHanko under the agency's document-signing certificate (PAdES baseline B-B, SHA-256), each
time as an incremental update, so every approval of a document is its own signature and the
whole chain verifies from the file alone: each earlier signature still covers the bytes it
signed, and what follows it is only further signatures (pyHanko's difference analysis says
so), the last one covering the whole file. A Chinese electronic seal under GB/T 38540 (OFD,
SM2/SM3) would be a second implementation of the same protocol
(docs/decisions/0009-documents-pdf-and-signatures.md).

The agency's key, certificate and CA certificate are PEM files outside the database, at
``settings.CASETRAIL_DOCUMENT_SIGNING_KEY``, ``..._CERT`` and ``..._CA`` (docs/operations.md,
"Document signing keys"). For the demo and tests, `ensure_demo_ca` makes a self-made agency CA
and a signing certificate under it when the files are missing.

No real clock: the signing time written into each signature and the instant a check
validates at both come from `casetrail.clock`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from casetrail import clock

T = TypeVar("T")

# The file names `ensure_demo_ca` writes, and the settings' defaults under DATA_DIR/keys/.
KEY_FILE = "document-signing-key.pem"
CERT_FILE = "document-signing-cert.pem"
CA_FILE = "document-signing-ca.pem"

DEMO_AGENCY = "casetrail demo agency"
# The demo certificates reach this far either side of the instant they are made, so a
# document replayed into the past (the demo's history) or checked years later validates.
DEMO_CA_YEARS = 20
DEMO_LEAF_YEARS = 10
# id-kp-documentSigning (RFC 9336): the certificate is for signing documents.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


class NoAgencyKeys(RuntimeError):
    """The agency's key or certificates are missing or unusable; the message says which."""


class NotAPdf(ValueError):
    """`check` was given bytes that are not a readable PDF."""


@dataclass(frozen=True)
class SignatureCheck:
    """What a validator finds about one signature of a PDF, in file order."""

    field: str
    signer: str  # who approved (the signature's /Name), not the certificate's holder
    reason: str
    location: str
    signed_at: datetime | None  # as the signer reported it (no timestamp authority yet)
    certificate: str  # the signing certificate's subject, e.g. the agency's name
    intact: bool  # the signed bytes hash to the digest that was signed
    trusted: bool  # the certificate chains to the agency CA and was valid at the check
    covers_whole_file: bool
    only_signatures_after: bool  # anything appended after it is further signatures only
    valid: bool  # all of the above hold and the signature itself verifies
    problems: tuple[str, ...] = ()  # why it is not valid, in words


class Sealer(Protocol):
    """The one door to signing. ``seal`` returns ``pdf`` with one more signature, in a new
    signature field named ``field``; ``check`` reports on every signature, in order."""

    def seal(
        self, pdf: bytes, *, field: str, signer: str, reason: str, location: str = ""
    ) -> bytes: ...

    def check(self, pdf: bytes, *, at: datetime | None = None) -> list[SignatureCheck]: ...


@dataclass(frozen=True)
class AgencyKeys:
    """The agency's document-signing key, its certificate (with any intermediates after it,
    as the certificate file lists them) and the CA certificate(s) validators trust."""

    key: PrivateKeyTypes = field(repr=False)
    cert: x509.Certificate
    intermediates: tuple[x509.Certificate, ...]
    roots: tuple[x509.Certificate, ...]

    @classmethod
    def load(cls, key: Path, cert: Path, ca: Path) -> AgencyKeys:
        """Read the three PEM files; NoAgencyKeys says which one is missing or wrong."""
        try:
            key_data, cert_data, ca_data = key.read_bytes(), cert.read_bytes(), ca.read_bytes()
        except OSError as exc:
            raise NoAgencyKeys(
                f"cannot read the document signing files ({exc.filename}: {exc.strerror}); "
                "see docs/operations.md, 'Document signing keys'"
            ) from exc
        try:
            private = serialization.load_pem_private_key(key_data, password=None)
        except (ValueError, TypeError) as exc:
            raise NoAgencyKeys(f"{key} is not an unencrypted PEM private key: {exc}") from exc
        try:
            chain = x509.load_pem_x509_certificates(cert_data)
            roots = x509.load_pem_x509_certificates(ca_data)
        except ValueError as exc:
            raise NoAgencyKeys(f"{cert} or {ca} is not a PEM certificate file: {exc}") from exc
        if _spki(private.public_key()) != _spki(chain[0].public_key()):
            raise NoAgencyKeys(f"the key in {key} is not the key of the certificate in {cert}")
        return cls(private, chain[0], tuple(chain[1:]), tuple(roots))

    @classmethod
    def from_settings(cls) -> AgencyKeys:
        key, cert, ca = configured_paths()
        return cls.load(key, cert, ca)


def _outside_any_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """pyHanko's blocking calls run an event loop of their own (asyncio.run), which Python
    refuses inside a thread that already runs one (an ASGI worker's, a browser driver's): there,
    on a thread of their own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def configured_paths() -> tuple[Path, Path, Path]:
    """The key, certificate and CA paths from the settings (defaults under DATA_DIR/keys/)."""
    from django.conf import settings

    keys = Path(settings.DATA_DIR) / "keys"
    return (
        Path(getattr(settings, "CASETRAIL_DOCUMENT_SIGNING_KEY", None) or keys / KEY_FILE),
        Path(getattr(settings, "CASETRAIL_DOCUMENT_SIGNING_CERT", None) or keys / CERT_FILE),
        Path(getattr(settings, "CASETRAIL_DOCUMENT_SIGNING_CA", None) or keys / CA_FILE),
    )


def _spki(public_key: Any) -> bytes:
    der: bytes = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def ensure_demo_ca(
    directory: Path, *, now: datetime | None = None, agency: str = DEMO_AGENCY
) -> AgencyKeys:
    """The agency keys in ``directory`` (KEY_FILE, CERT_FILE, CA_FILE), made there first if
    none of the three exists: a self-made CA "<agency> CA" and a document-signing certificate
    under it. The CA's own key is not kept, so nothing more can be issued under it."""
    return ensure_demo_keys(
        directory / KEY_FILE, directory / CERT_FILE, directory / CA_FILE, now=now, agency=agency
    )


def ensure_demo_keys(
    key: Path, cert: Path, ca: Path, *, now: datetime | None = None, agency: str = DEMO_AGENCY
) -> AgencyKeys:
    """As `ensure_demo_ca`, at three given paths (the configured ones, say). Refuses to
    complete a set where only some files exist: a real key is never overwritten."""
    present = [p for p in (key, cert, ca) if p.exists()]
    if len(present) == 3:
        return AgencyKeys.load(key, cert, ca)
    if present:
        raise NoAgencyKeys(
            f"only some of the document signing files exist ({', '.join(map(str, present))}); "
            "refusing to make a demo CA beside them"
        )
    keys = make_demo_ca(now=now or clock.now(), agency=agency)
    _write_private(key, keys.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))  # fmt: skip
    _write_private(cert, keys.cert.public_bytes(serialization.Encoding.PEM))
    _write_private(ca, b"".join(r.public_bytes(serialization.Encoding.PEM) for r in keys.roots))
    return keys


def make_demo_ca(*, now: datetime, agency: str = DEMO_AGENCY) -> AgencyKeys:
    """A self-made agency CA (EC P-256) and a document-signing certificate under it, valid
    from DEMO_LEAF_YEARS before ``now`` (the CA DEMO_CA_YEARS either side), in memory."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{agency} CA"),
        ]
    )
    leaf_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{agency} document signing"),
        ]
    )
    ca_span, leaf_span = timedelta(days=366 * DEMO_CA_YEARS), timedelta(days=366 * DEMO_LEAF_YEARS)
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - ca_span)
        .not_valid_after(now + ca_span)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(leaf_name)
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - leaf_span)
        .not_valid_after(now + leaf_span)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return AgencyKeys(leaf_key, leaf_cert, (), (ca_cert,))


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write a new file with mode 0600 (in a 0700 folder if it has to make one)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)  # whatever the umask
            out.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _pem(certs: Sequence[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


class _ClockedPdfSigner(signers.PdfSigner):
    """pyHanko's signer, with the signing time from casetrail's clock rather than the
    machine's (pyHanko reads ``datetime.now`` when a session starts)."""

    def __init__(self, *args: Any, signing_time: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: Any, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signing_time
        return session


class PadesSealer:
    """`Sealer` with PAdES signatures (pyHanko) under the agency's certificate."""

    def __init__(self, keys: AgencyKeys, *, now: Callable[[], datetime] = clock.now) -> None:
        self.keys = keys
        self._now = now
        key_info = load_private_key_from_pemder_data(
            keys.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            passphrase=None,
        )
        (cert,) = load_certs_from_pemder_data(_pem([keys.cert]))
        self._others = list(load_certs_from_pemder_data(_pem(keys.intermediates + keys.roots)))
        self._roots = list(load_certs_from_pemder_data(_pem(keys.roots)))
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]  # untyped __init__
        for other in self._others:
            registry.register(other)
        self._signer = signers.SimpleSigner(
            signing_cert=cert, signing_key=key_info, cert_registry=registry
        )

    def seal(
        self, pdf: bytes, *, field: str, signer: str, reason: str, location: str = ""
    ) -> bytes:
        """``pdf`` with one more signature, appended as an incremental update in a new
        invisible signature field ``field``; the bytes before it are left as they were."""
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        existing = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
        if field in existing:
            raise ValueError(f"the PDF already has a signature field named {field!r}")
        meta = signers.PdfSignatureMetadata(
            field_name=field,
            name=signer,
            reason=reason,
            location=location or None,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        pdf_signer = _ClockedPdfSigner(
            meta,
            signer=self._signer,
            new_field_spec=fields.SigFieldSpec(sig_field_name=field),
            signing_time=self._now().astimezone(UTC),
        )
        out = _outside_any_loop(pdf_signer.sign_pdf, writer)
        signed: bytes = out.getvalue()
        return signed

    def check(self, pdf: bytes, *, at: datetime | None = None) -> list[SignatureCheck]:
        """Every signature of ``pdf`` in file order, validated at ``at`` (default: now)
        against the agency's CA. NotAPdf when the bytes cannot be read as a PDF."""
        moment = (at or self._now()).astimezone(UTC)
        try:
            reader = PdfFileReader(BytesIO(pdf))
            embedded = list(reader.embedded_regular_signatures)
        except (PdfError, ValueError, KeyError, TypeError) as exc:
            raise NotAPdf(f"not a readable PDF: {exc}") from exc
        revisions = [sig.signed_revision for sig in embedded]
        return [
            self._check_one(sig, later=set(revisions[i + 1 :]), moment=moment, reader=reader)
            for i, sig in enumerate(embedded)
        ]

    def _check_one(
        self,
        sig: EmbeddedPdfSignature,
        *,
        later: set[int],
        moment: datetime,
        reader: PdfFileReader,
    ) -> SignatureCheck:
        context = ValidationContext(
            trust_roots=self._roots,
            other_certs=self._others,
            moment=moment,
            allow_fetching=False,
        )
        names = _names(sig)
        try:
            status = _outside_any_loop(
                validate_pdf_signature, sig, signer_validation_context=context
            )
        except Exception as exc:  # a broken signature is a finding, not a crash
            return SignatureCheck(
                **names,
                signed_at=None,
                certificate="",
                intact=False,
                trusted=False,
                covers_whole_file=False,
                only_signatures_after=False,
                valid=False,
                problems=(f"the signature cannot be read: {type(exc).__name__}: {exc}",),
            )
        covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        appended = set(range(sig.signed_revision + 1, reader.xrefs.total_revisions))
        only_signatures = covers or (
            status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and _level_ok(status)
            and appended <= later
        )
        problems = _problems(status, covers=covers, only_signatures=only_signatures)
        return SignatureCheck(
            **names,
            signed_at=status.signer_reported_dt,
            certificate=str(status.signing_cert.subject.human_friendly),
            intact=bool(status.intact),
            trusted=bool(status.trusted),
            covers_whole_file=covers,
            only_signatures_after=only_signatures,
            valid=not problems,
            problems=problems,
        )


def _names(sig: EmbeddedPdfSignature) -> dict[str, str]:
    obj = sig.sig_object
    return {
        "field": str(sig.field_name or ""),
        "signer": str(obj.get("/Name", "")),
        "reason": str(obj.get("/Reason", "")),
        "location": str(obj.get("/Location", "")),
    }


def _level_ok(status: PdfSignatureStatus) -> bool:
    level = status.modification_level
    return level is not None and level <= ModificationLevel.FORM_FILLING


def _problems(
    status: PdfSignatureStatus, *, covers: bool, only_signatures: bool
) -> tuple[str, ...]:
    problems = []
    if not status.intact:
        problems.append("the signed bytes were changed after signing")
    elif not status.valid:
        problems.append("the signature does not verify against its certificate")
    elif not status.trusted:
        problems.append(
            "the certificate does not chain to the agency CA, or was not valid at the check"
        )
    if not covers and not only_signatures:
        problems.append("the file was changed after this signature by more than signatures")
    elif status.docmdp_ok is False:
        problems.append("a later change is not allowed by the document's certification")
    return tuple(problems)


def agency_sealer() -> PadesSealer:
    """The sealer with the configured agency keys (NoAgencyKeys when they are missing)."""
    return PadesSealer(AgencyKeys.from_settings())
