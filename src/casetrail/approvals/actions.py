"""The engine: open a chain, decide its waiting step, return it, reopen it, withdraw it.

These functions write approval rows only; the subject's own action (which called them) records
the ledger entry that says what was decided, in the same transaction. Who may decide is settled
here, for every subject alike: the role of the waiting step over the approval's unit, never the
drafter, and never one officer for two steps of the same round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from casetrail import clock
from casetrail.approvals.models import Approval, ApprovalStatus, ApprovalStep, Verdict
from casetrail.errors import Refused
from casetrail.org.access import has_role
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role, role_label

# A step's deadline, from the subject's rules: (role, step began) -> (due, rule id), or None.
StepDue = Callable[[str, datetime], tuple[datetime, str] | None]


class ApprovalRefused(Refused):
    """The officer may not decide this step (a 403 at the doors); an approval in the wrong state
    or a return with no reason is a plain `Refused` (400)."""


def _wait(approval: Approval, since: datetime, step_due: StepDue | None) -> None:
    role = approval.chain[approval.position]
    approval.current_role = role
    approval.step_since = since
    due = step_due(role, since) if step_due is not None else None
    approval.due_at, approval.due_rule = due if due is not None else (None, "")


def open_approval(
    *,
    subject_type: str,
    subject_id: int,
    unit: Unit,
    title: str,
    case_number: str,
    chain: Sequence[str],
    actor: Officer,
    step_due: StepDue | None = None,
    follows: str = "",
) -> Approval:
    """A new chain waiting for its first role; an empty chain is approved at once. ``follows``
    names the subject whose decision decides it (a warrant follows its measure)."""
    now = clock.now()
    approval = Approval(
        subject_type=subject_type,
        subject_id=subject_id,
        unit=unit,
        title=title[:200],
        case_number=case_number,
        chain=list(chain),
        drafter=actor,
        follows=follows,
        opened_at=now,
        step_since=now,
    )
    if chain:
        _wait(approval, now, step_due)
    else:
        approval.status = ApprovalStatus.APPROVED
        approval.closed_at = now
    approval.save()
    return approval


def lock(approval: Approval) -> Approval:
    return (
        Approval.objects.select_for_update(of=("self",)).select_related("unit").get(pk=approval.pk)
    )


def may_decide(officer: Officer, approval: Approval) -> bool:
    """Whether the officer may decide the waiting step (for showing the form; decide() checks)."""
    return approval.status == ApprovalStatus.PENDING and _why_not(officer, approval) is None


def _why_not(officer: Officer, approval: Approval) -> str | None:
    role = approval.current_role
    if officer.pk == approval.drafter_id:
        return gettext("nobody approves their own draft")
    if not has_role(officer, approval.unit, {role}):
        return gettext(
            "this step is decided by the %(role)s, a role you do not hold at %(unit)s"
        ) % {"role": role_label(role), "unit": approval.unit.name}
    if approval.steps.filter(round=approval.round, officer=officer).exists():
        return gettext(
            "you decided an earlier step of this approval: another officer decides this one"
        )
    return None


@transaction.atomic
def decide(
    approval: Approval,
    *,
    actor: Officer,
    approve: bool,
    opinion: str,
    step_due: StepDue | None = None,
) -> ApprovalStep:
    """Decide the waiting step: approved moves to the next role (or closes the chain), returned
    goes back to the drafter, who may correct and resubmit."""
    approval = lock(approval)
    if approval.status != ApprovalStatus.PENDING:
        raise Refused(
            gettext("the approval is %(status)s: nothing waits for a decision")
            % {"status": approval.get_status_display()},
            field="decision",
        )
    why_not = _why_not(actor, approval)
    if why_not is not None:
        raise ApprovalRefused(why_not, field="decision")
    if not approve and not opinion.strip():
        raise Refused(gettext("say why it goes back to the drafter"), field="opinion")
    if approval.current_role == Role.LEGAL_REVIEWER and not opinion.strip():
        raise Refused(gettext("a legal review is a written opinion: write it"), field="opinion")
    now = clock.now()
    step = ApprovalStep.objects.create(
        approval=approval,
        round=approval.round,
        position=approval.position,
        role=approval.current_role,
        verdict=Verdict.APPROVED if approve else Verdict.RETURNED,
        officer=actor,
        opinion=opinion,
        decided_at=now,
    )
    if not approve:
        approval.status = ApprovalStatus.RETURNED
        approval.current_role = ""
        approval.due_at, approval.due_rule = None, ""
        approval.closed_at = now
    elif approval.position + 1 < len(approval.chain):
        approval.position += 1
        _wait(approval, now, step_due)
    else:
        approval.status = ApprovalStatus.APPROVED
        approval.current_role = ""
        approval.due_at, approval.due_rule = None, ""
        approval.closed_at = now
    approval.save()
    return step


def reopen(approval: Approval, *, step_due: StepDue | None = None) -> Approval:
    """A returned chain, corrected by its drafter, waits again from its first step."""
    approval = lock(approval)
    if approval.status != ApprovalStatus.RETURNED:
        raise Refused(
            gettext("the approval is %(status)s: only a returned one is resubmitted")
            % {"status": approval.get_status_display()},
            field="status",
        )
    approval.round += 1
    approval.position = 0
    approval.status = ApprovalStatus.PENDING
    approval.closed_at = None
    _wait(approval, clock.now(), step_due)
    approval.save()
    return approval


def withdraw(approval: Approval) -> Approval:
    """The subject is cancelled: its chain stops waiting."""
    approval = lock(approval)
    if approval.status in (ApprovalStatus.PENDING, ApprovalStatus.RETURNED):
        approval.status = ApprovalStatus.WITHDRAWN
        approval.current_role = ""
        approval.due_at, approval.due_rule = None, ""
        approval.closed_at = clock.now()
        approval.save()
    return approval
