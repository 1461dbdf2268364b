"""Calendars: library data where published, a loud provisional fallback where not, and notices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from casetrail.procedure import (
    CalendarError,
    ChinaCalendar,
    EnglandCalendar,
    NoticeCalendar,
    calendar_for,
    compute,
    parse_notice,
)
from casetrail.procedure.calendars import Calendar

NOTICE_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知 (made-up data for the test)
calendar = "cn"
year = 2027
source = "test notice for 2027"
holidays = [
  2027-01-01,
  2027-02-06, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12,
  2027-10-01, 2027-10-02, 2027-10-03, 2027-10-04, 2027-10-05, 2027-10-06, 2027-10-07,
]
workdays = [2027-02-20, 2027-10-09]
"""


def test_both_library_calendars_satisfy_the_protocol() -> None:
    assert isinstance(ChinaCalendar(), Calendar)
    assert isinstance(EnglandCalendar(), Calendar)


def test_national_day_2026_is_a_holiday_and_its_make_up_saturday_is_a_working_day() -> None:
    china = ChinaCalendar()
    assert china.is_holiday(date(2026, 10, 4))
    assert not china.is_holiday(date(2026, 10, 10))  # Saturday worked in lieu
    assert not china.is_holiday(date(2026, 2, 14))  # Saturday before Spring Festival
    assert china.is_holiday(date(2026, 2, 23))
    assert china.provisional_reason(date(2026, 10, 4)) is None


def test_2027_falls_back_to_weekends_and_fixed_holidays_and_says_so() -> None:
    china = ChinaCalendar()
    assert china.is_holiday(date(2027, 1, 1))  # Friday, New Year
    assert china.is_holiday(date(2027, 5, 2))  # Labour Day is two days since 2025
    assert china.is_holiday(date(2027, 10, 3))
    assert not china.is_holiday(date(2027, 10, 4))  # Monday: unknown until the notice
    assert china.is_holiday(date(2027, 3, 6))  # Saturday
    reason = china.provisional_reason(date(2027, 3, 8))
    assert reason is not None
    assert "2027" in reason
    assert "State Council notice" in reason


def test_before_2025_labour_day_was_one_fixed_day() -> None:
    from casetrail.procedure.calendars import _cn_fixed_holidays

    assert date(2024, 5, 2) not in _cn_fixed_holidays(2024)
    assert date(2027, 5, 2) in _cn_fixed_holidays(2027)


def test_england_knows_its_bank_holidays() -> None:
    england = EnglandCalendar()
    assert england.is_holiday(date(2026, 8, 31))  # summer bank holiday
    assert england.is_holiday(date(2026, 12, 28))  # Boxing Day substitute
    assert not england.is_holiday(date(2026, 3, 30))
    assert england.provisional_reason(date(2030, 1, 1)) is None


def test_a_toml_notice_parses_into_dates() -> None:
    notice = parse_notice(NOTICE_2027)
    assert notice.year == 2027
    assert notice.calendar == "cn"
    assert date(2027, 2, 8) in notice.holidays
    assert notice.workdays == {date(2027, 2, 20), date(2027, 10, 9)}


def test_a_json_notice_parses_too() -> None:
    notice = parse_notice(
        '{"calendar": "cn", "year": 2027, "source": "json", '
        '"holidays": ["2027-01-01"], "workdays": ["2027-02-20"]}'
    )
    assert notice.holidays == {date(2027, 1, 1)}
    assert notice.as_dict()["workdays"] == ["2027-02-20"]


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (
            NOTICE_2027.replace("workdays = [2027-02-20", "workdays = [2027-02-22"),
            10,
            "workdays",
            "2027-02-22 is a weekday",
        ),
        (
            NOTICE_2027.replace("2027-10-07,", "2027-10-07, 2027-10-09,"),
            10,
            "workdays",
            "both as a holiday and as a working day",
        ),
        (
            NOTICE_2027.replace("  2027-01-01,", "  2026-01-01,"),
            6,
            "holidays",
            "outside the notice's year 2027",
        ),
        (
            NOTICE_2027.replace('calendar = "cn"', 'calendar = "mars"'),
            2,
            "calendar",
            "calendar must be one of cn, gb_eng",
        ),
        (NOTICE_2027.replace("year = 2027", 'year = "next"'), 3, "year", "four-digit year"),
        (NOTICE_2027 + 'approved_by = "me"\n', 11, "approved_by", "unknown field"),
    ],
)
def test_a_bad_notice_is_refused_naming_its_line_and_field(
    text: str, line: int, field: str, message: str
) -> None:
    with pytest.raises(CalendarError, match=message) as caught:
        parse_notice(text)
    assert (caught.value.line, caught.value.field) == (line, field)


