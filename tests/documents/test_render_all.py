"""Every document type of both catalogues rendered to PDF for a case of the demo's shape (the
cn ones in Chinese for a 东湖-style station, the gb_eng ones in English for the custody suite),
and read back with pdftotext: the party's name, the number, the title and what the document
does are in the file, in the shipped font."""

from __future__ import annotations

import re

import pytest

from casetrail import clock
from casetrail.documents import issuing
from casetrail.documents.catalogue import DocumentType, catalogue, format_number
from casetrail.documents.models import Document
from casetrail.documents.numbering import issuing_agency
from tests.custody.conftest import build_scene
from tests.documents.conftest import SAMPLE
from tests.documents.test_catalogue import KEY_TEXT
from tests.documents.test_pdf import pdftotext

TYPES = [t for pack in ("cn", "gb_eng") for t in catalogue(pack).values()]
NAMES = {"cn": "欧阳明远", "gb_eng": "Jane Doe"}


def _flat(text: str) -> str:
    """pdftotext breaks lines where the page does: compare without the breaks and spaces."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("doc_type", TYPES, ids=lambda t: f"{t.pack}-{t.id}")
def test_every_type_renders_for_a_case_and_reads_back(
    db, frozen_clock, tmp_path, doc_type: DocumentType
):
    scene = build_scene(frozen_clock)
    case = scene.gb_case() if doc_type.pack == "gb_eng" else scene.world.case()
    person = scene.suspect(case, NAMES[doc_type.pack])
    agency = issuing_agency(case.unit)
    number = format_number(
        doc_type, prefix=agency.document_prefix or agency.code, year=clock.now().year, serial=7
    )
    doc = Document(
        case=case,
        unit=case.unit,
        agency=agency,
        person=person,
        pack=doc_type.pack,
        type_id=doc_type.id,
        title=doc_type.title((doc_type.pack == "cn" and "zh-hans") or "en"),
        number=number,
        particulars="",
        params={p.name: SAMPLE[p.kind] for p in doc_type.params},
    )
    pdf, digest = issuing.render(doc)
    assert pdf.startswith(b"%PDF-")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    text = _flat(pdftotext(pdf, tmp_path))
    assert _flat(number) in text
    if "person" in doc_type.draws:  # the others speak to the reporter, the family, a court
        assert _flat(NAMES[doc_type.pack]) in text
    else:
        assert _flat(agency.name) in text
    # Roles and kinds are in the document's language, not the officer's.
    assert "suspect" not in text if doc_type.pack == "cn" else "犯罪嫌疑人" not in text
    assert _flat(KEY_TEXT[doc_type.id]) in text
    title = doc_type.title_zh if doc_type.pack == "cn" else doc_type.title_en
    assert _flat(title) in text
