"""The dashboard's tallies (supervision/tally.py): whatever the loop does, and whatever it
refuses, the live findings per unit and severity and the findings opened per day of the unit's
calendar are what the findings themselves say; a finding read beyond the reader's scope (as
the leader of the unit it was escalated to) is counted too; `recount` rebuilds both."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail import cli, clock
from casetrail.errors import Refused
from casetrail.org.models import Officer
from casetrail.org.roles import Role, Scope
from casetrail.supervision import actions, tally
from casetrail.supervision.checks import BY_ID, Instance, Record
from casetrail.supervision.inputs import (
    FindingDismissInput,
    FindingRectifyInput,
    FindingReviewInput,
)
from casetrail.supervision.models import Finding, LiveTally, OpenedTally
from tests.api.conftest import ApiClient
from tests.conftest import make_officer

IDLE = BY_ID["cases.idle"]
SEVERITIES = ("red", "orange", "yellow")
KEYS = itertools.count(1)


def _open(unit_id: int, severity: str) -> Finding:
    check = dataclasses.replace(IDLE, severity=severity)
    key = f"tally-{next(KEYS)}"
    instance = Instance(key, unit_id, None, (Record("case", 0, key),))
    return actions.open_finding(check, instance, {})


def _reviewers(desk) -> dict[int, Officer]:
    """The supervisor over each unit: the city's, and one at the London station."""
    london = Officer.objects.filter(username="gsup").first() or make_officer(
        "gsup", desk.s.gb_unit, Role.SUPERVISOR
    )
    return {desk.w.station.pk: desk.w.supervisor, desk.s.gb_unit.pk: london}


step = st.one_of(
    st.tuples(st.just("open"), st.integers(0, 1), st.sampled_from(SEVERITIES)),
    st.tuples(st.sampled_from(["rectify", "reject", "accept", "dismiss"]), st.integers(0, 30)),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(step, st.integers(1, 20)), max_size=12))
def test_the_tallies_say_what_the_findings_say_whatever_the_loop_did(desk, steps):
    """Property: after any run of openings, rectifications, rejections, acceptances and
    dismissals (some refused), at two units in zones eight hours apart with the clock crossing
    their midnights, the kept tallies equal the findings counted afresh."""
    w = desk.w
    units = (w.station, desk.s.gb_unit)
    rectifiers = {w.station.pk: w.handler1, desk.s.gb_unit.pk: desk.s.gb_handler1}
    reviewers = _reviewers(desk)
    for (kind, *args), hours in steps:
        desk.later(hours=hours)
        if kind == "open":
            _open(units[args[0]].pk, args[1])
            continue
        findings = list(Finding.objects.order_by("pk"))
        if not findings:
            continue
        finding = findings[args[0] % len(findings)]
        try:
            if kind == "rectify":
                actor = rectifiers[finding.unit_id]
                actions.rectify(finding, FindingRectifyInput(text="已整改"), actor=actor)
            elif kind == "dismiss":
                actions.dismiss(
                    finding,
                    FindingDismissInput(reasons="已另案处理"),
                    actor=reviewers[finding.unit_id],
                )
            else:
                decision = FindingReviewInput(decision=kind, reasons="理由")
                actions.review(finding, decision, actor=reviewers[finding.unit_id])
        except Refused:
            pass  # a finding in the wrong state: refused, and nothing counted
    assert tally.stored() == tally.counted()


