"""Holiday calendars with the official notices an administrator has loaded.

The procedure engine is framework-free; this module stores notices, builds the engine's
calendars from them, and tells the apps that keep materialised deadlines to recompute
the ones a new notice affects (they register a recomputer in their AppConfig.ready()).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from casetrail import clock
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import CalendarNotice, Officer
from casetrail.procedure import Calendar, CalendarError, Notice, calendar_for, parse_notice


@dataclass
class RecomputeReport:
    """What a recomputer changed: one line per deadline that moved or changed its flag."""

    changed: list[str] = field(default_factory=list)
    unchanged: int = 0


Recomputer = Callable[[Notice, Calendar, Officer | None], RecomputeReport]
_RECOMPUTERS: dict[str, Recomputer] = {}


def register_recomputer(name: str, recompute: Recomputer) -> None:
    _RECOMPUTERS[name] = recompute


def stored_notices(name: str) -> list[Notice]:
    """The notices loaded for a calendar, the latest loaded for each year winning (only
    those are parsed)."""
    latest: dict[int, str] = {}
    rows = CalendarNotice.objects.filter(calendar=name).order_by("-loaded_at", "-id")
    for year, text in rows.values_list("year", "text"):
        latest.setdefault(year, text)
    return [parse_notice(text) for text in latest.values()]


_BUILT: dict[str, tuple[object, Calendar]] = {}


def calendar_named(name: str) -> Calendar:
    """The engine's calendar for ``name`` with the stored notices on top; built again only
    when the newest stored notice differs from the one it was built with (one indexed read;
    the digest keeps a rolled-back and reused id from passing for the same notice)."""
    newest = (
        CalendarNotice.objects.filter(calendar=name)
        .order_by("-id")
        .values_list("id", "sha256", "loaded_at")
        .first()
    )
    built = _BUILT.get(name)
    if built is None or built[0] != newest:
        built = _BUILT[name] = (newest, calendar_for(name, stored_notices(name)))
    return built[1]


@dataclass
class LoadResult:
    notice: Notice
    reports: dict[str, RecomputeReport]


@transaction.atomic
def load_notice(text: str, *, actor: Officer | None, source_name: str = "") -> LoadResult:
    """Store an official notice, recompute the open deadlines it affects, record it all.

    Raises CalendarError (with the line and field) for a malformed notice; nothing is
    written then.
    """
    notice = parse_notice(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    row = CalendarNotice.objects.create(
        calendar=notice.calendar,
        year=notice.year,
        text=text,
        sha256=digest,
        source=notice.source[:200],
        loaded_at=clock.now(),
        loaded_by=actor,
    )
    calendar = calendar_named(notice.calendar)
    reports = {
        name: recompute(notice, calendar, actor) for name, recompute in sorted(_RECOMPUTERS.items())
    }
    record(
        LedgerKind.CALENDAR_NOTICE_LOADED,
        subject=row,
        actor=actor,
        data={
            "calendar": notice.calendar,
            "year": notice.year,
            "source": notice.source,
            "sha256": digest,
            "file": source_name,
            "holidays": len(notice.holidays),
            "workdays": len(notice.workdays),
            "deadlines_changed": sum(len(r.changed) for r in reports.values()),
        },
    )
    return LoadResult(notice, reports)


__all__ = [
    "CalendarError",
    "LoadResult",
    "RecomputeReport",
    "calendar_named",
    "load_notice",
    "register_recomputer",
    "stored_notices",
]
