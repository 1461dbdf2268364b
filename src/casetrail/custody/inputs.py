"""The input of each custody action, read by the API (`body`) and the pages (`form_of`) alike.

Limits come from the models where a column holds the value; what only the ledger and an
event's details keep (a place, a court, a recipient) states its limit here, once. Who may be
named (an escort, an interviewer, a witness) and when a time may lie are the actions' rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from django.utils.translation import gettext_lazy as _

from casetrail.cases.models import Case, Person
from casetrail.custody.measures import PACE_ROUTES, QUESTIONING_RULES
from casetrail.custody.models import (
    Belonging,
    CareEvent,
    CustodySession,
    Deadline,
    ExtensionRequest,
    Interview,
    Measure,
)
from casetrail.org.models import Officer, Unit
from casetrail.web.inputs import (
    EARLIEST,
    Choice,
    Day,
    Flag,
    Input,
    Ref,
    Refs,
    Text,
    Verdict,
    When,
    Whole,
)

MAX_OFFICERS = 10
REASON = 2000
NOTIFY_METHODS = (
    ("phone", _("by telephone")),
    ("in_person", _("in person")),
    ("written", _("in writing")),
    ("sms", _("by text message")),
    ("other", _("other")),
)
DECISIONS = (("approve", _("Approve")), ("refuse", _("Refuse")))
QUESTIONING = (
    ("ordinary", _("ordinary (8 hours)")),
    ("many_or_unknown", _("complex, or identity unknown (12 hours)")),
    ("detention_possible", _("detention possible (24 hours)")),
)
assert {q for q, _label in QUESTIONING} == set(QUESTIONING_RULES)  # noqa: S101 - one list
ROUTES = (
    ("arrival", _("arrested locally: from arrival at the station")),
    ("other_force", _("arrested by another force")),
    ("outside_ew", _("arrested outside England and Wales")),
    ("voluntary", _("attended voluntarily, then arrested")),
    ("street_bail", _("answering street bail")),
)
assert tuple(r for r, _label in ROUTES) == PACE_ROUTES  # noqa: S101 - one list
REVIEW_OUTCOMES = (("continue", _("Detention continues")), ("release", _("Release")))
HHMM = r"\d{1,3}:[0-5]\d"


def _reason(label: object = None, *, limit: int = REASON) -> Text:
    return Text(max_length=limit, label=label or _("Reason"), multiline=True)


def _hhmm(label: object) -> Text:
    return Text(max_length=6, label=label, pattern=HHMM, pattern_text=_("hours:minutes, e.g. 2:30"))


# -- measures ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MeasureInput(Input):
    """A measure proposed for a suspect of a case, with the parameters its rule takes."""

    case_id: Annotated[int, Ref(Case, _("Case"))]
    person_id: Annotated[int, Ref(Person, _("Person"))]
    kind: Annotated[str, Choice(Measure, "kind")]
    reason: Annotated[str, Text(Measure, "reason")]
    questioning: Annotated[
        str | None, Choice(options=QUESTIONING, label=_("Questioning (administrative summons)"))
    ] = None
    # The pack's rule bounds the days by the law in force; this only bounds what is plausible.
    days: Annotated[
        int | None, Whole(low=1, high=365, label=_("Days (administrative detention)"))
    ] = None
    route: Annotated[
        str | None, Choice(options=ROUTES, label=_("Route to the station (PACE s.41(2))"))
    ] = None
    hospital: Annotated[str, _hhmm(_("Time in hospital not questioned (PACE s.41(6))"))] = ""
    prior_detention: Annotated[str, _hhmm(_("Time already in police detention (PACE s.47(6))"))] = (
        ""
    )


@dataclass(frozen=True, kw_only=True)
class MeasureDecisionInput(Input):
    decision: Annotated[str, Choice(options=DECISIONS, label=_("Decision"))]
    reason: Annotated[str, _reason()] = ""


OPINIONS = (("agree", _("Agree")), ("disagree", _("Disagree")))


@dataclass(frozen=True, kw_only=True)
class LegalReviewInput(Input):
    """The legal department's written opinion on a proposed measure (法制审核意见)."""

    verdict: Annotated[str, Choice(options=OPINIONS, label=_("Opinion"))]
    opinion: Annotated[
        str, Text(max_length=4000, multiline=True, label=_("Written opinion (法制审核意见)"))
    ]


@dataclass(frozen=True, kw_only=True)
class StartInput(Input):
    started_at: Annotated[datetime, When(label=_("Started at (PACE: the arrest)"))]
    arrived_at: Annotated[datetime | None, When(label=_("Arrived at the station (PACE)"))] = None
    decision_number: Annotated[str, Text(Measure, "decision_number")] = ""
    decided_on: Annotated[date | None, Day(Measure, "decided_on", low=EARLIEST.date())] = None
    replaces_id: Annotated[int | None, Ref(Measure, _("Replaces the running measure"))] = None


