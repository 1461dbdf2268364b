"""The seam between documents and the PDF and signature layers: render a document, seal it.

Everything that makes or signs bytes goes through here, so a GB/T 38540 e-seal (OFD, SM2) can
replace the PAdES sealer without touching the actions (docs/decisions/0009)."""

from __future__ import annotations

from django.conf import settings

from casetrail.documents import content, pdf, sealing
from casetrail.documents.models import Document


def verify_url() -> str:
    return f"{settings.CASETRAIL_PUBLIC_URL.rstrip('/')}/verify/"


def render(doc: Document) -> tuple[bytes, str]:
    """The document's PDF as its data stands now, and the hash of its content (in its QR)."""
    page, digest = content.html(doc, verify_url=verify_url())
    return pdf.render_pdf(page), digest


def seal(data: bytes, *, field: str, signer: str, reason: str) -> bytes:
    return sealing.agency_sealer().seal(data, field=field, signer=signer, reason=reason)
