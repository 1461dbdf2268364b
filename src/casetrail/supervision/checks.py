"""The checks supervision runs, as data: each states its id and version, its titles, its basis
(an article, or the agency's own rule, said as such), its severity, who in the responsible unit
owns a finding, its parameters, and the function that finds its instances.

A check finds what is wrong *now*; the sweep (supervision/sweep.py) turns each instance into
one finding. An instance names the records behind it and the facts it was judged on, so a
finding explains itself without re-running anything. Parameters come from the check's defaults,
overridden per installation by ``settings.CASETRAIL_SUPERVISION`` (``{check id: {name: value}}``);
the values a finding was opened under are kept on it.

Changing what a check finds bumps its version: findings keep the version that opened them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import isfinite
from statistics import fmean, median
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from casetrail.cases.machine import Status
from casetrail.cases.models import Case, CaseHandler, Incident, IncidentStatus, Party
from casetrail.custody import case_limits, clocks
from casetrail.custody.models import (
    ApprovalDecision,
    CustodySession,
    Deadline,
    DeadlineStatus,
    Measure,
    MeasureApproval,
    MeasureStatus,
)
from casetrail.documents.catalogue import catalogue, catalogue_packs
from casetrail.documents.models import Document, DocumentStatus
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.org.models import Officer, Pack, RoleGrant, Unit, root_of
from casetrail.org.roles import Role
from casetrail.property.models import (
    DeadlineStatus as LimitStatus,
)
from casetrail.property.models import (
    Difference,
    ItemDeadline,
    Transfer,
    TransferStatus,
)
from casetrail.supervision.models import Severity

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A case somebody is still working on: not yet decided for good, handed on or filed.
ACTIVE_CASE = (
    Status.ACCEPTED,
    Status.REGISTRATION_REVIEW,
    Status.REGISTERED,
    Status.INVESTIGATING,
    Status.PENALTY_NOTICE,
    Status.STATEMENT_DEFENCE,
    Status.DECIDED,
)
# Who fixes what a check finds at the responsible unit, besides its leader.
CASE_SIDE = frozenset({Role.UNIT_LEADER, Role.CASE_HANDLER})
CUSTODY_SIDE = frozenset({Role.UNIT_LEADER, Role.CASE_HANDLER, Role.CUSTODY_OFFICER})
PROPERTY_SIDE = frozenset({Role.UNIT_LEADER, Role.CASE_HANDLER, Role.PROPERTY_CUSTODIAN})


@dataclass(frozen=True)
class Record:
    """A record behind a finding: what it is, its id, how it reads, and its facts."""

    kind: str
    id: int
    label: str
    facts: dict[str, Any] = field(default_factory=dict)
    label_zh: str = ""  # how it reads in Chinese, where that differs (a deadline's title)

    def as_json(self) -> dict[str, Any]:
        said = {"kind": self.kind, "id": self.id, "label": self.label, "facts": self.facts}
        return said | ({"label_zh": self.label_zh} if self.label_zh else {})


@dataclass(frozen=True)
class Instance:
    """One thing a check found: its key (stable while the gap lasts), the unit that owns it,
    the case it concerns if any, the records behind it and the basis it was judged on."""

    key: str
    unit_id: int
    case_id: int | None
    records: tuple[Record, ...]
    basis: str = ""


def _of_case(
    key: str, pk: int, unit_id: int, number: str, facts: dict[str, Any], basis: str = ""
) -> Instance:
    """An instance about one case, whose only record is the case itself."""
    return Instance(key, unit_id, pk, (Record("case", pk, number, facts),), basis)


Find = Callable[[datetime, Mapping[str, Any]], Iterable[Instance]]


@dataclass(frozen=True)
class Check:
    id: str
    version: int
    title_en: str
    title_zh: str
    basis: StrOrPromise  # in the reader's language; a finding keeps it as the sweep said it
    severity: Severity
    owners: frozenset[str]
    find: Find
    explain_en: str
    explain_zh: str
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """The defaults, overridden by the installation's settings; an unknown name is a
        configuration error, not a silently ignored one."""
        given = dict(getattr(settings, "CASETRAIL_SUPERVISION", {}).get(self.id, {}))
        unknown = sorted(set(given) - set(self.defaults))
        if unknown:
            raise ImproperlyConfigured(
                f"CASETRAIL_SUPERVISION[{self.id!r}]: no parameter {', '.join(unknown)}; "
                f"this check takes {', '.join(sorted(self.defaults)) or 'none'}"
            )
        # A finding keeps these in the ledger, which has no floats: a fraction is kept as text.
        return {
            k: str(v) if isinstance(v, float) else v
            for k, v in (dict(self.defaults) | given).items()
        }


def _stamp(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


# --- custody -------------------------------------------------------------------------------


def _missed_unaccounted(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    rows = (
        Deadline.objects.filter(status=DeadlineStatus.MISSED, accounted_at__isnull=True)
        .select_related("case", "person")
        .order_by("pk")
    )
    for row in rows:
        yield Instance(
            key=f"custody-deadline:{row.pk}",
            unit_id=row.unit_id,
            case_id=row.case_id,
            basis=row.citation,
            records=(
                Record(
                    "custody_deadline",
                    row.pk,
                    f"{row.title_en} · {row.case.number}",
                    {
                        "rule": row.rule_id,
                        "due_at": _stamp(row.due_at),
                        "missed_at": _stamp(row.status_at),
                        "person": row.person_id,
                    },
                    label_zh=f"{row.title_zh} · {row.case.number}",
                ),
            ),
        )


def _area_without_measure(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    grace = timedelta(minutes=int(params["grace_minutes"]))
    rows = (
        CustodySession.objects.filter(exited_at__isnull=True, entered_at__lte=now - grace)
        .filter(Q(measure__isnull=True) | ~Q(measure__status=MeasureStatus.RUNNING))
        .select_related("case", "measure")
        .order_by("pk")
    )
    for row in rows:
        measure = row.measure
        yield Instance(
            key=f"custody-session:{row.pk}",
            unit_id=row.unit_id,
            case_id=row.case_id,
            records=(
                Record(
                    "custody_session",
                    row.pk,
                    f"{row.case.number}",
                    {
                        "entered_at": _stamp(row.entered_at),
                        "person": row.person_id,
                        "measure": measure.pk if measure is not None else None,
                        "measure_status": measure.status if measure is not None else None,
                    },
                ),
            ),
        )


def _unapproved_measures(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    """A running measure with no approval by the role the statute names (an import, a change
    behind the actions): the people under it are held with no recorded authority."""
    approved = MeasureApproval.objects.filter(
        measure=OuterRef("pk"), role=OuterRef("approver_role"), decision=ApprovalDecision.APPROVED
    )
    rows = (
        Measure.objects.filter(status=MeasureStatus.RUNNING)
        .exclude(approver_role="")
        .filter(~Exists(approved))
        .select_related("case")
        .order_by("pk")
    )
    for row in rows:
        yield Instance(
            key=f"measure-unapproved:{row.pk}",
            unit_id=row.unit_id,
            case_id=row.case_id,
            basis=row.approval_citation,
            records=(
                Record(
                    "measure",
                    row.pk,
                    f"{row.get_kind_display()} · {row.case.number}",
                    {"approver_role": row.approver_role, "started_at": _stamp(row.started_at)},
                ),
            ),
        )


# --- cases ---------------------------------------------------------------------------------


def _few_handlers(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    least = int(params["least"])
    if least < 1:
        return
    # The staffed cases counted from the handlers alone, the rest found by exclusion: no count
    # joined to every open case.
    working = CaseHandler.objects.filter(released_at__isnull=True, officer__is_active=True)
    staffed = (
        working.values("case_id").annotate(n=Count("id")).filter(n__gte=least).values("case_id")
    )
    rows = list(
        Case.objects.filter(status__in=ACTIVE_CASE)
        .exclude(pk__in=staffed)
        .order_by("pk")
        .values_list("pk", "unit_id", "number", "status")
    )
    for start in range(0, len(rows), 5_000):
        batch = rows[start : start + 5_000]
        counts = dict(
            working.filter(case_id__in=[pk for pk, *_ in batch])
            .values_list("case_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for pk, unit_id, number, status in batch:
            facts = {"active_handlers": counts.get(pk, 0), "status": status}
            yield _of_case(f"case-handlers:{pk}", pk, unit_id, number, facts)


def _unqualified_handlers(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    today = now.date()
    lapsed = Q(officer__qualification_valid_until__isnull=True) | Q(
        officer__qualification_valid_until__lt=today
    )
    rows = (
        CaseHandler.objects.filter(lapsed, released_at__isnull=True, case__status__in=ACTIVE_CASE)
        .select_related("case", "officer")
        .order_by("pk")
    )
    for row in rows:
        officer = row.officer
        yield Instance(
            key=f"case-handler:{row.pk}",
            unit_id=row.case.unit_id,
            case_id=row.case_id,
            records=(
                Record("case", row.case_id, row.case.number, {"status": row.case.status}),
                Record(
                    "officer",
                    officer.pk,
                    f"{officer.name} ({officer.badge_number})",
                    {"qualification_valid_until": str(officer.qualification_valid_until or "")},
                ),
            ),
        )


def _idle_cases(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    days = {
        "criminal": int(params["criminal_days"]),
        "administrative": int(params["administrative_days"]),
    }
    for kind, limit in days.items():
        rows = (
            Case.objects.filter(
                kind=kind, status__in=ACTIVE_CASE, updated_at__lt=now - timedelta(days=limit)
            )
            .order_by("pk")
            .values_list("pk", "unit_id", "number", "updated_at")
        )
        for pk, unit_id, number, moved in rows.iterator(chunk_size=5_000):
            # The key carries the last move's day: the case that moves and later stalls
            # again is a new finding, not the old one reopened.
            facts = {
                "last_action_at": _stamp(moved),
                "idle_days": (now - moved).days,
                "limit_days": limit,
            }
            yield _of_case(f"case-idle:{pk}:{moved:%Y%m%d%H%M}", pk, unit_id, number, facts)


REGISTRATION_RULE = case_limits.REGISTRATION_RULE
ACCEPTANCE_RULE = "CN-MPS2015-ADMIN-ACCEPT-24H"


def _review_overdue(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    """Criminal cases still in registration review after the rule's due time, counted from
    the report (the case's incident) or, for a case opened without one, from its opening."""
    calendars = clocks.Calendars()
    shortest = timedelta(days=3)  # the rule's own duration: nothing younger can be late
    rows = (
        Case.objects.filter(
            status=Status.REGISTRATION_REVIEW, unit__pack=Pack.CN, opened_at__lt=now - shortest
        )
        .select_related("incident")
        .order_by("pk")
    )
    for case in rows:
        due = case_limits.registration_review_due(case, calendars)
        if due is None or due.due_at > now:
            continue
        facts = {
            "rule": REGISTRATION_RULE,
            "received_at": _stamp(due.trigger_at),
            "due_at": _stamp(due.due_at),
        }
        key = f"registration-review:{case.pk}"
        yield _of_case(key, case.pk, case.unit_id, case.number, facts, str(due.citation))


def _undecided_incidents(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    """Reports received and never decided (accepted, refused, referred) past the acceptance
    review's 24 hours."""
    calendars = clocks.Calendars()
    rows = Incident.objects.filter(
        status=IncidentStatus.RECEIVED,
        unit__pack=Pack.CN,
        received_at__lte=now - timedelta(hours=24),
    ).order_by("pk")
    for incident in rows:
        due = case_limits.due_under((ACCEPTANCE_RULE,), incident.received_at, calendars)
        if due is None or due.due_at > now:
            continue
        yield Instance(
            key=f"incident:{incident.pk}",
            unit_id=incident.unit_id,
            case_id=None,
            basis=str(due.citation),
            records=(
                Record(
                    "incident",
                    incident.pk,
                    incident.receipt_number,
                    {
                        "rule": ACCEPTANCE_RULE,
                        "received_at": _stamp(incident.received_at),
                        "due_at": _stamp(due.due_at),
                    },
                ),
            ),
        )


# --- documents -----------------------------------------------------------------------------


def _stage_documents(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    """A case at a stage whose document (the catalogue's ``step = "case:<stage>"``: a decision
    to register, a notice not to register, a withdrawal decision, ...) was never issued."""
    for pack in catalogue_packs():
        for doc_type in catalogue(pack).values():
            if not doc_type.step.startswith("case:"):
                continue
            stage = doc_type.step.split(":", 1)[1]
            issued = Document.objects.filter(
                case_id=OuterRef("pk"), type_id=doc_type.id, status=DocumentStatus.ISSUED
            )
            rows = (
                Case.objects.filter(unit__pack=pack, status=stage)
                .filter(~Exists(issued))
                .order_by("pk")
                .values_list("pk", "unit_id", "number")
            )
            for pk, unit_id, number in rows:
                facts = {"stage": stage, "document": doc_type.id, "title": doc_type.title_zh}
                key = f"stage-document:{pk}:{doc_type.id}"
                yield _of_case(key, pk, unit_id, number, facts, doc_type.basis[:400])


def _late_service(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    """A document not served by its service deadline (the documents sweep marks it), served
    late or not at all, that nobody has accounted for."""
    rows = (
        Document.objects.filter(service_missed_at__isnull=False, service_account="")
        .select_related("case")
        .order_by("pk")
    )
    for doc in rows:
        yield Instance(
            key=f"document-service:{doc.pk}",
            unit_id=doc.unit_id,
            case_id=doc.case_id,
            basis=doc.service_citation or doc.service_rule,
            records=(
                Record(
                    "document",
                    doc.pk,
                    f"{doc.title} {doc.number}",
                    {
                        "rule": doc.service_rule,
                        "due_at": _stamp(doc.service_due_at),
                        "served_at": _stamp(doc.served_at),
                    },
                ),
            ),
        )


# --- decisions -----------------------------------------------------------------------------

PENALTY_TYPE = "penalty_decision"
# The amounts a penalty decision states (its particulars in the documents catalogue).
PENALTY_MEASURES = ("fine", "detention_days")
# For normal data the median absolute deviation is 0.6745 standard deviations, the mean
# absolute deviation 0.7979 (1 / 1.2533): Iglewicz and Hoaglin's modified z-score.
MAD_SCALE = 0.6745
MEAN_AD_SCALE = 1.253314
EVIDENCE_DOCUMENTS = 10


@dataclass(frozen=True)
class Baseline:
    """The peers' distribution a unit is compared with: its median and a robust spread (the
    median absolute deviation scaled to a standard deviation, or the scaled mean absolute
    deviation where more than half the peers decided alike and the MAD is zero)."""

    median: float
    spread: float
    n: int

    def score(self, value: float) -> float:
        return (value - self.median) / self.spread


def baseline(values: Sequence[float]) -> Baseline | None:
    """None where the peers all decided the same: no spread to measure a distance by."""
    middle = median(values)
    deviations = [abs(v - middle) for v in values]
    mad = median(deviations)
    spread = mad / MAD_SCALE if mad > 0 else MEAN_AD_SCALE * fmean(deviations)
    if spread <= 0:
        return None
    return Baseline(middle, spread, len(values))


def _amount(raw: object) -> float | None:
    try:
        value = float(str(raw))
    except ValueError:
        return None
    return value if isfinite(value) and value >= 0 else None


def _figure(value: float) -> str:
    """A figure as the finding shows it (the ledger keeps no floats): two decimals."""
    return f"{value:.2f}"


def _penalty_outliers(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    """For one offence category and one amount (fine, days of detention), a unit whose median
    over the issued penalty decisions of the look-back is far from the rest of its agency's:
    more than ``threshold`` robust standard deviations of the peers' decisions. A question for
    the unit's leader, never a verdict: the finding carries the peers' baseline."""
    since = now - timedelta(days=int(params["look_back_days"]))
    least_own, least_peers = int(params["min_unit"]), int(params["min_peers"])
    threshold = float(params["threshold"])
    rows = (
        Document.objects.filter(
            type_id=PENALTY_TYPE,
            status=DocumentStatus.ISSUED,
            issued_at__gte=since,
            issued_at__lte=now,
            case__isnull=False,
        )
        .order_by("pk")
        .values_list(
            "pk",
            "number",
            "case__unit_id",
            "case__unit__path",
            "case__category__code",
            "params",
            "measure__params",
        )
    )
    # (agency, category, measure) -> unit -> [(document, number, amount)]
    decided: dict[tuple[int, str, str], dict[int, list[tuple[int, str, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for pk, number, unit_id, path, category, given, of_measure in rows:
        agency = root_of(path)
        stated = {
            # The days a detention's decision leaves blank are its measure's.
            "detention_days": (of_measure or {}).get("days", ""),
            **{k: v for k, v in (given or {}).items() if v not in (None, "")},
        }
        for measure in PENALTY_MEASURES:
            value = _amount(stated.get(measure, ""))
            if value is not None:
                decided[(agency, category, measure)][unit_id].append((pk, number, value))
    found: list[tuple[int, int, str, str, list[tuple[int, str, float]], Baseline, float]] = []
    for (agency, category, measure), by_unit in sorted(decided.items()):
        for unit_id, own in sorted(by_unit.items()):
            peers = [v for other, rows_ in by_unit.items() if other != unit_id for *_, v in rows_]
            if len(own) < least_own or len(peers) < least_peers:
                continue
            base = baseline(peers)
            unit_median = median(v for *_, v in own)
            if base is not None and abs(base.score(unit_median)) > threshold:
                found.append((agency, unit_id, category, measure, own, base, unit_median))
    if not found:
        return
    units = Unit.objects.in_bulk({u for a, u, *_ in found} | {a for a, *_ in found})
    for agency, unit_id, category, measure, own, base, unit_median in found:
        yield Instance(
            key=f"penalty-outlier:{unit_id}:{category}:{measure}",
            unit_id=unit_id,
            case_id=None,
            records=(
                Record(
                    "unit",
                    unit_id,
                    units[unit_id].name,
                    {
                        "category": category,
                        "measure": measure,
                        "median": _figure(unit_median),
                        "decisions": len(own),
                        "since": since.date().isoformat(),
                    },
                ),
                Record(
                    "baseline",
                    agency,
                    units[agency].name,
                    {
                        "median": _figure(base.median),
                        "robust_sd": _figure(base.spread),
                        "decisions": base.n,
                        "distance": _figure(base.score(unit_median)),
                        "threshold": _figure(threshold),
                    },
                ),
                *(
                    Record("document", pk, number, {measure: _figure(value)})
                    for pk, number, value in own[-EVIDENCE_DOCUMENTS:]
                ),
            ),
        )


# --- property ------------------------------------------------------------------------------


def _unconfirmed_transfers(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    hours = int(params["hours"])
    rows = (
        Transfer.objects.filter(
            status=TransferStatus.PENDING, sent_at__lte=now - timedelta(hours=hours)
        )
        .select_related("item")
        .order_by("pk")
    )
    for row in rows:
        yield Instance(
            key=f"property-transfer:{row.pk}",
            unit_id=row.item.unit_id,
            case_id=row.item.case_id,
            records=(
                Record(
                    "property_item",
                    row.item_id,
                    row.item.code,
                    {"transfer": row.pk, "sent_at": _stamp(row.sent_at), "to": row.to_kind},
                ),
            ),
        )


def _property_limits(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    rows = (
        ItemDeadline.objects.filter(status=LimitStatus.MISSED, accounted_at__isnull=True)
        .select_related("item")
        .order_by("pk")
    )
    for row in rows:
        yield Instance(
            key=f"property-limit:{row.pk}",
            unit_id=row.unit_id,
            case_id=row.item.case_id,
            basis=row.citation,
            records=(
                Record(
                    "property_item",
                    row.item_id,
                    row.item.code,
                    {"rule": row.rule_id, "due_at": _stamp(row.due_at)},
                ),
            ),
        )


def _stocktake_differences(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    rows = (
        Difference.objects.filter(accounted_at__isnull=True, stocktake__submitted_at__isnull=False)
        .select_related("stocktake")
        .order_by("pk")
    )
    for row in rows:
        yield Instance(
            key=f"stocktake-difference:{row.pk}",
            unit_id=row.stocktake.unit_id,
            case_id=None,
            records=(
                Record(
                    "stocktake",
                    row.stocktake_id,
                    f"#{row.stocktake_id}: {row.kind} {row.code}",
                    {"kind": row.kind, "code": row.code, "item": row.item_id},
                ),
            ),
        )


# --- access to persons' records ------------------------------------------------------------

# Roles that read a person's record by their duty over the unit of one of the person's cases; a
# handler's look is linked only when they handle (or handled) such a case.
_DUTY_READERS = frozenset(
    {
        Role.UNIT_LEADER,
        Role.LEGAL_REVIEWER,
        Role.AGENCY_HEAD,
        Role.SUPERVISOR,
        Role.CUSTODY_OFFICER,
        Role.INTAKE_OFFICER,
    }
)


def _person_views(now: datetime, hours: int) -> list[tuple[int, datetime, int]]:
    """(officer, when, person) of every look at a person's record in the last ``hours``: a range
    scan of the partial index ledger_viewed_at."""
    rows = LedgerEntry.objects.filter(
        action=LedgerKind.VIEWED,
        at__gte=now - timedelta(hours=hours),
        at__lte=now,
        subject_type="person",
        actor__isnull=False,
    ).values_list("actor_id", "at", "subject_id")
    return [(actor, at, int(person)) for actor, at, person in rows if person.isdigit()]


def _officers(ids: set[int]) -> dict[int, Officer]:
    return {o.pk: o for o in Officer.objects.filter(pk__in=sorted(ids), unit__isnull=False)}


def _many_views(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    """An officer who opened more persons' records in one clock hour than the agency allows."""
    limit = int(params["per_hour"])
    seen: dict[tuple[int, datetime], set[int]] = defaultdict(set)
    for actor, at, person in _person_views(now, int(params["look_back_hours"])):
        seen[(actor, at.replace(minute=0, second=0, microsecond=0))].add(person)
    over = {key: persons for key, persons in seen.items() if len(persons) > limit}
    officers = _officers({actor for actor, _ in over})
    for (actor, hour), persons in sorted(over.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        officer = officers.get(actor)
        if officer is None or officer.unit_id is None:
            continue
        yield Instance(
            key=f"person-views:{actor}:{hour:%Y%m%d%H}",
            unit_id=officer.unit_id,
            case_id=None,
            records=(
                Record(
                    "officer",
                    actor,
                    f"{officer.name} ({officer.badge_number})",
                    {"hour": _stamp(hour), "persons": len(persons), "limit": limit},
                ),
            ),
        )


def _unlinked_views(now: datetime, params: Mapping[str, Any]) -> Iterator[Instance]:
    """A look at a person's record by an officer with no link to any of the person's cases:
    not a handler (now or before) of one, and holding no role that reads it by duty over the
    unit of one."""
    views = _person_views(now, int(params["look_back_hours"]))
    if not views:
        return
    persons = {person for _, _, person in views}
    cases_of: dict[int, set[int]] = defaultdict(set)
    unit_of: dict[int, str] = {}
    for person, case_id, path in Party.objects.filter(person_id__in=sorted(persons)).values_list(
        "person_id", "case_id", "case__unit__path"
    ):
        cases_of[person].add(case_id)
        unit_of[case_id] = path
    actors = {actor for actor, _, _ in views}
    handled: set[tuple[int, int]] = set(
        CaseHandler.objects.filter(
            officer_id__in=sorted(actors), case_id__in=sorted(unit_of)
        ).values_list("officer_id", "case_id")
    )
    duty: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for officer_id, path, scope, unit_id in RoleGrant.objects.filter(
        officer_id__in=sorted(actors), role__in=sorted(_DUTY_READERS)
    ).values_list("officer_id", "unit__path", "scope", "unit_id"):
        duty[officer_id].append((path, scope, unit_id))

    def covered(actor: int, case_id: int) -> bool:
        path = unit_of[case_id]
        for grant_path, scope, unit_id in duty[actor]:
            if path.startswith(grant_path) if scope == "subtree" else path.endswith(f"/{unit_id}/"):
                return True
        return False

    flagged: dict[tuple[int, int], datetime] = {}
    for actor, at, person in views:
        cases = cases_of.get(person, set())
        if any((actor, c) in handled or covered(actor, c) for c in cases):
            continue
        key = (actor, person)
        flagged[key] = min(at, flagged.get(key, at))
    officers = _officers({actor for actor, _ in flagged})
    for (actor, person), first in sorted(flagged.items()):
        officer = officers.get(actor)
        if officer is None or officer.unit_id is None:
            continue
        yield Instance(
            key=f"unlinked-view:{actor}:{person}:{first.astimezone(UTC):%Y%m%d}",
            unit_id=officer.unit_id,
            case_id=None,
            records=(
                Record(
                    "officer",
                    actor,
                    f"{officer.name} ({officer.badge_number})",
                    {"person": person, "first_look_at": _stamp(first)},
                ),
            ),
        )


CHECKS: tuple[Check, ...] = (
    Check(
        id="custody.deadline-missed",
        version=1,
        title_en="Custody deadline missed with no account",
        title_zh="羁押/办案区时限超期未说明",
        basis=gettext_lazy("the deadline's own rule (cited on each finding)"),
        severity=Severity.RED,
        owners=CUSTODY_SIDE,
        find=_missed_unaccounted,
        explain_en="A deadline of a measure or of the case-handling area passed its due time "
        "and nobody has recorded what happened.",
        explain_zh="强制措施或办案区的时限已过，且无人说明情况。",
    ),
    Check(
        id="custody.area-without-measure",
        version=1,
        title_en="Person in the case-handling area with no running measure",
        title_zh="办案区内人员无正在执行的强制措施或法律依据",
        basis=gettext_lazy(
            "agency rule (本机关规定): nobody is held in the case-handling area without a "
            "running measure (summons, detention, …) that authorises it"
        ),
        severity=Severity.RED,
        owners=CUSTODY_SIDE,
        find=_area_without_measure,
        explain_en="A person is in the case-handling area and the session names no measure, "
        "or the measure it names is not running (proposed, refused or ended).",
        explain_zh="人员在办案区内，但所登记的强制措施不存在或未在执行（待审批、未批准或已结束）。",
        defaults={"grace_minutes": 30},
    ),
    Check(
        id="custody.measure-unapproved",
        version=1,
        title_en="Measure running without its approval",
        title_zh="强制措施未经审批即在执行",
        basis=gettext_lazy("the measure's own approval rule (cited on each finding)"),
        severity=Severity.RED,
        owners=CASE_SIDE,
        find=_unapproved_measures,
        explain_en="A coercive measure is running and no approval by the role its rule names is "
        "on record: the person is held with no recorded authority.",
        explain_zh="强制措施正在执行，但没有其规则所要求的审批人的批准记录：被执行人处于无审批依据的状态。",
    ),
    Check(
        id="cases.few-handlers",
        version=1,
        title_en="Case with fewer than two active handlers",
        title_zh="案件主办、协办民警不足二人",
        basis=gettext_lazy(
            "CPL art. 118 (讯问的时候，侦查人员不得少于二人); casetrail opens a case with two"
        ),
        severity=Severity.ORANGE,
        owners=CASE_SIDE,
        find=_few_handlers,
        explain_en="An open case has fewer active, unreleased handlers than it needs: one "
        "left the force or was deactivated and nobody took their place.",
        explain_zh="在办案件的在职办案民警少于规定人数：有民警离职或被停用且无人接替。",
        defaults={"least": 2},
    ),
    Check(
        id="cases.handler-unqualified",
        version=1,
        title_en="Handler's law-enforcement qualification lapsed on an open case",
        title_zh="办案民警执法资格失效仍在办理案件",
        basis=gettext_lazy(
            "agency rule (本机关规定): only officers holding a valid law-enforcement "
            "qualification handle cases (公安机关人民警察执法资格等级考试)"
        ),
        severity=Severity.ORANGE,
        owners=CASE_SIDE,
        find=_unqualified_handlers,
        explain_en="An officer handles an open case while their qualification has expired or "
        "was never held.",
        explain_zh="民警执法资格已过期或从未取得，仍在办理未结案件。",
    ),
    Check(
        id="cases.idle",
        version=1,
        title_en="Case with no action for too long",
        title_zh="案件长期未办理",
        basis=gettext_lazy(
            "agency rule (本机关规定): days without a recorded action, set per case kind"
        ),
        severity=Severity.YELLOW,
        owners=CASE_SIDE,
        find=_idle_cases,
        explain_en="An open case has had no recorded move for more days than its kind allows.",
        explain_zh="未结案件超过该类案件允许的天数没有任何办案记录。",
        defaults={"criminal_days": 30, "administrative_days": 15},
    ),
    Check(
        id="cases.registration-review-overdue",
        version=1,
        title_en="Case in registration review past its limit",
        title_zh="立案审查超期",
        basis=gettext_lazy("MPS Opinions 2015 (公通字〔2015〕32号), review time limits"),
        severity=Severity.ORANGE,
        owners=CASE_SIDE,
        find=_review_overdue,
        explain_en="A criminal case is still under registration review after the rule's three "
        "days from the report (an approved extension to seven or thirty days is the "
        "rectification to record).",
        explain_zh="刑事案件自接报起超过三日仍在立案审查（经批准延长至七日或三十日的，应在整改中登记）。",
    ),
    Check(
        id="cases.incident-undecided",
        version=1,
        title_en="Report with no decision past the acceptance limit",
        title_zh="接报后超过受案审查期限未作决定",
        basis=gettext_lazy("MPS Opinions 2015 (公通字〔2015〕32号), review time limits"),
        severity=Severity.ORANGE,
        owners=frozenset({Role.UNIT_LEADER, Role.INTAKE_OFFICER, Role.CASE_HANDLER}),
        find=_undecided_incidents,
        explain_en="A report was received and neither accepted, refused nor referred within "
        "the acceptance review's 24 hours.",
        explain_zh="接报后超过二十四小时的受案审查期限，既未受案，也未作出不予受案或移送的决定。",
    ),
    Check(
        id="documents.stage-without-document",
        version=1,
        title_en="Case at a stage whose document was never issued",
        title_zh="案件所处阶段应有的法律文书未制作签发",
        basis=gettext_lazy("the document type's basis in the catalogue (cited on each finding)"),
        severity=Severity.ORANGE,
        owners=CASE_SIDE,
        find=_stage_documents,
        explain_en="The case reached a stage (registered, not registered, withdrawn, transferred "
        "for prosecution, notified of an intended penalty) whose legal document, the one the "
        "catalogue ties to that stage, has never been issued.",
        explain_zh="案件已进入某一阶段（立案、不予立案、撤销案件、移送审查起诉、告知拟处罚），但文书目录中该阶段对应的法律文书从未签发。",
    ),
    Check(
        id="documents.service-late",
        version=1,
        title_en="Document not served in time, not accounted for",
        title_zh="法律文书未按期送达且未说明",
        basis=gettext_lazy("the document's service rule (cited on each finding)"),
        severity=Severity.ORANGE,
        owners=CASE_SIDE,
        find=_late_service,
        explain_en="An issued document was not served by its service deadline (it may have been "
        "served since) and nobody has recorded why.",
        explain_zh="已签发的法律文书未在送达期限内送达（之后可能已送达），且无人说明原因。",
    ),
    Check(
        id="decisions.penalty-out-of-line",
        version=1,
        title_en="Penalties out of line with the agency's for the same offence (for review)",
        title_zh="同类违法行为处罚幅度与本机关其他单位差异明显（提请审视）",
        basis=gettext_lazy(
            "Administrative Penalty Law (2021) art. 5 (过罚相当) and art. 34 (裁量基准): like "
            "cases are punished alike; agency rule (本机关规定): the distance and the least "
            "samples are the parameters"
        ),
        severity=Severity.YELLOW,
        owners=frozenset({Role.UNIT_LEADER}),
        find=_penalty_outliers,
        explain_en="Over the issued penalty decisions of the look-back, for one offence category, "
        "the unit's median fine (or days of detention) lies more than the threshold's robust "
        "standard deviations (median absolute deviation) from the decisions of the agency's "
        "other units. A question for the unit's leader to look at, never a verdict: the "
        "finding shows the peers' median, spread and count.",
        explain_zh="在回溯期内已签发的行政处罚决定中，同一违法类别下，本单位罚款（或行政拘留日数）的中位数偏离本机关其他单位的决定超过阈值个稳健标准差（中位数绝对偏差）。"
        "这是提请单位负责人审视的问题，不是结论：发现中列明其他单位的中位数、离散程度和样本数。",
        defaults={"look_back_days": 365, "min_unit": 5, "min_peers": 20, "threshold": "3.5"},
    ),
    Check(
        id="access.many-person-views",
        version=1,
        title_en="Officer opened many persons' records in one hour",
        title_zh="民警一小时内查阅人员信息过多",
        basis=gettext_lazy(
            "agency rule (本机关规定): looks at persons' records are for the cases one works "
            "on (Personal Information Protection Law art. 6: no more than the purpose needs)"
        ),
        severity=Severity.YELLOW,
        owners=frozenset({Role.UNIT_LEADER}),
        find=_many_views,
        explain_en="An officer opened more persons' records within one clock hour than the "
        "agency's limit: a question for their leader, not a verdict.",
        explain_zh="民警在一个整点小时内查阅的人员信息数超过本机关设定的上限：请其所在单位负责人核实，不作结论。",
        defaults={"per_hour": 50, "look_back_hours": 48},
    ),
    Check(
        id="access.unlinked-person-view",
        version=1,
        title_en="Officer opened a person's record with no link to their cases",
        title_zh="民警查阅与其承办案件无关的人员信息",
        basis=gettext_lazy(
            "agency rule (本机关规定): looks at persons' records are for the cases one works "
            "on (Personal Information Protection Law art. 6)"
        ),
        severity=Severity.YELLOW,
        owners=frozenset({Role.UNIT_LEADER}),
        find=_unlinked_views,
        explain_en="An officer opened the record of a person who is a party to none of the "
        "cases they handle or handled, and holds no role that reads it by duty (leader, legal, "
        "supervision, custody, intake) over the unit of one of them.",
        explain_zh="民警查阅的人员并非其承办（或曾承办）案件的当事人，且其不具有因职责可查阅该人员所在案件单位的角色（负责人、法制、督察、看管、接报）。",
        defaults={"look_back_hours": 48},
    ),
    Check(
        id="property.transfer-unconfirmed",
        version=1,
        title_en="Property hand-over not confirmed",
        title_zh="涉案财物移交未确认",
        basis=gettext_lazy(
            "agency rule (本机关规定): the receiving side confirms a hand-over the same day"
        ),
        severity=Severity.YELLOW,
        owners=PROPERTY_SIDE,
        find=_unconfirmed_transfers,
        explain_en="An item was handed over and the receiving side has neither confirmed nor "
        "refused it within the hours allowed.",
        explain_zh="涉案财物已移交，接收方在规定时限内既未确认也未拒收。",
        defaults={"hours": 24},
    ),
    Check(
        id="property.limit-missed",
        version=1,
        title_en="Property time limit missed with no account",
        title_zh="涉案财物处理期限超期未说明",
        basis=gettext_lazy("the limit's own rule (cited on each finding)"),
        severity=Severity.ORANGE,
        owners=PROPERTY_SIDE,
        find=_property_limits,
        explain_en="A statutory limit of a seized item (a freeze, a preservation, a return) "
        "passed and nobody has recorded what happened.",
        explain_zh="涉案财物的法定期限（冻结、先行登记保存、返还等）已过，且无人说明情况。",
    ),
    Check(
        id="property.stocktake-difference",
        version=1,
        title_en="Stock-take difference not accounted for",
        title_zh="涉案财物盘点差异未说明",
        basis=gettext_lazy(
            "agency rule (本机关规定): every difference a stock-take finds is accounted for"
        ),
        severity=Severity.ORANGE,
        owners=frozenset({Role.UNIT_LEADER, Role.PROPERTY_CUSTODIAN}),
        find=_stocktake_differences,
        explain_en="A stock-take found an item missing, or one where it should not be, and "
        "nobody has accounted for it.",
        explain_zh="盘点发现财物缺失或出现在不应在的位置，且无人说明情况。",
    ),
)

BY_ID: dict[str, Check] = {check.id: check for check in CHECKS}


def check_named(check_id: str) -> Check:
    return BY_ID[check_id]
