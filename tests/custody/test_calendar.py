"""Loading an official holiday notice recomputes the open deadlines a holiday can move, and
records each change; custody periods never move (CPL art. 105(4))."""

from __future__ import annotations

from datetime import datetime

from casetrail import cli
from casetrail.custody import clocks
from casetrail.custody.measures import Duty
from casetrail.custody.models import Deadline, Measure
from casetrail.ledger.models import LedgerEntry
from casetrail.org import calendars
from tests.custody.conftest import SHANGHAI, deadline, local, run_measure

NOTICE_2027 = """\
calendar = "cn"
year = 2027
source = "State Council notice on 2027 holidays (test fixture)"
holidays = [2027-10-01, 2027-10-02, 2027-10-03, 2027-10-04, 2027-10-05, 2027-10-06, 2027-10-07]
workdays = [2027-09-26, 2027-10-09]
"""
SEPT = datetime(2027, 9, 30, 12, 0, tzinfo=SHANGHAI)


def _calendar_dependent(measure: Measure) -> Deadline:
    """A deadline of a rule that shifts its last day off holidays, kept on a measure.

    No custody rule in the packs is calendar-dependent (all are `holidays = "never"`), so no
    measure creates one; this row, made by the same function the actions use, stands in for a
    future one so the recompute path is exercised end to end."""
    computed = clocks.compute(
        "CN-PSAPL-CASE-LIMIT",
        datetime(2027, 9, 3, 10, 0, tzinfo=SHANGHAI),
        pack="cn",
        calendars=clocks.Calendars(),
    )
    return clocks.new_deadline(
        duty=Duty.LIMIT, computed=computed, params={}, now=SEPT, measure=measure
    )


def test_a_notice_makes_a_provisional_deadline_firm_and_moves_it_with_a_ledger_entry(scene):
    s = scene(SEPT)
    case = s.world.case()
    person = s.suspect(case)
    detail = run_measure(s, case, person, "criminal_detention", SEPT)
    request = deadline(detail, "CN-CPL91-ARREST-REQUEST")
    # 2027 is not in chinese_calendar: the fallback. 3 October is a fixed holiday, but a custody
    # period is not shifted, so the arrest request is not provisional at all.
    assert local(request["due_at"], SHANGHAI).date().isoformat() == "2027-10-03"
    assert request["provisional"] is False
    shifting = _calendar_dependent(Measure.objects.get(pk=detail["id"]))
    assert shifting.provisional
    assert shifting.last_day.isoformat() == "2027-10-04"  # fallback: 1-3 October only

    result = calendars.load_notice(NOTICE_2027, actor=None, source_name="2027.toml")

    report = result.reports["custody"]
    assert len(report.changed) == 1
    shifting.refresh_from_db()
    assert shifting.provisional is False
    assert shifting.last_day.isoformat() == "2027-10-08"  # the notice: 1-7 October off
    assert any("2027-10-08" in clocks.in_english(line) for line in shifting.explanation)
    entry = LedgerEntry.objects.get(action="deadline.recomputed")
    assert f'"deadline":{shifting.pk}' in entry.payload
    assert '"provisional_before":true' in entry.payload
    # The custody period did not move, and nothing was recorded for it.
    assert Deadline.objects.get(pk=request["id"]).due_at.isoformat().startswith("2027-10-03")
    assert LedgerEntry.objects.filter(action="deadline.recomputed").count() == 1


def test_the_calendar_command_reports_the_custody_changes(scene, tmp_path, capsys):
    s = scene(SEPT)
    case = s.world.case()
    person = s.suspect(case)
    detail = run_measure(s, case, person, "criminal_detention", SEPT)
    _calendar_dependent(Measure.objects.get(pk=detail["id"]))
    notice = tmp_path / "2027.toml"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    assert cli.main(["calendar", "load", str(notice)]) == 0
    out = capsys.readouterr().out
    assert "custody: 1 deadlines changed" in out
    assert "no longer provisional" in out
