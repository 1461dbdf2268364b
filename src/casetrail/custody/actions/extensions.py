"""Extensions of a deadline, asked for and decided by the approver its rule names; the account
of a missed deadline; and the acknowledgement of an alert."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from casetrail import clock
from casetrail.custody import clocks
from casetrail.custody.access import (
    access_deadline,
    may_decide,
    require_deadline_write,
    require_measure_write,
)
from casetrail.custody.actions._common import duty_deadlines, lock, meet, require_running
from casetrail.custody.errors import ApprovalRefused, CustodyError
from casetrail.custody.inputs import AccountInput, ExtensionDecisionInput, ExtensionInput
from casetrail.custody.measures import (
    PACE_APPLY,
    Duty,
    MeasureKind,
    org_role,
    spec,
    statute_role_label,
)
from casetrail.custody.models import (
    Deadline,
    DeadlineStatus,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    InboxItem,
    Measure,
)
from casetrail.errors import in_field
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer
from casetrail.org.roles import role_label

SECOND_REVIEW = 2  # PACE s.42(4)(b)


@transaction.atomic
def request_extension(data: ExtensionInput, *, actor: Officer) -> ExtensionRequest:
    """Ask for an extension the rule allows; refused at once if the statute does not allow it
    (unknown, too often, a missing earlier step, past the ceiling, or after expiry)."""
    with in_field("deadline_id"):
        seen = access_deadline(actor, data.deadline_id)
    deadline = (
        Deadline.objects.select_for_update(of=("self",)).select_related("measure").get(pk=seen.pk)
    )
    if deadline.measure is None:
        raise CustodyError(gettext("this deadline takes no extension"), field="extension")
    measure = lock(deadline.measure)
    require_measure_write(actor, measure)
    require_running(measure)
    if deadline.status != DeadlineStatus.OPEN:
        raise CustodyError(
            gettext("the deadline is %(status)s: only an open one is extended")
            % {"status": deadline.get_status_display()},
            field="extension",
        )
    name = data.extension.partition("=")[0]
    allowed = spec(measure.kind).extensions
    if allowed is not None and name not in allowed:
        raise CustodyError(
            gettext("a %(kind)s may be extended only by %(extensions)s")
            % {"kind": spec(measure.kind).kind.label, "extensions": ", ".join(allowed)},
            field="extension",
        )
    if deadline.requests.filter(status=ExtensionStatus.REQUESTED).exists():
        raise CustodyError(
            gettext("an extension of this deadline is already waiting for a decision"),
            field="extension",
        )
    now = clock.now()
    ruling = clocks.check_extension(deadline, data.extension, calendars=clocks.Calendars(), now=now)
    if not ruling.allowed or ruling.due_after is None:
        raise CustodyError("; ".join(ruling.reasons), field="extension")
    _check_pace_extension(measure, name)
    ext = clocks.rule_of(deadline).extension(name)
    request = ExtensionRequest.objects.create(
        deadline=deadline,
        measure=measure,
        extension=data.extension,
        extension_id=name,
        reason=data.reason,
        status=ExtensionStatus.REQUESTED,
        statute_approver=ruling.approver,
        approver_role=org_role(ruling.approver),
        # The packs' own text, not input: tests/custody hold every pack's to these columns.
        decided_by_body=ruling.decided_by,
        citation=ext.citation,
        requested_at=now,
        requested_by=actor,
        due_before=deadline.due_at,
        due_after=ruling.due_after,
    )
    record(
        LedgerKind.EXTENSION_REQUESTED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "request": request.pk,
            "deadline": deadline.pk,
            "rule": deadline.rule_id,
            "extension": data.extension,
            "reason": data.reason,
            "approver": ruling.approver,
            "due_before": deadline.due_at,
            "due_after": ruling.due_after,
        },
    )
    return request


def _check_pace_extension(measure: Measure, name: str) -> None:
    """PACE s.42(4)(b): no superintendent's authorisation before the second review."""
    if measure.kind != MeasureKind.PACE_DETENTION or name != "s42":
        return
    reviews = measure.events.filter(kind=EventKind.REVIEWED).count()
    if reviews < SECOND_REVIEW:
        raise CustodyError(
            gettext(
                "a superintendent may authorise continued detention only after the second "
                "review of detention (PACE s.42(4)(b)); %(count)d held so far"
            )
            % {"count": reviews},
            field="extension",
        )


