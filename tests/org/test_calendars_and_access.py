"""Grants by unit and subtree, and the official holiday notices an administrator loads."""

from __future__ import annotations

from datetime import date

import pytest

from casetrail import background, cli
from casetrail.ledger.models import LedgerEntry
from casetrail.org import calendars
from casetrail.org.access import has_role, roles_at, units_in_scope
from casetrail.org.roles import Role, Scope
from tests.conftest import make_officer, make_unit

NOTICE_2027 = """\
calendar = "cn"
year = 2027
source = "State Council notice on 2027 holidays (test fixture)"
holidays = [2027-01-01, 2027-10-01, 2027-10-04]
workdays = [2027-10-09]
"""


def test_a_unit_grant_covers_that_unit_only(world):
    assert has_role(world.handler1, world.station, {Role.CASE_HANDLER})
    assert not has_role(world.handler1, world.other_station, {Role.CASE_HANDLER})
    assert not has_role(world.handler1, world.district, {Role.CASE_HANDLER})


def test_a_subtree_grant_covers_every_unit_below(world):
    assert has_role(world.legal, world.station, {Role.LEGAL_REVIEWER})
    assert not has_role(world.legal, world.other_station, {Role.LEGAL_REVIEWER})
    assert {u.code for u in units_in_scope(world.supervisor, {Role.SUPERVISOR})} == {
        "C1",
        "D1",
        "S1",
        "D2",
        "S2",
    }


def test_an_inactive_officer_holds_no_roles(world):
    world.handler1.is_active = False
    world.handler1.save()
    fresh = type(world.handler1).objects.get(pk=world.handler1.pk)
    assert roles_at(fresh, world.station) == frozenset()


def test_a_new_grant_takes_effect_at_once(world):
    unit = make_unit("S9", world.district)
    officer = make_officer("late", unit)
    assert not has_role(officer, unit, {Role.CASE_HANDLER})
    from casetrail.org.actions import grant_role

    grant_role(officer, role=Role.CASE_HANDLER, unit=unit, scope=Scope.UNIT, actor=None)
    assert has_role(officer, unit, {Role.CASE_HANDLER})


@pytest.mark.django_db
def test_loading_a_notice_stores_it_and_records_it():
    result = calendars.load_notice(NOTICE_2027, actor=None, source_name="2027.toml")
    assert result.notice.year == 2027
    entry = LedgerEntry.objects.get(action="calendar.notice_loaded")
    assert '"year":2027' in entry.payload
    cal = calendars.calendar_named("cn")
    # CPL Art. 105: the official notice, not the fallback, now decides 2027.
    assert cal.is_holiday(date(2027, 10, 4))
    assert not cal.is_holiday(date(2027, 10, 9))  # an adjusted working Saturday
    assert cal.provisional_reason(date(2027, 10, 4)) is None


@pytest.mark.django_db
def test_a_malformed_notice_names_the_line_and_writes_nothing():
    with pytest.raises(calendars.CalendarError, match="line"):
        calendars.load_notice(NOTICE_2027.replace("2027-10-04", "2027-13-04"), actor=None)
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_the_calendar_command_reports_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "notice.toml"
    bad.write_text("year = ", encoding="utf-8")
    assert cli.main(["calendar", "load", str(bad)]) == 2
    assert "notice.toml" in capsys.readouterr().err
    assert cli.main(["calendar", "load", str(tmp_path / "missing.toml")]) == 2


@pytest.mark.django_db
def test_the_calendar_command_loads_a_notice(tmp_path, capsys):
    good = tmp_path / "2027.toml"
    good.write_text(NOTICE_2027, encoding="utf-8")
    assert cli.main(["calendar", "load", str(good)]) == 0
    assert "loaded cn 2027" in capsys.readouterr().out


def test_background_jobs_run_when_due_and_survive_failures():
    calls: list[str] = []

    def boom() -> None:
        calls.append("boom")
        raise RuntimeError("job failed")

    background.register("test-ok", 10, lambda: calls.append("ok"))
    background.register("test-boom", 10, boom)
    try:
        last: dict[str, float] = {}
        assert set(background.run_due(last, 100.0)) >= {"test-ok", "test-boom"}
        assert "test-ok" not in background.run_due(last, 105.0)
        assert "test-ok" in background.run_due(last, 111.0)
        assert calls.count("ok") == 2
    finally:
        background._JOBS.pop("test-ok")
        background._JOBS.pop("test-boom")


def test_granting_a_role_again_changes_and_records_nothing(world):
    from casetrail.org.actions import grant_role

    before = LedgerEntry.objects.filter(action="role.granted").count()
    grant_role(world.handler1, role=Role.CASE_HANDLER, unit=world.station, actor=None)
    assert LedgerEntry.objects.filter(action="role.granted").count() == before
    grant_role(
        world.handler1, role=Role.CASE_HANDLER, unit=world.station, scope=Scope.SUBTREE, actor=None
    )
    assert LedgerEntry.objects.filter(action="role.granted").count() == before + 1
    assert world.handler1.grants.get(role=Role.CASE_HANDLER).scope == Scope.SUBTREE
