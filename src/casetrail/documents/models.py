"""Legal documents: drafted from the case, numbered, approved, sealed, issued, served.

A document is never edited after issue: a correction is a new version that points to the one it
supersedes, a revocation keeps the text and says why. Every number of a series (issuing agency,
series character, year) is taken under a row lock and never reused; a draft cancelled after it
took its number stays in the series as a void entry with its reason.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casetrail.approvals.models import Approval
from casetrail.cases.models import Case, Incident, Person
from casetrail.custody.models import Measure
from casetrail.org.models import Officer, Unit


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PENDING = "pending", _("awaiting approval")
    RETURNED = "returned", _("returned to the drafter")
    APPROVED = "approved", _("approved, not issued")
    ISSUED = "issued", _("issued")
    SUPERSEDED = "superseded", _("superseded by a correction")
    REVOKED = "revoked", _("revoked")
    VOID = "void", _("void (cancelled draft)")


class Document(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "document"

    pack = models.CharField(max_length=16)
    type_id = models.CharField(_("Document type"), max_length=48)
    title = models.CharField(max_length=120)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", help_text="the issuing agency"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    params = models.JSONField(default=dict, blank=True)
    particulars = models.TextField(_("Particulars"), max_length=4000, blank=True)
    status = models.CharField(max_length=16, choices=DocumentStatus.choices)
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    series = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    serial = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(max_length=80, blank=True)
    drafted_at = models.DateTimeField()
    drafted_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    approval = models.OneToOneField(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    pdf = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    content_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the document's content, in its QR code"
    )
    sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the issued PDF")
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(max_length=2000, blank=True)
    service_rule = models.CharField(max_length=64, blank=True)
    service_due_at = models.DateTimeField(null=True, blank=True)
    service_warn_at = models.DateTimeField(null=True, blank=True)
    service_citation = models.CharField(max_length=300, blank=True)
    served_at = models.DateTimeField(null=True, blank=True)
    service_missed_at = models.DateTimeField(null=True, blank=True)
    service_warned = models.BooleanField(default=False)
    service_account = models.TextField(
        _("Account of the missed service"), max_length=2000, blank=True
    )

    class Meta:
        ordering = ["drafted_at", "id"]
        constraints = [
            # A number is never used twice in a series.
            models.UniqueConstraint(
                fields=["agency", "series", "year", "serial"],
                condition=Q(serial__isnull=False),
                name="document_number_once",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "drafted_at"]),
            models.Index(fields=["number"]),
            models.Index(fields=["sha256"]),
            models.Index(
                fields=["service_due_at"],
                condition=Q(status="issued", served_at__isnull=True, service_due_at__isnull=False),
                name="document_service_open",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.title} (draft #{self.pk})"


class DocumentSerial(models.Model):
    """The last serial taken per issuing agency, series and year; locked while one is taken."""

    agency = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "series", "year"], name="serial_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.series} {self.year}: {self.last}"


class ServiceMethod(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    RESIDENCE = "residence", _("left at the residence")
    POST = "post", _("by post")
    ELECTRONIC = "electronic", _("electronic")
    PUBLIC_NOTICE = "public_notice", _("public notice")


class Acknowledgment(models.TextChoices):
    SIGNED = "signed", _("signed by the recipient")
    REFUSED = "refused", _("refused to sign (witnessed)")
    UNABLE = "unable", _("unable to sign")


class Service(models.Model):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="services")
    method = models.CharField(_("Method"), max_length=16, choices=ServiceMethod.choices)
    served_at = models.DateTimeField(_("Served at"))
    recipient = models.CharField(_("Recipient"), max_length=80)
    relationship = models.CharField(_("Relationship to the person"), max_length=40)
    acknowledgment = models.CharField(
        _("Acknowledgment"), max_length=16, choices=Acknowledgment.choices
    )
    witness = models.CharField(_("Witness"), max_length=80, blank=True)
    note = models.TextField(_("Note"), max_length=2000, blank=True)
    signature = models.FileField(upload_to="signatures/%Y/%m/", blank=True)
    signature_sha256 = models.CharField(max_length=64, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["served_at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} served {self.served_at:%Y-%m-%d}"
