"""The seam to the procedure engine: compute a rule, keep the answer on a Deadline row, and
say what the engine said in the reader's language.

No period is written here (DESIGN.md invariant 3): every due time comes from `procedure.compute`
with the calendar the installation has loaded (`org.calendars.calendar_named`).

A row keeps each step of its explanation and each provisional reason as the engine's sentence
(``{"template": ..., "params": {...}}``, `procedure.Said.as_json`), so a page says it in the
language of whoever reads it (`say`) and the API in English (`in_english`). A row written
before kept the English line itself, a plain string, shown as it is.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from casetrail import procedure
from casetrail.custody.errors import CustodyError
from casetrail.custody.measures import Duty, statute_role_label
from casetrail.custody.models import CustodySession, Deadline, Measure
from casetrail.org.calendars import calendar_named
from casetrail.procedure import Calendar, ExtensionRuling, ProcedureError, Said
from casetrail.web.language import reading_chinese


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
    deadline.provisional_reasons = [r.as_json() for r in computed.provisional_reasons_said]
    deadline.explanation = [step.as_json() for step in computed.explanation_said]
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


# -- what the engine said, in the reader's language -----------------------------------------


def _stored(value: object) -> Said | None:
    """A stored sentence, or None for a plain line (a row written before) or anything else."""
    if not isinstance(value, Mapping):
        return None
    try:
        return Said.from_json(value)
    except ValueError:
        return None


def said(sentence: Said) -> str:
    """An engine sentence in the active language, a role it names by the role's label; in
    English if the catalogue's sentence does not fit its values."""
    try:
        return sentence.said(gettext, chinese=reading_chinese(), role=statute_role_label)
    except (KeyError, ValueError, TypeError):
        return sentence.said(role=statute_role_label)


def say(stored: object) -> str:
    """A stored step of an explanation or a provisional reason, in the reader's language; a
    plain line (a row written before the sentences were kept) as it is."""
    sentence = _stored(stored)
    if sentence is None:
        return str(stored)
    return said(sentence)


def in_english(stored: object) -> str:
    """A stored step or reason as the engine writes it in English (the API, mail, logs)."""
    sentence = _stored(stored)
    return str(stored) if sentence is None else str(sentence)


@functools.cache
def _chinese_citations() -> dict[str, str]:
    """Each citation of the shipped packs as a row keeps it (``str(Citation)``), and the same
    citation as a Chinese text writes it, where the pack names the law in Chinese."""
    found: dict[str, str] = {}
    for pack_id in procedure.pack_ids():
        for rule in procedure.load_pack(pack_id).rules:
            chinese = rule.citation.in_chinese()
            if chinese:
                found.setdefault(str(rule.citation), chinese)
    return found


def citation_shown(citation: str) -> str:
    """A stored citation in the reader's language: in Chinese, 《…》第85条第2款 where a pack
    names the law in Chinese; otherwise (English, a law with no Chinese name, a citation no
    pack holds any more) as it is stored."""
    if reading_chinese():
        return _chinese_citations().get(citation, citation)
    return citation


def listed(items: Sequence[str]) -> str:
    """Items of a list in one line, with the reader's punctuation."""
    return ("；" if reading_chinese() else "; ").join(items)


def extension_offered(extension: procedure.Extension) -> str:
    """An extension as a form offers it, in the reader's language: its title, what it does,
    who approves it (by the role's name) and how often."""
    return said(extension.described(by_title=True))