@transaction.atomic
def decide_extension(
    request: ExtensionRequest, data: ExtensionDecisionInput, *, actor: Officer
) -> ExtensionRequest:
    """Approve or refuse by the role the rule names. An approval recomputes every open deadline
    of the measure the extension applies to; none ever moves earlier."""
    request = (
        ExtensionRequest.objects.select_for_update(of=("self",))
        .select_related("deadline", "measure")
        .get(pk=request.pk)
    )
    measure = lock(request.measure)
    if not may_decide(actor, measure.unit, request.approver_role):
        raise ApprovalRefused(
            gettext(
                "extension %(extension)s of %(rule)s is approved by %(approver)s (role %(role)s), "
                "which you do not hold at %(unit)s (%(citation)s)"
            )
            % {
                "extension": request.extension,
                "rule": request.deadline.rule_id,
                "approver": statute_role_label(request.statute_approver),
                "role": role_label(request.approver_role),
                "unit": measure.unit.name,
                "citation": request.citation,
            },
            field="approver",
        )
    if request.status != ExtensionStatus.REQUESTED:
        raise CustodyError(
            gettext("the request was already %(status)s")
            % {"status": request.get_status_display()},
            field="decision",
        )
    now = clock.now()
    if data.decision != "approve":
        if not data.reason:
            raise CustodyError(gettext("the reason for the refusal is required"), field="reason")
        request.status = ExtensionStatus.REFUSED
        request.decided_at, request.decider, request.decision_reason = now, actor, data.reason
        request.save(update_fields=["status", "decided_at", "decider", "decision_reason"])
        record(
            LedgerKind.EXTENSION_REFUSED,
            subject=measure,
            actor=actor,
            unit_id=measure.unit_id,
            data={"request": request.pk, "extension": request.extension, "reason": data.reason},
        )
        return request
    if request.decided_by_body and not data.reference:
        raise CustodyError(
            gettext("%(citation)s: %(body)s decides; give its decision's reference")
            % {"citation": request.citation, "body": request.decided_by_body},
            field="reference",
        )
    require_running(measure)
    calendars = clocks.Calendars()
    target = Deadline.objects.select_for_update().get(pk=request.deadline_id)
    ruling = clocks.check_extension(target, request.extension, calendars=calendars, now=now)
    if not ruling.allowed:
        raise CustodyError("; ".join(ruling.reasons), field="decision")
    moves = []
    for deadline in measure.deadlines.select_for_update().filter(status=DeadlineStatus.OPEN):
        names = {e.id for e in clocks.rule_of(deadline).extensions}
        if request.extension_id not in names:
            continue
        if deadline.pk != target.pk:
            sibling = clocks.check_extension(
                deadline, request.extension, calendars=calendars, now=now
            )
            if not sibling.allowed:
                # The extension moves every deadline of the measure that names it (CPL art. 91:
                # the arrest request and the outer bound together); one it may no longer move
                # (its period ended) refuses the whole decision rather than split them.
                raise CustodyError(
                    f"{deadline.rule_id}: " + "; ".join(sibling.reasons), field="decision"
                )
        moves.append(_extend(deadline, request.extension, calendars))
    if request.extension_id == "s42":
        moves += _after_superintendent(measure, now, calendars)
    request.status = ExtensionStatus.APPROVED
    request.decided_at, request.decider = now, actor
    request.decision_reason = data.reason
    request.decision_reference = data.reference
    request.save(
        update_fields=["status", "decided_at", "decider", "decision_reason", "decision_reference"]
    )
    record(
        LedgerKind.EXTENSION_APPROVED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "request": request.pk,
            "extension": request.extension,
            "role": request.approver_role,
            "reason": request.decision_reason,
            "reference": request.decision_reference or None,
            "decided_by": request.decided_by_body or None,
            "deadlines": moves,
        },
    )
    return request


