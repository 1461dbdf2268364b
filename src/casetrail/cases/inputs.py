"""The input of each incident and case action, read by the API (`schema_of`) and the pages
(`form_of`) alike. Limits come from the models; rules about the world stay in the actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from django.utils.translation import gettext_lazy as _

from casetrail.cases import machine
from casetrail.cases.models import Case, Incident, OffenceCategory, Party, Person
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
    When,
    bilingual,
)

MAX_HANDLERS = 10
MAX_QUERY_LENGTH = 100
# Why a case moves, why a handler is released, why an incident is decided as it is.
REASON_LENGTH = 2000


class Decision:
    ADMINISTRATIVE_CASE = "administrative_case"
    REGISTRATION_REVIEW = "registration_review"
    NO_CASE = "no_case"
    MEDIATION = "mediation"
    TRANSFER = "transfer"
    ALL = (ADMINISTRATIVE_CASE, REGISTRATION_REVIEW, NO_CASE, MEDIATION, TRANSFER)
    CHOICES = (
        (ADMINISTRATIVE_CASE, _("Accept as an administrative case")),
        (REGISTRATION_REVIEW, _("Open criminal registration review")),
        (NO_CASE, _("No case")),
        (MEDIATION, _("Refer to mediation")),
        (TRANSFER, _("Transfer to another unit")),
    )


def _reason(*, label: object = None) -> Text:
    return Text(max_length=REASON_LENGTH, label=label or _("Reason"), multiline=True)


@dataclass(frozen=True, kw_only=True)
class IncidentInput(Input):
    unit_id: Annotated[int, Ref(Unit, _("Unit"))]
    channel: Annotated[str, Choice(Incident, "channel")]
    received_at: Annotated[datetime, When(Incident, "received_at")]
    reporter_name: Annotated[str, Text(Incident, "reporter_name")]
    reporter_contact: Annotated[str, Text(Incident, "reporter_contact")] = ""
    location: Annotated[str, Text(Incident, "location")]
    category: Annotated[str | None, Ref(OffenceCategory, _("Category"), by="code")] = None
    summary: Annotated[str, Text(Incident, "summary")]


@dataclass(frozen=True, kw_only=True)
class IncidentDecisionInput(Input):
    decision: Annotated[str, Choice(options=Decision.CHOICES, label=_("Decision"))]
    category: Annotated[str | None, Ref(OffenceCategory, _("Category"), by="code")] = None
    title: Annotated[str, Text(Case, "title", label=_("Case title"))] = ""
    handler_ids: Annotated[
        tuple[int, ...], Refs(Officer, _("Handlers (at least two)"), high=MAX_HANDLERS)
    ] = ()
    transfer_to: Annotated[int | None, Ref(Unit, _("Transfer to"))] = None
    reason: Annotated[str, Text(Incident, "decision_reason")] = ""
    notify_method: Annotated[str, Text(Incident, "reporter_notified_by")] = ""


@dataclass(frozen=True, kw_only=True)
class CaseInput(Input):
    unit_id: Annotated[int, Ref(Unit, _("Unit"))]
    kind: Annotated[str, Choice(Case, "kind")]
    category: Annotated[str, Ref(OffenceCategory, _("Category"), by="code")]
    title: Annotated[str, Text(Case, "title")]
    summary: Annotated[str, Text(Case, "summary")] = ""
    handler_ids: Annotated[tuple[int, ...], Refs(Officer, _("Handlers"), high=MAX_HANDLERS)]


MOVE_NAMES = tuple(sorted({m.name for moves in machine.MOVES.values() for m in moves}))


@dataclass(frozen=True, kw_only=True)
class MoveInput(Input):
    move: Annotated[str, Choice(options=[(m, m) for m in MOVE_NAMES], label=_("Next step"))]
    reason: Annotated[str, _reason()] = ""
    hearing_required: Annotated[bool | None, Flag(_("the penalty requires a hearing"))] = None
    hearing_held_on: Annotated[date | None, Day(Case, "hearing_held_on", low=EARLIEST.date())] = (
        None
    )


@dataclass(frozen=True, kw_only=True)
class PartyInput(Input):
    """A party: a person already known (``person_id``) or a new one described here."""

    role: Annotated[str, Choice(Party, "role")]
    person_id: Annotated[int | None, Ref(Person, _("Person"))] = None
    name: Annotated[str, Text(Person, "name")] = ""
    id_type: Annotated[str, Choice(Person, "id_type")] = "none"
    id_number: Annotated[str, Text(Person, "id_number")] = ""
    birth_date: Annotated[date | None, Day(Person, "birth_date")] = None
    contact: Annotated[str, Text(Person, "contact")] = ""


@dataclass(frozen=True, kw_only=True)
class PartyCorrectionInput(Input):
    """A party's particulars as they should read, and why they are corrected. The person's
    record changes in every case the person is a party to."""

    name: Annotated[str, Text(Person, "name")]
    id_type: Annotated[str, Choice(Person, "id_type")] = "none"
    id_number: Annotated[str, Text(Person, "id_number")] = ""
    birth_date: Annotated[date | None, Day(Person, "birth_date")] = None
    contact: Annotated[str, Text(Person, "contact")] = ""
    reason: Annotated[str, _reason(label=_("Why they are corrected"))]


@dataclass(frozen=True, kw_only=True)
class HandlerInput(Input):
    officer_id: Annotated[int, Ref(Officer, _("Officer"))]


@dataclass(frozen=True, kw_only=True)
class ReleaseInput(Input):
    officer_id: Annotated[int, Ref(Officer, _("Officer"))]
    reason: Annotated[str, _reason()]


STATUS_CHOICES = [(s.value, bilingual(*machine.STATUS_LABELS[s])) for s in machine.Status]


@dataclass(frozen=True, kw_only=True)
class CaseFilterInput(Input):
    """The filters of the case list (a read, but checked like every input)."""

    q: Annotated[str, Text(max_length=MAX_QUERY_LENGTH, label=_("Search"))] = ""
    status: Annotated[str | None, Choice(options=STATUS_CHOICES, label=_("Status"))] = None
    kind: Annotated[str | None, Choice(Case, "kind")] = None
    unit: Annotated[int | None, Ref(Unit, _("Unit"))] = None
    handler: Annotated[int | None, Ref(Officer, _("Handler"))] = None
    opened_from: Annotated[date | None, Day(label=_("Opened from"), low=EARLIEST.date())] = None
    opened_to: Annotated[date | None, Day(label=_("Opened to"), low=EARLIEST.date())] = None


@dataclass(frozen=True, kw_only=True)
class IncidentFilterInput(Input):
    status: Annotated[str | None, Choice(Incident, "status")] = None
    # The number on the reporter's receipt (spaces and letter case as they read it out).
    receipt: Annotated[str, Text(max_length=40, label=_("Receipt number"))] = ""
