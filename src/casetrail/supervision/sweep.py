"""The supervision sweep: every check run, each new instance opened as one finding, each live
finding whose gap is gone marked so, each open finding past its deadline escalated.

Safe on several machines at once, as custody's sweep: a finding is unique while live per
(check, key) (a second sweeper's insert fails and rolls back), and every change to a finding
is made under its row lock and re-checked there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError
from django.db.models import Q

from casetrail import clock
from casetrail.supervision import actions
from casetrail.supervision.checks import CHECKS, Check
from casetrail.supervision.models import LIVE, Finding, FindingStatus

log = logging.getLogger("casetrail.supervision.sweep")
CLOSED = (FindingStatus.ACCEPTED, FindingStatus.DISMISSED)
KEY_BATCH = 5_000


@dataclass
class SweepReport:
    opened: int = 0
    gone: int = 0
    escalated: int = 0


def run_check(check: Check, report: SweepReport) -> None:
    params = check.params()
    found = {instance.key: instance for instance in check.find(clock.now(), params)}
    # The live findings read once: their keys tell what is new, and those not found again
    # (and not yet said to be gone) are gone.
    live = list(
        Finding.objects.filter(check_id=check.id, status__in=LIVE).values_list(
            "pk", "key", "gone_at"
        )
    )
    new_keys = sorted(set(found) - {key for _, key, _ in live})
    # A closed finding's instance is not opened again by the same version of its check: the
    # supervisor who closed it saw whether the gap was still there (docs/supervision.md).
    # (Asked in batches: a first sweep's new keys can outnumber a statement's parameters.)
    closed: set[str] = set()
    for start in range(0, len(new_keys), KEY_BATCH):
        closed.update(
            Finding.objects.filter(
                check_id=check.id,
                check_version=check.version,
                status__in=CLOSED,
                key__in=new_keys[start : start + KEY_BATCH],
            ).values_list("key", flat=True)
        )
    for key in new_keys:
        if key in closed:
            continue
        try:
            actions.open_finding(check, found[key], params)
        except IntegrityError:
            log.info("%s %s: opened by another sweeper", check.id, key)
            continue
        report.opened += 1
    for pk in [pk for pk, key, gone_at in live if gone_at is None and key not in found]:
        report.gone += actions.mark_gone(pk)


def sweep() -> SweepReport:
    report = SweepReport()
    for check in CHECKS:
        try:
            run_check(check, report)
        except OperationalError:
            log.warning("supervision sweep: %s locked by another sweeper; next run", check.id)
    # Past due, and answered for by a unit that has one above it: a finding already at the top
    # of the tree stays overdue there and is not locked again on every pass.
    below_the_top = Q(escalated_to__isnull=True, unit__parent__isnull=False) | Q(
        escalated_to__parent__isnull=False
    )
    overdue = Finding.objects.filter(
        below_the_top, status=FindingStatus.OPEN, due_at__lte=clock.now()
    )
    for pk in list(overdue.values_list("pk", flat=True)):
        report.escalated += actions.escalate(pk)
    return report
