"""The small pieces under compute(): amounts, rule lookups and the period arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casetrail.procedure import Amount, load_pack
from casetrail.procedure.counting import advance, elapsed


@pytest.mark.parametrize(
    ("amount", "span"),
    [
        (Amount(15, "minutes"), timedelta(minutes=15)),
        (Amount(1, "hours"), timedelta(hours=1)),
        (Amount(7, "days"), timedelta(days=7)),
    ],
)
def test_an_amount_of_minutes_hours_or_days_is_elapsed_time(
    amount: Amount, span: timedelta
) -> None:
    assert amount.as_timedelta() == span


def test_an_amount_of_months_has_no_elapsed_length() -> None:
    # SPC Interpretation 2021 art. 202: a month runs to the same day, so its length varies.
    with pytest.raises(ValueError, match="1 month has no fixed elapsed length"):
        Amount(1, "months").as_timedelta()


def test_a_rule_finds_its_parameters_by_name() -> None:
    # PSAPL art. 16: administrative detention takes the days of the decision.
    rule = load_pack("cn").versions("CN-ADMIN-DETENTION-EXEC")[-1]
    days = rule.param("days")
    assert days is not None
    assert (days.name, days.type, days.effect, days.required) == ("days", "int", "duration", True)
    assert rule.param("weeks") is None


def test_a_calendar_period_is_advanced_in_days_or_months_only() -> None:
    # CPL art. 105 / SPC Interpretation art. 202: days and months, never hours.
    assert advance(date(2026, 1, 31), 1, "months") == date(2026, 2, 28)
    assert advance(date(2026, 1, 31), 1, "days") == date(2026, 2, 1)
    with pytest.raises(ValueError, match="counted in days or months, not hours"):
        advance(date(2026, 1, 31), 6, "hours")


def test_elapsed_time_is_counted_in_hours_or_days_only() -> None:
    assert elapsed(36, "hours") == timedelta(hours=36)
    assert elapsed(2, "days") == timedelta(hours=48)
    with pytest.raises(ValueError, match="counted in hours or days, not months"):
        elapsed(1, "months")


@pytest.mark.parametrize(
    ("trigger", "last_day", "reason"),
    [
        ("2026-03-10T10:00", date(2026, 5, 10), "to the same day of 2026-05"),
        ("2026-12-30T10:00", date(2027, 2, 28), "2027-02 has no day 30, so to its last day"),
        (
            "2026-12-31T10:00",
            date(2027, 2, 28),
            "2026-12-31 is the last day of its month, so to the last day of 2027-02",
        ),
    ],
)
def test_a_month_period_explains_where_it_lands(trigger: str, last_day: date, reason: str) -> None:
    # CPL art. 156: two months of investigative custody, counted as SPC Interpretation 2021
    # art. 202 says: the same day of the target month, or its last day.
    from casetrail.procedure import compute

    deadline = compute("CN-CPL156-INVESTIGATIVE-CUSTODY", trigger, pack="cn")
    assert deadline.last_day == last_day
    assert any(f"2 months from {trigger[:10]}: {reason}," in s for s in deadline.explanation)


def test_a_rule_built_without_any_duration_says_so_rather_than_guess_a_unit() -> None:
    # The loader never builds one (each rule has a duration or a duration parameter); a rule
    # built by hand from the public dataclass must not be given a unit by accident.
    import dataclasses

    rule = load_pack("cn").versions("CN-CPL91-ARREST-REQUEST")[0]
    assert rule.unit == "days"
    bare = dataclasses.replace(rule, duration=None, params=())
    with pytest.raises(AssertionError, match="CN-CPL91-ARREST-REQUEST has neither a duration"):
        _ = bare.unit
