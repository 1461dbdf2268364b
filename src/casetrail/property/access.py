"""Who sees and moves seized property.

An item is seen by whoever may see its case, and by the property custodians of its unit, who
keep it (they see the register's particulars, not the case file). Only its holder moves it:
the officer who holds it, or a custodian of the room it is in. What is sealed with a sealed
case stays sealed: a custodian outside the case sees a sealed case's item without its owner.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from casetrail.cases.access import require_case_write, visible_cases
from casetrail.errors import AccessDenied, NotFound
from casetrail.org.access import has_role, require_role, unit_q
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import CASE_LEADERS, CASE_READERS, Role
from casetrail.property.models import (
    Borrow,
    Disposal,
    HolderKind,
    Item,
    ItemDeadline,
    ItemFile,
    Location,
    StockTake,
    Transfer,
)

CUSTODIANS = frozenset({Role.PROPERTY_CUSTODIAN})
ROOM_KEEPERS = frozenset({Role.PROPERTY_CUSTODIAN, *CASE_LEADERS})
# What answers for a record reached through its item, when the officer may not see it.
MISSING = {
    Transfer: gettext_lazy("hand-over %(id)s not found"),
    Borrow: gettext_lazy("borrowing %(id)s not found"),
    Disposal: gettext_lazy("disposal %(id)s not found"),
    ItemDeadline: gettext_lazy("time limit %(id)s not found"),
    ItemFile: gettext_lazy("file %(id)s not found"),
}


def visible_items(officer: Officer) -> QuerySet[Item]:
    cases = visible_cases(officer).values("pk")
    return Item.objects.filter(Q(case__in=cases) | unit_q(officer, CUSTODIANS))


def access_item(officer: Officer, item_id: int) -> Item:
    items = visible_items(officer).select_related(
        "case", "case__unit", "unit", "owner", "holder", "location", "taken_by"
    )
    item = items.filter(pk=item_id).first()
    if item is None:
        raise NotFound(gettext("item %(id)s not found") % {"id": item_id})
    return item


def item_by_code(officer: Officer, code: str) -> Item:
    item = visible_items(officer).filter(code=code.strip().upper()).first()
    if item is None:
        raise NotFound(gettext("no item with the code %(code)s") % {"code": repr(code[:40])})
    return item


def sees_case(officer: Officer, item: Item) -> bool:
    return visible_cases(officer).filter(pk=item.case_id).exists()


def require_case_side(officer: Officer, item: Item) -> None:
    """Register, correct and decide about an item: who may change its case."""
    require_case_write(officer, item.case)


def is_custodian(officer: Officer, unit: Unit) -> bool:
    return has_role(officer, unit, CUSTODIANS)


def holds(officer: Officer, item: Item) -> bool:
    """Whether the officer is the item's holder: the officer named, or a custodian of the room."""
    if item.holder_kind == HolderKind.OFFICER:
        return item.holder_id == officer.pk
    if item.holder_kind == HolderKind.ROOM:
        assert item.location is not None  # noqa: S101 - an item in the room has its place
        return is_custodian(officer, item.location.unit)
    return False


def require_holder(officer: Officer, item: Item) -> None:
    if not holds(officer, item):
        raise AccessDenied(
            gettext("item %(code)s is held by %(holder)s: only its holder moves it")
            % {"code": item.code, "holder": holder_text(item)}
        )


def holder_text(item: Item) -> str:
    if item.holder_kind == HolderKind.OFFICER and item.holder is not None:
        return f"{item.holder.name} ({item.holder.badge_number})"
    if item.holder_kind == HolderKind.ROOM and item.location is not None:
        return f"{item.location.unit.name}: {item.location}"
    return f"{HolderKind(item.holder_kind).label}: {item.holder_name}"


def may_answer(officer: Officer, transfer: Transfer) -> bool:
    """The receiving side: the officer named, a custodian of the receiving room, or (for a
    holder outside casetrail, whose signature is on paper) the officer who handed it over."""
    if transfer.to_kind == HolderKind.OFFICER:
        return transfer.to_officer_id == officer.pk
    if transfer.to_kind == HolderKind.ROOM:
        return transfer.location is not None and is_custodian(officer, transfer.location.unit)
    return transfer.sent_by_id == officer.pk  # a holder outside casetrail (EXTERNAL)


def require_room_keeper(officer: Officer, unit: Unit, *, doing: str) -> None:
    require_role(officer, unit, ROOM_KEEPERS, doing=doing)


def require_custodian(officer: Officer, unit: Unit, *, doing: str) -> None:
    require_role(officer, unit, CUSTODIANS, doing=doing)


def locations_near(unit: Unit) -> QuerySet[Location]:
    """Where an item of ``unit`` may be kept: the rooms of the unit, of the units above it (a
    district's store) and of those below it."""
    parts = [p for p in unit.path.split("/") if p]
    above = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    return Location.objects.filter(
        Q(unit__path__in=above) | Q(unit__path__startswith=unit.path)
    ).select_related("unit")


def visible_locations(officer: Officer) -> QuerySet[Location]:
    """Locations of the units the officer keeps or reads (a reader sees the room, a custodian
    keeps it: the actions say who may do what there)."""
    return Location.objects.filter(unit_q(officer, ROOM_KEEPERS | CASE_READERS)).select_related(
        "unit"
    )


def access_location(officer: Officer, location_id: int) -> Location:
    location = visible_locations(officer).filter(pk=location_id).first()
    if location is None:
        raise NotFound(gettext("location %(id)s not found") % {"id": location_id})
    return location


def access_stocktake(officer: Officer, stocktake_id: int) -> StockTake:
    found = (
        StockTake.objects.filter(unit_q(officer, ROOM_KEEPERS))
        .select_related("location", "unit")
        .filter(pk=stocktake_id)
        .first()
    )
    if found is None:
        raise NotFound(gettext("stock-take %(id)s not found") % {"id": stocktake_id})
    return found


def _through_item(officer: Officer, model: type[Any], pk: int) -> Any:
    row = (
        model.objects.filter(pk=pk, item__in=visible_items(officer).values("pk"))
        .select_related(
            "item", "item__case", "item__unit", "item__location", "item__location__unit"
        )
        .first()
    )
    if row is None:
        raise NotFound(str(MISSING[model]) % {"id": pk})
    return row


def access_transfer(officer: Officer, pk: int) -> Transfer:
    transfer: Transfer = _through_item(officer, Transfer, pk)
    return transfer


def access_borrow(officer: Officer, pk: int) -> Borrow:
    borrow: Borrow = _through_item(officer, Borrow, pk)
    return borrow


def access_disposal(officer: Officer, pk: int) -> Disposal:
    disposal: Disposal = _through_item(officer, Disposal, pk)
    return disposal


def access_deadline(officer: Officer, pk: int) -> ItemDeadline:
    deadline: ItemDeadline = _through_item(officer, ItemDeadline, pk)
    return deadline


def access_file(officer: Officer, pk: int) -> ItemFile:
    stored: ItemFile = _through_item(officer, ItemFile, pk)
    return stored
