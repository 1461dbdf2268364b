"""A coercive measure's life: proposed for a suspect, decided by the approver the statute
names, started (its deadlines computed by the procedure engine), and ended."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from casetrail import clock, steps
from casetrail.cases.access import access_case
from casetrail.cases.models import Party, PartyRole
from casetrail.custody import clocks
from casetrail.custody.access import may_decide, require_measure_write
from casetrail.custody.actions._common import (
    ACTIVE,
    close_all,
    lock,
    move_sessions,
    not_before,
    not_future,
    require_running,
)
from casetrail.custody.errors import ApprovalRefused, CustodyError
from casetrail.custody.inputs import (
    EndInput,
    LegalReviewInput,
    MeasureDecisionInput,
    MeasureInput,
    StartInput,
)
from casetrail.custody.measures import (
    PACE_RELEVANT_TIME,
    QUESTIONING_RULES,
    MeasureKind,
    MeasureSpec,
    spec,
)
from casetrail.custody.models import (
    ApprovalDecision,
    CustodySession,
    EndOutcome,
    Measure,
    MeasureApproval,
    MeasureStatus,
)
from casetrail.errors import in_field
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.access import has_role
from casetrail.org.models import Officer
from casetrail.org.roles import Role, role_label
from casetrail.procedure import load_pack, resolve
from casetrail.web.language import reading_chinese


def _pack_title(pack_id: str) -> str:
    """A rule pack's title in the reader's language."""
    pack = load_pack(pack_id)
    return pack.title_zh if reading_chinese() else pack.title_en


def _params(measure_spec: MeasureSpec, data: MeasureInput, on: date) -> dict[str, Any]:
    """The parameters a measure takes when proposed, checked against its rule in the pack."""
    given = {
        name: value
        for name, value in (
            ("questioning", data.questioning),
            ("days", data.days),
            ("route", data.route),
            ("hospital", data.hospital or None),
            ("prior_detention", data.prior_detention or None),
        )
        if value is not None
    }
    unknown = sorted(set(given) - set(measure_spec.params))
    if unknown:
        raise CustodyError(
            gettext("a %(kind)s takes no %(param)s")
            % {"kind": measure_spec.kind.label, "param": MeasureInput.labels()[unknown[0]]},
            field=unknown[0],
        )
    clean: dict[str, Any] = dict(given)
    if measure_spec.kind == MeasureKind.ADMIN_SUMMONS:
        clean["questioning"] = data.questioning or "ordinary"
    if measure_spec.kind == MeasureKind.ADMIN_DETENTION:
        rule = resolve(measure_spec.attached[0].rule_id, on, pack=measure_spec.pack)
        days_param = rule.param("days")
        assert days_param is not None  # noqa: S101 - the pack declares it
        low, high = days_param.min or 1, days_param.max or 1
        if data.days is None or not low <= data.days <= high:
            raise CustodyError(
                gettext(
                    "the number of days must be a whole number from %(low)d to %(high)d (%(notes)s)"
                )
                % {"low": low, "high": high, "notes": days_param.notes},
                field="days",
            )
    if measure_spec.kind == MeasureKind.PACE_DETENTION:
        clean["route"] = data.route or "arrival"
    return clean


@transaction.atomic
def propose_measure(data: MeasureInput, *, actor: Officer) -> Measure:
    """Propose a measure for a suspect of the case; it waits for the approver the statute names."""
    with in_field("case_id"):
        case = access_case(actor, data.case_id, for_write=True)
    measure_spec = spec(data.kind)
    unit = case.unit
    if measure_spec.pack != unit.pack:
        raise CustodyError(
            gettext(
                "a %(kind)s is a measure of the %(pack)s pack; %(unit)s works under %(unit_pack)s"
            )
            % {
                "kind": measure_spec.kind.label,
                "pack": _pack_title(measure_spec.pack),
                "unit": unit.name,
                "unit_pack": _pack_title(unit.pack),
            },
            field="kind",
        )
    suspect = Party.objects.filter(
        case=case, person_id=data.person_id, role=PartyRole.SUSPECT
    ).select_related("person")
    party = suspect.first()
    if party is None:
        raise CustodyError(
            gettext(
                "person #%(person)s is not a suspect in case %(case)s: a coercive measure is "
                "taken against a suspect"
            )
            % {"person": data.person_id, "case": case.number},
            field="person_id",
        )
    person = party.person
    if Measure.objects.filter(case=case, person=person, kind=data.kind, status__in=ACTIVE).exists():
        raise CustodyError(
            gettext("person #%(person)s already has a %(kind)s in this case that is not over")
            % {"person": person.pk, "kind": measure_spec.kind.label},
            field="kind",
        )
    now = clock.now()
    clean = _params(measure_spec, data, clock.today_in(unit.timezone))
    measure = Measure.objects.create(
        case=case,
        person=person,
        unit=unit,
        kind=data.kind,
        pack=measure_spec.pack,
        status=MeasureStatus.PROPOSED,
        reason=data.reason,
        params=clean,
        proposed_at=now,
        proposed_by=actor,
        approver_role=measure_spec.approver,
        approval_citation=measure_spec.approval_citation,
    )
    record(
        LedgerKind.MEASURE_PROPOSED,
        subject=measure,
        actor=actor,
        unit_id=unit.pk,
        data={
            "case": case.number,
            "person": person.pk,
            "kind": data.kind,
            "reason": measure.reason,
            "params": clean,
            "approver": measure_spec.approver,
            "citation": measure_spec.approval_citation,
        },
    )
    # The documents the step needs (a 拘留证 for a detention) are drafted with it.
    steps.followed("measure.proposed", measure, actor=actor)
    return measure


# Measures whose decision the legal department reviews in writing first (法制审核): an
# administrative detention is a penalty (MPS Provisions on Administrative Cases arts. 170-171);
# an installation may name more kinds in settings.CASETRAIL_LEGAL_REVIEW_MEASURES.
LEGAL_REVIEWED = ("admin_detention",)
LEGAL_REVIEW_CITATION = "MPS Provisions on Administrative Cases arts. 170-171 (法制审核)"


def legal_reviewed_kinds() -> tuple[str, ...]:
    return tuple(getattr(settings, "CASETRAIL_LEGAL_REVIEW_MEASURES", LEGAL_REVIEWED))


def needs_legal_review(measure: Measure) -> bool:
    return measure.kind in legal_reviewed_kinds()


def legal_reviewed(measure: Measure) -> bool:
    return measure.approvals.filter(role=Role.LEGAL_REVIEWER).exists()


@transaction.atomic
def review_measure(measure: Measure, data: LegalReviewInput, *, actor: Officer) -> Measure:
    """The legal reviewer's written opinion on a proposed measure that needs one; the approver
    decides after it, whatever it says, and sees it."""
    measure = lock(measure)
    if not has_role(actor, measure.unit, {Role.LEGAL_REVIEWER}):
        raise ApprovalRefused(
            gettext("a legal review needs the legal reviewer role at %(unit)s")
            % {"unit": measure.unit.name},
            field="verdict",
        )
    if not needs_legal_review(measure):
        raise CustodyError(
            gettext("this kind of measure is not reviewed by the legal department"),
            field="verdict",
        )
    if measure.status != MeasureStatus.PROPOSED:
        raise CustodyError(
            gettext("the measure is %(status)s: only a proposed measure is reviewed")
            % {"status": measure.get_status_display()},
            field="verdict",
        )
    if actor.pk == measure.proposed_by_id:
        raise ApprovalRefused(gettext("nobody reviews the measure they proposed"), field="verdict")
    if legal_reviewed(measure):
        raise CustodyError(
            gettext("the legal review of this measure is already written"), field="verdict"
        )
    agrees = data.verdict == "agree"
    MeasureApproval.objects.create(
        measure=measure,
        decision=ApprovalDecision.APPROVED if agrees else ApprovalDecision.REFUSED,
        role=Role.LEGAL_REVIEWER,
        officer=actor,
        decided_at=clock.now(),
        reason=data.opinion,
        citation=LEGAL_REVIEW_CITATION,
    )
    record(
        LedgerKind.MEASURE_LEGAL_REVIEWED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={"verdict": data.verdict, "opinion": data.opinion, "citation": LEGAL_REVIEW_CITATION},
    )
    return measure


@transaction.atomic
def decide_measure(measure: Measure, data: MeasureDecisionInput, *, actor: Officer) -> Measure:
    """Approve or refuse a proposed measure. Only the role the statute names may decide, and a
    measure that needs a legal review only after its written opinion."""
    measure = lock(measure)
    measure_spec = spec(measure.kind)
    if not may_decide(actor, measure.unit, measure.approver_role):
        raise ApprovalRefused(
            gettext(
                "a %(kind)s is approved by %(approver)s (role %(role)s), which you do not hold "
                "at %(unit)s (%(citation)s)"
            )
            % {
                "kind": measure_spec.kind.label,
                "approver": measure_spec.approver_label,
                "role": role_label(measure.approver_role),
                "unit": measure.unit.name,
                "citation": measure.approval_citation,
            },
            field="approver",
        )
    if measure.status != MeasureStatus.PROPOSED:
        raise CustodyError(
            gettext("the measure is %(status)s: only a proposed measure is decided")
            % {"status": measure.get_status_display()},
            field="decision",
        )
    if needs_legal_review(measure) and not legal_reviewed(measure):
        raise CustodyError(
            gettext(
                "the legal department reviews this measure first (%(citation)s): its written "
                "opinion is not in yet"
            )
            % {"citation": LEGAL_REVIEW_CITATION},
            field="decision",
        )
    approve = data.decision == "approve"
    if not approve and not data.reason:
        raise CustodyError(gettext("say why the measure is refused"), field="reason")
    now = clock.now()
    decision = ApprovalDecision.APPROVED if approve else ApprovalDecision.REFUSED
    MeasureApproval.objects.create(
        measure=measure,
        decision=decision,
        role=measure.approver_role,
        officer=actor,
        decided_at=now,
        reason=data.reason,
        citation=measure.approval_citation,
    )
    measure.status = MeasureStatus.APPROVED if approve else MeasureStatus.REFUSED
    measure.save(update_fields=["status"])
    record(
        LedgerKind.MEASURE_APPROVED if approve else LedgerKind.MEASURE_REFUSED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "role": measure.approver_role,
            "reason": data.reason,
            "citation": measure.approval_citation,
        },
    )
    # The approver's decision decides the measure's documents too: one decision, not two.
    steps.followed("measure.decided", measure, actor=actor, approve=approve, opinion=data.reason)
    return measure


def _replaced(measure: Measure, replaces_id: int | None, started_at: datetime) -> Measure | None:
    """The running measure of the same person and case that this one changes, if named."""
    if replaces_id is None:
        return None
    replaced = Measure.objects.filter(pk=replaces_id).first()
    if (
        replaced is None
        or replaced.pk == measure.pk
        or replaced.person_id != measure.person_id
        or replaced.case_id != measure.case_id
        or replaced.status != MeasureStatus.RUNNING
    ):
        raise CustodyError(
            gettext("the measure replaced must be a running measure of the same person and case"),
            field="replaces_id",
        )
    replaced = lock(replaced)
    not_before(
        started_at,
        replaced.started_at or started_at,
        "started_at",
        gettext_lazy("the start of the measure replaced"),
    )
    return replaced


@transaction.atomic
def start_measure(measure: Measure, data: StartInput, *, actor: Officer) -> Measure:
    """Execute an approved measure: the clock starts and every deadline its statute attaches is
    computed by the procedure engine and kept."""
    measure = lock(measure)
    require_measure_write(actor, measure)
    if measure.status != MeasureStatus.APPROVED:
        raise CustodyError(
            gettext("the measure is %(status)s: it starts only once approved")
            % {"status": measure.get_status_display()},
            field="status",
        )
    # A measure is executed on its issued document (a 拘留证 for a detention), where one is due.
    steps.check("measure.start", measure)
    now = clock.now()
    started_at = not_future(data.started_at, "started_at", now=now)
    approval = measure.approvals.filter(
        decision=ApprovalDecision.APPROVED, role=measure.approver_role
    ).latest("decided_at")
    measure_spec = spec(measure.kind)
    if measure.kind != MeasureKind.PACE_DETENTION:
        not_before(started_at, approval.decided_at, "started_at", gettext_lazy("the approval"))
    params: dict[str, Any] = dict(measure.params)
    if measure.kind == MeasureKind.ARREST:
        if not data.decision_number:
            raise CustodyError(
                gettext(
                    "an arrest is executed on the procuratorate's approval: give its decision "
                    "number (CPL art. 80)"
                ),
                field="decision_number",
            )
        if data.decided_on is None:
            raise CustodyError(
                gettext("give the date of the procuratorate's decision"), field="decided_on"
            )
        if data.decided_on > started_at.astimezone(clocks_zone(measure)).date():
            raise CustodyError(
                gettext("the procuratorate's decision is dated after the arrest"),
                field="decided_on",
            )
        measure.decision_number = data.decision_number
        measure.decided_on = data.decided_on
    calendars = clocks.Calendars()
    triggers = {"start": started_at}
    if measure.kind == MeasureKind.PACE_DETENTION:
        triggers |= _pace_triggers(measure, data, params, approval.decided_at, calendars, now)
    replaced = _replaced(measure, data.replaces_id, started_at)
    measure.started_at = started_at
    measure.started_by = actor
    measure.status = MeasureStatus.RUNNING
    measure.replaces = replaced
    measure.save()
    made = []
    for attached in measure_spec.attached:
        rule_id = attached.rule_id
        if measure.kind == MeasureKind.ADMIN_SUMMONS:
            rule_id = QUESTIONING_RULES[params.get("questioning", "ordinary")]
        rule_params = _rule_params(measure, rule_id, params, started_at)
        computed = clocks.compute(
            rule_id,
            triggers[attached.trigger],
            pack=measure.pack,
            calendars=calendars,
            params=rule_params,
        )
        deadline = clocks.new_deadline(
            duty=attached.duty, computed=computed, params=rule_params, now=now, measure=measure
        )
        made.append(clocks.summary(deadline))
    ended = None
    moved: list[CustodySession] = []
    if replaced is not None:
        ended = end(
            replaced,
            ended_at=started_at,
            outcome=EndOutcome.CHANGED,
            reason=f"changed to {measure_spec.kind.label} #{measure.pk}",
            actor=actor,
            now=now,
        )
        moved = move_sessions(replaced, measure)
    record(
        LedgerKind.MEASURE_STARTED,
        subject=measure,
        actor=actor,
        unit_id=measure.unit_id,
        data={
            "started_at": started_at,
            "relevant_at": measure.relevant_at,
            "decision_number": measure.decision_number or None,
            "decided_on": measure.decided_on,
            "replaces": replaced.pk if replaced else None,
            "deadlines": made,
        },
    )
    if ended is not None and replaced is not None:
        record(
            LedgerKind.MEASURE_ENDED,
            subject=replaced,
            actor=actor,
            unit_id=measure.unit_id,
            data=ended,
        )
    for session in moved:
        record(
            LedgerKind.SESSION_MEASURE_CHANGED,
            subject=session,
            actor=actor,
            unit_id=session.unit_id,
            data={
                "from": replaced.pk if replaced else None,
                "to": measure.pk,
                "clock": clocks.summary(session.clock) if session.clock else None,
            },
        )
    return measure


def clocks_zone(measure: Measure) -> ZoneInfo:
    return load_pack(measure.pack).time_zone


def _pace_triggers(
    measure: Measure,
    data: StartInput,
    params: dict[str, Any],
    authorised_at: datetime,
    calendars: clocks.Calendars,
    now: datetime,
) -> dict[str, datetime]:
    """PACE s.41(2): the relevant time from the arrest, the arrival and the route."""
    arrested_at = data.started_at
    route = params.get("route", "arrival")
    rt_params: dict[str, Any] = {"route": route}
    if route != "voluntary":
        if data.arrived_at is None:
            raise CustodyError(
                gettext("the time of arrival at the station is required"), field="arrived_at"
            )
        arrived_at = not_future(data.arrived_at, "arrived_at", now=now)
        not_before(arrived_at, arrested_at, "arrived_at", gettext_lazy("the arrest"))
        rt_params["arrived"] = arrived_at
    relevant = clocks.compute(
        PACE_RELEVANT_TIME,
        arrested_at,
        pack=measure.pack,
        calendars=calendars,
        params=rt_params,
        field="arrived_at",
    )
    not_before(authorised_at, relevant.due_at, "authorised_at", gettext_lazy("the relevant time"))
    measure.relevant_at = relevant.due_at
    measure.authorised_at = authorised_at
    params["arrested_at"] = arrested_at.isoformat()
    if "arrived" in rt_params:
        params["arrived_at"] = rt_params["arrived"].isoformat()
    measure.params = params
    return {"relevant_time": relevant.due_at, "authorised": authorised_at}


def _rule_params(
    measure: Measure, rule_id: str, params: dict[str, Any], on: datetime
) -> dict[str, Any]:
    """The measure's parameters that the rule takes (the engine refuses any others)."""
    zone = clocks_zone(measure)
    rule = resolve(rule_id, on.astimezone(zone).date(), pack=measure.pack)
    return {p.name: params[p.name] for p in rule.params if p.name in params}


