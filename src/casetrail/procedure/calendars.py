"""Holiday calendars: which days are not working days, and when that answer is only a guess.

A calendar answers two questions for a date: is it a holiday (a weekend or a statutory holiday,
where an adjusted working day counts as a working day), and, if the answer is not backed by
published data, why it is provisional. An official notice, loaded as data, overrides the library
for its year.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol, runtime_checkable

import chinese_calendar
import holidays as holidays_lib

from casetrail.procedure.errors import CalendarError, gettext_noop
from casetrail.procedure.said import Said

CALENDARS = ("cn", "gb_eng")


@runtime_checkable
class Calendar(Protocol):
    """What the engine asks of a calendar."""

    name: str

    def is_holiday(self, day: date) -> bool:
        """True for a weekend or statutory holiday that is not an adjusted working day."""
        ...

    def provisional_reason(self, day: date) -> str | None:
        """Why the answer for this date is not backed by published data, or None if it is."""
        ...


@runtime_checkable
class SaysWhy(Protocol):
    """A calendar that also gives its provisional reason as a `Said`, so that whoever shows it
    says it in the reader's language (the shipped calendars do; a calendar that does not is
    shown as it words its reason)."""

    def provisional_said(self, day: date) -> Said | None:
        """`provisional_reason`, to be said in the reader's language."""
        ...


def provisional_said(calendar: Calendar, day: date) -> Said | None:
    """The calendar's reason for ``day`` as a `Said`; a reason it gives only as text, as it is."""
    if isinstance(calendar, SaysWhy):
        return calendar.provisional_said(day)
    reason = calendar.provisional_reason(day)
    return None if reason is None else Said(reason)