@dataclass(frozen=True, kw_only=True)
class EndInput(Input):
    ended_at: Annotated[datetime, When(Measure, "ended_at")]
    outcome: Annotated[str, Choice(Measure, "end_outcome")]
    reason: Annotated[str, _reason()]


# -- events that meet a measure's deadlines -------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class NoticeInput(Input):
    at: Annotated[datetime, When(label=_("Notified at"))]
    method: Annotated[str, Choice(options=NOTIFY_METHODS, label=_("Method"))]
    recipient: Annotated[str, Text(max_length=80, label=_("Person told"))]
    relationship: Annotated[str, Text(max_length=40, label=_("Relationship"))]


@dataclass(frozen=True, kw_only=True)
class NoticeExceptionInput(Input):
    ground: Annotated[str, Text(max_length=32, label=_("Lawful ground"))]
    detail: Annotated[str, _reason(_("Facts"))]


@dataclass(frozen=True, kw_only=True)
class InterrogationInput(Input):
    at: Annotated[datetime, When(label=_("Interrogated at"))]
    place: Annotated[str, Text(max_length=200, label=_("Place"))]


@dataclass(frozen=True, kw_only=True)
class DeliveryInput(Input):
    at: Annotated[datetime, When(label=_("Delivered at"))]
    place: Annotated[str, Text(max_length=200, label=_("Detention house"))]


@dataclass(frozen=True, kw_only=True)
class ArrestRequestInput(Input):
    submitted_at: Annotated[datetime, When(label=_("Submitted at"))]
    received_at: Annotated[datetime, When(label=_("Received by the procuratorate at"))]


@dataclass(frozen=True, kw_only=True)
class ProcuratorateDecisionInput(Input):
    approved: Annotated[
        bool, Verdict(yes=_("Arrest approved"), no=_("Arrest not approved"), label=_("Decision"))
    ]
    decided_at: Annotated[datetime, When(label=_("Decided at"))]
    number: Annotated[str, Text(max_length=80, label=_("Decision number"))]


@dataclass(frozen=True, kw_only=True)
class ReviewInput(Input):
    at: Annotated[datetime, When(label=_("Reviewed at"))]
    outcome: Annotated[str, Choice(options=REVIEW_OUTCOMES, label=_("Outcome"))]
    notes: Annotated[str, _reason(_("Notes"))] = ""


@dataclass(frozen=True, kw_only=True)
class WarrantApplicationInput(Input):
    at: Annotated[datetime, When(label=_("Applied at"))]
    court: Annotated[str, Text(max_length=200, label=_("Magistrates' court"))]


@dataclass(frozen=True, kw_only=True)
class WarrantInput(Input):
    issued_at: Annotated[datetime, When(label=_("Issued at"))]
    hours: Annotated[int, Whole(low=1, high=96, label=_("Hours"))]
    court: Annotated[str, Text(max_length=200, label=_("Magistrates' court"))]
    reference: Annotated[str, Text(max_length=80, label=_("Reference"))]
    extension: Annotated[bool, Flag(_("Extends the warrant in force"))] = False


# -- deadlines and extensions -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ExtensionInput(Input):
    deadline_id: Annotated[int, Ref(Deadline, _("Deadline"))]
    extension: Annotated[
        str, Text(ExtensionRequest, "extension", label=_("Extension (ID or ID=N)"))
    ]
    reason: Annotated[str, Text(ExtensionRequest, "reason", label=_("Reason"))]


@dataclass(frozen=True, kw_only=True)
class ExtensionDecisionInput(Input):
    decision: Annotated[str, Choice(options=DECISIONS, label=_("Decision"))]
    reason: Annotated[str, _reason()] = ""
    reference: Annotated[
        str,
        Text(
            ExtensionRequest,
            "decision_reference",
            label=_("Reference of the deciding body's decision"),
        ),
    ] = ""


@dataclass(frozen=True, kw_only=True)
class AccountInput(Input):
    account: Annotated[str, Text(max_length=4000, label=_("What happened"), multiline=True)]


# -- the case-handling area ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SessionInput(Input):
    """A person brought into the area of ``unit_id`` for a case, by at least two officers."""

    unit_id: Annotated[int, Ref(Unit, _("Unit"))]
    case_id: Annotated[int, Ref(Case, _("Case"))]
    person_id: Annotated[int, Ref(Person, _("Person"))]
    measure_id: Annotated[int | None, Ref(Measure, _("Under the measure"))] = None
    entered_at: Annotated[datetime, When(CustodySession, "entered_at")]
    escort_ids: Annotated[
        tuple[int, ...], Refs(Officer, _("Escorting officers (at least two)"), high=MAX_OFFICERS)
    ]
    reason: Annotated[str, Text(CustodySession, "entry_reason")]


