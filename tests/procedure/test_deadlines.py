"""compute(), check_extension() and friends, beyond the statute tables."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from casetrail.procedure import (
    ExtensionError,
    Pack,
    ParamError,
    TriggerError,
    UnknownRule,
    check_extension,
    compute,
    list_extensions,
    load_pack,
    read_pack,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_naive_cn_trigger_is_beijing_time() -> None:
    # CPL art. 86: 24 hours from detention.
    naive = datetime(2026, 3, 10, 14, 0)  # noqa: DTZ001 - a naive trigger is the point
    deadline = compute("CN-CPL86-INTERROGATE-24H", naive, pack="cn")
    assert deadline.trigger_at == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert deadline.due_at == datetime(2026, 3, 11, 6, 0, tzinfo=UTC)
    assert deadline.due_local.tzinfo == SHANGHAI


def test_a_day_period_ends_at_23_59_59_local_and_explains_each_step() -> None:
    # CPL art. 91(1), art. 105(2).
    deadline = compute("CN-CPL91-ARREST-REQUEST", "2026-03-10T14:00", pack="cn")
    assert deadline.due_local == datetime(2026, 3, 13, 23, 59, 59, tzinfo=SHANGHAI)
    assert deadline.last_day == date(2026, 3, 13)
    assert any("trigger day 2026-03-10 not counted" in step for step in deadline.explanation)
    assert deadline.citation.article == "art. 91"
    assert deadline.custody


def test_the_warning_comes_seven_days_before_investigative_custody_ends() -> None:
    # CPL art. 156 and the MPS Provisions: the extension request goes out 7 days ahead.
    deadline = compute("CN-CPL156-INVESTIGATIVE-CUSTODY", "2026-01-10T10:00", pack="cn")
    assert deadline.due_at - deadline.warn_at == timedelta(days=7)


def test_a_warning_never_falls_before_the_trigger() -> None:
    deadline = compute("EW-CODEC-12.8-BREAK", "2026-05-01T10:00", pack="gb_eng")
    assert deadline.warn_at == deadline.due_at - timedelta(minutes=15)
    short = compute(
        "EW-PACE43-WFD",
        "2026-05-05T21:30",
        pack="gb_eng",
        params={"relevant_time": "2026-05-01T22:00"},
    )
    assert short.warn_at == short.trigger_at  # 30 minutes left, a 3-hour warning


def test_the_deadline_is_frozen_and_its_dict_is_json() -> None:
    deadline = compute(
        "CN-CPL91-ARREST-REQUEST", "2026-09-28T14:00", pack="cn", extensions=["special=3"]
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadline.due_at = deadline.trigger_at  # type: ignore[misc]
    data = json.loads(json.dumps(deadline.to_dict(), ensure_ascii=False))
    assert data["due_at"] == "2026-10-04T15:59:59Z"
    assert data["due_local"] == "2026-10-04T23:59:59+08:00"
    assert data["extensions"] == [
        {
            "id": "special",
            "n": 3,
            "added": 3,
            "unit": "days",
            "approver": "agency_head",
            "decided_by": "",
        }
    ]
    assert data["citation"]["law_zh"] == "中华人民共和国刑事诉讼法"
    assert data["provisional"] is False


def test_an_extension_may_be_added_while_the_period_runs() -> None:
    # PSAPL 2025 art. 118: next-higher at most twice.
    ruling = check_extension(
        "CN-PSAPL2025-CASE118",
        "2026-01-05T09:00",
        "next-higher",
        pack="cn",
        applied=["next-higher"],
        now=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert ruling.allowed
    assert ruling.approver == "agency_head"
    assert "上一级公安机关" in ruling.decided_by
    assert ruling.due_after is not None
    assert ruling.due_before is not None
    assert ruling.due_after > ruling.due_before


def test_a_third_extension_of_a_2025_case_is_refused_with_the_article() -> None:
    ruling = check_extension(
        "CN-PSAPL2025-CASE118",
        "2026-01-05T09:00",
        "next-higher",
        pack="cn",
        applied=["next-higher", "next-higher"],
    )
    assert not ruling.allowed
    assert ruling.reasons == (
        "extension next-higher of CN-PSAPL2025-CASE118 may be applied only 2 times "
        "(PSAPL (2025) art. 118)",
    )


def test_an_extension_after_the_period_ended_is_refused() -> None:
    # PACE s.42(4)(a): no authorisation more than 24 hours after the relevant time.
    ruling = check_extension(
        "EW-PACE41-24H",
        "2026-05-01T10:00",
        "s42=12",
        pack="gb_eng",
        now=datetime(2026, 5, 2, 9, 1, tzinfo=UTC),
    )
    assert not ruling.allowed
    assert "must be approved before it ends" in ruling.reasons[0]


def test_an_unknown_extension_is_refused_not_raised() -> None:
    ruling = check_extension("CN-CPL79-BAIL-12M", "2026-01-05T09:00", "more", pack="cn")
    assert not ruling.allowed
    assert "has no extension 'more' (known: none)" in ruling.reasons[0]


def test_the_extensions_of_a_rule_are_listed_in_statute_order() -> None:
    ids = [e.id for e in list_extensions("CN-CPL156-INVESTIGATIVE-CUSTODY", pack="cn")]
    assert ids == ["CPL156_1M", "CPL158_2M", "CPL159_2M"]
    by_alias = list_extensions("CN-PSAPL-CASE-LIMIT", on=date(2025, 5, 1))
    assert [(e.id, e.max_times) for e in by_alias] == [("next-higher", 1)]
    assert [e.max_times for e in list_extensions("CN-PSAPL-CASE-LIMIT")] == [2]


def test_an_unknown_rule_names_the_pack() -> None:
    with pytest.raises(UnknownRule, match="pack 'cn' has no rule or alias 'CN-NOPE'"):
        compute("CN-NOPE", "2026-01-05T09:00", pack="cn")


def test_an_unknown_param_names_the_ones_the_rule_takes() -> None:
    with pytest.raises(ParamError, match=r"takes no param 'dayz' \(it takes: days, leave\)"):
        compute("CN-ADMIN-DETENTION-EXEC", "2026-01-05T09:00", pack="cn", params={"dayz": 3})


def test_params_accept_python_values_as_well_as_text() -> None:
    text = compute(
        "EW-PACE43-APPLY", "2026-05-01T22:00", pack="gb_eng", params={"no_court_sitting": "yes"}
    )
    typed = compute(
        "EW-PACE43-APPLY", "2026-05-01T22:00", pack="gb_eng", params={"no_court_sitting": True}
    )
    assert text.due_at == typed.due_at
    with pytest.raises(ParamError, match="true or false"):
        compute(
            "EW-PACE43-APPLY",
            "2026-05-01T22:00",
            pack="gb_eng",
            params={"no_court_sitting": "perhaps"},
        )
    with pytest.raises(ParamError, match="H:MM"):
        compute(
            "EW-PACE41-24H", "2026-05-01T22:00", pack="gb_eng", params={"hospital": "two hours"}
        )


def test_an_arrival_before_the_arrest_is_refused() -> None:
    with pytest.raises(ParamError, match="is before the trigger"):
        compute(
            "EW-PACE41-RT",
            "2026-05-01T10:00",
            pack="gb_eng",
            params={"arrived": "2026-05-01T09:00"},
        )


def test_a_trigger_must_be_a_date_and_time() -> None:
    with pytest.raises(TriggerError, match="must be a date and time"):
        compute("CN-CPL86-INTERROGATE-24H", date(2026, 3, 10), pack="cn")  # type: ignore[arg-type]
    with pytest.raises(TriggerError, match="not a valid ISO 8601"):
        compute("CN-CPL86-INTERROGATE-24H", "2026-02-30T10:00", pack="cn")


def test_the_pack_may_be_given_as_an_object() -> None:
    pack = load_pack("gb_eng")
    deadline = compute("EW-PACE44-MAX-96H", "2026-05-01T10:00", pack=pack)
    assert deadline.pack_id == "gb_eng"
    assert deadline.due_at - deadline.trigger_at == timedelta(hours=96)


def test_extensions_given_as_one_string_are_refused_not_split_into_letters() -> None:
    with pytest.raises(ExtensionError, match="is a list"):
        compute("CN-CPL91-ARREST-REQUEST", "2026-03-10T14:00", pack="cn", extensions="special=2")


@pytest.mark.parametrize(
    ("local", "what"),
    [
        (datetime(2026, 10, 25, 1, 30), "happened twice"),  # UK clocks went back at 02:00 BST  # noqa: DTZ001
        (datetime(2026, 3, 29, 1, 30), "does not exist"),  # UK clocks went forward at 01:00 GMT  # noqa: DTZ001
    ],
)
def test_a_zoned_trigger_the_clocks_skipped_or_repeated_is_refused_like_a_naive_one(local, what):
    # PACE s.41 periods run from an instant; a London time without an offset at a DST change
    # does not name one, whether it is naive or attached to the zone.
    zoned = local.replace(tzinfo=ZoneInfo("Europe/London"))
    for trigger in (local, zoned):
        with pytest.raises(TriggerError, match=what):
            compute("EW-PACE41-24H", trigger, pack="gb_eng")
    fixed = local.replace(tzinfo=timezone(timedelta(hours=1)))
    assert compute("EW-PACE41-24H", fixed, pack="gb_eng").due_at == (
        fixed + timedelta(hours=24)
    ).astimezone(UTC)


@pytest.mark.parametrize(
    ("trigger", "last_day", "note"),
    [
        ("2027-03-01T10:00", date(2027, 3, 4), "last day 2027-03-04 is a working day"),
        (
            "2027-03-03T10:00",
            date(2027, 3, 6),
            "last day 2027-03-06 is a holiday, custody period: not shifted (CPL art. 105)",
        ),
    ],
)
def test_a_custody_period_in_an_unpublished_year_is_not_provisional(
    trigger: str, last_day: date, note: str
) -> None:
    # CPL art. 91 and art. 105(4): custody ends on its last day, holiday or not, so the
    # fallback calendar for 2027 is consulted, noted, and decides nothing.
    deadline = compute("CN-CPL91-ARREST-REQUEST", trigger, pack="cn")
    assert deadline.last_day == last_day
    assert not deadline.provisional
    assert deadline.provisional_reasons == ()
    assert any(
        step.startswith(note) and "provisional calendar" in step for step in deadline.explanation
    )


def test_a_period_that_would_shift_off_a_holiday_is_provisional_on_a_guessed_working_day() -> None:
    # MPS Provisions on administrative cases art. 35 / CPL art. 105(4): a last day that is a
    # holiday moves on, so a last day the 2027 fallback only guesses is a working day makes
    # the deadline provisional (it may be a lunar holiday the State Council has yet to fix).
    deadline = compute("CN-MPS2015-ADMIN-ACCEPT-3D", "2027-03-01T10:00", pack="cn")
    assert deadline.last_day == date(2027, 3, 4)
    assert deadline.provisional
    assert len(deadline.provisional_reasons) == 1
    assert "for 2027 is not published" in deadline.provisional_reasons[0]
    assert "last day 2027-03-04 is a working day (provisional calendar)" in deadline.explanation


def demo_pack(tmp_path: Path, rules: str) -> Pack:
    from tests.procedure.test_packs import write_pack

    return read_pack(write_pack(tmp_path, rules))


def test_an_hours_parameter_lengthens_elapsed_time_by_its_hours(tmp_path: Path) -> None:
    from tests.procedure.test_pack_validation import EXACT, swap_param

    rules = swap_param(EXACT, 'name = "x"\ntype = "int"\neffect = "adds"\nunit = "hours"\n')
    pack = demo_pack(tmp_path, rules)
    plain = compute("CN-DEMO-3D", "2026-03-10T10:00", pack=pack)
    longer = compute("CN-DEMO-3D", "2026-03-10T10:00", pack=pack, params={"x": 2})
    assert plain.due_at == plain.trigger_at + timedelta(hours=3)
    assert longer.due_at == plain.due_at + timedelta(hours=2)
    assert "x: +2 hours (A fact.)" in longer.explanation


def test_a_duration_parameter_is_found_wherever_the_rule_lists_it(tmp_path: Path) -> None:
    from tests.procedure.test_pack_validation import DURATION, EXACT, PARAM

    days = PARAM.replace('name = "appraisal_days"', 'name = "hours"').replace(
        'effect = "adds"', 'effect = "duration"'
    )
    days = days.replace('unit = "days"', 'unit = "hours"').replace("min = 0", "required = true")
    rules = EXACT.replace(DURATION.replace('"days"', '"hours"'), "").replace(
        PARAM, PARAM.replace('unit = "days"', 'unit = "hours"') + days
    )
    pack = demo_pack(tmp_path, rules)
    rule = pack.rules[0]
    assert [p.effect for p in rule.params] == ["adds", "duration"]
    assert rule.unit == "hours"
    assert rule.period_text() == "N hours (param hours)"
    deadline = compute("CN-DEMO-3D", "2026-03-10T10:00", pack=pack, params={"hours": 7})
    assert deadline.due_at == deadline.trigger_at + timedelta(hours=7)
