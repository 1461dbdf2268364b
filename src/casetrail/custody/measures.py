"""What each coercive measure is in law: its pack, who must approve it, and the deadlines its
statute attaches. Data, not behaviour; the actions read it.

The periods themselves come from the rule packs (DESIGN.md invariant 3): this table only names
rule ids. What the packs do not hold is who approves *starting* a measure; that is written here
with its citation, and docs/custody.md lists each reading for a legal reviewer to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casetrail.org.roles import Role, role_label
from casetrail.web.language import reading_chinese


class MeasureKind(models.TextChoices):
    SUMMONS = "summons", _("criminal summons")
    COMPELLED_APPEARANCE = "compelled_appearance", _("compelled appearance")
    CRIMINAL_DETENTION = "criminal_detention", _("criminal detention")
    ARREST = "arrest", pgettext_lazy("measure", "arrest")
    BAIL = "bail", _("bail pending trial")
    RESIDENTIAL_SURVEILLANCE = "residential_surveillance", _("residential surveillance")
    ADMIN_SUMMONS = "admin_summons", _("administrative summons questioning")
    ADMIN_DETENTION = "admin_detention", _("administrative detention")
    PACE_DETENTION = "pace_detention", _("detention without charge (PACE)")


# The measures of the public security administration law (an administrative case's); the others
# are the criminal procedure's. A page offers the case's own first.
ADMINISTRATIVE_KINDS = frozenset(
    {MeasureKind.ADMIN_SUMMONS.value, MeasureKind.ADMIN_DETENTION.value}
)


class Duty(models.TextChoices):
    """What must happen by a deadline, and so which recorded event meets it."""

    LIMIT = "limit", _("end of the lawful period")
    DELIVER = "deliver", _("delivery to the detention house")
    NOTIFY_FAMILY = "notify_family", _("notice to the family")
    INTERROGATE = "interrogate", _("interrogation")
    REQUEST_ARREST = "request_arrest", _("request to approve arrest")
    PROCURATORATE_DECISION = "procuratorate_decision", _("procuratorate's decision on arrest")
    REVIEW = "review", _("review of detention")
    AUTHORISE = "authorise", _("latest superintendent's authorisation")
    APPLY_WARRANT = "apply_warrant", _("application for a warrant of further detention")
    REST = "rest", _("continuous rest")


@dataclass(frozen=True)
class Attached:
    """A deadline a measure's statute attaches: the rule and what meets it."""

    rule_id: str
    duty: Duty
    # "start": the measure's start; "relevant_time": the PACE relevant time;
    # "authorised": when the custody officer first authorised detention (PACE s.40(3)(a)).
    trigger: str = "start"


@dataclass(frozen=True)
class NoticeException:
    """A lawful ground for not telling the family within the period."""

    code: str
    en: str
    zh: str

    @property
    def label(self) -> str:
        """The ground in the reader's language."""
        return self.zh if reading_chinese() else self.en


@dataclass(frozen=True)
class MeasureSpec:
    kind: MeasureKind
    pack: str
    approver: Role
    # Who approves, as the statute says, in the reader's language (``approver_en``: in English).
    approver_label: str | Promise
    approval_citation: str
    attached: tuple[Attached, ...]
    # The extensions of the limit rule open to this measure (None: all the rule lists).
    extensions: tuple[str, ...] | None = None
    # The duty whose deadline bounds the stay in the case-handling area, if the pack has one.
    area_duty: Duty | None = None
    # Lawful grounds for withholding the family notice, with their citation.
    notice_exceptions: tuple[NoticeException, ...] = ()
    notice_exception_citation: str = ""
    # Parameters the measure takes when proposed, passed to the limit rule.
    params: tuple[str, ...] = ()
    # Leaving the area released ends the measure (a summons, a detention, an arrest); bail,
    # residential surveillance and administrative detention are not served in the area.
    ends_on_release_from_area: bool = False

    @property
    def approver_en(self) -> str:
        with translation.override("en"):
            return str(self.approver_label)


# Who approves starting a measure, as the statute says.
HANDLING_DEPARTMENT_HEAD = _("the head of the handling department")
COUNTY_ORGAN_HEAD = _("the head of a public security organ at county level or above")
COUNTY_ORGAN_HEAD_FOR_ARREST = _(
    "the head of a public security organ at county level or above, executing the "
    "procuratorate's approval"
)
COUNTY_ORGAN = _("a public security organ at county level or above")
PACE_CUSTODY_OFFICER = _("the custody officer")

