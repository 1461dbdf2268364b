"""One input per property action, shared by the API and the pages (web.inputs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from django.utils.translation import gettext_lazy as _

from casetrail.cases.models import Person
from casetrail.custody.models import Belonging, Measure
from casetrail.documents.models import Document
from casetrail.org.models import Officer
from casetrail.property.models import (
    Borrow,
    Disposal,
    Item,
    ItemFile,
    Location,
    Transfer,
)
from casetrail.web.inputs import Choice, Flag, Input, Ref, Refs, Text, When, Whole

DECIMAL = r"[0-9]{1,12}(?:\.[0-9]{1,3})?"
DECIMAL_TEXT = _("a number such as 12 or 12.5, never negative")
SHA256 = r"[0-9a-fA-F]{64}"
SHA256_TEXT = _("64 hexadecimal digits")
CORRECTABLE = (
    ("description", _("Description")),
    ("quantity", _("Quantity")),
    ("weight", _("Weight (grams)")),
    ("amount", _("Amount")),
    ("currency", _("Currency")),
    ("found_place", _("Where it was found")),
    ("witnesses", _("Witnesses")),
)
DECISIONS = (("approve", _("Approve")), ("refuse", _("Refuse")))
ANSWERS = (("confirm", _("Confirm receipt")), ("refuse", _("Refuse")))


@dataclass(frozen=True, kw_only=True)
class ItemInput(Input):
    kind: Annotated[str, Choice(Item, "kind")]
    basis: Annotated[str, Choice(Item, "basis")]
    description: Annotated[str, Text(Item, "description")]
    quantity: Annotated[int, Whole(low=1, high=1_000_000, label=_("Quantity"))] = 1
    weight: Annotated[
        str, Text(Item, "weight", max_length=20, pattern=DECIMAL, pattern_text=DECIMAL_TEXT)
    ] = ""
    amount: Annotated[
        str, Text(Item, "amount", max_length=20, pattern=DECIMAL, pattern_text=DECIMAL_TEXT)
    ] = ""
    currency: Annotated[
        str,
        Text(
            Item,
            "currency",
            pattern=r"[A-Z]{3}",
            pattern_text=_("three capital letters, such as CNY"),
        ),
    ] = ""
    owner_id: Annotated[
        int | None, Ref(Person, _("Owner or holder (a party; empty if unknown)"))
    ] = None
    found_place: Annotated[str, Text(Item, "found_place")]
    found_at: Annotated[datetime, When(Item, "found_at")]
    witnesses: Annotated[str, Text(Item, "witnesses")] = ""
    seal_numbers: Annotated[
        str, Text(max_length=400, label=_("Seal numbers (comma-separated)"))
    ] = ""
    measure_id: Annotated[int | None, Ref(Measure, _("Measure behind it"))] = None
    document_id: Annotated[int | None, Ref(Document, _("Document behind it"))] = None
    legal_basis: Annotated[str, Text(Item, "legal_basis")] = ""


@dataclass(frozen=True, kw_only=True)
class BelongingItemInput(Input):
    belonging_id: Annotated[int, Ref(Belonging, _("Belonging"))]
    kind: Annotated[str, Choice(Item, "kind")]
    found_place: Annotated[str, Text(Item, "found_place")]
    legal_basis: Annotated[str, Text(Item, "legal_basis")]
    seal_numbers: Annotated[
        str, Text(max_length=400, label=_("Seal numbers (comma-separated)"))
    ] = ""
    # As custody settles a belonging: the person signs, or a second officer witnesses the refusal.
    person_signed: Annotated[bool, Flag(_("The person signed"))] = False
    refusal_witness_id: Annotated[int | None, Ref(Officer, _("Witness of a refusal to sign"))] = (
        None
    )


@dataclass(frozen=True, kw_only=True)
class ItemCorrectionInput(Input):
    field: Annotated[str, Choice(options=CORRECTABLE, label=_("Particular"))]
    value: Annotated[str, Text(max_length=400, label=_("Correct value"))]
    reason: Annotated[str, Text(max_length=2000, label=_("What was wrong, and why"))]


@dataclass(frozen=True, kw_only=True)
class TransferInput(Input):
    to_kind: Annotated[str, Choice(Transfer, "to_kind")]
    to_officer_id: Annotated[int | None, Ref(Officer, _("Receiving officer"))] = None
    to_name: Annotated[str, Text(Transfer, "to_name")] = ""
    location_id: Annotated[int | None, Ref(Location, _("Location in the property room"))] = None
    purpose: Annotated[str, Text(Transfer, "purpose")]
    condition: Annotated[str, Choice(Transfer, "condition")]
    seal_intact: Annotated[bool, Flag(_("Seal intact"))] = False
    image_sha256: Annotated[
        str,
        Text(
            max_length=64,
            label=_("SHA-256 of the image as handed over"),
            pattern=SHA256,
            pattern_text=SHA256_TEXT,
        ),
    ] = ""
    note: Annotated[str, Text(Transfer, "note")] = ""


@dataclass(frozen=True, kw_only=True)
class AnswerInput(Input):
    answer: Annotated[str, Choice(options=ANSWERS, label=_("Answer"))]
    condition: Annotated[str, Choice(Transfer, "condition")]
    seal_intact: Annotated[bool, Flag(_("Seal intact"))] = False
    location_id: Annotated[int | None, Ref(Location, _("Location in the property room"))] = None
    image_sha256: Annotated[
        str,
        Text(
            max_length=64,
            label=_("SHA-256 of the image as received"),
            pattern=SHA256,
            pattern_text=SHA256_TEXT,
        ),
    ] = ""
    receiver_name: Annotated[
        str, Text(max_length=200, label=_("Who signed for it (outside holders)"))
    ] = ""
    note: Annotated[str, Text(Transfer, "note")] = ""


@dataclass(frozen=True, kw_only=True)
class ReturnInput(Input):
    """An item coming back from a holder outside casetrail (a laboratory, the court)."""

    condition: Annotated[str, Choice(Transfer, "condition")]
    seal_intact: Annotated[bool, Flag(_("Seal intact"))] = False
    from_name: Annotated[str, Text(max_length=200, label=_("Who handed it back"))]
    location_id: Annotated[int | None, Ref(Location, _("Location in the property room"))] = None
    image_sha256: Annotated[
        str,
        Text(
            max_length=64,
            label=_("SHA-256 of the image as received"),
            pattern=SHA256,
            pattern_text=SHA256_TEXT,
        ),
    ] = ""
    note: Annotated[str, Text(Transfer, "note")] = ""


@dataclass(frozen=True, kw_only=True)
class EventInput(Input):
    at: Annotated[datetime, When(label=_("When"))]
    note: Annotated[str, Text(max_length=400, label=_("Note"))] = ""


@dataclass(frozen=True, kw_only=True)
class BorrowInput(Input):
    purpose: Annotated[str, Text(Borrow, "purpose")]
    due_back_at: Annotated[datetime, When(Borrow, "due_back_at")]


@dataclass(frozen=True, kw_only=True)
class PropertyDecisionInput(Input):
    decision: Annotated[str, Choice(options=DECISIONS, label=_("Decision"))]
    opinion: Annotated[str, Text(max_length=2000, label=_("Opinion"))] = ""


@dataclass(frozen=True, kw_only=True)
class DisposalInput(Input):
    kind: Annotated[str, Choice(Disposal, "kind")]
    reason: Annotated[str, Text(Disposal, "reason")]


@dataclass(frozen=True, kw_only=True)
class CarryOutInput(Input):
    recipient: Annotated[str, Text(Disposal, "recipient")] = ""
    recipient_id_number: Annotated[str, Text(Disposal, "recipient_id_number")] = ""
    recipient_document_id: Annotated[
        int | None, Ref(Document, _("Document that entitles another recipient"))
    ] = None
    account: Annotated[str, Text(Disposal, "account")] = ""
    witness_ids: Annotated[tuple[int, ...], Refs(Officer, _("Witnesses"), high=5)] = ()
    receipt_signed: Annotated[bool, Flag(_("The recipient signed the receipt"))] = False


@dataclass(frozen=True, kw_only=True)
class LocationInput(Input):
    code: Annotated[
        str,
        Text(
            Location,
            "code",
            pattern=r"[A-Za-z0-9][A-Za-z0-9._-]*",
            pattern_text=_("letters, digits, dots, dashes"),
        ),
    ]
    store: Annotated[str, Text(Location, "store")]
    room: Annotated[str, Text(Location, "room")] = ""
    shelf: Annotated[str, Text(Location, "shelf")] = ""


@dataclass(frozen=True, kw_only=True)
class StockTakeInput(Input):
    location_id: Annotated[int, Ref(Location, _("Location"))]


@dataclass(frozen=True, kw_only=True)
class ScanInput(Input):
    codes: Annotated[
        str, Text(max_length=200_000, multiline=True, label=_("Codes scanned, one per line"))
    ] = ""


@dataclass(frozen=True, kw_only=True)
class FileInput(Input):
    """What a stored file is; the file itself comes beside it (multipart), as Django's upload."""

    role: Annotated[str, Choice(ItemFile, "role")]


@dataclass(frozen=True, kw_only=True)
class LimitAccountInput(Input):
    account: Annotated[str, Text(max_length=2000, label=_("What happened, and what was done"))]
