"""Seized property and evidence: the register of items, every hand-over, the store's locations,
the statutory time limits, borrowing, disposal and stock-takes.

Nothing in the register is edited: a correction is an entry that reverses the old value
(`Correction`), and the item row keeps the latest value of each particular only so that lists
and search can read it (the ledger entry of the correction holds both).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casetrail.approvals.models import Approval
from casetrail.cases.models import Case, Person
from casetrail.custody.models import Measure
from casetrail.documents.models import Document
from casetrail.org.models import Officer, Unit


class ItemKind(models.TextChoices):
    CASH = "cash", _("cash")
    VEHICLE = "vehicle", _("vehicle")
    DEVICE = "device", _("phone or other digital device")
    DOCUMENT = "document", pgettext_lazy("property", "document")
    DRUGS = "drugs", _("drugs")
    WEAPON = "weapon", _("weapon")
    VALUABLES = "valuables", _("valuables")
    OTHER = "other", pgettext_lazy("property", "other")


# Counted in full at every stock-take (MPS Provisions on the Management of Property Involved in
# Cases, 2015: cash, drugs, firearms and valuables are kept apart and checked item by item).
HIGH_RISK = frozenset({ItemKind.CASH, ItemKind.DRUGS, ItemKind.WEAPON, ItemKind.VALUABLES})


class Basis(models.TextChoices):
    """The act by which the item was taken."""

    SEIZED = "seized", _("seized (扣押)")
    SEALED = "sealed", _("sealed up (查封)")
    FROZEN = "frozen", _("frozen (冻结)")
    ADMIN_SEIZED = "admin_seized", _("seized in an administrative case")
    PRESERVED = "preserved", _("registered and preserved in advance (先行登记保存)")
    EVIDENCE = "evidence", _("collected as evidence")
    BELONGING = "belonging", _("belonging deposited in the case-handling area")


class HolderKind(models.TextChoices):
    OFFICER = "officer", _("an officer")
    ROOM = "room", _("the property room")
    LABORATORY = "laboratory", _("a laboratory")
    PROCURATORATE = "procuratorate", _("the procuratorate")
    COURT = "court", _("the court")
    OWNER = "owner", _("the owner")
    OTHER = "other", _("another holder")


# Holders outside casetrail: their side of a hand-over is their signature on the receipt, which
# the officer handing over records.
EXTERNAL = frozenset(
    {
        HolderKind.LABORATORY,
        HolderKind.PROCURATORATE,
        HolderKind.COURT,
        HolderKind.OWNER,
        HolderKind.OTHER,
    }
)


class ItemStatus(models.TextChoices):
    HELD = "held", _("held")
    DISPOSED = "disposed", _("disposed of")


class Location(models.Model):
    """A place in a unit's property room: store, room and shelf, with the code on its label."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="property_locations")
    code = models.CharField(_("Location code"), max_length=32, unique=True)
    store = models.CharField(_("Store"), max_length=80)
    room = models.CharField(_("Room"), max_length=40, blank=True)
    shelf = models.CharField(_("Shelf"), max_length=40, blank=True)

    class Meta:
        ordering = ["unit", "code"]

    def __str__(self) -> str:
        return " / ".join(p for p in (self.store, self.room, self.shelf) if p)


