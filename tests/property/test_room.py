"""The property room: locations, the store view, the stock-take with its stated sample, and
the disposal ratio."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from casetrail import clock
from casetrail.errors import AccessDenied, Refused
from casetrail.property import actions, queries, sampling
from casetrail.property.inputs import LocationInput, ScanInput
from casetrail.property.models import HIGH_RISK, Difference
from tests.property.conftest import Room


def test_a_location_code_is_used_once_and_only_keepers_add_one(room: Room) -> None:
    with pytest.raises(Refused) as refused:
        actions.add_location(
            room.world.station, LocationInput(code="r1-a", store="x"), actor=room.custodian
        )
    assert refused.value.field == "code"
    with pytest.raises(AccessDenied):
        actions.add_location(
            room.world.station, LocationInput(code="R9", store="x"), actor=room.world.handler1
        )


@given(st.integers(0, 6000), st.sampled_from([0.01, 0.05, 0.1]), st.sampled_from([0.9, 0.95]))
def test_the_sample_is_the_smallest_that_finds_the_loss(n: int, rate: float, conf: float) -> None:
    size = sampling.sample_size(n, rate=rate, confidence=conf)
    assert 0 <= size <= n
    if n:
        assert sampling.detection(n, size, rate) >= conf or size == n
        if size > 1:
            assert sampling.detection(n, size - 1, rate) < conf


def test_the_textbook_discovery_sample() -> None:
    # With 5% missing and 95% confidence, a large population needs 59 (1 - 0.95**59 >= 0.95).
    assert sampling.sample_size(1_000_000) == 59
    # Ten items, one missing at 5%: only counting all ten finds it with 95% confidence.
    assert sampling.sample_size(10) == 10


@pytest.mark.parametrize("population", [20, 100, 250, 5000])
def test_the_sample_agrees_with_the_hypergeometric_by_binomial_coefficients(
    population: int,
) -> None:
    """An independent computation: P(no missing item in n) = C(N-D, n) / C(N, n)."""
    missing = sampling.missing_at_rate(population, 0.05)

    def finds(n: int) -> float:
        return 1 - math.comb(population - missing, n) / math.comb(population, n)

    size = next(n for n in range(1, population + 1) if finds(n) >= 0.95)
    assert sampling.sample_size(population) == size


def _stock(room: Room, ordinary: int, cash: int) -> list[str]:
    codes = []
    for i in range(ordinary):
        codes.append(room.into_room(room.item(description=f"物品{i}")).code)
    for i in range(cash):
        item = room.item(kind="cash", amount=str(100 + i), currency="CNY")
        codes.append(room.into_room(item).code)
    return codes


def test_a_stock_take_counts_every_high_risk_item_and_samples_the_rest(room: Room) -> None:
    codes = _stock(room, ordinary=6, cash=2)
    st_ = actions.start_stocktake(room.shelf_a, actor=room.custodian)
    assert (st_.population, st_.full_count, st_.others) == (8, 2, 6)
    assert st_.sampled == sampling.sample_size(6)
    counted = set(st_.to_count)
    from casetrail.property.models import Item

    high = {i.code for i in Item.objects.filter(code__in=codes) if i.kind in HIGH_RISK}
    assert high <= counted
    assert len(counted) == 2 + st_.sampled
    missing = sorted(counted)[0]
    stranger = room.item(description="不应在此")  # held by the handler, not on this shelf
    scanned = [c for c in counted if c != missing] + [stranger.code, "P0000000000"]
    done = actions.reconcile(st_, ScanInput(codes="\n".join(scanned)), actor=room.custodian)
    assert done.missing == [missing]
    assert sorted(done.unexpected) == sorted([stranger.code, "P0000000000"])
    kinds = sorted(Difference.objects.filter(stocktake=done).values_list("kind", flat=True))
    assert kinds == ["missing", "unexpected", "unexpected"]
    assert len(queries.room_alerts(room.world.station)["differences"]) == 3
    with pytest.raises(Refused):
        actions.reconcile(done, ScanInput(codes=""), actor=room.custodian)


def test_only_a_custodian_takes_stock(room: Room) -> None:
    with pytest.raises(AccessDenied):
        actions.start_stocktake(room.shelf_a, actor=room.world.leader)


def test_the_store_view_filters_by_location_age_and_limit(
    room: Room, frozen_clock: time_machine.Traveller
) -> None:
    old = room.into_room(room.item(description="旧物"))
    frozen_clock.shift(timedelta(days=40))
    room.into_room(room.item(description="新物"), location=room.shelf_b)
    unit = room.world.station
    assert queries.store(unit, queries.StoreFilter())["total"] == 2
    by_place = queries.store(unit, queries.StoreFilter(location=room.shelf_b.pk))
    assert [i.description for i in by_place["items"]] == ["新物"]
    aged = queries.store(unit, queries.StoreFilter(age="month"))
    assert [i.code for i in aged["items"]] == [old.code]
    assert queries.store(unit, queries.StoreFilter(limit="due"))["total"] == 0


def test_the_disposal_ratio_counts_in_and_out_by_month(room: Room) -> None:
    room.item()
    room.item()
    rows = queries.disposal_ratio(room.world.station)
    assert [(r["in"], r["out"], r["ratio"]) for r in rows] == [(2, 0, 0.0)]
    assert rows[0]["month"].month == clock.now().month
