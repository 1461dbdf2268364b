"""Parameters and extension requests as callers give them: typed values, text, and mistakes.

Every refusal is a ProcedureError naming the rule and the parameter or extension, never a
Python error from deep inside the engine.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from casetrail.procedure import ExtensionError, ParamError, check_extension, compute

ARREST = "CN-CPL91-ARREST-REQUEST"  # CPL art. 91: 3 days, special=1..4, roving to 30 days


@pytest.mark.parametrize(
    ("request_text", "message"),
    [
        ("=3", "extension '=3' has no id"),
        ("special=two", "extension 'special=two': N must be a whole number"),
        ("special", "extension special of CN-CPL91-ARREST-REQUEST needs a number: special=N"),
        ("special=5", "adds 1 to 4 days, not 5"),
        (
            "roving=2",
            "extension roving of CN-CPL91-ARREST-REQUEST takes no number (got 'roving=2')",
        ),
    ],
)
def test_a_malformed_extension_request_is_refused_naming_it(
    request_text: str, message: str
) -> None:
    # CPL art. 91(2): an extension of one to four days, or to thirty days for a roving suspect.
    with pytest.raises(ExtensionError, match=re.escape(message)):
        compute(ARREST, "2026-03-10T14:00", pack="cn", extensions=[request_text])


def test_an_extension_without_a_second_decider_is_allowed_with_its_approver_only() -> None:
    # CPL art. 91(2): the roving-suspect extension to thirty days, approved by the head.
    ruling = check_extension(ARREST, "2026-03-10T14:00", "roving", pack="cn")
    assert ruling.allowed
    assert (ruling.extension_id, ruling.approver, ruling.decided_by) == (
        "roving",
        "agency_head",
        "",
    )
    assert ruling.reasons == (
        "needs approval by agency_head",
        "new deadline 2026-04-09 23:59:59 +08:00 (Asia/Shanghai)",
    )
    assert ruling.due_after == datetime(2026, 4, 9, 15, 59, 59, tzinfo=UTC)


def test_check_extension_refuses_a_naive_now() -> None:
    # Whether the period has ended is a question about an instant; a naive time is not one.
    with pytest.raises(ExtensionError, match="now must be an aware datetime"):
        check_extension(
            ARREST,
            "2026-03-10T14:00",
            "roving",
            pack="cn",
            now=datetime(2026, 3, 11, 9, 0),  # noqa: DTZ001 - a naive now is the point
        )


DETENTION = "CN-ADMIN-DETENTION-EXEC"  # PSAPL art. 16: 1 to 20 days of detention


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (True, "param days must be a whole number, not True"),
        (2.5, "param days must be a whole number, not 2.5"),
        ("ten", "param days must be a whole number, not 'ten'"),
        (0, "param days must be at least 1, not 0"),
        ("21", "param days must be at most 20, not 21"),
    ],
)
def test_a_number_parameter_refuses_what_is_not_a_whole_number_in_range(
    days: object, message: str
) -> None:
    with pytest.raises(ParamError, match=re.escape(message)):
        compute(DETENTION, "2026-03-10T14:00", pack="cn", params={"days": days})


def test_a_number_parameter_accepts_its_text() -> None:
    typed = compute(DETENTION, "2026-03-10T14:00", pack="cn", params={"days": 5})
    text = compute(DETENTION, "2026-03-10T14:00", pack="cn", params={"days": " 5"})
    assert typed.due_at == text.due_at == typed.trigger_at + timedelta(days=5)


def test_an_instant_parameter_refuses_a_number() -> None:
    # PACE s.41(2): the time of arrival at the station.
    with pytest.raises(ParamError, match="EW-PACE41-RT param arrived must be a date and time"):
        compute("EW-PACE41-RT", "2026-05-01T10:00", pack="gb_eng", params={"arrived": 1030})


def test_a_choice_parameter_names_its_choices() -> None:
    # PACE s.41(2)(a)-(d): the routes to the station.
    with pytest.raises(
        ParamError,
        match="param route must be one of arrival, other_force, outside_ew, voluntary, "
        "street_bail, not 'teleported'",
    ):
        compute("EW-PACE41-RT", "2026-05-01T10:00", pack="gb_eng", params={"route": "teleported"})


def test_time_in_hospital_may_be_given_as_a_timedelta() -> None:
    # PACE s.41(6): time in hospital not spent being questioned is not counted.
    deadline = compute(
        "EW-PACE41-24H",
        "2026-05-01T10:00",
        pack="gb_eng",
        params={"hospital": timedelta(hours=2, minutes=30)},
    )
    text = compute("EW-PACE41-24H", "2026-05-01T10:00", pack="gb_eng", params={"hospital": "2:30"})
    assert deadline.due_at == text.due_at == deadline.trigger_at + timedelta(hours=26, minutes=30)


@pytest.mark.parametrize(
    ("hospital", "message"),
    [
        (timedelta(hours=-1), "param hospital cannot be negative"),
        (150, "param hospital must be hours and minutes as H:MM"),
    ],
)
def test_time_in_hospital_refuses_a_negative_span_or_a_bare_number(
    hospital: object, message: str
) -> None:
    with pytest.raises(ParamError, match=re.escape(message)):
        compute("EW-PACE41-24H", "2026-05-01T10:00", pack="gb_eng", params={"hospital": hospital})


def test_no_consultation_days_leave_a_working_day_period_as_it_was() -> None:
    # OGI Regulations (2019) art. 33(2): 20 working days; consulting a third party does not count.
    plain = compute("CN-OGI2019-ANSWER-20WD", "2026-03-10T10:00", pack="cn")
    zero = compute(
        "CN-OGI2019-ANSWER-20WD", "2026-03-10T10:00", pack="cn", params={"consultation_days": 0}
    )
    assert zero.due_at == plain.due_at
    assert zero.explanation == plain.explanation
    assert not any("consultation_days" in step for step in zero.explanation)
