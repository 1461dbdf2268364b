"""The seam to the procedure engine: compute a rule, keep the answer on a Deadline row.

No period is written here (DESIGN.md invariant 3): every due time comes from `procedure.compute`
with the calendar the installation has loaded (`org.calendars.calendar_named`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from casetrail import procedure
from casetrail.custody.errors import CustodyError
from casetrail.custody.measures import Duty
from casetrail.custody.models import CustodySession, Deadline, Measure
from casetrail.org.calendars import calendar_named
from casetrail.procedure import Calendar, ExtensionRuling, ProcedureError


class Calendars:
    """The calendars of one action, each read from the database once."""

    def __init__(self) -> None:
        self._cache: dict[str, Calendar] = {}

    def of_pack(self, pack_id: str) -> Calendar:
        name = procedure.load_pack(pack_id).calendar
        if name not in self._cache:
            self._cache[name] = calendar_named(name)
        return self._cache[name]


def compute(
    rule_id: str,
    trigger_at: datetime,
    *,
    pack: str,
    calendars: Calendars,
    extensions: Sequence[str] = (),
    params: Mapping[str, object] | None = None,
    field: str = "started_at",
) -> procedure.Deadline:
    """The engine's deadline; an engine refusal becomes a CustodyError naming ``field``."""
    try:
        return procedure.compute(
            rule_id,
            trigger_at,
            pack=pack,
            extensions=list(extensions),
            params=dict(params or {}),
            calendar=calendars.of_pack(pack),
        )
    except ProcedureError as exc:
        raise CustodyError(exc.said(gettext), field=field) from exc


def check_extension(
    deadline: Deadline, proposed: str, *, calendars: Calendars, now: datetime
) -> ExtensionRuling:
    try:
        ruling = procedure.check_extension(
            deadline.requested_id,
            deadline.trigger_at,
            proposed,
            pack=deadline.pack,
            applied=list(deadline.extensions),
            params=dict(deadline.params),
            calendar=calendars.of_pack(deadline.pack),
            now=now,
        )
    except ProcedureError as exc:
        raise CustodyError(exc.said(gettext), field="extension") from exc
    if ruling.refusal is None:
        return ruling
    return replace(ruling, reasons=(ruling.refusal.said(gettext),))


def rule_of(deadline: Deadline) -> procedure.Rule:
    """The version of the deadline's rule in force on its trigger date."""
    zone = procedure.load_pack(deadline.pack).time_zone
    return procedure.resolve(
        deadline.requested_id, deadline.trigger_at.astimezone(zone).date(), pack=deadline.pack
    )


def json_params(params: Mapping[str, object]) -> dict[str, Any]:
    """Parameters as stored: instants as ISO 8601 text with their offset."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in params.items()
    }


def fill(deadline: Deadline, computed: procedure.Deadline) -> None:
    """Copy the engine's answer onto the row (the row is saved by the caller)."""
    deadline.rule_id = computed.rule_id
    deadline.requested_id = computed.requested_id
    deadline.pack = computed.pack_id
    deadline.title_en = computed.rule.title_en
    deadline.title_zh = computed.rule.title_zh
    deadline.citation = str(computed.citation)  # fits: tests/custody/test_pack_columns.py
    deadline.trigger_at = computed.trigger_at
    deadline.due_at = computed.due_at
    deadline.warn_at = computed.warn_at
    deadline.last_day = computed.last_day
    deadline.provisional = computed.provisional
    deadline.provisional_reasons = list(computed.provisional_reasons)
    deadline.explanation = list(computed.explanation)
    deadline.extensions = [_request_text(e) for e in computed.extensions]
    deadline.calendar_dependent = computed.rule.holidays == "shift"


def _request_text(applied: procedure.AppliedExtension) -> str:
    return applied.id if applied.n is None else f"{applied.id}={applied.n}"


def new_deadline(
    *,
    duty: Duty,
    computed: procedure.Deadline,
    params: Mapping[str, object],
    now: datetime,
    measure: Measure | None = None,
    session: CustodySession | None = None,
) -> Deadline:
    owner = measure if measure is not None else session
    assert owner is not None  # noqa: S101 - callers pass one of the two
    deadline = Deadline(
        measure=measure,
        session=session,
        unit_id=owner.unit_id,
        case_id=owner.case_id,
        person_id=owner.person_id,
        duty=duty,
        params=json_params(params),
        created_at=now,
    )
    fill(deadline, computed)
    deadline.save()
    return deadline


def summary(deadline: Deadline) -> dict[str, Any]:
    """What a ledger entry keeps of a deadline."""
    return {
        "deadline": deadline.pk,
        "rule": deadline.rule_id,
        "duty": deadline.duty,
        "due_at": deadline.due_at,
        "provisional": deadline.provisional,
        "extensions": list(deadline.extensions),
    }
