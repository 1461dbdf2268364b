"""Legal review (法制审核): the decisions the legal department reviews, in writing, before the
leader decides. The document's approval chain then starts with the legal reviewer, so the
leader's step cannot be reached without the reviewer's approval and its written opinion
(approvals.actions.decide refuses a legal reviewer's step with no opinion).

What is reviewed:
- what the catalogue itself chains through ``legal_reviewer`` (an administrative penalty
  decision and a decision not to punish: MPS Provisions on Administrative Cases arts. 170-171);
- an administrative penalty of detention too: its decision is the detention measure's own
  document, decided with the measure by the measure's approver, so the review comes before
  that decision, on the measure (custody.actions.review_measure);
- what the agency adds in ``settings.CASETRAIL_LEGAL_REVIEW`` (``{pack: [document type id,
  ...]}``): by default a decision to withdraw a case and a notice not to register one, the
  decisions the issue of supervision names; an installation may set its own list.
"""

from __future__ import annotations

from django.conf import settings

from casetrail.org.roles import Role

AGENCY_DEFAULT: dict[str, tuple[str, ...]] = {
    "cn": ("case_withdrawal_decision", "nonregistration_notice"),
}


def agency_types(pack: str) -> frozenset[str]:
    configured = getattr(settings, "CASETRAIL_LEGAL_REVIEW", None)
    chosen = AGENCY_DEFAULT if configured is None else configured
    return frozenset(chosen.get(pack, ()))


def with_review(pack: str, type_id: str, chain: tuple[str, ...]) -> tuple[str, ...]:
    """The chain with the legal reviewer first, when the agency has the type reviewed and the
    catalogue does not already chain it through the reviewer."""
    if Role.LEGAL_REVIEWER in chain or type_id not in agency_types(pack):
        return chain
    return (Role.LEGAL_REVIEWER.value, *chain)