def test_a_notice_that_is_not_toml_names_the_parser_line() -> None:
    with pytest.raises(CalendarError, match="not valid TOML") as caught:
        parse_notice('calendar = "cn"\nyear = \n')
    assert caught.value.line == 2


def test_a_notice_without_holidays_is_refused() -> None:
    with pytest.raises(CalendarError, match="missing field") as caught:
        parse_notice('calendar = "cn"\nyear = 2027\nsource = "x"\n')
    assert caught.value.field == "holidays"


def test_a_loaded_notice_overrides_the_fallback_and_clears_the_provisional_flag() -> None:
    # MPS Opinions 2015 / CPL art. 105(4): last day Saturday 2027-10-02.
    before = compute("CN-MPS2015-ADMIN-ACCEPT-3D", "2027-09-29T10:00", pack="cn")
    assert before.provisional
    assert before.last_day == date(2027, 10, 4)

    calendar = calendar_for("cn", [parse_notice(NOTICE_2027)])
    after = compute("CN-MPS2015-ADMIN-ACCEPT-3D", "2027-09-29T10:00", pack="cn", calendar=calendar)
    assert not after.provisional
    assert after.last_day == date(2027, 10, 8)


def test_a_notice_make_up_saturday_is_a_working_day() -> None:
    calendar = NoticeCalendar(ChinaCalendar(), [parse_notice(NOTICE_2027)])
    assert not calendar.is_holiday(date(2027, 10, 9))
    assert calendar.is_holiday(date(2027, 10, 10))
    assert calendar.source_for(date(2027, 10, 9)) == "test notice for 2027"
    assert calendar.is_holiday(date(2026, 10, 4))  # other years still come from the library


def test_two_notices_for_one_year_are_refused() -> None:
    notice = parse_notice(NOTICE_2027)
    with pytest.raises(CalendarError, match="two notices for 2027"):
        NoticeCalendar(ChinaCalendar(), [notice, notice])


def test_a_notice_for_another_calendar_is_refused() -> None:
    notice = parse_notice(NOTICE_2027.replace('calendar = "cn"', 'calendar = "gb_eng"'))
    with pytest.raises(CalendarError, match="cannot be loaded into the cn calendar"):
        NoticeCalendar(ChinaCalendar(), [notice])


def test_working_days_skip_weekends_and_holidays_and_count_adjusted_working_days() -> None:
    # 2026: Feb 14 (Sat) is an adjusted working day; Feb 15-23 is the Spring Festival holiday.
    from casetrail.procedure.calendars import walk_working_days

    cn = ChinaCalendar()
    assert walk_working_days(cn, date(2026, 2, 12), 1) == (date(2026, 2, 13), ())
    assert walk_working_days(cn, date(2026, 2, 12), 2) == (date(2026, 2, 14), ())
    assert walk_working_days(cn, date(2026, 2, 12), 3) == (date(2026, 2, 24), ())
    assert walk_working_days(cn, date(2026, 2, 12), 0) == (date(2026, 2, 12), ())


def test_working_days_into_an_unpublished_year_are_provisional() -> None:
    from casetrail.procedure.calendars import walk_working_days

    last, reasons = walk_working_days(ChinaCalendar(), date(2026, 12, 30), 2)
    assert last == date(2027, 1, 4)  # Dec 31, then Jan 1 (fallback holiday) and the weekend
    assert len(reasons) == 1
    assert "2027" in reasons[0]