IMPOSSIBLE = NoticeException(
    "impossible", "notice is impossible (no family, no address, identity unknown)", "无法通知"
)
STATE_SECURITY = NoticeException(
    "state_security",
    "suspected crime endangering state security; notice may hinder the investigation",
    "涉嫌危害国家安全犯罪，通知可能有碍侦查",
)
TERRORISM = NoticeException(
    "terrorism",
    "suspected terrorist activity; notice may hinder the investigation",
    "涉嫌恐怖活动犯罪，通知可能有碍侦查",
)

# Variants of administrative questioning after a summons (PSAPL 2012 art. 83, 2025 art. 97):
# the version-free alias picks the law in force on the day of arrival.
QUESTIONING_RULES = {
    "ordinary": "CN-PSAPL-Q-8H",
    "many_or_unknown": "CN-PSAPL-Q-12H",
    "detention_possible": "CN-PSAPL-Q-24H",
}

SPECS: dict[MeasureKind, MeasureSpec] = {
    MeasureKind.SUMMONS: MeasureSpec(
        kind=MeasureKind.SUMMONS,
        pack="cn",
        approver=Role.UNIT_LEADER,
        approver_label=HANDLING_DEPARTMENT_HEAD,
        approval_citation="CPL art. 119(1); MPS Provisions on Criminal Cases (2020) art. 198",
        attached=(Attached("CN-CPL119-SUMMONS-12H", Duty.LIMIT),),
        extensions=("serious-complex",),
        area_duty=Duty.LIMIT,
        ends_on_release_from_area=True,
    ),
    MeasureKind.COMPELLED_APPEARANCE: MeasureSpec(
        kind=MeasureKind.COMPELLED_APPEARANCE,
        pack="cn",
        approver=Role.AGENCY_HEAD,
        approver_label=COUNTY_ORGAN_HEAD,
        approval_citation="CPL art. 66, 119; MPS Provisions on Criminal Cases (2020) art. 78",
        attached=(Attached("CN-CPL119-SUMMONS-12H", Duty.LIMIT),),
        extensions=("serious-complex-compelled",),
        area_duty=Duty.LIMIT,
        ends_on_release_from_area=True,
    ),
    MeasureKind.CRIMINAL_DETENTION: MeasureSpec(
        kind=MeasureKind.CRIMINAL_DETENTION,
        pack="cn",
        approver=Role.AGENCY_HEAD,
        approver_label=COUNTY_ORGAN_HEAD,
        approval_citation="CPL art. 82, 85(1); MPS Provisions on Criminal Cases (2020) art. 125",
        attached=(
            Attached("CN-CPL85-DELIVER-24H", Duty.DELIVER),
            Attached("CN-CPL85-FAMILY-24H", Duty.NOTIFY_FAMILY),
            Attached("CN-CPL86-INTERROGATE-24H", Duty.INTERROGATE),
            Attached("CN-CPL91-ARREST-REQUEST", Duty.REQUEST_ARREST),
            Attached("CN-CPL91-MAX-DETENTION", Duty.LIMIT),
        ),
        area_duty=Duty.DELIVER,
        notice_exceptions=(IMPOSSIBLE, STATE_SECURITY, TERRORISM),
        notice_exception_citation="CPL art. 85(2)",
        ends_on_release_from_area=True,
    ),
    MeasureKind.ARREST: MeasureSpec(
        kind=MeasureKind.ARREST,
        pack="cn",
        approver=Role.AGENCY_HEAD,
        approver_label=COUNTY_ORGAN_HEAD_FOR_ARREST,
        approval_citation="CPL art. 80, 87, 93; MPS Provisions on Criminal Cases (2020) art. 142",
        attached=(
            Attached("CN-CPL93-ARREST-FAMILY-24H", Duty.NOTIFY_FAMILY),
            Attached("CN-CPL94-ARREST-INTERROGATE-24H", Duty.INTERROGATE),
            Attached("CN-CPL156-INVESTIGATIVE-CUSTODY", Duty.LIMIT),
        ),
        notice_exceptions=(IMPOSSIBLE,),
        notice_exception_citation="CPL art. 93(2)",
        ends_on_release_from_area=True,
    ),
    MeasureKind.BAIL: MeasureSpec(
        kind=MeasureKind.BAIL,
        pack="cn",
        approver=Role.AGENCY_HEAD,
        approver_label=COUNTY_ORGAN_HEAD,
        approval_citation="CPL art. 66, 67; MPS Provisions on Criminal Cases (2020) art. 83",
        attached=(Attached("CN-CPL79-BAIL-12M", Duty.LIMIT),),
    ),
    MeasureKind.RESIDENTIAL_SURVEILLANCE: MeasureSpec(
        kind=MeasureKind.RESIDENTIAL_SURVEILLANCE,
        pack="cn",
        approver=Role.AGENCY_HEAD,
        approver_label=COUNTY_ORGAN_HEAD,
        approval_citation="CPL art. 74, 75; MPS Provisions on Criminal Cases (2020) art. 110",
        attached=(Attached("CN-CPL79-RS-6M", Duty.LIMIT),),
    ),
    MeasureKind.ADMIN_SUMMONS: MeasureSpec(
        kind=MeasureKind.ADMIN_SUMMONS,
        pack="cn",
        approver=Role.UNIT_LEADER,
        approver_label=HANDLING_DEPARTMENT_HEAD,
        approval_citation="PSAPL (2012) art. 82",
        attached=(Attached("CN-PSAPL-Q-8H", Duty.LIMIT),),
        area_duty=Duty.LIMIT,
        params=("questioning",),
        ends_on_release_from_area=True,
    ),
    MeasureKind.ADMIN_DETENTION: MeasureSpec(
        kind=MeasureKind.ADMIN_DETENTION,
        pack="cn",
        approver=Role.AGENCY_HEAD,
        approver_label=COUNTY_ORGAN,
        approval_citation="PSAPL (2012) art. 91",
        attached=(Attached("CN-ADMIN-DETENTION-EXEC", Duty.LIMIT),),
        params=("days",),
    ),
    MeasureKind.PACE_DETENTION: MeasureSpec(
        kind=MeasureKind.PACE_DETENTION,
        pack="gb_eng",
        approver=Role.CUSTODY_OFFICER,
        approver_label=PACE_CUSTODY_OFFICER,
        approval_citation="PACE s.37(2)-(3)",
        attached=(
            Attached("EW-PACE41-24H", Duty.LIMIT, "relevant_time"),
            Attached("EW-PACE40-REVIEW-FIRST", Duty.REVIEW, "authorised"),
            Attached("EW-PACE42-LATEST-AUTH", Duty.AUTHORISE, "relevant_time"),
            Attached("EW-PACE44-MAX-96H", Duty.LIMIT, "relevant_time"),
        ),
        area_duty=Duty.LIMIT,
        params=("route", "arrived_at", "hospital", "prior_detention"),
        ends_on_release_from_area=True,
    ),
}

