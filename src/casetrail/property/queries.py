"""Reads of the property register, already filtered by access (property/access.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext

from casetrail import clock
from casetrail.approvals.actions import may_decide
from casetrail.cases.models import Case, Person
from casetrail.custody.models import Belonging, Measure
from casetrail.documents.models import Document, DocumentStatus
from casetrail.documents.pdf import qr_data_uri, render_pdf
from casetrail.errors import NotFound
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.org.access import unit_ids_in_scope
from casetrail.org.models import Officer, Unit
from casetrail.property.access import (
    CUSTODIANS,
    ROOM_KEEPERS,
    holder_text,
    holds,
    may_answer,
    sees_case,
    visible_items,
)
from casetrail.property.models import (
    Borrow,
    BorrowStatus,
    DeadlineStatus,
    Difference,
    DisposalStatus,
    HolderKind,
    Item,
    ItemDeadline,
    ItemStatus,
    Location,
    StockTake,
    Transfer,
    TransferStatus,
)
from casetrail.web.states import OK, OVERDUE, WARNING, pending_state

PAGE = 50
AGES = {"week": 7, "month": 30, "quarter": 91, "year": 365}


def case_items(case: Case) -> QuerySet[Item]:
    return Item.objects.filter(case=case).select_related("holder", "location", "location__unit")


def case_choices(case: Case) -> dict[str, QuerySet[Any]]:
    """What the register form offers: the case's parties, measures and issued documents."""
    return {
        "owner_id": Person.objects.filter(parties__case=case).distinct().order_by("name"),
        "measure_id": Measure.objects.filter(case=case).order_by("pk"),
        "document_id": issued_documents(case),
    }


def issued_documents(case: Case) -> QuerySet[Document]:
    return Document.objects.filter(case=case, status=DocumentStatus.ISSUED).order_by("pk")


def unsettled_belongings(case: Case) -> QuerySet[Belonging]:
    """Belongings deposited in the case-handling area for the case, not yet returned or moved."""
    return Belonging.objects.filter(session__case=case, outcome="").order_by("pk")


def person_items(officer: Officer, person: Person) -> QuerySet[Item]:
    return visible_items(officer).filter(owner=person).select_related("case", "location")


def title_of(deadline: ItemDeadline) -> str:
    return deadline.title_en if get_language() == "en" else deadline.title_zh


# A pending limit's state (casetrail.web.states) as the item page colours it.
_COLOURS = {OVERDUE: "red", WARNING: "orange", OK: "green"}


@dataclass(frozen=True)
class Limit:
    row: ItemDeadline
    title: str
    colour: str  # "red", "orange", "green" or "grey"


def limits(item: Item, now: datetime | None = None) -> list[Limit]:
    now = now or clock.now()
    out = []
    for row in item.deadlines.all():
        if row.status == DeadlineStatus.MISSED:
            colour = "grey" if row.accounted_at else "red"
        elif row.status == DeadlineStatus.OPEN:
            colour = _COLOURS[pending_state(row.due_at, row.warn_at, now)]
        else:
            colour = "grey"
        out.append(Limit(row, title_of(row), colour))
    return out


def chain(item: Item) -> list[Transfer]:
    return list(
        Transfer.objects.filter(item=item).select_related(
            "from_officer", "to_officer", "sent_by", "answered_by", "location"
        )
    )


def item_detail(officer: Officer, item: Item) -> dict[str, Any]:
    pending = (
        Transfer.objects.filter(item=item, status=TransferStatus.PENDING)
        .select_related("location__unit", "to_officer")
        .first()
    )
    borrows = list(item.borrows.select_related("borrower", "approval"))
    disposals = list(item.disposals.select_related("approval", "requested_by"))
    shows_owner = sees_case(officer, item)
    return {
        "item": item,
        "holder": holder_text(item),
        "owner_name": (item.owner.name if item.owner else "") if shows_owner else "",
        "sees_case": shows_owner,
        "seals": [s.number for s in item.seals.all()],
        "files": list(item.files.all()),
        "chain": chain(item),
        "pending": pending,
        "may_answer": pending is not None and may_answer(officer, pending),
        "corrections": list(item.corrections.select_related("corrected_by")),
        "limits": limits(item),
        "borrows": borrows,
        "borrow_to_decide": [
            b
            for b in borrows
            if b.status == BorrowStatus.REQUESTED and may_decide(officer, b.approval)
        ],
        "disposals": disposals,
        "disposal_to_decide": [
            d
            for d in disposals
            if d.status == DisposalStatus.REQUESTED and may_decide(officer, d.approval)
        ],
        "flags": list(item.flags.all()),
        "copies": list(
            LedgerEntry.objects.filter(
                action=LedgerKind.PROPERTY_FILE_DOWNLOADED,
                subject_type=Item.LEDGER_SUBJECT,
                subject_id=str(item.pk),
                actor_id=officer.pk,
            ).order_by("-seq")[:20]
        ),
        "holds": holds(officer, item) and item.status == ItemStatus.HELD,
    }


