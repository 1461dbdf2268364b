"""What a change of a check's parameters, or of the scorecard's weights, would have done over
the last months, before anyone makes it (issue 12: "one city that lowered its thresholds saw its
alerts rise more than 580%").

A check is replayed at the end of every week of the window with the parameters in force and
with the proposed ones, and the distinct instances each found are counted (a check that looks
back a number of hours looks back at least the week). The replay of the
parameters in force is also set beside the findings the check actually opened in the window:
a check that reads today's state of a record (an open session, a case's last move) replays the
past only as well as those two numbers agree, and the report says so rather than hiding it.

The scorecard is recomputed for each quarter of the window with both sets of weights."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import isfinite
from typing import Any

from casetrail.org.models import Unit
from casetrail.supervision import scorecard as cards
from casetrail.supervision.checks import BY_ID, Check
from casetrail.supervision.models import Finding

WEEK = timedelta(days=7)
WEEK_HOURS = 7 * 24


class BacktestError(ValueError):
    """A check, parameter or weight that is not one, said with the name."""


def parse_settings(pairs: Sequence[str]) -> dict[str, Any]:
    """``name=value`` pairs as the command line gives them: whole numbers as numbers, anything
    else as text (a fraction stays text, as the ledger keeps it)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise BacktestError(f"{pair!r}: write a setting as name=value")
        text = value.strip()
        out[name.strip()] = int(text) if text.isascii() and text.lstrip("-").isdigit() else text
    return out


def _check_type(check_id: str, name: str, value: Any, default: Any) -> None:
    """A proposed value of the kind the parameter takes: a whole number from 0 where the
    default is one, a number written as text where the default is (a threshold)."""
    if isinstance(default, int) and not (isinstance(value, int) and value >= 0):
        raise BacktestError(f"{check_id}: {name} is a whole number from 0, not {value!r}")
    if isinstance(default, str):
        try:
            number = float(str(value))
        except ValueError:
            number = float("nan")
        if not isfinite(number) or number < 0:
            raise BacktestError(f"{check_id}: {name} is a number from 0, not {value!r}")


@dataclass(frozen=True)
class CheckResult:
    check: Check
    current: dict[str, Any]
    proposed: dict[str, Any]
    instants: int
    found_now: int  # distinct instances the replay finds with the parameters in force
    found_then: int  # ... with the proposed parameters
    opened: int  # findings the check actually opened in the window

    @property
    def change(self) -> str:
        if not self.found_now:
            return "n/a: none found with the parameters in force"
        return f"{100 * (self.found_then - self.found_now) / self.found_now:+.0f}%"


def instants(since: datetime, until: datetime) -> list[datetime]:
    """The end of every week of the window, and the window's end."""
    out = []
    at = since + WEEK
    while at < until:
        out.append(at)
        at += WEEK
    return [*out, until]


def _keys(check: Check, moments: Sequence[datetime], params: Mapping[str, Any]) -> set[str]:
    return {i.key for at in moments for i in check.find(at, params)}


def check(check_id: str, proposed: Mapping[str, Any], until: datetime, months: int) -> CheckResult:
    found = BY_ID.get(check_id)
    if found is None:
        raise BacktestError(f"no check {check_id!r}; the checks are {', '.join(sorted(BY_ID))}")
    unknown = sorted(set(proposed) - set(found.defaults))
    if unknown:
        takes = ", ".join(sorted(found.defaults)) or "none"
        raise BacktestError(f"{check_id} has no parameter {', '.join(unknown)} (it takes: {takes})")
    for name, value in proposed.items():
        _check_type(check_id, name, value, found.defaults[name])
    current = found.params()
    then = {**current, **{k: str(v) if isinstance(v, float) else v for k, v in proposed.items()}}
    for params in (current, then):
        if "look_back_hours" in params:
            # The sweep runs every few minutes and looks back that far; a replay once a week
            # must look back over the whole week, or it would miss the days between.
            params["look_back_hours"] = max(int(params["look_back_hours"]), WEEK_HOURS)
    since = until - timedelta(days=30 * months)
    moments = instants(since, until)
    opened = Finding.objects.filter(
        check_id=check_id, opened_at__gt=since, opened_at__lte=until
    ).count()
    return CheckResult(
        check=found,
        current=current,
        proposed=then,
        instants=len(moments),
        found_now=len(_keys(found, moments, current)),
        found_then=len(_keys(found, moments, then)),
        opened=opened,
    )


@dataclass(frozen=True)
class ScoreChange:
    quarter: cards.Quarter
    unit: Unit
    now: str
    then: str


def scorecard(
    proposed: Mapping[str, Any], until: datetime, months: int, zone: str
) -> tuple[dict[str, int], list[ScoreChange]]:
    """Each unit's score in each quarter of the window with the weights in force and with the
    proposed ones (checked as the setting would be)."""
    weights = cards.weights(proposed)
    units = list(Unit.objects.order_by("path"))
    first = cards.Quarter.of((until - timedelta(days=30 * months)).date())
    last = cards.Quarter.of(until.date())
    quarters = [first]
    while quarters[-1] != last:
        quarters.append(quarters[-1].next)
    changes = []
    for quarter in quarters:
        before = cards.card(units, quarter, zone, until)
        after = cards.card(units, quarter, zone, until, weights)
        for old, new in zip(before.rows, after.rows, strict=True):
            if old.findings:
                changes.append(ScoreChange(quarter, old.unit, old.score_text, new.score_text))
    return weights, changes
