"""Document numbers: gap-free per issuing agency, series and year, taken under a row lock.

A number once taken is never given again; a draft cancelled after it took one stays in the
series as a void entry with its reason, so every gap a reader might see is explained.
"""

from __future__ import annotations

from django.db.models import F

from casetrail.documents.catalogue import DocumentType, format_number
from casetrail.documents.models import DocumentSerial
from casetrail.org.models import Unit


def issuing_agency(unit: Unit) -> Unit:
    """The nearest unit at or above ``unit`` with a document prefix (the agency whose seal the
    documents bear), else the top of the tree."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    above = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    for pk in reversed(ids):
        candidate = above.get(pk)
        if candidate is not None and candidate.document_prefix:
            return candidate
    return above.get(ids[0], unit) if ids else unit


def prefix_of(agency: Unit) -> str:
    return agency.document_prefix or agency.code


def take_number(doc_type: DocumentType, agency: Unit, year: int) -> tuple[int, str]:
    """The next serial of the series and the number it makes. Must run in the caller's
    transaction: the counter row stays locked until it commits, so two writers queue and
    neither sees the other's serial."""
    # The first number of a series creates its counter; a concurrent first writer's row is
    # left alone (ignore_conflicts) and both then queue on the one row's lock.
    DocumentSerial.objects.bulk_create(
        [DocumentSerial(agency=agency, series=doc_type.series, year=year)], ignore_conflicts=True
    )
    counter = DocumentSerial.objects.select_for_update().get(
        agency=agency, series=doc_type.series, year=year
    )
    DocumentSerial.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    serial = counter.last
    number = format_number(doc_type, prefix=prefix_of(agency), year=year, serial=serial)
    return serial, number