def waiting_handovers(officer: Officer) -> list[Transfer]:
    """Hand-overs waiting for this officer's confirmation (to them, or to a room they keep)."""
    rooms = unit_ids_in_scope(officer, CUSTODIANS)
    rows = (
        Transfer.objects.filter(status=TransferStatus.PENDING)
        .filter(
            Q(to_officer=officer)
            | Q(to_kind=HolderKind.ROOM, location__unit_id__in=sorted(rooms))
            | Q(sent_by=officer)
        )
        .select_related("item", "item__case", "sent_by", "location", "to_officer")
    )
    return [t for t in rows[:200] if may_answer(officer, t) or t.sent_by_id == officer.pk]


def held_by(officer: Officer) -> list[Item]:
    """What the officer holds in person: to hand over to the room, or back from a borrowing."""
    rows = visible_items(officer).filter(holder=officer, status=ItemStatus.HELD)
    return list(rows.select_related("holder", "location", "case").order_by("registered_at")[:100])


def room_units(officer: Officer) -> list[Unit]:
    """The rooms the officer keeps or leads: units with a location first (a district
    custodian keeps its stations' rooms), every unit in scope while none has one yet."""
    units = Unit.objects.filter(pk__in=unit_ids_in_scope(officer, ROOM_KEEPERS)).order_by("path")
    with_rooms = list(units.filter(property_locations__isnull=False).distinct())
    return with_rooms or list(units)


@dataclass(frozen=True)
class StoreFilter:
    location: int | None = None
    age: str = ""  # a key of AGES: in the room longer than that
    case_status: str = ""
    limit: str = ""  # "due": an open limit due within 15 days or missed; "missed"
    page: int = 1


def store(unit: Unit, given: StoreFilter, *, now: datetime | None = None) -> dict[str, Any]:
    """The custodian's view: what the room holds, by location, age, case status and limit.
    One query for the page and one for the count, whatever the page size."""
    now = now or clock.now()
    rows = Item.objects.filter(unit=unit, holder_kind=HolderKind.ROOM, status=ItemStatus.HELD)
    if given.location is not None:
        rows = rows.filter(location_id=given.location)
    if given.age in AGES:
        rows = rows.filter(in_room_since__lte=now - timedelta(days=AGES[given.age]))
    if given.case_status:
        rows = rows.filter(case__status=given.case_status)
    if given.limit == "due":
        rows = rows.filter(
            pk__in=ItemDeadline.objects.filter(
                unit=unit, status=DeadlineStatus.OPEN, due_at__lte=now + timedelta(days=15)
            ).values("item_id")
        )
    elif given.limit == "missed":
        rows = rows.filter(
            pk__in=ItemDeadline.objects.filter(
                unit=unit, status=DeadlineStatus.MISSED, accounted_at__isnull=True
            ).values("item_id")
        )
    page = max(1, given.page)
    total = rows.count()
    # The page's ids first (from the index), then only those rows with their joins.
    ids = list(
        rows.order_by("in_room_since", "pk").values_list("pk", flat=True)[
            (page - 1) * PAGE : page * PAGE
        ]
    )
    items = list(
        Item.objects.filter(pk__in=ids)
        .select_related("location", "case")
        .only(
            "code",
            "kind",
            "description",
            "quantity",
            "in_room_since",
            "location__code",
            "location__store",
            "location__room",
            "location__shelf",
            "case__number",
            "case__status",
            "case__sealed",
        )
        .order_by("in_room_since", "pk")
    )
    return {
        "items": items,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE)),
        "filter": given,
    }


