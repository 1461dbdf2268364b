"""Properties that must hold for any trigger, not only the statute examples."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from casetrail.procedure import NotInForce, compute, load_pack
from casetrail.procedure.calendars import Calendar, ChinaCalendar, walk_working_days
from casetrail.procedure.counting import add_months

PACK_RULES = [
    (pack, rule.id)
    for pack in ("cn", "gb_eng")
    for rule in load_pack(pack).rules
    if rule.id not in {"EW-PACE41-RT"}
]
CUSTODY_CALENDAR_RULES = [
    rule.id for rule in load_pack("cn").rules if rule.custody and rule.counting == "calendar"
]
DEFAULT_PARAMS = {
    "CN-ADMIN-DETENTION-EXEC": {"days": 10},
    "EW-PACE43-WFD": {"relevant_time": "2020-01-01T00:00"},
    "EW-PACE44-EXT": {"relevant_time": "2020-01-01T00:00"},
}

# Instants from 2019 to 2028 in UTC, on whole minutes.
instants = st.integers(min_value=0, max_value=10 * 365 * 24 * 60).map(
    lambda minutes: datetime(2019, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
)


def deadline_at(pack: str, rule_id: str, trigger: datetime, **kwargs: object) -> datetime:
    params = DEFAULT_PARAMS.get(rule_id, {})
    return compute(rule_id, trigger, pack=pack, params=params, **kwargs).due_at  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PACK_RULES), instants, st.integers(min_value=0, max_value=60 * 24 * 40))
def test_a_later_trigger_never_gives_an_earlier_deadline(
    pack_rule: tuple[str, str], trigger: datetime, later_by: int
) -> None:
    pack, rule_id = pack_rule
    rule = load_pack(pack).resolve  # versions: keep both triggers under one version
    later = trigger + timedelta(minutes=later_by)
    zone = load_pack(pack).time_zone
    try:
        first = rule(rule_id, trigger.astimezone(zone).date())
        second = rule(rule_id, later.astimezone(zone).date())
    except NotInForce:  # a rule not in force on a date is outside this property
        first = second = None
    assume(first is not None and first is second)
    assert deadline_at(pack, rule_id, later) >= deadline_at(pack, rule_id, trigger)


EXTENSION_CHAINS = [
    ("cn", "CN-CPL91-ARREST-REQUEST", ["special=2", "roving"]),
    ("cn", "CN-CPL91-MAX-DETENTION", ["special=4", "roving"]),
    ("cn", "CN-CPL156-INVESTIGATIVE-CUSTODY", ["CPL156_1M", "CPL158_2M", "CPL159_2M"]),
    ("cn", "CN-PSAPL2025-CASE118", ["next-higher", "next-higher"]),
    ("cn", "CN-MPS2015-CRIM-REG-REVIEW", ["verify", "major"]),
    ("cn", "CN-CPL119-SUMMONS-12H", ["serious-complex"]),
    ("gb_eng", "EW-PACE41-24H", ["s42=5", "s42=7"]),
    ("cn", "CN-OGI2019-ANSWER-20WD", ["head-of-office=20"]),
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(EXTENSION_CHAINS), st.integers(min_value=0, max_value=3), instants)
def test_an_extension_never_shortens_a_deadline(
    chain: tuple[str, str, list[str]], upto: int, trigger: datetime
) -> None:
    pack, rule_id, extensions = chain
    if rule_id == "CN-PSAPL2025-CASE118" and trigger < datetime(2026, 1, 1, tzinfo=UTC):
        trigger += timedelta(days=7 * 366)
    if rule_id.startswith("CN-OGI2019") and trigger < datetime(2019, 6, 1, tzinfo=UTC):
        trigger += timedelta(days=366)
    steps = extensions[: upto + 1]
    without = deadline_at(pack, rule_id, trigger, extensions=steps[:-1])
    with_it = deadline_at(pack, rule_id, trigger, extensions=steps)
    # Equal is possible: 3 days from 2019-09-28 ends on Oct 1 and 7 days on Oct 5, and both
    # shift off the National Day holiday to Oct 8 (CPL art. 105(4)).
    assert with_it >= without


class EveryDayIsAHoliday:
    """A calendar in which every day except the 1st of a month is a holiday."""

    name = "cn"

    def is_holiday(self, day: date) -> bool:
        return day.day != 1

    def provisional_reason(self, day: date) -> str | None:
        return None


class NoHolidays:
    name = "cn"

    def is_holiday(self, day: date) -> bool:
        return False

    def provisional_reason(self, day: date) -> str | None:
        return None


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CUSTODY_CALENDAR_RULES), instants)
def test_a_custody_deadline_never_moves_for_a_holiday(rule_id: str, trigger: datetime) -> None:
    # CPL art. 105(4): in custody the period ends on its last day, holiday or not.
    holidays: Calendar = EveryDayIsAHoliday()
    none: Calendar = NoHolidays()
    assert deadline_at("cn", rule_id, trigger, calendar=holidays) == deadline_at(
        "cn", rule_id, trigger, calendar=none
    )


def _month_end(year: int, month: int) -> int:
    """The oracle: the standard library's calendar, not the engine's helper."""
    return calendar.monthrange(year, month)[1]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=2000, max_value=2100),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=24),
)
def test_a_month_period_from_the_31st_lands_on_a_real_last_day(
    year: int, month: int, months: int
) -> None:
    # SPC Interpretation 2021 art. 202.
    start = date(year, month, _month_end(year, month))
    end = add_months(start, months)
    assert end.day == _month_end(end.year, end.month)
    assert (end.year - start.year) * 12 + end.month - start.month == months


@settings(max_examples=150, deadline=None)
@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=1, max_value=24),
)
def test_a_month_period_keeps_its_day_or_ends_on_the_last_day(start: date, months: int) -> None:
    # SPC Interpretation 2021 art. 202: to the same day of the target month, or its last day.
    end = add_months(start, months)
    target = start.month - 1 + months
    assert (end.year, end.month) == (start.year + target // 12, target % 12 + 1)
    last = _month_end(end.year, end.month)
    if start.day == _month_end(start.year, start.month):
        assert end.day == last
    else:
        assert end.day == min(start.day, last)


# Working days (OGI Regulations 2019 art. 33): days from 2004 (the first year chinese_calendar
# publishes) into 2028 (unpublished: the fallback calendar), any count a statute uses.
cn_days = st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 12, 31))
WORKING_DAY_RULES = [rule.id for rule in load_pack("cn").rules if rule.counting == "working_days"]


@settings(max_examples=200, deadline=None)
@given(cn_days, st.integers(min_value=1, max_value=60))
def test_a_working_day_period_never_ends_on_a_non_working_day(start: date, n: int) -> None:
    calendar = ChinaCalendar()
    last, _ = walk_working_days(calendar, start, n)
    assert not calendar.is_holiday(last)
    assert last > start


@settings(max_examples=200, deadline=None)
@given(cn_days, st.integers(min_value=0, max_value=60))
def test_n_plus_one_working_days_never_end_before_n(start: date, n: int) -> None:
    calendar = ChinaCalendar()
    shorter, _ = walk_working_days(calendar, start, n)
    longer, _ = walk_working_days(calendar, start, n + 1)
    assert longer > shorter


# From 2019-06-01, when the 2019 Regulations are in force, into 2028.
ogi_instants = st.integers(min_value=0, max_value=9 * 365 * 24 * 60).map(
    lambda minutes: datetime(2019, 6, 1, tzinfo=UTC) + timedelta(minutes=minutes)
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(WORKING_DAY_RULES), ogi_instants)
def test_a_working_day_deadline_falls_at_the_end_of_a_working_day(
    rule_id: str, trigger: datetime
) -> None:
    deadline = compute(rule_id, trigger, pack="cn")
    calendar = ChinaCalendar()
    assert deadline.last_day is not None
    assert not calendar.is_holiday(deadline.last_day)
    assert deadline.due_local.date() == deadline.last_day
    assert deadline.due_local.time().isoformat() == "23:59:59"
    # The period counts whole working days after the trigger's local day.
    assert deadline.last_day > deadline.trigger_at.astimezone(deadline.due_local.tzinfo).date()
