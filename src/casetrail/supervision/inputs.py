"""One input per supervision action, shared by the API and the pages (web.inputs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casetrail.org.models import Officer, Unit
from casetrail.supervision.checks import CHECKS
from casetrail.supervision.models import Finding, FindingStatus
from casetrail.web.inputs import EARLIEST, Choice, Day, Input, Ref, Text

REVIEWS = (("accept", _("Accept the rectification")), ("reject", _("Reject: send it back")))
ANSWERS = (
    ("upheld", _("The score stands")),
    ("corrected", _("Findings behind the score were corrected")),
)
QUARTER_PATTERN = r"(19[7-9][0-9]|20[0-9][0-9]|2100)Q[1-4]"
STATUSES = (
    ("live", _("open or awaiting review")),
    ("all", _("any status")),
    *FindingStatus.choices,
)


@dataclass(frozen=True, kw_only=True)
class FindingRectifyInput(Input):
    text: Annotated[str, Text(max_length=4000, label=_("What was done"))]


@dataclass(frozen=True, kw_only=True)
class FindingReviewInput(Input):
    decision: Annotated[str, Choice(options=REVIEWS, label=_("Decision"))]
    reasons: Annotated[str, Text(max_length=4000, label=_("Reasons"))] = ""


@dataclass(frozen=True, kw_only=True)
class FindingDismissInput(Input):
    reasons: Annotated[str, Text(max_length=4000, label=_("Reasons"))]


@dataclass(frozen=True, kw_only=True)
class FindingFilterInput(Input):
    """The filters of the findings list (a read, but checked like every input)."""

    status: Annotated[str | None, Choice(options=STATUSES, label=_("Status"))] = None
    severity: Annotated[str | None, Choice(Finding, "severity", label=_("Severity"))] = None
    unit: Annotated[int | None, Ref(Unit, _("Unit"))] = None
    check: Annotated[
        str | None,
        Choice(options=[(c.id, c.id) for c in CHECKS], label=pgettext_lazy("supervision", "Check")),
    ] = None
    closed_by: Annotated[int | None, Ref(Officer, _("Closed or reviewed by"))] = None
    opened_from: Annotated[
        date | None, Day(label=pgettext_lazy("finding", "Opened from"), low=EARLIEST.date())
    ] = None
    opened_to: Annotated[
        date | None, Day(label=pgettext_lazy("finding", "Opened to"), low=EARLIEST.date())
    ] = None


def _quarter(required: bool = True) -> Text:
    return Text(
        max_length=6,
        label=_("Quarter"),
        pattern=QUARTER_PATTERN,
        pattern_text=_("a quarter such as 2026Q3"),
    )


@dataclass(frozen=True, kw_only=True)
class ScorecardFilterInput(Input):
    """Which quarter's scorecard (a read, checked like every input); the last published one
    when none is given."""

    quarter: Annotated[str | None, _quarter()] = None


@dataclass(frozen=True, kw_only=True)
class ScoreReviewRequestInput(Input):
    unit_id: Annotated[int, Ref(Unit, _("Unit"))]
    quarter: Annotated[str, _quarter()]
    reasons: Annotated[str, Text(max_length=4000, label=_("Why the score should be reviewed"))]


@dataclass(frozen=True, kw_only=True)
class ScoreReviewAnswerInput(Input):
    decision: Annotated[str, Choice(options=ANSWERS, label=_("Answer"))]
    answer: Annotated[str, Text(max_length=4000, label=_("Reasons"))]
