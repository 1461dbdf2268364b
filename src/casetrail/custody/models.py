"""Coercive measures, their materialised deadlines, the case-handling area and the alerts.

Every row is written by an action in custody/actions.py (or the sweep in custody/alerts.py),
inside the transaction that appends its ledger entry.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casetrail.cases.models import Case, Person
from casetrail.custody.measures import Duty, MeasureKind
from casetrail.org.models import Officer, Unit


class MeasureStatus(models.TextChoices):
    PROPOSED = "proposed", _("awaiting approval")
    APPROVED = "approved", _("approved, not started")
    REFUSED = "refused", _("approval refused")
    RUNNING = "running", _("running")
    ENDED = "ended", _("ended")


class EndOutcome(models.TextChoices):
    RELEASED = "released", _("released")
    CHANGED = "changed", _("changed to another measure")
    TRANSFERRED = "transferred", pgettext_lazy("measure end", "transferred to another agency")
    CHARGED = "charged", _("charged")
    SERVED = "served", _("term served or period over")


class Measure(models.Model):
    LEDGER_SUBJECT: ClassVar[str] = "measure"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="measures")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("Measure"), max_length=32, choices=MeasureKind.choices)
    pack = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=MeasureStatus.choices)
    reason = models.TextField(_("Reason"), max_length=4000)
    params = models.JSONField(default=dict, blank=True)
    proposed_at = models.DateTimeField()
    proposed_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    approver_role = models.CharField(max_length=32)
    approval_citation = models.CharField(max_length=300)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    relevant_at = models.DateTimeField(
        null=True, blank=True, help_text="PACE s.41(2): when the detention clock starts"
    )
    authorised_at = models.DateTimeField(
        null=True, blank=True, help_text="PACE s.37: when the custody officer authorised detention"
    )
    decision_number = models.CharField(
        _("Procuratorate's decision number (arrest)"),
        max_length=80,
        blank=True,
        help_text="the procuratorate's decision approving the arrest",
    )
    decided_on = models.DateField(_("Decided on"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    ended_at = models.DateTimeField(_("Ended at"), null=True, blank=True)
    end_outcome = models.CharField(
        _("Outcome"), max_length=16, blank=True, choices=EndOutcome.choices
    )
    end_reason = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["person", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(started_at__isnull=False, ended_at__gte=models.F("started_at")),
                name="measure_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class MeasureApproval(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="approvals")
    decision = models.CharField(max_length=16, choices=ApprovalDecision.choices)
    role = models.CharField(max_length=32)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    citation = models.CharField(max_length=300)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} {self.measure_id}"


class Destination(models.TextChoices):
    RELEASED = "released", _("released")
    DETENTION_HOUSE = "detention_house", _("detention house")
    HOSPITAL = "hospital", _("hospital")
    TRANSFERRED = "transferred", pgettext_lazy("area exit", "transferred to another agency")


class CustodySession(models.Model):
    """One stay of one person in a unit's case-handling area (执法办案区 / custody suite)."""

    LEDGER_SUBJECT: ClassVar[str] = "custody_session"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="custody_sessions")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="custody_sessions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="custody_sessions")
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    entered_at = models.DateTimeField(_("Entered at"))
    entry_reason = models.TextField(_("Reason"), max_length=2000)
    escorts = models.ManyToManyField(Officer, related_name="+")
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    clock = models.ForeignKey(
        "Deadline",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the deadline that bounds the stay, from the pack",
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    search_record = models.TextField(blank=True)
    injuries_observed = models.TextField(blank=True)
    search_refused = models.BooleanField(default=False)
    rights_given_at = models.DateTimeField(_("Notice of rights given at"), null=True, blank=True)
    lawyer_requested = models.BooleanField(default=False)
    lawyer_requested_at = models.DateTimeField(_("Requested at"), null=True, blank=True)
    interpreter_language = models.CharField(_("Interpreter: language"), max_length=40, blank=True)
    interpreter_name = models.CharField(_("Interpreter: name"), max_length=80, blank=True)
    exited_at = models.DateTimeField(_("Left at"), null=True, blank=True)
    destination = models.CharField(
        _("Destination"), max_length=16, blank=True, choices=Destination.choices
    )
    destination_detail = models.CharField(
        _("Where (detention house, hospital, agency)"), max_length=200, blank=True
    )
    exited_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-entered_at", "-id"]
        indexes = [models.Index(fields=["unit", "exited_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(exited_at__isnull=True) | Q(exited_at__gte=models.F("entered_at")),
                name="session_exits_after_entry",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(exited_at__isnull=True),
                name="one_open_session_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"session #{self.pk}"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    MISSED = "missed", _("missed")
    WAIVED = "waived", _("waived")


class Deadline(models.Model):
    """A deadline computed by the procedure engine, kept with its citation and explanation."""

    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    session = models.ForeignKey(
        CustodySession,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    duty = models.CharField(max_length=24, choices=Duty.choices)
    rule_id = models.CharField(max_length=64)
    requested_id = models.CharField(max_length=64)
    pack = models.CharField(max_length=16)
    title_en = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200)
    citation = models.CharField(max_length=300)
    trigger_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    last_day = models.DateField(null=True, blank=True)
    provisional = models.BooleanField(default=False)
    provisional_reasons = models.JSONField(default=list, blank=True)
    explanation = models.JSONField(default=list)
    extensions = models.JSONField(default=list, blank=True)
    params = models.JSONField(default=dict, blank=True)
    calendar_dependent = models.BooleanField(
        default=False, help_text="a holiday can move it (the rule shifts its last day)"
    )
    status = models.CharField(
        max_length=8, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    status_reason = models.TextField(blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True, help_text="when the event happened")
    warning_sent = models.BooleanField(default=False)
    accounted_at = models.DateTimeField(null=True, blank=True)
    accounted_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    account = models.TextField(blank=True, help_text="what happened, for a missed deadline")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep: open deadlines entering their warning window, and open ones past due.
            models.Index(
                fields=["warn_at"],
                condition=Q(status="open", warning_sent=False),
                name="custody_deadline_to_warn",
            ),
            models.Index(
                fields=["due_at"], condition=Q(status="open"), name="custody_deadline_open_due"
            ),
            # Missed deadlines nobody has accounted for yet stay on the board.
            models.Index(
                fields=["unit"],
                condition=Q(status="missed", accounted_at__isnull=True),
                name="custody_deadline_unaccounted",
            ),
            # The calendar recompute reads only deadlines a holiday can move.
            models.Index(
                fields=["pack"],
                condition=Q(status="open", calendar_dependent=True),
                name="custody_deadline_calendar",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False) | Q(session__isnull=False),
                name="deadline_has_an_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def subject(self) -> Measure | CustodySession:
        """The ledger subject whose chain records this deadline's changes."""
        if self.measure_id is not None:
            assert self.measure is not None  # noqa: S101 - the id says it is there
            return self.measure
        assert self.session is not None  # noqa: S101 - the check constraint guarantees it
        return self.session


class EventKind(models.TextChoices):
    FAMILY_NOTIFIED = "family_notified", _("family notified")
    NOTICE_EXCEPTION = "notice_exception", _("lawful exception to family notice")
    INTERROGATED = "interrogated", _("interrogated")
    DELIVERED = "delivered", _("delivered to the detention house")
    ARREST_REQUESTED = "arrest_requested", _("arrest requested")
    PROCURATORATE_DECIDED = "procuratorate_decided", _("procuratorate decided")
    REVIEWED = "reviewed", _("detention reviewed")
    WARRANT_APPLIED = "warrant_applied", _("warrant applied for")
    WARRANT_ISSUED = "warrant_issued", _("warrant of further detention issued")
    WARRANT_EXTENDED = "warrant_extended", _("warrant extended")


class MeasureEvent(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField(help_text="when it happened")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    details = models.JSONField(default=dict, blank=True)
    meets = models.ManyToManyField(Deadline, related_name="met_by_events", blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class ExtensionRequest(models.Model):
    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="requests")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="extensions")
    extension = models.CharField(
        _("Extension (ID or ID=N)"), max_length=40, help_text="ID or ID=N, as the pack names it"
    )
    extension_id = models.CharField(max_length=40)
    reason = models.TextField(_("Reason"), max_length=4000)
    status = models.CharField(max_length=16, choices=ExtensionStatus.choices)
    statute_approver = models.CharField(max_length=32, help_text="the approver the rule names")
    approver_role = models.CharField(max_length=32, help_text="the role an approver must hold")
    decided_by_body = models.CharField(max_length=200, blank=True)
    citation = models.CharField(max_length=300)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    due_before = models.DateTimeField()
    due_after = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decider = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decision_reference = models.CharField(
        _("Reference of the deciding body's decision"), max_length=120, blank=True
    )

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            # One pending request per deadline: the second waits for the first's decision.
            models.UniqueConstraint(
                fields=["deadline"],
                condition=Q(status="requested"),
                name="one_pending_extension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.extension} for {self.deadline_id} ({self.status})"


class BelongingOutcome(models.TextChoices):
    RETURNED = "returned", _("returned")
    TRANSFERRED = "transferred", pgettext_lazy("belonging", "transferred")


class Belonging(models.Model):
    session = models.ForeignKey(CustodySession, on_delete=models.PROTECT, related_name="belongings")
    number = models.PositiveSmallIntegerField()
    description = models.CharField(_("Item"), max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    notes = models.CharField(_("Notes"), max_length=200, blank=True)
    deposited_at = models.DateTimeField()
    deposited_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(
        _("Outcome"), max_length=16, blank=True, choices=BelongingOutcome.choices
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    transferred_to = models.CharField(_("Transferred to"), max_length=200, blank=True)
    person_signed = models.BooleanField(default=False)
    refusal_witness = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer_signed_by = models.ForeignKey(
        Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="belonging_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.description}"


class InterviewKind(models.TextChoices):
    INTERROGATION = "interrogation", _("interrogation of a suspect")
    INQUIRY = "inquiry", _("questioning")


class Interview(models.Model):
    session = models.ForeignKey(CustodySession, on_delete=models.PROTECT, related_name="interviews")
    kind = models.CharField(_("Kind"), max_length=16, choices=InterviewKind.choices)
    room = models.CharField(_("Room"), max_length=40)
    started_at = models.DateTimeField(_("Started at"))
    ended_at = models.DateTimeField(_("Ended at"))
    officers = models.ManyToManyField(Officer, related_name="+")
    recording_id = models.CharField(_("Recording identifier"), max_length=120)
    recording_sha256 = models.CharField(_("Recording SHA-256"), max_length=64)
    guardian_name = models.CharField(_("Guardian or appropriate adult"), max_length=80, blank=True)
    guardian_relation = models.CharField(_("Their relation"), max_length=40, blank=True)
    interpreter = models.CharField(_("Interpreter"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="interview_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} in {self.room}"


class CareKind(models.TextChoices):
    MEAL = "meal", _("meal")
    REST = "rest", _("rest")
    MEDICAL = "medical", _("medical")
    OTHER = "other", _("other care")


class RestInterruption(models.TextChoices):
    """PACE Code C 12.2: the grounds on which a rest may be interrupted. Only (a) owes a fresh
    continuous period; after (b) or (c) the rest resumes and its parts together count."""

    HARM = "a", _("12.2(a): risk of harm or loss, delayed release, prejudice to the investigation")
    REQUEST = "b", _("12.2(b): at the request of the detainee, appropriate adult or lawyer")
    DUTIES = "c", _("12.2(c): Code C duties (reviews, section 9, medical advice)")


class CareEvent(models.Model):
    session = models.ForeignKey(CustodySession, on_delete=models.PROTECT, related_name="care")
    kind = models.CharField(_("Kind"), max_length=16, choices=CareKind.choices)
    started_at = models.DateTimeField(_("Started at"))
    ended_at = models.DateTimeField(_("Ended at"), null=True, blank=True)
    notes = models.CharField(_("Notes"), max_length=400, blank=True)
    interruption = models.CharField(
        _("Rest interrupted on the ground"),
        max_length=1,
        blank=True,
        choices=RestInterruption.choices,
        help_text="a rest cut short, and why (PACE Code C 12.2): only (a) owes a fresh period",
    )
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.started_at:%H:%M}"


class AlertKind(models.TextChoices):
    WARNING = "warning", _("deadline near")
    MISSED = "missed", _("deadline missed")


class Alert(models.Model):
    """One notice about one deadline; the unique constraint makes concurrent sweeps safe."""

    LEDGER_SUBJECT: ClassVar[str] = "custody_alert"

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=8, choices=AlertKind.choices)
    due_at = models.DateTimeField(help_text="the due time the alert was about")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "kind", "due_at"], name="alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.deadline_id}"


class InboxItem(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="inbox")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="custody_inbox")
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["officer", "acknowledged_at"])]
        constraints = [
            models.UniqueConstraint(fields=["alert", "officer"], name="inbox_once"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} for {self.officer_id}"
