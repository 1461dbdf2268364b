"""Decisions out of line (issue 12: "for the same offence category, penalties at one unit far
from the agency's distribution, a robust statistic such as the median absolute deviation, with a
minimum sample, shown as a question for review"). Like cases punished alike: Administrative
Penalty Law (2021) art. 5 (过罚相当) and art. 34 (裁量基准). Each decision is an administrative
detention proposed, legally reviewed and approved through custody's actions, which issue its
行政处罚决定书 (PSAPL 2012 art. 91, 2025 art. 109); every date comes from the frozen clock."""

from __future__ import annotations

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from casetrail import clock
from casetrail.cases import actions as case_actions
from casetrail.documents.models import Document
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role
from casetrail.supervision.checks import BY_ID, baseline
from casetrail.supervision.models import Finding
from tests.conftest import make_officer, make_unit
from tests.custody.conftest import direct_measure
from tests.supervision.conftest import Desk

CHECK = "decisions.penalty-out-of-line"
# Small samples, so that a test issues a handful of decisions, not the defaults' 25.
SMALL = {CHECK: {"min_unit": 3, "min_peers": 4}}


def test_the_baseline_is_the_median_and_the_scaled_median_absolute_deviation():
    base = baseline([300, 400, 500, 500, 600, 700, 2000])
    assert base is not None
    assert (base.median, base.n) == (500, 7)
    # Deviations 200 100 0 0 100 200 1500: their median is 100, i.e. 148.3 in standard units.
    assert base.spread == pytest.approx(100 / 0.6745)
    assert base.score(500 + 100 / 0.6745) == pytest.approx(1.0)


def test_where_most_peers_decided_alike_the_mean_absolute_deviation_stands_in():
    base = baseline([500, 500, 500, 400, 600])
    assert base is not None
    # MAD 0; mean absolute deviation 40, scaled by 1.2533 (Iglewicz and Hoaglin).
    assert base.spread == pytest.approx(1.253314 * 40)


def test_peers_who_all_decided_the_same_give_no_spread_to_measure_by():
    assert baseline([500.0] * 30) is None


amounts = st.integers(min_value=0, max_value=100_000)  # yuan, or days
peers_of = st.lists(amounts, min_size=3, max_size=40).filter(lambda xs: baseline(xs) is not None)


@given(peers_of, amounts, st.integers(min_value=1, max_value=100))
def test_the_distance_does_not_depend_on_the_currency_or_an_offset(peers, own, factor):
    """A unit's distance from its peers is the same in yuan or in fen, and after adding the
    same amount to every decision: a fine is out of line by its place among the others."""
    base = baseline(peers)
    moved = baseline([factor * v + 50 for v in peers])
    assert base is not None
    assert moved is not None
    assert moved.score(factor * own + 50) == pytest.approx(base.score(own), rel=1e-9, abs=1e-9)
    assert base.score(base.median) == 0


def _detain(desk: Desk, unit: Unit, handlers: tuple[Officer, Officer], days: int) -> None:
    """An assault case at ``unit`` and an administrative detention of ``days`` days of its
    suspect: proposed by a handler, reviewed by the legal department, approved by the head,
    which issues the penalty decision, and started."""
    case = case_actions.open_case(
        case_actions.CaseInput(
            unit_id=unit.pk,
            kind="administrative",
            category="AD-ASSAULT",
            title="殴打他人案",
            handler_ids=tuple(h.pk for h in handlers),
        ),
        actor=handlers[0],
    )
    person = case_actions.add_party(
        case, case_actions.PartyInput(role="suspect", name="李四"), actor=handlers[0]
    ).person
    measure = direct_measure(
        desk.s,
        case,
        person,
        "admin_detention",
        clock.now(),
        proposer=handlers[0],
        params={"days": days},
    )
    assert Document.objects.get(measure=measure, type_id="penalty_decision").status == "issued"


def _decided(desk: Desk, station_days: list[int], peer_days: list[int]) -> Unit:
    """The station's detentions, and its peers' at a second station of the district."""
    w = desk.w
    other = make_unit("S3", w.district)
    theirs = (
        make_officer("s3h1", other, Role.CASE_HANDLER),
        make_officer("s3h2", other, Role.CASE_HANDLER),
    )
    for days in station_days:
        _detain(desk, w.station, (w.handler1, w.handler2), days)
    for days in peer_days:
        _detain(desk, other, theirs, days)
    return other


@override_settings(CASETRAIL_SUPERVISION=SMALL)
def test_a_unit_detaining_three_times_as_long_as_its_peers_is_asked_about(desk):
    other = _decided(desk, [15, 14, 15], [5, 5, 6, 4])
    desk.sweep()
    (finding,) = desk.findings(CHECK)
    station = desk.w.station
    assert finding.unit_id == station.pk
    assert finding.key == f"penalty-outlier:{station.pk}:AD-ASSAULT:detention_days"
    assert finding.severity == "yellow"
    assert "art. 5" in finding.basis
    unit, peers, *decisions = finding.evidence
    assert unit["kind"] == "unit"
    assert unit["facts"]["median"] == "15.00"
    assert unit["facts"]["decisions"] == 3
    # The peers: 4 5 5 6 days, median 5, MAD 0.5 (0.74 in standard units).
    assert peers["kind"] == "baseline"
    assert peers["id"] == desk.w.city.pk
    assert peers["facts"]["median"] == "5.00"
    assert peers["facts"]["decisions"] == 4
    assert peers["facts"]["robust_sd"] == "0.74"
    assert peers["facts"]["distance"] == f"{10 / (0.5 / 0.6745):.2f}" == "13.49"
    assert sorted(d["facts"]["detention_days"] for d in decisions) == ["14.00", "15.00", "15.00"]
    # The other station has three peers' decisions behind it: too few to compare with.
    assert not Finding.objects.filter(check_id=CHECK, unit=other).exists()


@override_settings(CASETRAIL_SUPERVISION=SMALL)
def test_a_unit_within_the_threshold_is_not_asked_about(desk):
    """The near miss: a median of 6 days against peers around 5 is 1.35 robust standard
    deviations away, under the 3.5 the check defaults to."""
    _decided(desk, [6, 6, 7], [5, 5, 6, 4])
    desk.sweep()
    assert desk.findings(CHECK) == []


@override_settings(CASETRAIL_SUPERVISION={CHECK: {"min_unit": 4, "min_peers": 4}})
def test_fewer_decisions_than_the_minimum_sample_are_never_compared(desk):
    _decided(desk, [15, 14, 15], [5, 5, 6, 4])
    desk.sweep()
    assert desk.findings(CHECK) == []


@override_settings(CASETRAIL_SUPERVISION=SMALL)
def test_decisions_older_than_the_look_back_are_not_counted(desk):
    _decided(desk, [15, 14, 15], [5, 5, 6, 4])
    look_back = BY_ID[CHECK].params()["look_back_days"]
    desk.later(days=look_back, minutes=1)
    desk.sweep()
    assert desk.findings(CHECK) == []