def test_a_calendar_without_working_days_is_refused() -> None:
    from casetrail.procedure.calendars import walk_working_days

    class Closed:
        name = "cn"

        def is_holiday(self, day: date) -> bool:
            return True

        def provisional_reason(self, day: date) -> str | None:
            return None

    with pytest.raises(CalendarError, match="no working day in the year"):
        walk_working_days(Closed(), date(2026, 1, 1), 1)


# --- Notices: every way a notice can be wrong names its line and field --------------------

NOTICE_2028 = """\
calendar = "cn"
year = 2028
source = "test notice for 2028"
holidays = [2027-12-31, 2028-01-01, 2028-01-02]
workdays = []
"""


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (
            NOTICE_2027.replace('source = "test notice for 2027"', 'source = "   "'),
            4,
            "source",
            "source must name the notice",
        ),
        (
            NOTICE_2027.replace("workdays = [2027-02-20, 2027-10-09]", 'workdays = "2027-02-20"'),
            10,
            "workdays",
            "must be a list of dates",
        ),
        (
            NOTICE_2027.replace("  2027-01-01,", "  2027-01-01, 2027-01-01,"),
            6,
            "holidays",
            "2027-01-01 is listed twice",
        ),
        (
            NOTICE_2027.replace("  2027-01-01,", "  2027-01-01T00:00:00,"),
            6,
            "holidays",
            "is not a date",
        ),
        (
            # TOML reads 2027_0101 as the number 20270101, which is not in the text: the line
            # is then the field's.
            NOTICE_2027.replace("  2027-01-01,", "  2027_0101,"),
            5,
            "holidays",
            "20270101 is not a date",
        ),
    ],
)
def test_a_bad_toml_notice_is_refused_naming_its_line_and_field(
    text: str, line: int, field: str, message: str
) -> None:
    with pytest.raises(CalendarError, match=message) as caught:
        parse_notice(text)
    assert (caught.value.line, caught.value.field) == (line, field)


JSON_NOTICE = """\
{
  "calendar": "cn",
  "year": 2027,
  "source": "json",
  "holidays": [
    "2027-01-01",
    "HOLIDAY"
  ]
}
"""


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ('"2027-13-01"', "'2027-13-01' is not a date"),
        ('"next friday"', "'next friday' is not a date"),
        ("20270101", "20270101 is not a date"),
    ],
)
def test_a_json_notice_item_that_is_not_a_date_is_refused_at_its_line(
    item: str, message: str
) -> None:
    with pytest.raises(CalendarError, match=message) as caught:
        parse_notice(JSON_NOTICE.replace('"HOLIDAY"', item))
    assert (caught.value.line, caught.value.field) == (7, "holidays")


def test_a_notice_that_is_not_json_names_the_parser_line() -> None:
    with pytest.raises(CalendarError, match="not valid JSON") as caught:
        parse_notice('{\n  "calendar": "cn",\n  "year": \n}\n')
    assert caught.value.line == 4


def test_a_stored_notice_without_its_text_is_refused_naming_the_field_only() -> None:
    # A notice read back from the database has no text to find a line in.
    from casetrail.procedure import notice_from_mapping

    stored = {"calendar": "cn", "year": 2027, "source": "x", "holidays": ["2027-02-30"]}
    with pytest.raises(CalendarError, match="'2027-02-30' is not a date") as caught:
        notice_from_mapping(stored)
    assert (caught.value.line, caught.value.field) == (None, "holidays")
    assert str(caught.value) == "field 'holidays': '2027-02-30' is not a date (YYYY-MM-DD)"


def test_notices_are_listed_by_year_whatever_order_they_were_loaded_in() -> None:
    later, earlier = parse_notice(NOTICE_2028), parse_notice(NOTICE_2027)
    calendar = NoticeCalendar(ChinaCalendar(), [later, earlier])
    assert [n.year for n in calendar.notices] == [2027, 2028]