class Item(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "property_item"

    code = models.CharField(_("Item code"), max_length=32, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="property_items")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("Kind"), max_length=16, choices=ItemKind.choices)
    basis = models.CharField(_("Taken as"), max_length=16, choices=Basis.choices)
    description = models.CharField(_("Description"), max_length=400)
    quantity = models.PositiveIntegerField(_("Quantity"), default=1)
    weight = models.DecimalField(
        _("Weight (grams)"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    amount = models.DecimalField(
        _("Amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("Currency"), max_length=3, blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="property"
    )
    found_place = models.CharField(_("Where it was found"), max_length=200)
    found_at = models.DateTimeField(_("When it was found"))
    taken_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    witnesses = models.CharField(_("Witnesses"), max_length=200, blank=True)
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_basis = models.CharField(_("Legal act behind it"), max_length=300, blank=True)
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    holder_kind = models.CharField(max_length=16, choices=HolderKind.choices)
    holder = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="property_held"
    )
    holder_name = models.CharField(max_length=200, blank=True)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    in_room_since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.HELD)
    image_sha256 = models.CharField(
        _("Forensic image SHA-256"),
        max_length=64,
        blank=True,
        help_text="the hash every hand-over of a digital item recomputes",
    )
    unrelated_at = models.DateTimeField(null=True, blank=True)
    owner_notified_at = models.DateTimeField(null=True, blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)
    belonging = models.OneToOneField(
        "custody.Belonging", null=True, blank=True, on_delete=models.PROTECT, related_name="item"
    )

    class Meta:
        ordering = ["case", "code"]
        indexes = [
            # The custodian's store view: what is in a unit's room, by location and age.
            models.Index(
                fields=["unit", "location", "in_room_since"],
                condition=Q(holder_kind="room", status="held"),
                name="property_in_room",
            ),
            # Its pages by age: the key holds the condition's columns so SQLite counts from the
            # index alone, and the id so a page's ids come without the table
            # (benchmarks/property_room.py, docs/benchmarks.md).
            models.Index(
                fields=["unit", "holder_kind", "status", "in_room_since", "id"],
                condition=Q(holder_kind="room", status="held"),
                name="property_in_room_by_age",
            ),
            models.Index(fields=["holder", "status"], name="property_by_holder"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Seal(models.Model):
    """A seal number, in use on one item at a time."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="seals")
    number = models.CharField(_("Seal number"), max_length=40, unique=True)
    applied_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class FileRole(models.TextChoices):
    PHOTO = "photo", _("photo")
    IMAGE = "image", _("forensic image")
    RECEIPT = "receipt", _("signed receipt")
    DISPOSAL = "disposal", _("photo of the disposal")


class ItemFile(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="files")
    role = models.CharField(_("What it is"), max_length=16, choices=FileRole.choices)
    file = models.FileField(upload_to="property/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.role} {self.name}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("awaiting the receiver's confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REFUSED = "refused", _("refused by the receiver")
    CANCELLED = "cancelled", _("withdrawn")


class Condition(models.TextChoices):
    INTACT = "intact", _("as registered")
    DAMAGED = "damaged", _("damaged")
    ALTERED = "altered", _("altered or incomplete")


class Transfer(models.Model):
    """One hand-over: from the holder to the receiver, pending until the receiving side confirms."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="transfers")
    from_kind = models.CharField(max_length=16, choices=HolderKind.choices)
    from_officer = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_name = models.CharField(max_length=200, blank=True)
    to_kind = models.CharField(_("To"), max_length=16, choices=HolderKind.choices)
    to_officer = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_name = models.CharField(_("Receiver's name"), max_length=200, blank=True)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("Purpose"), max_length=200)
    condition = models.CharField(_("Condition"), max_length=16, choices=Condition.choices)
    seal_intact = models.BooleanField(_("Seal intact"))
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    sent_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_condition = models.CharField(max_length=16, blank=True, choices=Condition.choices)
    received_seal_intact = models.BooleanField(null=True)
    received_sha256 = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("Note"), max_length=400, blank=True)
    borrow = models.ForeignKey(
        "Borrow", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            # At most one hand-over of an item waits at a time: an item is never in two places.
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="pending"), name="transfer_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_kind} → {self.to_kind} ({self.status})"


class Correction(models.Model):
    """A register entry that reverses an earlier value of one particular."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField(max_length=32)
    old_value = models.CharField(max_length=400, blank=True)
    new_value = models.CharField(max_length=400, blank=True)
    reason = models.TextField(max_length=2000)
    corrected_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField()

    class Meta:
        ordering = ["corrected_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}.{self.field}"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    MISSED = "missed", _("missed")


class ItemDeadline(models.Model):
    """A time limit of an item, computed by the procedure engine with its citation."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="deadlines")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    rule_id = models.CharField(max_length=64)
    pack = models.CharField(max_length=16)
    title_en = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200)
    citation = models.CharField(max_length=300)
    trigger_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    explanation = models.JSONField(default=list)
    status = models.CharField(
        max_length=8, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    status_at = models.DateTimeField(null=True, blank=True)
    warning_sent = models.BooleanField(default=False)
    missed_at = models.DateTimeField(null=True, blank=True)
    account = models.TextField(blank=True)
    accounted_at = models.DateTimeField(null=True, blank=True)
    accounted_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["warn_at"],
                condition=Q(status="open", warning_sent=False),
                name="property_deadline_to_warn",
            ),
            models.Index(
                fields=["due_at"], condition=Q(status="open"), name="property_deadline_open"
            ),
            models.Index(
                fields=["unit"],
                condition=Q(status="missed", accounted_at__isnull=True),
                name="property_deadline_unaccounted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} due {self.due_at:%Y-%m-%d %H:%M}"


class BorrowStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    APPROVED = "approved", _("approved, not yet handed out")
    OUT = "out", _("out of the room")
    RETURNED = "returned", _("returned")
    REFUSED = "refused", _("refused")


# A borrowing from request to return: while one is, no other is asked for.
BORROW_UNDER_WAY = (BorrowStatus.REQUESTED, BorrowStatus.APPROVED, BorrowStatus.OUT)


class Borrow(models.Model):
    """An item taken out of the property room for a while (an examination, a hearing)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="borrows")
    borrower = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("Purpose"), max_length=200)
    due_back_at = models.DateTimeField(_("Due back at"))
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=BorrowStatus.choices, default=BorrowStatus.REQUESTED
    )
    requested_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(
        null=True, blank=True, help_text="when the sweep found it overdue and escalated"
    )

    class Meta:
        ordering = ["due_back_at", "id"]
        indexes = [
            models.Index(
                fields=["due_back_at"],
                condition=Q(status="out", overdue_at__isnull=True),
                name="property_borrow_due",
            ),
        ]

    def __str__(self) -> str:
        return f"borrow of {self.item_id} ({self.status})"


class DisposalKind(models.TextChoices):
    RETURN = "return", _("return to the owner")
    CONFISCATE = "confiscate", _("confiscation")
    SALE = "sale", _("sale")
    DESTROY = "destroy", _("destruction")
    WITH_FILE = "with_file", _("transfer with the case file")


class DisposalStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    APPROVED = "approved", _("approved, to be carried out")
    DONE = "done", _("carried out")
    REFUSED = "refused", _("refused")


# A disposal asked for and not yet carried out or refused: one at a time.
DISPOSAL_UNDER_WAY = (DisposalStatus.REQUESTED, DisposalStatus.APPROVED)


class Disposal(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="disposals")
    kind = models.CharField(_("Disposal"), max_length=16, choices=DisposalKind.choices)
    reason = models.TextField(_("Grounds"), max_length=2000)
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=DisposalStatus.choices, default=DisposalStatus.REQUESTED
    )
    requested_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    recipient = models.CharField(_("Recipient"), max_length=200, blank=True)
    recipient_id_number = models.CharField(_("Recipient's ID number"), max_length=40, blank=True)
    account = models.CharField(_("Account the cash went to"), max_length=80, blank=True)
    witnesses = models.ManyToManyField(Officer, related_name="+", blank=True)
    receipt_signed = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.item_id} ({self.status})"


class StockTake(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "property_stocktake"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stocktakes")
    started_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    population = models.PositiveIntegerField(help_text="items the location should hold")
    full_count = models.PositiveIntegerField(help_text="high-risk items, all counted")
    sampled = models.PositiveIntegerField(help_text="other items drawn for the count")
    others = models.PositiveIntegerField(help_text="other items at the location")
    confidence = models.FloatField(help_text="chance the sample finds a loss of the stated rate")
    tolerable_rate = models.FloatField(help_text="the share missing the sample is sized to find")
    to_count = models.JSONField(help_text="the codes to count")
    submitted_at = models.DateTimeField(null=True, blank=True)
    scanned = models.JSONField(default=list, blank=True)
    missing = models.JSONField(default=list, blank=True)
    unexpected = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"stock-take #{self.pk} of {self.location_id}"


class DifferenceKind(models.TextChoices):
    MISSING = "missing", _("missing from the location")
    UNEXPECTED = "unexpected", _("found where it should not be")


class Difference(models.Model):
    """A stock-take difference, kept for supervision until somebody accounts for it."""

    stocktake = models.ForeignKey(StockTake, on_delete=models.PROTECT, related_name="differences")
    kind = models.CharField(max_length=16, choices=DifferenceKind.choices)
    code = models.CharField(max_length=64)
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    account = models.TextField(blank=True)
    accounted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["stocktake", "kind", "code"]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"


class IntegrityFlag(models.Model):
    """A digital item whose image hash did not match at a hand-over: refused, and kept here."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="flags")
    expected = models.CharField(max_length=64)
    found = models.CharField(max_length=64)
    where = models.CharField(max_length=200)
    flagged_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField()

    class Meta:
        ordering = ["-flagged_at", "-id"]

    def __str__(self) -> str:
        return f"integrity of {self.item_id}"