def _extend(deadline: Deadline, extension: str, calendars: clocks.Calendars) -> dict[str, Any]:
    before = deadline.due_at
    computed = clocks.compute(
        deadline.requested_id,
        deadline.trigger_at,
        pack=deadline.pack,
        calendars=calendars,
        extensions=[*deadline.extensions, extension],
        params=deadline.params,
        field="extension",
    )
    if computed.due_at < before:
        # The engine never shortens a period by an extension; refuse rather than store it.
        raise CustodyError(
            gettext("%(extension)s would move %(rule)s earlier")
            % {"extension": extension, "rule": deadline.rule_id},
            field="extension",
        )
    clocks.fill(deadline, computed)
    deadline.warning_sent = deadline.warning_sent and deadline.due_at == before
    deadline.save()
    return clocks.summary(deadline) | {"due_before": before}


def _after_superintendent(
    measure: Measure, now: datetime, calendars: clocks.Calendars
) -> list[dict[str, Any]]:
    """A superintendent's authorisation meets the s.42(4) deadline and, the first time, opens
    the deadline for applying for a warrant of further detention (s.43(5))."""
    changed = [
        meet(d, now, "superintendent's authorisation given", now=now)
        for d in duty_deadlines(measure, Duty.AUTHORISE)
    ]
    if not measure.deadlines.filter(rule_id=PACE_APPLY).exists():
        assert measure.relevant_at is not None  # noqa: S101 - set when a PACE detention starts
        computed = clocks.compute(
            PACE_APPLY, measure.relevant_at, pack=measure.pack, calendars=calendars
        )
        apply = clocks.new_deadline(
            duty=Duty.APPLY_WARRANT, computed=computed, params={}, now=now, measure=measure
        )
        changed.append(clocks.summary(apply))
    return changed


# -- missed deadlines and alerts -------------------------------------------------------------------


@transaction.atomic
def account_for_missed(deadline: Deadline, data: AccountInput, *, actor: Officer) -> Deadline:
    """Say what happened about a missed deadline; until then it stays on the board."""
    deadline = (
        Deadline.objects.select_for_update(of=("self",))
        .select_related("measure", "session", "measure__case", "session__case", "unit")
        .get(pk=deadline.pk)
    )
    require_deadline_write(actor, deadline)
    if deadline.status != DeadlineStatus.MISSED or deadline.accounted_at is not None:
        raise CustodyError(
            gettext("only a missed deadline nobody has accounted for takes an account"),
            field="account",
        )
    deadline.account = data.account
    deadline.accounted_at = clock.now()
    deadline.accounted_by = actor
    deadline.save(update_fields=["account", "accounted_at", "accounted_by"])
    record(
        LedgerKind.DEADLINE_ACCOUNTED_FOR,
        subject=deadline.subject,
        actor=actor,
        unit_id=deadline.unit_id,
        data=clocks.summary(deadline) | {"account": deadline.account},
    )
    return deadline


@transaction.atomic
def acknowledge_alert(item: InboxItem, *, actor: Officer) -> InboxItem:
    item = InboxItem.objects.select_for_update(of=("self",)).select_related("alert").get(pk=item.pk)
    if item.officer_id != actor.pk:
        raise CustodyError(gettext("only the recipient acknowledges an alert"), field="item")
    if item.acknowledged_at is not None:
        raise CustodyError(gettext("the alert was already acknowledged"), field="item")
    item.acknowledged_at = clock.now()
    item.save(update_fields=["acknowledged_at"])
    record(
        LedgerKind.ALERT_ACKNOWLEDGED,
        subject=item.alert,
        actor=actor,
        unit_id=actor.unit_id,
        data={"deadline": item.alert.deadline_id, "kind": item.alert.kind},
    )
    return item


__all__ = [
    "account_for_missed",
    "acknowledge_alert",
    "decide_extension",
    "request_extension",
]