# The roles the packs name (procedure.model.ROLES) as the roles officers are granted here.
# PACE ranks have no grant of their own yet: a superintendent responsible for the station is the
# agency head, and the inspector who reviews detention (s.40(1)(b)) a unit leader who is not
# directly involved in the investigation. docs/custody.md says so.
STATUTE_ROLES: dict[str, Role] = {
    "agency_head": Role.AGENCY_HEAD,
    "unit_leader": Role.UNIT_LEADER,
    "custody_officer": Role.CUSTODY_OFFICER,
    "case_handler": Role.CASE_HANDLER,
    "superintendent": Role.AGENCY_HEAD,
    "inspector_review": Role.UNIT_LEADER,
}

# The rest a detainee must be allowed in the area, per pack (PACE Code C 12.2); the cn pack
# sets no period for it (CPL art. 119(3) asks for food and necessary rest, without a time).
REST_RULES = {"gb_eng": "EW-CODEC-12.2-REST"}
# Code C 12.2: the rest is "a continuous period of at least 8 hours"; the rule gives its latest
# start, and a rest as long as its parameter REST_PARAM (from the pack) meets it.
REST_PARAM = "rest_hours"

# Rules created later in a measure's life, by the event that starts them.
PROCURATORATE_RULE = "CN-CPL91-PROCURATORATE-7D"
PACE_REVIEW_NEXT = "EW-PACE40-REVIEW-NEXT"
PACE_APPLY = "EW-PACE43-APPLY"
PACE_WARRANT = "EW-PACE43-WFD"
PACE_WARRANT_EXTENSION = "EW-PACE44-EXT"
PACE_RELEVANT_TIME = "EW-PACE41-RT"
PACE_ROUTES = ("arrival", "other_force", "outside_ew", "voluntary", "street_bail")


# The approvers the packs name that are not roles granted here, in the reader's language.
STATUTE_ROLE_LABELS = {
    "superintendent": _("a superintendent"),
    "inspector_review": _("a review officer of at least the rank of inspector"),
    "magistrates_court": _("a magistrates' court"),
}


def spec(kind: str) -> MeasureSpec:
    return SPECS[MeasureKind(kind)]


def org_role(statute_role: str) -> Role:
    """The role an officer must hold for an approver the statute names."""
    return STATUTE_ROLES[statute_role]


def statute_role_label(statute_role: str) -> str:
    """An approver the statute names, in the reader's language."""
    if statute_role in STATUTE_ROLE_LABELS:
        return str(STATUTE_ROLE_LABELS[statute_role])
    return role_label(statute_role)