@dataclass(frozen=True, kw_only=True)
class SafetyCheckInput(Input):
    at: Annotated[datetime, When(label=_("Checked at"))]
    search_record: Annotated[str, Text(max_length=4000, label=_("Search record"), multiline=True)]
    injuries_observed: Annotated[
        str, Text(max_length=4000, label=_("Injuries observed"), multiline=True)
    ]
    refused: Annotated[bool, Flag(_("The person refused the search"))] = False


@dataclass(frozen=True, kw_only=True)
class BelongingInput(Input):
    description: Annotated[str, Text(Belonging, "description")]
    quantity: Annotated[int, Whole(low=1, high=100_000, label=_("Quantity"))] = 1
    notes: Annotated[str, Text(Belonging, "notes")] = ""


@dataclass(frozen=True, kw_only=True)
class SettleInput(Input):
    outcome: Annotated[str, Choice(Belonging, "outcome")]
    transferred_to: Annotated[str, Text(Belonging, "transferred_to")] = ""
    person_signed: Annotated[bool, Flag(_("The person signed"))] = False
    refusal_witness_id: Annotated[int | None, Ref(Officer, _("Witness of a refusal to sign"))] = (
        None
    )


@dataclass(frozen=True, kw_only=True)
class InterviewInput(Input):
    kind: Annotated[str, Choice(Interview, "kind")]
    room: Annotated[str, Text(Interview, "room")]
    started_at: Annotated[datetime, When(Interview, "started_at")]
    ended_at: Annotated[datetime, When(Interview, "ended_at")]
    officer_ids: Annotated[tuple[int, ...], Refs(Officer, _("Officers"), high=MAX_OFFICERS)]
    recording_id: Annotated[str, Text(Interview, "recording_id")]
    recording_sha256: Annotated[
        str,
        Text(
            Interview,
            "recording_sha256",
            pattern="[0-9a-fA-F]{64}",
            pattern_text=_("the 64 hexadecimal digits of the recording's SHA-256"),
        ),
    ]
    guardian_name: Annotated[str, Text(Interview, "guardian_name")] = ""
    guardian_relation: Annotated[str, Text(Interview, "guardian_relation")] = ""
    interpreter: Annotated[str, Text(Interview, "interpreter")] = ""


@dataclass(frozen=True, kw_only=True)
class CareInput(Input):
    kind: Annotated[str, Choice(CareEvent, "kind")]
    started_at: Annotated[datetime, When(CareEvent, "started_at")]
    ended_at: Annotated[datetime | None, When(CareEvent, "ended_at")] = None
    notes: Annotated[str, Text(CareEvent, "notes")] = ""
    interruption: Annotated[str | None, Choice(CareEvent, "interruption")] = None


@dataclass(frozen=True, kw_only=True)
class RightsInput(Input):
    given_at: Annotated[datetime, When(CustodySession, "rights_given_at")]
    lawyer_requested: Annotated[bool, Flag(_("A lawyer was requested"))] = False
    lawyer_requested_at: Annotated[datetime | None, When(CustodySession, "lawyer_requested_at")] = (
        None
    )
    interpreter_language: Annotated[str, Text(CustodySession, "interpreter_language")] = ""
    interpreter_name: Annotated[str, Text(CustodySession, "interpreter_name")] = ""


@dataclass(frozen=True, kw_only=True)
class ExitInput(Input):
    exited_at: Annotated[datetime, When(CustodySession, "exited_at")]
    destination: Annotated[str, Choice(CustodySession, "destination")]
    destination_detail: Annotated[str, Text(CustodySession, "destination_detail")] = ""


# -- the lists' filters ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MeasureFilterInput(Input):
    unit: Annotated[int | None, Ref(Unit, _("Unit"))] = None
    status: Annotated[str | None, Choice(Measure, "status")] = None
    case: Annotated[int | None, Ref(Case, _("Case"))] = None


@dataclass(frozen=True, kw_only=True)
class SessionFilterInput(Input):
    unit: Annotated[int | None, Ref(Unit, _("Unit"))] = None
    open_only: Annotated[bool, Flag(_("Only those still in the area"))] = False


@dataclass(frozen=True, kw_only=True)
class InboxFilterInput(Input):
    unread_only: Annotated[bool, Flag(_("Only alerts not yet acknowledged"))] = False


__all__ = [
    "AccountInput",
    "ArrestRequestInput",
    "BelongingInput",
    "CareInput",
    "DeliveryInput",
    "EndInput",
    "ExitInput",
    "ExtensionDecisionInput",
    "ExtensionInput",
    "InboxFilterInput",
    "InterrogationInput",
    "InterviewInput",
    "MeasureDecisionInput",
    "MeasureFilterInput",
    "MeasureInput",
    "NoticeExceptionInput",
    "NoticeInput",
    "ProcuratorateDecisionInput",
    "ReviewInput",
    "RightsInput",
    "SafetyCheckInput",
    "SessionFilterInput",
    "SessionInput",
    "SettleInput",
    "StartInput",
    "WarrantApplicationInput",
    "WarrantInput",
]