@transaction.atomic
def end_measure(measure: Measure, data: EndInput, *, actor: Officer) -> Measure:
    """Release, change or transfer: the measure ends and its open deadlines close."""
    measure = lock(measure)
    require_measure_write(actor, measure)
    ended = end(
        measure,
        ended_at=data.ended_at,
        outcome=data.outcome,
        reason=data.reason,
        actor=actor,
        now=clock.now(),
    )
    record(
        LedgerKind.MEASURE_ENDED, subject=measure, actor=actor, unit_id=measure.unit_id, data=ended
    )
    return measure


def end(
    measure: Measure,
    *,
    ended_at: datetime,
    outcome: str,
    reason: str,
    actor: Officer,
    now: datetime,
) -> dict[str, Any]:
    """End a running measure at ``ended_at`` and close its deadlines; the ledger data."""
    require_running(measure)
    ended_at = not_future(ended_at, "ended_at", now=now)
    assert measure.started_at is not None  # noqa: S101 - a running measure has started
    if ended_at < measure.started_at:
        raise CustodyError(
            gettext(
                "a measure cannot end before it starts: the end time %(ended)s is before the "
                "start, %(started)s"
            )
            % {"ended": ended_at.isoformat(), "started": measure.started_at.isoformat()},
            field="ended_at",
        )
    measure.status = MeasureStatus.ENDED
    measure.ended_at = ended_at
    measure.end_outcome = outcome
    measure.end_reason = reason
    measure.ended_by = actor
    measure.save(update_fields=["status", "ended_at", "end_outcome", "end_reason", "ended_by"])
    label = EndOutcome(outcome).label
    closed = close_all(measure, ended_at, f"the measure ended ({label})", now=now)
    return {"ended_at": ended_at, "outcome": outcome, "reason": reason, "deadlines": closed}


__all__ = [
    "clocks_zone",
    "decide_measure",
    "end",
    "end_measure",
    "propose_measure",
    "start_measure",
]
