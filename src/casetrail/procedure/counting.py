"""The arithmetic of periods: placing a trigger on the time line, adding days and months."""

from __future__ import annotations

import calendar as _gregorian
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from casetrail.procedure.errors import ParamError, TriggerError, gettext_noop
from casetrail.procedure.said import Said

END_OF_DAY = (23, 59, 59)


def last_day_of_month(year: int, month: int) -> int:
    return _gregorian.monthrange(year, month)[1]


def add_months(start: date, months: int) -> date:
    """The last day of a period of `months` months from `start` (SPC Interpretation 2021, art. 202).

    From day X of the start month to the same day of the target month; when the start day is the
    last day of its month, or the same day does not exist in the target month, to the last day
    of the target month.
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = last_day_of_month(year, month)
    if start.day == last_day_of_month(start.year, start.month):
        return date(year, month, last)
    return date(year, month, min(start.day, last))


def month_step_said(start: date, months: int) -> Said:
    """Why add_months landed where it did, in the words of art. 202."""
    end = add_months(start, months)
    target = f"{end.year}-{end.month:02d}"
    if start.day == last_day_of_month(start.year, start.month):
        return Said.of(
            gettext_noop(
                "%(start)s is the last day of its month, so to the last day of %(target)s"
            ),
            start=start.isoformat(),
            target=target,
        )
    if start.day > last_day_of_month(end.year, end.month):
        return Said.of(
            gettext_noop("%(target)s has no day %(day)s, so to its last day"),
            target=target,
            day=start.day,
        )
    return Said.of(gettext_noop("to the same day of %(target)s"), target=target)


def advance(day: date, amount: int, unit: str) -> date:
    if unit == "days":
        return day + timedelta(days=amount)
    if unit == "months":
        return add_months(day, amount)
    raise ValueError(f"a calendar period is counted in days or months, not {unit}")


def elapsed(amount: int, unit: str) -> timedelta:
    if unit == "hours":
        return timedelta(hours=amount)
    if unit == "days":
        return timedelta(days=amount)
    raise ValueError(f"elapsed time is counted in hours or days, not {unit}")


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, *END_OF_DAY, tzinfo=zone)


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def place(value: datetime | str, zone: ZoneInfo, *, what: str = "trigger") -> datetime:
    """An instant in UTC. A naive time is local to the pack's zone, and a time attached to a
    named zone is local to that zone; either is refused where the clocks skipped or repeated
    it, and the caller must give the offset. A fixed offset is always unambiguous."""
    if isinstance(value, str):
        text = value.strip()
        if not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
            raise TriggerError(
                gettext_noop(
                    "%(what)s %(value)r is not an ISO 8601 date and time (e.g. 2026-03-10T14:00 "
                    "or 2026-03-10T14:00+08:00)"
                ),
                what=what,
                value=value,
            )
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise TriggerError(
                gettext_noop("%(what)s %(value)r is not a valid ISO 8601 date and time"),
                what=what,
                value=value,
            ) from None
    if not isinstance(value, datetime):
        raise TriggerError(
            gettext_noop("%(what)s must be a date and time, not %(kind)s"),
            what=what,
            kind=type(value).__name__,
        )
    if value.tzinfo is not None:
        if not isinstance(value.tzinfo, ZoneInfo):
            return value.astimezone(UTC)
        zone, value = value.tzinfo, value.replace(tzinfo=None)
    early = value.replace(tzinfo=zone, fold=0)
    late = value.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        local = value.isoformat(sep=" ", timespec="minutes")
        round_trip = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != value:
            raise TriggerError(
                gettext_noop(
                    "%(what)s %(local)s does not exist in %(zone)s: the clocks went forward over "
                    "it; give the time with its UTC offset"
                ),
                what=what,
                local=local,
                zone=zone.key,
            )
        raise TriggerError(
            gettext_noop(
                "%(what)s %(local)s happened twice in %(zone)s (the clocks went back): give the "
                "offset, %(first)s for the first or %(second)s for the second"
            ),
            what=what,
            local=local,
            zone=zone.key,
            first=_offset(early),
            second=_offset(late),
        )
    return early.astimezone(UTC)


def parse_hhmm(value: object, *, name: str) -> timedelta:
    """A span written as H:MM (for example 5:30), or a timedelta."""
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise ParamError(gettext_noop("param %(name)s cannot be negative"), name=name)
        return value
    if isinstance(value, str):
        found = re.fullmatch(r"(\d{1,3}):([0-5]\d)", value.strip())
        if found:
            return timedelta(hours=int(found.group(1)), minutes=int(found.group(2)))
    raise ParamError(
        gettext_noop("param %(name)s must be hours and minutes as H:MM (e.g. 5:30), not %(value)r"),
        name=name,
        value=value,
    )


def describe(moment: datetime, zone: ZoneInfo) -> str:
    """A local time with its offset and zone, for explanations."""
    local = moment.astimezone(zone)
    return f"{local.strftime('%Y-%m-%d %H:%M:%S')} {_offset(local)} ({zone.key})"
