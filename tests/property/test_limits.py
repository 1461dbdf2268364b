"""The statutory limits of seized property, computed by the procedure engine from the event,
shown on the item, and swept as custody's deadlines are (warning, missed, accounted for)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casetrail import clock
from casetrail.errors import Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.org.calendars import calendar_named
from casetrail.procedure import load_pack
from casetrail.procedure.calendars import first_working_day_after
from casetrail.procedure.counting import add_months
from casetrail.property import actions, alerts
from casetrail.property.inputs import EventInput, LimitAccountInput
from casetrail.property.models import ItemDeadline
from tests.property.conftest import Room

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local_day(moment: datetime) -> object:
    return moment.astimezone(SHANGHAI).date()


def _limit(item: object) -> ItemDeadline:
    return ItemDeadline.objects.get(item=item)


def test_administrative_seizure_runs_thirty_days(room: Room) -> None:
    """MPS Provisions on Administrative Cases art. 112(1): seizure for thirty days; the day it
    starts is not counted (art. 35), and the end is not moved for a holiday."""
    item = room.item(room.admin_case, basis="admin_seized")
    limit = _limit(item)
    assert limit.rule_id == "CN-MPSA112-SEIZURE-30D"
    assert "112" in limit.citation
    assert _local_day(limit.due_at) == _local_day(item.found_at) + timedelta(days=30)
    assert limit.explanation


def test_registered_preservation_is_decided_within_seven_days(room: Room) -> None:
    """MPS Provisions on Administrative Cases art. 110(3): decide within seven days."""
    item = room.item(room.admin_case, basis="preserved")
    limit = _limit(item)
    assert limit.rule_id == "CN-MPSA110-PRESERVATION-7D"
    assert "110" in limit.citation
    assert _local_day(limit.due_at) == _local_day(item.found_at) + timedelta(days=7)


def test_a_freeze_runs_six_months(room: Room) -> None:
    """MPS Provisions on Criminal Cases art. 243(1): a freeze of deposits runs six months."""
    item = room.item(kind="cash", basis="frozen", amount="80000", currency="CNY")
    limit = _limit(item)
    assert limit.rule_id == "CN-MPS243-FREEZE-6M"
    assert "243" in limit.citation
    found = _local_day(item.found_at)
    # Six months to the corresponding day, the day of the freeze not counted; a holiday does
    # not move the end of a term that restricts property (docs/procedure.md).
    assert _local_day(limit.due_at) == add_months(found, 6)


def test_a_criminal_seizure_has_no_fixed_term(room: Room) -> None:
    """CPL art. 141-145 set no term for a criminal seizure: it lasts while the case needs it."""
    item = room.item()
    assert not ItemDeadline.objects.filter(item=item).exists()


def test_found_unrelated_starts_the_three_day_release(room: Room) -> None:
    """CPL art. 145: items found unrelated to the case are released within three days."""
    item = room.item()
    actions.found_unrelated(item, EventInput(at=clock.now()), actor=room.world.handler1)
    limit = _limit(item)
    assert limit.rule_id == "CN-CPL145-UNRELATED-RELEASE-3D"
    assert "145" in limit.citation
    assert _local_day(limit.due_at) == _local_day(clock.now()) + timedelta(days=3)
    with pytest.raises(Refused) as refused:
        actions.found_unrelated(item, EventInput(at=clock.now()), actor=room.world.handler1)
    assert refused.value.field == "at"


def test_a_frozen_account_found_unrelated_is_released_in_three_days(room: Room) -> None:
    """MPS Provisions on Criminal Cases art. 247: tell the bank within three days."""
    item = room.item(kind="cash", basis="frozen", amount="100", currency="CNY")
    actions.found_unrelated(item, EventInput(at=clock.now()), actor=room.world.handler1)
    rules = set(ItemDeadline.objects.filter(item=item).values_list("rule_id", flat=True))
    assert rules == {"CN-MPS243-FREEZE-6M", "CN-MPS247-UNFREEZE-3D"}


@pytest.mark.parametrize(
    ("kind", "rule"),
    [("criminal", "CN-MPS233-UNCLAIMED-6M"), ("administrative", "CN-MPSA197-UNCLAIMED-6M")],
)
def test_an_owner_told_to_collect_has_six_months(room: Room, kind: str, rule: str) -> None:
    """MPS Provisions on Criminal Cases art. 233 and on Administrative Cases art. 197: six
    months after the notice, unclaimed property is treated as ownerless."""
    case = room.case if kind == "criminal" else room.admin_case
    item = room.item(case)
    actions.owner_notified(item, EventInput(at=clock.now()), actor=room.world.handler1)
    limit = _limit(item)
    assert limit.rule_id == rule
    told = _local_day(clock.now())
    # The claim period is the owner's: a last day on a holiday moves to the next working day.
    last = add_months(told, 6)
    calendar = calendar_named(load_pack("cn").calendar)
    expected = first_working_day_after(calendar, last) if calendar.is_holiday(last) else last
    assert _local_day(limit.due_at) == expected


def test_an_event_before_the_item_was_taken_is_refused(room: Room) -> None:
    item = room.item()
    with pytest.raises(Refused) as refused:
        actions.owner_notified(
            item, EventInput(at=clock.now() - timedelta(days=1)), actor=room.world.handler1
        )
    assert refused.value.field == "at"
    assert not ItemDeadline.objects.filter(item=item).exists()


def test_the_sweep_warns_then_marks_missed_until_accounted_for(
    room: Room, frozen_clock: time_machine.Traveller
) -> None:
    item = room.item(room.admin_case, basis="preserved")
    limit = _limit(item)
    assert alerts.sweep() == alerts.SweepReport(0, 0, 0)
    frozen_clock.move_to(limit.warn_at + timedelta(minutes=1))
    assert alerts.sweep().warned == 1
    assert alerts.sweep().warned == 0  # once
    frozen_clock.move_to(limit.due_at + timedelta(minutes=1))
    assert alerts.sweep().missed == 1
    limit.refresh_from_db()
    assert limit.status == "missed"
    assert limit.accounted_at is None
    actions_done = [
        e.action for e in LedgerEntry.objects.filter(subject_id=str(item.pk)).order_by("seq")
    ]
    assert LedgerKind.PROPERTY_DEADLINE_WARNED in actions_done
    assert LedgerKind.PROPERTY_DEADLINE_MISSED in actions_done
    from casetrail.property import queries

    assert [limit.pk] == [d.pk for d in queries.room_alerts(room.world.station)["missed"]]
    assert queries.limits(item)[0].colour == "red"
    actions.account_for_deadline(
        limit, LimitAccountInput(account="已作出处理决定，录入迟延"), actor=room.world.handler1
    )
    assert queries.room_alerts(room.world.station)["missed"] == []
    with pytest.raises(Refused):
        actions.account_for_deadline(
            limit, LimitAccountInput(account="again"), actor=room.world.handler1
        )


def test_gb_eng_units_have_no_property_limit_and_the_item_says_so(room: Room) -> None:
    from casetrail.property import limits

    assert limits.on_taking("gb_eng", "admin_seized") is None
    assert limits.on_unrelated("gb_eng", "seized") is None
    assert limits.on_owner_notified("gb_eng", "criminal") is None
