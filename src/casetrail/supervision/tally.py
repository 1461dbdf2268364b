"""The counts the dashboard reads instead of the findings: live findings per unit and severity,
and findings opened per unit, severity and day of the unit's calendar. An action that opens a
finding or takes it out of the loop moves its counts in its own transaction, so the charts
say what the findings say; `recount` rebuilds both from the findings (the migration that made
them, and `casetrail supervision recount` for an operator who restored findings by hand).

A count's row is made by the first finding that needs it; two transactions making the same
row at once meet on its unique constraint, and the second adds to the row the first made.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps as installed
from django.db import IntegrityError, transaction
from django.db.models import F

from casetrail.supervision.models import LIVE, Finding, LiveTally, OpenedTally


def _add(model: Any, keys: dict[str, Any], field: str, delta: int) -> None:
    if model.objects.filter(**keys).update(**{field: F(field) + delta}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**keys, **{field: delta})
    except IntegrityError:  # made by another transaction since the update found nothing
        model.objects.filter(**keys).update(**{field: F(field) + delta})


def local_day(finding: Finding) -> date:
    day: date = finding.opened_at.astimezone(ZoneInfo(finding.unit.timezone)).date()
    return day


def opened(finding: Finding) -> None:
    """A finding entered the loop."""
    keys = {"unit_id": finding.unit_id, "severity": finding.severity}
    _add(LiveTally, keys, "live", 1)
    _add(OpenedTally, {**keys, "day": local_day(finding)}, "opened", 1)


def closed(finding: Finding) -> None:
    """A finding left the loop (accepted or dismissed)."""
    _add(LiveTally, {"unit_id": finding.unit_id, "severity": finding.severity}, "live", -1)


Lives = dict[tuple[int, str], int]
Days = dict[tuple[int, str, date], int]


def counted(apps: Any = installed) -> tuple[Lives, Days]:
    """Both tallies as the findings say them, nothing written; counts of zero left out."""
    finding_model = apps.get_model("supervision", "Finding")
    zones = dict(apps.get_model("org", "Unit").objects.values_list("pk", "timezone"))
    live: Counter[tuple[int, str]] = Counter()
    days: Counter[tuple[int, str, date]] = Counter()
    rows = finding_model.objects.values_list("unit_id", "severity", "status", "opened_at")
    for unit_id, severity, status, opened_at in rows.iterator(chunk_size=10_000):
        if status in LIVE:
            live[(unit_id, severity)] += 1
        days[(unit_id, severity, opened_at.astimezone(ZoneInfo(zones[unit_id])).date())] += 1
    return dict(live), dict(days)


def stored() -> tuple[Lives, Days]:
    """Both tallies as kept, counts of zero left out."""
    live = LiveTally.objects.exclude(live=0).values_list("unit_id", "severity", "live")
    days = OpenedTally.objects.exclude(opened=0).values_list("unit_id", "severity", "day", "opened")
    return {(u, s): n for u, s, n in live}, {(u, s, d): n for u, s, d, n in days}


def recount(apps: Any = installed, counts: tuple[Lives, Days] | None = None) -> tuple[int, int]:
    """Both tallies rebuilt, in one transaction, from the findings (or from ``counts`` the
    caller already took of them); the rows written."""
    live_model = apps.get_model("supervision", "LiveTally")
    opened_model = apps.get_model("supervision", "OpenedTally")
    live, days = counts if counts is not None else counted(apps)
    with transaction.atomic():
        live_model.objects.all().delete()
        opened_model.objects.all().delete()
        live_model.objects.bulk_create(
            live_model(unit_id=u, severity=s, live=n) for (u, s), n in live.items()
        )
        opened_model.objects.bulk_create(
            opened_model(unit_id=u, severity=s, day=d, opened=n) for (u, s, d), n in days.items()
        )
    return len(live), len(days)