def _cn_fixed_holidays(year: int) -> frozenset[date]:
    """The statutory holidays whose date never moves (National Holidays Measures, art. 2).

    Since the 2024 amendment (in force 2025-01-01) Labour Day is two days, May 1 and 2; before
    it, May 1 only. Spring Festival, Qingming, Dragon Boat and Mid-Autumn follow the lunar or
    solar-term calendar and the State Council fixes the days off and the adjusted working days
    each year, so they cannot be known before its notice.
    """
    days = {
        date(year, 1, 1),
        date(year, 5, 1),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    if year >= 2025:
        days.add(date(year, 5, 2))
    return frozenset(days)


class ChinaCalendar:
    """PRC holidays and adjusted working days from chinese_calendar, with a provisional fallback."""

    name = "cn"

    def __init__(self) -> None:
        self._cache: dict[date, bool] = {}
        self._unknown_years: set[int] = set()

    def is_holiday(self, day: date) -> bool:
        answer = self._cache.get(day)
        if answer is None:
            answer = self._look_up(day)
            self._cache[day] = answer
        return answer

    def _look_up(self, day: date) -> bool:
        if day.year not in self._unknown_years:
            try:
                return bool(chinese_calendar.is_holiday(day))
            except NotImplementedError:
                self._unknown_years.add(day.year)
        return day.weekday() >= 5 or day in _cn_fixed_holidays(day.year)

    def provisional_reason(self, day: date) -> str | None:
        said = self.provisional_said(day)
        return None if said is None else str(said)

    def provisional_said(self, day: date) -> Said | None:
        self.is_holiday(day)
        if day.year not in self._unknown_years:
            return None
        return Said.of(
            gettext_noop(
                "the PRC holiday calendar for %(year)s is not published in chinese_calendar: "
                "weekends and the fixed-date statutory holidays (Jan 1, May 1-2, Oct 1-3) were "
                "used; lunar holidays and adjusted working days are unknown until the State "
                "Council notice is loaded"
            ),
            year=day.year,
        )


class EnglandCalendar:
    """England's weekends and bank holidays from the holidays library."""

    name = "gb_eng"

    def __init__(self) -> None:
        self._years: dict[int, frozenset[date]] = {}

    def _bank_holidays(self, year: int) -> frozenset[date]:
        found = self._years.get(year)
        if found is None:
            found = frozenset(holidays_lib.country_holidays("GB", subdiv="ENG", years=year).keys())
            self._years[year] = found
        return found

    def is_holiday(self, day: date) -> bool:
        return day.weekday() >= 5 or day in self._bank_holidays(day.year)

    def provisional_reason(self, day: date) -> str | None:
        # The library computes the regular bank holidays of any year; a one-off bank holiday
        # proclaimed later is loaded as a notice.
        return None


@dataclass(frozen=True, slots=True)
class Notice:
    """An official holiday notice for one year (a State Council notice, a proclamation)."""

    calendar: str
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str

    def covers(self, day: date) -> bool:
        return day.year == self.year or day in self.holidays or day in self.workdays

    def is_holiday(self, day: date) -> bool:
        if day in self.workdays:
            return False
        return day in self.holidays or day.weekday() >= 5

    def as_dict(self) -> dict[str, Any]:
        return {
            "calendar": self.calendar,
            "year": self.year,
            "source": self.source,
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "workdays": sorted(d.isoformat() for d in self.workdays),
        }


NOTICE_KEYS = {"calendar", "year", "source", "holidays", "workdays"}


def parse_notice(text: str) -> Notice:
    """Parse and validate a notice given as TOML or JSON text.

    The notice names its calendar, its year, where it comes from, the days off (holidays) and
    the adjusted working days (workdays, always a Saturday or Sunday). Errors name the line and
    the field.
    """
    stripped = text.lstrip()
    lines = text.splitlines()
    if stripped.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CalendarError(f"not valid JSON: {error.msg}", line=error.lineno) from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            found = re.search(r"line (\d+)", str(error))
            raise CalendarError(
                f"not valid TOML: {error}", line=int(found.group(1)) if found else None
            ) from None
    # Text that starts with "{" parses to a JSON object or not at all; TOML is always a table.
    return notice_from_mapping(data, lines=lines)


def notice_from_mapping(data: Mapping[str, Any], *, lines: Sequence[str] = ()) -> Notice:
    """Validate an already parsed notice (for example one stored as JSON in a database)."""

    def line_of(field: str, value: object = None) -> int | None:
        key = re.compile(r"""^\s*"?""" + re.escape(field) + r""""?\s*[=:]""")
        start = next((i for i, text in enumerate(lines) if key.match(text)), None)
        if start is None:
            return None
        if value is not None:
            needle = value.isoformat() if isinstance(value, date) else str(value)
            for i in range(start, len(lines)):
                if needle in lines[i]:
                    return i + 1
        return start + 1

    def fail(message: str, field: str, value: object = None) -> CalendarError:
        return CalendarError(message, line=line_of(field, value), field=field)

    for key in data:
        if key not in NOTICE_KEYS:
            raise fail(f"unknown field (expected: {', '.join(sorted(NOTICE_KEYS))})", key)
    for key in ("calendar", "year", "source", "holidays"):
        if key not in data:
            raise CalendarError("missing field", field=key)
    calendar = data["calendar"]
    if calendar not in CALENDARS:
        raise fail(f"calendar must be one of {', '.join(CALENDARS)}, not {calendar!r}", "calendar")
    year = data["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2200:
        raise fail(f"year must be a four-digit year, not {year!r}", "year")
    source = data["source"]
    if not isinstance(source, str) or not source.strip():
        raise fail("source must name the notice (issuer, number, date)", "source")

    def dates(field: str) -> frozenset[date]:
        raw = data.get(field, [])
        if not isinstance(raw, list):
            raise fail("must be a list of dates", field)
        found: set[date] = set()
        for item in raw:
            day = _as_date(item)
            if day is None:
                raise fail(f"{item!r} is not a date (YYYY-MM-DD)", field, item)
            if not _near_year(day, year):
                raise fail(f"{day.isoformat()} is outside the notice's year {year}", field, day)
            if day in found:
                raise fail(f"{day.isoformat()} is listed twice", field, day)
            found.add(day)
        return frozenset(found)

    days_off = dates("holidays")
    workdays = dates("workdays")
    for day in sorted(days_off & workdays):
        raise fail(
            f"{day.isoformat()} is listed both as a holiday and as a working day", "workdays", day
        )
    for day in sorted(workdays):
        if day.weekday() < 5:
            raise fail(
                f"{day.isoformat()} is a weekday: an adjusted working day is a Saturday or Sunday",
                "workdays",
                day,
            )
    return Notice(
        calendar=calendar, year=year, holidays=days_off, workdays=workdays, source=source.strip()
    )


def _as_date(item: object) -> date | None:
    if isinstance(item, date) and not hasattr(item, "hour"):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item)
        except ValueError:
            return None
    return None


def _near_year(day: date, year: int) -> bool:
    """A notice may reach into the last days of December before or January after its year."""
    return date(year - 1, 12, 1) <= day <= date(year + 1, 1, 31)


class NoticeCalendar:
    """A calendar whose answers come from loaded notices where they exist, else from a base."""

    def __init__(self, base: Calendar, notices: Iterable[Notice]) -> None:
        self.base = base
        self.name = base.name
        self._by_year: dict[int, Notice] = {}
        for notice in notices:
            if notice.calendar != base.name:
                raise CalendarError(
                    f"a {notice.calendar} notice cannot be loaded into the {base.name} calendar",
                    field="calendar",
                )
            if notice.year in self._by_year:
                raise CalendarError(
                    f"two notices for {notice.year}: {self._by_year[notice.year].source!r} and "
                    f"{notice.source!r}; load the one in force",
                    field="year",
                )
            self._by_year[notice.year] = notice
        self._cache: dict[date, bool] = {}

    @property
    def notices(self) -> tuple[Notice, ...]:
        return tuple(self._by_year[y] for y in sorted(self._by_year))

    def _notice_for(self, day: date) -> Notice | None:
        """The notice of the day's year, else a neighbouring year's notice that lists the day."""
        for year in (day.year, day.year - 1, day.year + 1):
            notice = self._by_year.get(year)
            if notice is not None and notice.covers(day):
                return notice
        return None

    def is_holiday(self, day: date) -> bool:
        answer = self._cache.get(day)
        if answer is None:
            notice = self._notice_for(day)
            answer = notice.is_holiday(day) if notice else self.base.is_holiday(day)
            self._cache[day] = answer
        return answer

    def provisional_reason(self, day: date) -> str | None:
        if self._notice_for(day) is not None:
            return None
        return self.base.provisional_reason(day)

    def provisional_said(self, day: date) -> Said | None:
        if self._notice_for(day) is not None:
            return None
        return provisional_said(self.base, day)

    def source_for(self, day: date) -> str | None:
        notice = self._notice_for(day)
        return notice.source if notice else None


def calendar_for(name: str, notices: Iterable[Notice] = ()) -> Calendar:
    """The library calendar of a pack, with any loaded notices on top. The library part is
    shared, so its per-day cache serves every caller."""
    base = default_calendar(name)
    notices = list(notices)
    return NoticeCalendar(base, notices) if notices else base


_DEFAULTS: dict[str, Calendar] = {}


def default_calendar(name: str) -> Calendar:
    """A shared library calendar per name (its lookups are cached)."""
    calendar = _DEFAULTS.get(name)
    if calendar is None:
        if name == "cn":
            calendar = ChinaCalendar()
        elif name == "gb_eng":
            calendar = EnglandCalendar()
        else:
            raise CalendarError(f"no calendar {name!r} (known: {', '.join(CALENDARS)})")
        _DEFAULTS[name] = calendar
    return calendar


def first_working_day_after(calendar: Calendar, day: date, *, limit: int = 60) -> date:
    """The first day after `day` that is not a holiday; refuses a calendar with no working day."""
    candidate = day + timedelta(days=1)
    for _ in range(limit):
        if not calendar.is_holiday(candidate):
            return candidate
        candidate += timedelta(days=1)
    raise CalendarError(
        f"no working day in the {limit} days after {day.isoformat()}: check the calendar"
    )


def walk_working_days(calendar: Calendar, day: date, count: int) -> tuple[date, tuple[str, ...]]:
    """The N-th working day after `day` (which is not counted), and why any day walked over is
    only a guess (`walk_working_days_said`, the reasons as text)."""
    last, reasons = walk_working_days_said(calendar, day, count)
    return last, tuple(str(reason) for reason in reasons)


def walk_working_days_said(
    calendar: Calendar, day: date, count: int
) -> tuple[date, tuple[Said, ...]]:
    """The N-th working day after `day` (which is not counted), and why any day walked over is
    only a guess.

    A working day is neither a weekend day nor a statutory holiday; an adjusted working day (a
    Saturday or Sunday worked in lieu) is one. Every day walked over decides the answer, so
    each provisional day's reason is returned. Refuses a calendar with no working day for a
    year at a time.
    """
    if count < 0:
        raise CalendarError(f"a period of {count} working days makes no sense")
    reasons: list[Said] = []
    current = day
    found = 0
    idle = 0
    while found < count:
        current += timedelta(days=1)
        reason = provisional_said(calendar, current)
        if reason is not None and reason not in reasons:
            reasons.append(reason)
        if calendar.is_holiday(current):
            idle += 1
            if idle > 366:
                raise CalendarError(
                    f"no working day in the year after {current.isoformat()}: check the calendar"
                )
            continue
        idle = 0
        found += 1
    return current, tuple(reasons)
