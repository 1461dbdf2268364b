"""The only source of "now". Tests freeze it with time-machine; nothing else calls now().

`backdated(instant)` lets a loader replay history (the demo jurisdiction, an import of
records kept elsewhere) so that each entry carries the time the event happened; it is
scoped to the calling context and never used by request handling.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_override: ContextVar[datetime | None] = ContextVar("casetrail_clock_override", default=None)


def now() -> datetime:
    """The current instant as an aware UTC datetime."""
    fixed = _override.get()
    return fixed if fixed is not None else datetime.now(UTC)


def today_in(zone: str) -> date:
    """Today's date in the named time zone (a unit's zone, say)."""
    return now().astimezone(ZoneInfo(zone)).date()


@contextmanager
def backdated(instant: datetime) -> Iterator[None]:
    """Within the block, now() answers ``instant`` (aware); for replaying history only."""
    if instant.tzinfo is None:
        raise ValueError("backdated() needs an aware datetime")
    token = _override.set(instant.astimezone(UTC))
    try:
        yield
    finally:
        _override.reset(token)