def test_a_notice_decides_the_days_it_lists_in_a_neighbouring_year() -> None:
    # A New Year holiday can start on 31 December (the 2023 notice gave 2022-12-31 off).
    calendar = NoticeCalendar(ChinaCalendar(), [parse_notice(NOTICE_2028)])
    friday = date(2027, 12, 31)
    assert calendar.is_holiday(friday)
    assert calendar.provisional_reason(friday) is None
    assert calendar.source_for(friday) == "test notice for 2028"
    # The rest of 2027 is the library's fallback: a guess, and said to be one.
    thursday = date(2027, 12, 30)
    assert not calendar.is_holiday(thursday)
    assert calendar.source_for(thursday) is None
    reason = calendar.provisional_reason(thursday)
    assert reason is not None
    assert "2027" in reason


def test_a_notice_reaching_into_january_decides_that_day_too() -> None:
    notice = parse_notice(
        NOTICE_2027.replace("  2027-01-01,", "  2027-01-01, 2028-01-03,")  # a Monday
    )
    calendar = NoticeCalendar(ChinaCalendar(), [notice])
    assert calendar.is_holiday(date(2028, 1, 3))
    assert calendar.source_for(date(2028, 1, 3)) == "test notice for 2027"
    assert calendar.source_for(date(2028, 1, 4)) is None


def test_a_notice_calendar_asks_its_base_once_per_day() -> None:
    asked: list[date] = []

    class Counted:
        name = "cn"

        def is_holiday(self, day: date) -> bool:
            asked.append(day)
            return day.weekday() >= 5

        def provisional_reason(self, day: date) -> str | None:
            return None

    calendar = NoticeCalendar(Counted(), [parse_notice(NOTICE_2027)])
    monday = date(2026, 3, 9)
    assert [calendar.is_holiday(monday), calendar.is_holiday(monday)] == [False, False]
    assert asked == [monday]


def test_an_unknown_calendar_is_named_with_the_known_ones() -> None:
    with pytest.raises(CalendarError, match=r"no calendar 'mars' \(known: cn, gb_eng\)"):
        calendar_for("mars")


def test_the_library_calendar_is_shared_and_wrapped_only_when_there_are_notices() -> None:
    assert calendar_for("cn") is calendar_for("cn")
    wrapped = calendar_for("cn", [parse_notice(NOTICE_2027)])
    assert isinstance(wrapped, NoticeCalendar)
    assert wrapped.base is calendar_for("cn")


class Closed:
    """A calendar in which no day is a working day."""

    name = "cn"

    def is_holiday(self, day: date) -> bool:
        return True

    def provisional_reason(self, day: date) -> str | None:
        return None


def test_a_holiday_shift_that_never_finds_a_working_day_is_refused() -> None:
    # MPS Opinions 2015 / CPL art. 105(4): the shift looks for a working day, and says so
    # when the calendar has none rather than looping for ever.
    with pytest.raises(CalendarError, match="no working day in the 60 days after 2026-03-13"):
        compute("CN-MPS2015-ADMIN-ACCEPT-3D", "2026-03-10T10:00", pack="cn", calendar=Closed())


def test_a_negative_number_of_working_days_is_refused() -> None:
    from casetrail.procedure.calendars import walk_working_days

    with pytest.raises(CalendarError, match="a period of -1 working days makes no sense"):
        walk_working_days(ChinaCalendar(), date(2026, 3, 10), -1)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=1901, max_value=2199),
    st.sets(st.integers(min_value=0, max_value=364), max_size=20),
    st.sets(st.integers(min_value=0, max_value=364), max_size=10),
)
def test_a_notice_reads_back_from_its_stored_form_unchanged(
    year: int, off: set[int], worked: set[int]
) -> None:
    # org/calendars stores a loaded notice and reads it back through notice_from_mapping:
    # whatever a valid notice says must survive the round trip exactly.
    from casetrail.procedure import Notice, notice_from_mapping

    start = date(year, 1, 1)
    holidays = frozenset(start + timedelta(days=n) for n in off)
    workdays = frozenset(start + timedelta(days=n) for n in worked)
    workdays = frozenset(d for d in workdays if d.weekday() >= 5)
    assume(not holidays & workdays)
    notice = Notice("cn", year, holidays, workdays, "a State Council notice")
    assert notice_from_mapping(notice.as_dict()) == notice
