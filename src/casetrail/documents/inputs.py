"""One input per documents action, shared by the API and the pages (web.inputs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from django.utils.translation import gettext_lazy as _

from casetrail.cases.models import Person
from casetrail.custody.models import Measure
from casetrail.documents.models import Document, Service
from casetrail.web.inputs import Choice, Input, Pairs, Ref, Text, When

DECISIONS = (("approve", _("Approve")), ("return", _("Return to the drafter")))
# A drawn signature (PNG from the tablet pad) or a scan of the signed paper (PNG or JPEG), as a
# data URL: "data:image/png;base64,...". About 1.5 MB of image at most.
SIGNATURE_LIMIT = 2_000_000


@dataclass(frozen=True, kw_only=True)
class DraftInput(Input):
    type_id: Annotated[str, Text(Document, "type_id")]
    person_id: Annotated[int | None, Ref(Person, _("Person concerned"))] = None
    measure_id: Annotated[int | None, Ref(Measure, _("Measure"))] = None
    particulars: Annotated[str, Text(Document, "particulars")] = ""
    params: Annotated[dict[str, str] | None, Pairs(label=_("Particulars by name"))] = None


@dataclass(frozen=True, kw_only=True)
class CorrectionInput(Input):
    reason: Annotated[str, Text(max_length=2000, label=_("What is corrected, and why"))]
    particulars: Annotated[str, Text(Document, "particulars")] = ""
    params: Annotated[dict[str, str] | None, Pairs(label=_("Particulars by name"))] = None


@dataclass(frozen=True, kw_only=True)
class DecisionInput(Input):
    decision: Annotated[str, Choice(options=DECISIONS, label=_("Decision"))]
    opinion: Annotated[str, Text(max_length=2000, label=_("Opinion"))] = ""


@dataclass(frozen=True, kw_only=True)
class ReasonInput(Input):
    reason: Annotated[str, Text(max_length=2000, label=_("Reason"))]


@dataclass(frozen=True, kw_only=True)
class ServiceInput(Input):
    method: Annotated[str, Choice(Service, "method")]
    served_at: Annotated[datetime, When(Service, "served_at")]
    recipient: Annotated[str, Text(Service, "recipient")]
    relationship: Annotated[str, Text(Service, "relationship")]
    acknowledgment: Annotated[str, Choice(Service, "acknowledgment")]
    witness: Annotated[str, Text(Service, "witness")] = ""
    note: Annotated[str, Text(Service, "note")] = ""
    signature: Annotated[
        str,
        Text(
            max_length=SIGNATURE_LIMIT,
            label=_("Signature (drawn, or a scan of the signed paper)"),
            pattern=r"data:image/(?:png|jpeg);base64,[A-Za-z0-9+/=]+",
            pattern_text=_("a PNG or JPEG image as a data URL"),
        ),
    ] = ""


@dataclass(frozen=True, kw_only=True)
class ServiceAccountInput(Input):
    account: Annotated[str, Text(Document, "service_account")]
