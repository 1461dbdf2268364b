"""Before a threshold or a weight changes, a backtest shows what the new setting would have
found over the last months (issue 12), beside what the check actually opened. Every date comes
from the frozen clock."""

from __future__ import annotations

import pytest

from casetrail import cli, clock
from casetrail.supervision import backtest
from tests.supervision.conftest import Desk
from tests.supervision.test_scorecard import _quarter_of_four_findings


def test_settings_are_name_value_pairs_whole_numbers_as_numbers():
    assert backtest.parse_settings(["criminal_days=20", "threshold=2.5"]) == {
        "criminal_days": 20,
        "threshold": "2.5",
    }
    for bad in ("criminal_days", "=3", "criminal_days="):
        with pytest.raises(backtest.BacktestError, match="name=value"):
            backtest.parse_settings([bad])


def _two_idle_cases(desk: Desk) -> None:
    """Two criminal cases with no move: one for 40 days, one for 15, and a sweep that opened
    the finding the parameters in force (30 days) find."""
    desk.w.case(title="久拖案")
    desk.later(days=25)
    desk.w.case(title="新案")
    desk.later(days=15)
    desk.sweep()


def test_a_lower_threshold_is_counted_before_it_is_set(desk):
    _two_idle_cases(desk)
    found = backtest.check("cases.idle", {"criminal_days": 10}, clock.now(), months=3)
    assert found.current["criminal_days"] == 30
    assert found.proposed["criminal_days"] == 10
    assert (found.found_now, found.found_then, found.opened) == (1, 2, 1)
    assert found.change == "+100%"
    assert found.instants == 13  # twelve week ends in ninety days, and today


def test_a_higher_threshold_finds_fewer(desk):
    _two_idle_cases(desk)
    found = backtest.check("cases.idle", {"criminal_days": 60}, clock.now(), months=3)
    assert (found.found_now, found.found_then) == (1, 0)
    assert found.change == "-100%"


def test_a_check_or_parameter_that_is_not_one_is_named(db):
    with pytest.raises(backtest.BacktestError, match=r"no check 'cases\.idel'"):
        backtest.check("cases.idel", {}, clock.now(), months=3)
    with pytest.raises(backtest.BacktestError, match="no parameter speed"):
        backtest.check("cases.idle", {"speed": 1}, clock.now(), months=3)
    refusals = [
        ("cases.idle", {"criminal_days": "abc"}, "whole number"),
        ("cases.idle", {"criminal_days": -1}, "whole number"),
        ("decisions.penalty-out-of-line", {"threshold": "abc"}, "a number from 0"),
        ("decisions.penalty-out-of-line", {"threshold": "inf"}, "a number from 0"),
    ]
    for check_id, proposed, message in refusals:
        with pytest.raises(backtest.BacktestError, match=message):
            backtest.check(check_id, proposed, clock.now(), months=3)


def test_a_look_back_shorter_than_a_week_is_replayed_over_the_week(db):
    found = backtest.check(
        "access.many-person-views", {"look_back_hours": 72}, clock.now(), months=1
    )
    assert found.current["look_back_hours"] == found.proposed["look_back_hours"] == 168


def test_the_scorecard_is_recomputed_with_the_proposed_weights(desk):
    _quarter_of_four_findings(desk)
    weights, changes = backtest.scorecard({"closed": 1}, clock.now(), 6, "Asia/Shanghai")
    assert weights == {"in_time": 0, "first_pass": 0, "closed": 1}
    station = [c for c in changes if c.unit == desk.w.station]
    assert [(c.now, c.then) for c in station] == [("61.7", "66.7")]


def test_the_command_prints_both_counts_and_refuses_a_volume_weight(desk, capsys):
    _two_idle_cases(desk)
    assert cli.main(["supervision", "backtest", "cases.idle", "criminal_days=10"]) == 0
    out = capsys.readouterr().out
    assert "1 instances" in out
    assert "2 instances (+100%)" in out
    assert "actually opened in the window: 1" in out
    assert cli.main(["supervision", "backtest", "scorecard", "fine_total=5"]) == 2
    assert "would reward enforcement volume" in capsys.readouterr().err
    assert cli.main(["supervision", "backtest", "cases.idle", "--months", "0"]) == 2
    assert cli.main(["supervision", "backtest", "scorecard", "--zone", "Mars/Olympus"]) == 2
    assert "--zone" in capsys.readouterr().err
    assert cli.main(["supervision", "backtest", "cases.idle", "criminal_days=x"]) == 2
    assert "whole number" in capsys.readouterr().err