def test_a_finding_is_counted_on_the_day_of_its_units_calendar(desk):
    """Opened at 23:30 in London on a Sunday, which is Monday 07:30 in Shanghai: the London
    unit's tally holds it on Sunday, the Shanghai unit's finding opened then on Monday."""
    london = ZoneInfo("Europe/London")
    now = clock.now().astimezone(london)
    sunday = now.date() + timedelta(days=(6 - now.weekday()) % 7 or 7)
    desk.traveller.move_to(
        datetime.combine(sunday, datetime.min.time(), london) + timedelta(hours=23.5)
    )
    gb = _open(desk.s.gb_unit.pk, "orange")
    cn = _open(desk.w.station.pk, "orange")
    assert OpenedTally.objects.get(unit=desk.s.gb_unit).day == sunday
    assert OpenedTally.objects.get(unit=desk.w.station).day == sunday + timedelta(days=1)
    assert LiveTally.objects.get(unit=desk.s.gb_unit).live == 1
    actions.dismiss(gb, FindingDismissInput(reasons="重复"), actor=_reviewers(desk)[gb.unit_id])
    actions.dismiss(cn, FindingDismissInput(reasons="重复"), actor=desk.w.supervisor)
    assert set(LiveTally.objects.values_list("live", flat=True)) == {0}
    assert sum(OpenedTally.objects.values_list("opened", flat=True)) == 2  # opened stays


def test_a_finding_escalated_beyond_the_readers_scope_is_counted_from_the_findings(desk):
    """The district's leader reads only the district itself as a reader; a station's finding
    escalated to the district is theirs to answer, and their charts count it."""
    w = desk.w
    leader = make_officer("dleader", w.district, Role.UNIT_LEADER, scope=Scope.UNIT)
    finding = _open(w.station.pk, "red")
    desk.later(days=30)
    assert actions.escalate(finding.pk)
    charts = {c["id"]: c for c in ApiClient(leader).get("/supervision/dashboard").json()}
    assert charts["findings"]["categories"] == [w.station.name]
    red = next(s for s in charts["findings"]["series"] if s["key"] == "red")
    assert red["values"] == [1]
    trend = next(s for s in charts["trend"]["series"] if s["key"] == "red")
    assert sum(trend["values"]) == 1
    supervisor = {c["id"]: c for c in ApiClient(w.supervisor).get("/supervision/dashboard").json()}
    red = next(s for s in supervisor["findings"]["series"] if s["key"] == "red")
    assert red["values"] == [1]  # the city's supervisor: the same finding, from the tally


def test_recount_rebuilds_the_tallies_from_the_findings(desk):
    for severity in SEVERITIES:
        _open(desk.w.station.pk, severity)
    desk.later(days=2)
    _open(desk.w.station.pk, "red")
    kept = tally.stored()
    LiveTally.objects.update(live=99)
    OpenedTally.objects.all().delete()
    assert tally.stored() != kept
    assert tally.recount() == (3, 4)
    assert tally.stored() == kept == tally.counted()
    assert kept[0][(desk.w.station.pk, "red")] == 2


def test_two_makers_of_one_tally_row_add_up(desk, monkeypatch):
    """The row another transaction made between this one's update and its insert: the insert
    meets the unique constraint and the count is added to that row."""
    finding = _open(desk.w.station.pk, "yellow")
    real_filter = LiveTally.objects.filter
    calls = iter([True])

    class Late:
        def update(self, **changes):  # the first look finds no row, as if not made yet
            return 0

    def filtered(**keys):
        return Late() if next(calls, False) else real_filter(**keys)

    monkeypatch.setattr(LiveTally.objects, "filter", filtered)
    tally._add(LiveTally, {"unit_id": finding.unit_id, "severity": "yellow"}, "live", 1)
    monkeypatch.undo()
    assert LiveTally.objects.get(unit_id=finding.unit_id, severity="yellow").live == 2
    LiveTally.objects.filter(unit_id=finding.unit_id).update(live=1)  # as the findings say


def test_the_recount_command_says_whether_anything_was_off(desk, capsys):
    _open(desk.w.station.pk, "orange")
    assert cli.main(["supervision", "recount"]) == 0
    assert "already say what the findings say" in capsys.readouterr().out
    LiveTally.objects.update(live=0)
    assert cli.main(["supervision", "recount"]) == 0
    assert "recounted from the findings: 1 unit" in capsys.readouterr().out
    assert tally.stored() == tally.counted()