def disposal_ratio(
    unit: Unit, *, months: int = 12, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Items into the room's keeping and items disposed of, by month: audits of evidence rooms
    find disposal, not intake, to be where they fail."""
    now = now or clock.now()
    since = (now - timedelta(days=31 * months)).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    into = dict(
        Item.objects.filter(unit=unit, registered_at__gte=since)
        .annotate(m=TruncMonth("registered_at"))
        .values("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    )
    out = dict(
        Item.objects.filter(unit=unit, disposed_at__gte=since)
        .annotate(m=TruncMonth("disposed_at"))
        .values("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    )
    months_seen = sorted(set(into) | set(out))
    return [
        {
            "month": m,
            "in": into.get(m, 0),
            "out": out.get(m, 0),
            "ratio": round(out.get(m, 0) / into[m], 2) if into.get(m) else None,
        }
        for m in months_seen
    ]


def room_alerts(unit: Unit) -> dict[str, Any]:
    return {
        "missed": list(
            ItemDeadline.objects.filter(
                unit=unit, status=DeadlineStatus.MISSED, accounted_at__isnull=True
            ).select_related("item")[:100]
        ),
        "overdue": list(
            Borrow.objects.filter(
                item__unit=unit, status=BorrowStatus.OUT, overdue_at__isnull=False
            ).select_related("item", "borrower")[:100]
        ),
        "pending": list(
            Transfer.objects.filter(item__unit=unit, status=TransferStatus.PENDING).select_related(
                "item", "sent_by"
            )[:100]
        ),
        "differences": list(
            Difference.objects.filter(
                stocktake__unit=unit, accounted_at__isnull=True
            ).select_related("stocktake__location")[:100]
        ),
    }


def locations(unit: Unit) -> QuerySet[Location]:
    return Location.objects.filter(unit=unit).annotate(
        held=Count(
            "items", filter=Q(items__status=ItemStatus.HELD, items__holder_kind=HolderKind.ROOM)
        )
    )


def stocktakes(unit: Unit) -> QuerySet[StockTake]:
    return StockTake.objects.filter(unit=unit).select_related("location", "started_by")[:20]


def search(officer: Officer, text: str, *, limit: int = 50) -> list[Item]:
    """An item by its code, a seal number, or words of its description."""
    text = text.strip()[:100]
    if not text:
        return []
    rows = visible_items(officer).select_related("case", "location")
    exact = rows.filter(Q(code=text.upper()) | Q(seals__number=text)).distinct()
    found = list(exact[:limit])
    if not found:
        found = list(rows.filter(description__icontains=text).order_by("-registered_at")[:limit])
    return found


def item_out(officer: Officer, item: Item) -> dict[str, Any]:
    shows_owner = sees_case(officer, item)
    return {
        "id": item.pk,
        "code": item.code,
        "case_number": item.case.number,
        "kind": item.kind,
        "basis": item.basis,
        "description": item.description,
        "quantity": item.quantity,
        "weight": str(item.weight) if item.weight is not None else None,
        "amount": str(item.amount) if item.amount is not None else None,
        "currency": item.currency,
        "owner_id": item.owner_id if shows_owner else None,
        "found_place": item.found_place,
        "found_at": item.found_at,
        "status": item.status,
        "holder": holder_text(item),
        "holder_kind": item.holder_kind,
        "location": item.location.code if item.location else None,
        "image_sha256": item.image_sha256,
        "seals": [s.number for s in item.seals.all()],
        "limits": [
            {
                "rule": r.row.rule_id,
                "title": r.title,
                "citation": r.row.citation,
                "due_at": r.row.due_at,
                "status": r.row.status,
                "colour": r.colour,
            }
            for r in limits(item)
        ],
        "chain": [transfer_out(t) for t in chain(item)],
    }


def transfer_out(t: Transfer) -> dict[str, Any]:
    return {
        "id": t.pk,
        "from_kind": t.from_kind,
        "from": t.from_officer.name if t.from_officer else t.from_name,
        "to_kind": t.to_kind,
        "to": t.to_officer.name if t.to_officer else t.to_name,
        "location": t.location.code if t.location else None,
        "purpose": t.purpose,
        "condition": t.condition,
        "seal_intact": t.seal_intact,
        "sent_at": t.sent_at,
        "status": t.status,
        "answered_at": t.answered_at,
        "received_condition": t.received_condition,
        "received_seal_intact": t.received_seal_intact,
        "sha256": t.received_sha256 or t.sent_sha256,
    }


def case_labels_pdf(case: Case) -> HttpResponse:
    """The labels of every item the case still holds."""
    items = list(case_items(case).filter(status=ItemStatus.HELD))
    if not items:
        raise NotFound(gettext("case %(case)s holds no items") % {"case": case.number})
    return labels_pdf(items)


def labels_pdf(items: list[Item]) -> HttpResponse:
    """A sheet of labels, three across: the code as a QR code and in print, the case and the
    description, for a keyboard-wedge scanner or a phone to read."""
    labels = [{"item": item, "qr": qr_data_uri(item.code)} for item in items]
    html = render_to_string("property/labels.html", {"labels": labels})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    name = items[0].code if len(items) == 1 else f"labels-{items[0].case.number}"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


def download_entry(officer: Officer, seq: int) -> LedgerEntry | None:
    entry = LedgerEntry.objects.filter(seq=seq, action=LedgerKind.PROPERTY_FILE_DOWNLOADED).first()
    if entry is None or entry.actor_id != officer.pk:
        return None
    return entry
