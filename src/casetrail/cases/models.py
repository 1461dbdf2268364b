"""Incidents, cases, handlers, persons and parties."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from casetrail.cases.machine import STATUS_LABELS, Kind, Status
from casetrail.org.models import Officer, Unit

KIND_CHOICES = [
    (Kind.CRIMINAL.value, _("criminal")),
    (Kind.ADMINISTRATIVE.value, _("administrative")),
]


class OffenceCategory(models.Model):
    code = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    name = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name_plural = "offence categories"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Channel(models.TextChoices):
    CALL = "call", _("call")
    WALK_IN = "walk_in", _("walk-in")
    ONLINE = "online", _("online report")
    TRANSFERRED = "transferred", _("transferred")
    DISCOVERED = "discovered", _("discovered on duty")


class IncidentStatus(models.TextChoices):
    RECEIVED = "received", _("received, awaiting decision")
    ADMINISTRATIVE_CASE = "administrative_case", _("accepted as an administrative case")
    REGISTRATION_REVIEW = "registration_review", _("criminal registration review opened")
    NO_CASE = "no_case", _("no case")
    MEDIATION = "mediation", _("referred to mediation")
    TRANSFERRED = "transferred", _("transferred to another unit")


class Incident(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "incident"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="incidents")
    receipt_number = models.CharField(max_length=32, unique=True)
    query_code_hash = models.CharField(max_length=64)
    channel = models.CharField(_("Channel"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("Received at"))
    reporter_name = models.CharField(_("Reporter"), max_length=80)
    reporter_contact = models.CharField(_("Contact"), max_length=80, blank=True)
    location = models.CharField(_("Location"), max_length=200)
    summary = models.TextField(_("Summary"), max_length=4000)
    category = models.ForeignKey(
        OffenceCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("Category"),
    )
    status = models.CharField(
        _("Status"),
        max_length=24,
        choices=IncidentStatus.choices,
        default=IncidentStatus.RECEIVED,
        db_index=True,
    )
    decision_reason = models.TextField(_("Reason"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transferred_to = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter_notified_at = models.DateTimeField(null=True, blank=True)
    reporter_notified_by = models.CharField(
        _("How the reporter was notified"), max_length=40, blank=True
    )
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.receipt_number


class Case(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "case"

    number = models.CharField(max_length=40, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    kind = models.CharField(_("Kind"), max_length=16, choices=KIND_CHOICES)
    category = models.ForeignKey(
        OffenceCategory, on_delete=models.PROTECT, verbose_name=_("Category")
    )
    status = models.CharField(max_length=32, choices=[(s.value, s.value) for s in Status])
    title = models.CharField(_("Title"), max_length=200)
    summary = models.TextField(_("Summary"), max_length=4000, blank=True)
    incident = models.OneToOneField(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    sealed = models.BooleanField(default=False, help_text="a juvenile suspect: restricted")
    hearing_required = models.BooleanField(default=False)
    hearing_held_on = models.DateField(_("Hearing held on"), null=True, blank=True)
    search_text = models.TextField(
        blank=True, editable=False, help_text="number, party names and summary, for search"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "sequence"], name="case_seq"),
        ]
        indexes = [
            models.Index(fields=["unit", "-opened_at", "-id"]),
            models.Index(fields=["status", "-opened_at"]),
            models.Index(fields=["-opened_at", "-id"]),
            # Counting a list (with the sealing rule) from the index alone.
            models.Index(fields=["unit", "sealed"]),
            models.Index(fields=["unit", "status", "kind", "sealed"]),
            models.Index(fields=["status", "kind", "unit", "sealed"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def kind_enum(self) -> Kind:
        return Kind(self.kind)

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    def status_label(self, language: str = "en") -> str:
        en, zh = STATUS_LABELS[Status(self.status)]
        return zh if language.startswith("zh") else en


class CaseCounter(models.Model):
    """The last sequence used per unit and year; locked while a number is taken."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="counter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last}"


class CaseHandler(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handlers")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="handled")
    assigned_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    lead = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "officer"],
                condition=models.Q(released_at__isnull=True),
                name="handler_active_once",
            ),
        ]
        indexes = [models.Index(fields=["officer", "released_at"])]

    def __str__(self) -> str:
        return f"{self.officer_id} handles {self.case_id}"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("resident identity card")
    PASSPORT = "passport", _("passport")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Mainland travel permit (HK/Macao)")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit (Taiwan)")
    FOREIGN_RESIDENCE = "foreign_residence", _("foreign permanent residence card")
    DRIVING_LICENCE = "driving_licence", _("driving licence")
    NONE = "none", _("none produced")


class Person(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "person"

    name = models.CharField(_("Name"), max_length=80)
    id_type = models.CharField(
        _("ID document"), max_length=24, choices=IdType.choices, default=IdType.NONE
    )
    id_number = models.CharField(_("Document number"), max_length=40, blank=True)
    birth_date = models.DateField(_("Birth date"), null=True, blank=True)
    contact = models.CharField(_("Contact"), max_length=80, blank=True)

    class Meta:
        indexes = [
            # A party's document finds the person already recorded with it (actions._person).
            models.Index(fields=["id_type", "id_number"], name="person_document"),
            # The case page shows persons of the same name and birth date (queries.alike).
            models.Index(fields=["name", "birth_date"], name="person_name_born"),
        ]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class PartyRole(models.TextChoices):
    SUSPECT = "suspect", _("suspect")
    VICTIM = "victim", _("victim")
    WITNESS = "witness", _("witness")
    REPORTER = "reporter", _("reporter")
    GUARDIAN = "guardian", _("guardian")


class Party(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(_("Role"), max_length=16, choices=PartyRole.choices)
    added_at = models.DateTimeField()
    event_on = models.DateField(help_text="the date the age is judged on")
    juvenile = models.BooleanField(default=False, help_text="under 18 on event_on")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="party_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} as {self.role} in {self.case_id}"
