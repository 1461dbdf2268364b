"""compute(): a rule, a trigger and a calendar in, a deadline and its explanation out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from casetrail.procedure.calendars import (
    Calendar,
    default_calendar,
    first_working_day_after,
    provisional_said,
    walk_working_days_said,
)
from casetrail.procedure.counting import (
    advance,
    describe,
    elapsed,
    end_of_day,
    month_step_said,
    parse_hhmm,
    place,
)
from casetrail.procedure.errors import (
    ExtensionError,
    ParamError,
    ProcedureError,
    UnknownRule,
    gettext_noop,
)
from casetrail.procedure.model import Amount, Citation, Extension, Pack, Param, Rule
from casetrail.procedure.packs import load_pack, pack_ids
from casetrail.procedure.said import RoleName, Said, Term, Value, unit_word

# How each jurisdiction reads a period of months, as counted by counting.add_months. In England
# and Wales a period "beginning with" the day after the trigger (PACE s.47ZB(1), (4)(a)) ends the
# day before that day's corresponding date, or on the last day of a month that has none: the
# same last day as add_months from the trigger (worked through in packs/gb_eng/bail.toml).
MONTH_READINGS = {
    "cn": gettext_noop("SPC Interpretation of the CPL 2021, art. 202"),
    "gb_eng": gettext_noop(
        "months beginning with the next day, to the day before its corresponding date"
    ),
}
MONTH_READING = gettext_noop("the end-of-month rule")

# A last day on a holiday that is not shifted: (custody period?, provisional calendar?).
NOT_SHIFTED = {
    (True, False): gettext_noop(
        "last day %(last)s is a holiday, custody period: not shifted (%(basis)s)"
    ),
    (True, True): gettext_noop(
        "last day %(last)s is a holiday, custody period: not shifted (%(basis)s) (provisional "
        "calendar, not needed here)"
    ),
    (False, False): gettext_noop(
        "last day %(last)s is a holiday, this rule does not shift: not shifted (%(basis)s)"
    ),
    (False, True): gettext_noop(
        "last day %(last)s is a holiday, this rule does not shift: not shifted (%(basis)s) "
        "(provisional calendar, not needed here)"
    ),
}

TRUE_WORDS = {"true", "yes", "1", "on"}
FALSE_WORDS = {"false", "no", "0", "off"}


@dataclass(frozen=True, slots=True)
class AppliedExtension:
    id: str
    n: int | None
    added: int  # units of the rule's period
    unit: str
    approver: str
    decided_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "n": self.n,
            "added": self.added,
            "unit": self.unit,
            "approver": self.approver,
            "decided_by": self.decided_by,
        }


@dataclass(frozen=True, slots=True)
class Deadline:
    rule_id: str
    requested_id: str  # the id or version-free alias that was asked for
    pack_id: str
    rule: Rule
    citation: Citation
    trigger_at: datetime  # aware, UTC
    due_at: datetime  # aware, UTC
    due_local: datetime  # aware, in the pack's zone
    warn_at: datetime  # aware, UTC
    last_day: date | None  # the last day of a calendar period, after any holiday shift
    provisional: bool
    extensions: tuple[AppliedExtension, ...]
    # The reasons and steps, each a sentence for the catalogue and its values, so that whoever
    # shows them says them in the reader's language (said.py).
    provisional_reasons_said: tuple[Said, ...]
    explanation_said: tuple[Said, ...]

    @property
    def provisional_reasons(self) -> tuple[str, ...]:
        """The reasons as the engine writes them in English."""
        return tuple(str(reason) for reason in self.provisional_reasons_said)

    @property
    def explanation(self) -> tuple[str, ...]:
        """The steps as the engine writes them in English."""
        return tuple(str(step) for step in self.explanation_said)

    @property
    def custody(self) -> bool:
        return self.rule.custody

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: instants as ISO 8601, UTC with Z, local with its offset."""
        return {
            "rule_id": self.rule_id,
            "requested_id": self.requested_id,
            "pack": self.pack_id,
            "title_zh": self.rule.title_zh,
            "title_en": self.rule.title_en,
            "citation": self.citation.as_dict(),
            "custody": self.rule.custody,
            "trigger_at": _utc_text(self.trigger_at),
            "due_at": _utc_text(self.due_at),
            "due_local": self.due_local.isoformat(),
            "time_zone": str(self.due_local.tzinfo),
            "warn_at": _utc_text(self.warn_at),
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "provisional": self.provisional,
            "provisional_reasons": list(self.provisional_reasons),
            "explanation": list(self.explanation),
            "extensions": [e.as_dict() for e in self.extensions],
        }


@dataclass(frozen=True, slots=True)
class ExtensionRuling:
    """Whether a proposed extension is allowed, and why (or why not)."""

    allowed: bool
    reasons: tuple[str, ...]
    rule_id: str
    extension_id: str
    approver: str
    decided_by: str
    due_before: datetime | None
    due_after: datetime | None
    refusal: ProcedureError | None = None


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def find_pack(rule_id: str) -> Pack:
    """The shipped pack that holds a rule id or alias."""
    for pack_id in pack_ids():
        pack = load_pack(pack_id)
        if pack.knows(rule_id):
            return pack
    raise UnknownRule(gettext_noop("no pack has a rule or alias %(rule)r"), rule=rule_id)


def _pack(pack: Pack | str | None, rule_id: str) -> Pack:
    if isinstance(pack, Pack):
        return pack
    if pack is None:
        return find_pack(rule_id)
    return load_pack(pack)


def resolve(rule_id: str, on: date, *, pack: Pack | str | None = None) -> Rule:
    """The version of a rule (or member of a version-free alias) in force on a date."""
    return _pack(pack, rule_id).resolve(rule_id, on)


def list_extensions(
    rule_id: str, *, pack: Pack | str | None = None, on: date | None = None
) -> tuple[Extension, ...]:
    """The extensions a rule allows: of the version in force on `on`, else of the latest version."""
    found = _pack(pack, rule_id)
    if on is not None:
        return found.resolve(rule_id, on).extensions
    members = found.aliases.get(rule_id, (rule_id,))
    return found.versions(members[-1])[-1].extensions


def parse_extension(request: str) -> tuple[str, int | None]:
    """'special=2' -> ('special', 2); 'roving' -> ('roving', None)."""
    name, sep, number = request.strip().partition("=")
    if not name:
        raise ExtensionError(gettext_noop("extension %(request)r has no id"), request=request)
    if not sep:
        return name, None
    try:
        n = int(number)
    except ValueError:
        raise ExtensionError(
            gettext_noop("extension %(request)r: N must be a whole number"), request=request
        ) from None
    return name, n


def compute(
    rule_id: str,
    trigger: datetime | str,
    *,
    pack: Pack | str,
    extensions: Sequence[str] = (),
    params: Mapping[str, object] | None = None,
    calendar: Calendar | None = None,
) -> Deadline:
    """The deadline of a rule for a trigger, with every step explained.

    A naive trigger is local time in the pack's zone; the version of the rule in force on the
    trigger's local date applies. Extensions are 'ID' or 'ID=N', applied in order.
    """
    if isinstance(extensions, str):
        raise ExtensionError(
            gettext_noop("extensions is a list of 'ID' or 'ID=N', not the text %(text)r"),
            text=extensions,
        )
    found = _pack(pack, rule_id)
    zone = found.time_zone
    trigger_at = place(trigger, zone)
    trigger_local = trigger_at.astimezone(zone)
    rule = found.resolve(rule_id, trigger_local.date())
    values = _read_params(rule, params or {}, zone)
    run = _Run(rule, zone, calendar or default_calendar(found.calendar))

    in_force: dict[str, Value] = {
        "rule": rule.id,
        "citation": rule.citation.term(),
        "day": trigger_local.date().isoformat(),
    }
    if rule_id != rule.id:
        run.step(
            gettext_noop(
                "%(rule)s (%(citation)s), in force on %(day)s, chosen for %(asked)s by the "
                "trigger date"
            ),
            **in_force,
            asked=rule_id,
        )
    else:
        run.step(gettext_noop("%(rule)s (%(citation)s), in force on %(day)s"), **in_force)
    run.step(
        gettext_noop("trigger (%(trigger)s): %(at)s"),
        trigger=Term(rule.trigger.en, rule.trigger.zh),
        at=describe(trigger_at, zone),
    )

    base = _base_duration(rule, values)
    if rule.counting == "calendar":
        due_local, last_day = run.calendar_period(trigger_local.date(), base, extensions, values)
        due_at = due_local.astimezone(UTC)
    elif rule.counting == "working_days":
        due_local, last_day = run.working_period(trigger_local.date(), base, extensions, values)
        due_at = due_local.astimezone(UTC)
    else:
        start = (
            run.relevant_time(trigger_at, base, values)
            if rule.counting == "relevant_time"
            else trigger_at
        )
        due_at = run.exact_period(start, base, extensions, values)
        last_day = None
    due_at = run.caps(due_at, values)
    due_local = due_at.astimezone(zone)
    run.step(gettext_noop("due: %(at)s"), at=describe(due_at, zone))
    warn_at = max(trigger_at, due_at - rule.warn_before.as_timedelta())
    run.step(
        gettext_noop("warning %(amount)s before: %(at)s"),
        amount=rule.warn_before.said(),
        at=describe(warn_at, zone),
    )
    return Deadline(
        rule_id=rule.id,
        requested_id=rule_id,
        pack_id=found.id,
        rule=rule,
        citation=rule.citation,
        trigger_at=trigger_at,
        due_at=due_at,
        due_local=due_local,
        warn_at=warn_at,
        last_day=last_day,
        provisional=bool(run.provisional),
        extensions=tuple(run.applied),
        provisional_reasons_said=tuple(dict.fromkeys(run.provisional)),
        explanation_said=tuple(run.steps),
    )


def check_extension(
    rule_id: str,
    trigger: datetime | str,
    proposed: str,
    *,
    pack: Pack | str,
    applied: Sequence[str] = (),
    params: Mapping[str, object] | None = None,
    calendar: Calendar | None = None,
    now: datetime | None = None,
) -> ExtensionRuling:
    """Whether `proposed` ('ID' or 'ID=N') may be added to the extensions already `applied`.

    Refused when the statute does not allow it (unknown, too many times, a missing earlier
    step, past the ceiling), or, given `now`, when the period it would extend has already ended:
    an extension must be decided before expiry.
    """
    zone = _pack(pack, rule_id).time_zone
    current = compute(
        rule_id, trigger, pack=pack, extensions=applied, params=params, calendar=calendar
    )
    name, _ = parse_extension(proposed)
    approver = decided_by = ""
    for ext in current.rule.extensions:
        if ext.id == name:
            approver, decided_by = ext.approver, ext.decided_by

    def ruling(
        allowed: bool,
        reasons: Iterable[str],
        after: datetime | None,
        refusal: ProcedureError | None = None,
    ) -> ExtensionRuling:
        return ExtensionRuling(
            allowed=allowed,
            reasons=tuple(reasons),
            refusal=refusal,
            rule_id=current.rule_id,
            extension_id=name,
            approver=approver,
            decided_by=decided_by,
            due_before=current.due_at,
            due_after=after,
        )

    if now is not None and now.tzinfo is None:
        raise ExtensionError(gettext_noop("now must be an aware datetime"))
    if now is not None and now > current.due_at:
        ended = ExtensionError(
            gettext_noop(
                "the period ended at %(end)s: an extension must be approved before it ends"
            ),
            end=describe(current.due_at, zone),
        )
        return ruling(False, [str(ended)], None, ended)
    try:
        extended = compute(
            rule_id,
            trigger,
            pack=pack,
            extensions=(*applied, proposed),
            params=params,
            calendar=calendar,
        )
    except (ExtensionError, UnknownRule) as refusal:
        return ruling(False, [str(refusal)], None, refusal)
    reasons = [f"needs approval by {approver}"]
    if decided_by:
        reasons.append(f"decided by {decided_by}")
    reasons.append(f"new deadline {describe(extended.due_at, zone)}")
    return ruling(True, reasons, extended.due_at)


def _base_duration(rule: Rule, values: Mapping[str, object]) -> int:
    if rule.duration is not None:
        return rule.duration.value
    (name,) = [p.name for p in rule.params if p.effect == "duration"]
    value = values[name]
    # The loader gives a rule without a duration exactly one duration parameter, of type int,
    # required or with a default, and _read_params has converted it.
    assert isinstance(value, int)  # noqa: S101 - see above
    return value


def _read_params(rule: Rule, given: Mapping[str, object], zone: ZoneInfo) -> dict[str, object]:
    known = {p.name for p in rule.params}
    for name in given:
        if name not in known:
            names = ", ".join(sorted(known)) or "none"
            raise ParamError(
                gettext_noop("%(rule)s takes no param %(name)r (it takes: %(names)s)"),
                rule=rule.id,
                name=name,
                names=names,
            )
    values: dict[str, object] = {}
    for param in rule.params:
        raw = given.get(param.name, param.default)
        if raw is None:
            if param.required:
                raise ParamError(
                    gettext_noop("%(rule)s needs param %(name)s: %(notes)s"),
                    rule=rule.id,
                    name=param.name,
                    notes=param.notes,
                )
            continue
        values[param.name] = _convert(rule, param, raw, zone)
    return values


def _convert(rule: Rule, param: Param, raw: object, zone: ZoneInfo) -> object:
    where = f"{rule.id} param {param.name}"
    if param.type == "int":
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ParamError(
                gettext_noop("%(where)s must be a whole number, not %(raw)r"), where=where, raw=raw
            )
        try:
            number = int(raw)
        except ValueError:
            raise ParamError(
                gettext_noop("%(where)s must be a whole number, not %(raw)r"), where=where, raw=raw
            ) from None
        if param.min is not None and number < param.min:
            raise ParamError(
                gettext_noop("%(where)s must be at least %(low)s, not %(number)s"),
                where=where,
                low=param.min,
                number=number,
            )
        if param.max is not None and number > param.max:
            raise ParamError(
                gettext_noop("%(where)s must be at most %(high)s, not %(number)s (%(notes)s)"),
                where=where,
                high=param.max,
                number=number,
                notes=param.notes,
            )
        return number
    if param.type == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:
            return raw.strip().lower() in TRUE_WORDS
        raise ParamError(
            gettext_noop("%(where)s must be true or false, not %(raw)r"), where=where, raw=raw
        )
    if param.type == "instant":
        if not isinstance(raw, datetime | str):
            raise ParamError(
                gettext_noop("%(where)s must be a date and time, not %(raw)r"), where=where, raw=raw
            )
        return place(raw, zone, what=where)
    if param.type == "choice":
        if raw not in param.choices:
            raise ParamError(
                gettext_noop("%(where)s must be one of %(choices)s, not %(raw)r"),
                where=where,
                choices=", ".join(param.choices),
                raw=raw,
            )
        return raw
    return parse_hhmm(raw, name=where)


class _Run:
    """The working state of one computation: steps, provisional reasons, applied extensions."""

    def __init__(self, rule: Rule, zone: ZoneInfo, calendar: Calendar) -> None:
        self.rule = rule
        self.zone = zone
        self.calendar = calendar
        self.steps: list[Said] = []
        self.provisional: list[Said] = []
        self.applied: list[AppliedExtension] = []

    def step(self, template: str, **params: Value) -> None:
        """A step of the explanation: a template marked with gettext_noop and its values."""
        self.steps.append(Said.of(template, **params))

    def extension_step(self, ext: Extension, template: str, **params: Value) -> None:
        """A step that applies an extension: the template goes on after "extension ID
        (citation; approved by ...): "."""
        self.step(template, id=ext.id, citation=ext.citation, who=_who(ext), **params)

    def extension_units(
        self, requests: Sequence[str], total: int
    ) -> Iterable[tuple[Extension, int, int]]:
        """Validate each request in order; yield (extension, units added, new total)."""
        rule = self.rule
        counts: dict[str, int] = {}
        for request in requests:
            name, n = parse_extension(request)
            try:
                ext = rule.extension(name)
            except UnknownRule as error:
                raise ExtensionError(error.template, **error.params) from None
            if n is not None and not ext.takes_n:
                raise ExtensionError(
                    gettext_noop(
                        "extension %(name)s of %(rule)s takes no number (got %(request)r)"
                    ),
                    name=name,
                    rule=rule.id,
                    request=request,
                )
            if ext.to is not None:
                added = ext.to.value - total
                if added <= 0:
                    raise ExtensionError(
                        gettext_noop(
                            "extension %(name)s of %(rule)s sets the period to %(to)s, but it is "
                            "already %(total)s %(unit)s: it would not lengthen it"
                        ),
                        name=name,
                        rule=rule.id,
                        to=ext.to,
                        total=total,
                        unit=ext.unit,
                    )
            elif ext.adds is not None:
                added = ext.adds.value
            elif n is None:
                raise ExtensionError(
                    gettext_noop(
                        "extension %(name)s of %(rule)s needs a number: %(name)s=N "
                        "(N from %(low)s to %(high)s %(unit)s)"
                    ),
                    name=name,
                    rule=rule.id,
                    low=ext.adds_min,
                    high=ext.adds_max,
                    unit=ext.unit,
                )
            elif not ext.adds_min <= n <= ext.adds_max:
                raise ExtensionError(
                    gettext_noop(
                        "extension %(name)s of %(rule)s adds %(low)s to %(high)s %(unit)s, "
                        "not %(n)s (%(citation)s)"
                    ),
                    name=name,
                    rule=rule.id,
                    low=ext.adds_min,
                    high=ext.adds_max,
                    unit=ext.unit,
                    n=n,
                    citation=ext.citation,
                )
            else:
                added = n
            counts[name] = counts.get(name, 0) + 1
            if counts[name] > ext.max_times:
                raise ExtensionError(
                    gettext_noop(
                        "extension %(name)s of %(rule)s may be applied only once (%(citation)s)"
                    )
                    if ext.max_times == 1
                    else gettext_noop(
                        "extension %(name)s of %(rule)s may be applied only %(times)s times "
                        "(%(citation)s)"
                    ),
                    name=name,
                    rule=rule.id,
                    times=ext.max_times,
                    citation=ext.citation,
                )
            for needed in ext.requires:
                if needed not in counts:
                    raise ExtensionError(
                        gettext_noop(
                            "extension %(name)s of %(rule)s requires %(needed)s first "
                            "(%(citation)s)"
                        ),
                        name=name,
                        rule=rule.id,
                        needed=needed,
                        citation=ext.citation,
                    )
            total += added
            if rule.ceiling is not None and total > rule.ceiling.value:
                raise ExtensionError(
                    gettext_noop(
                        "extension %(request)s of %(rule)s would make the period %(total)s "
                        "%(unit)s, past the statutory ceiling of %(ceiling)s (%(citation)s)"
                    ),
                    request=request,
                    rule=rule.id,
                    total=total,
                    unit=ext.unit,
                    ceiling=rule.ceiling,
                    citation=rule.citation,
                )
            self.applied.append(
                AppliedExtension(name, n, added, ext.unit, ext.approver, ext.decided_by)
            )
            yield ext, added, total

    def calendar_period(
        self, start: date, base: int, requests: Sequence[str], values: Mapping[str, object]
    ) -> tuple[datetime, date]:
        rule, unit = self.rule, self.rule.unit
        basis = rule.counting_basis
        last = advance(start, base, unit)
        if unit == "days":
            self.step(
                gettext_noop(
                    "trigger day %(start)s not counted (%(basis)s): %(n)s days, last day %(last)s"
                ),
                start=start.isoformat(),
                basis=basis,
                n=base,
                last=last.isoformat(),
            )
        else:
            reading = MONTH_READINGS.get(self.calendar.name, MONTH_READING)
            self.step(
                gettext_noop(
                    "%(n)s months from %(start)s: %(why)s, last day %(last)s (%(reading)s)"
                ),
                n=base,
                start=start.isoformat(),
                why=month_step_said(start, base),
                last=last.isoformat(),
                reading=Said(reading),
            )
        for ext, added, total in self.extension_units(requests, base):
            before = last
            if ext.to is not None and unit == "months":
                # `to` is a total counted from the trigger (model.Extension): months counted in
                # one step, so a month-end on the way does not drift the end.
                last = advance(start, total, unit)
                self.extension_step(
                    ext,
                    gettext_noop(
                        "extension %(id)s (%(citation)s; approved by %(who)s): %(total)s months "
                        "from %(start)s: %(why)s, last day %(last)s"
                    ),
                    total=total,
                    start=start.isoformat(),
                    why=month_step_said(start, total),
                    last=last.isoformat(),
                )
                continue
            last = advance(last, added, unit)
            how = Amount(added, unit).said()
            if unit == "months":
                how = Said.of(
                    gettext_noop("%(amount)s; %(why)s"),
                    amount=how,
                    why=month_step_said(before, added),
                )
            self.extension_step(
                ext,
                gettext_noop(
                    "extension %(id)s (%(citation)s; approved by %(who)s): chained from the "
                    "unshifted last day %(before)s, %(how)s: last day %(last)s (%(total)s "
                    "%(unit)s in all)"
                ),
                before=before.isoformat(),
                how=how,
                last=last.isoformat(),
                total=total,
                unit=unit_word(unit),
            )
        for param in rule.params:
            value = values.get(param.name)
            if param.effect == "adds" and value:
                if isinstance(value, int) and not isinstance(value, bool):
                    before, last = last, advance(last, value, param.unit)
                    self.step(
                        gettext_noop(
                            "%(name)s = %(value)s %(unit)s not counted in the period "
                            "(%(notes)s): last day %(before)s -> %(last)s"
                        ),
                        name=param.name,
                        value=value,
                        unit=unit_word(param.unit),
                        notes=param.notes,
                        before=before.isoformat(),
                        last=last.isoformat(),
                    )
                else:
                    # A true flag: the loader gives every true/false `adds` parameter its amount
                    # and refuses an H:MM span on a calendar period.
                    assert param.amount is not None  # noqa: S101 - see above
                    before, last = last, advance(last, param.amount.value, param.amount.unit)
                    self.step(
                        gettext_noop("%(name)s: adds %(amount)s: last day %(last)s"),
                        name=param.name,
                        amount=param.amount.said(),
                        last=last.isoformat(),
                    )
        last = self.holiday(last)
        due = end_of_day(last, self.zone)
        self.runs_to_the_end_of(last)
        return due, last

    def runs_to_the_end_of(self, last: date) -> None:
        self.step(
            gettext_noop("the period runs to the end of its last day, %(last)s 23:59:59"),
            last=last.isoformat(),
        )

    def working_days(self, day: date, count: int) -> date:
        last, reasons = walk_working_days_said(self.calendar, day, count)
        self.provisional.extend(reasons)
        return last

    def working_period(
        self, start: date, base: int, requests: Sequence[str], values: Mapping[str, object]
    ) -> tuple[datetime, date]:
        """A period in working days: the trigger day is not counted, weekends and statutory
        holidays are skipped, an adjusted working day counts. The last day is always a
        working day, so there is nothing to shift."""
        rule = self.rule
        last = self.working_days(start, base)
        self.step(
            gettext_noop(
                "trigger day %(start)s not counted (%(basis)s): %(n)s working days (weekends "
                "and statutory holidays skipped, adjusted working days counted), last day "
                "%(last)s"
            ),
            start=start.isoformat(),
            basis=rule.counting_basis,
            n=base,
            last=last.isoformat(),
        )
        for ext, added, total in self.extension_units(requests, base):
            before = last
            last = self.working_days(last, added)
            self.extension_step(
                ext,
                gettext_noop(
                    "extension %(id)s (%(citation)s; approved by %(who)s): %(added)s more "
                    "working days after %(before)s: last day %(last)s (%(total)s working days "
                    "in all)"
                ),
                added=added,
                before=before.isoformat(),
                last=last.isoformat(),
                total=total,
            )
        for param in rule.params:
            value = values.get(param.name)
            if param.effect != "adds" or isinstance(value, bool) or not isinstance(value, int):
                continue
            if value:
                before, last = last, self.working_days(last, value)
                self.step(
                    gettext_noop(
                        "%(name)s = %(value)s working days not counted in the period "
                        "(%(notes)s): last day %(before)s -> %(last)s"
                    ),
                    name=param.name,
                    value=value,
                    notes=param.notes,
                    before=before.isoformat(),
                    last=last.isoformat(),
                )
        self.working_day(last, provisional=bool(self.provisional))
        self.runs_to_the_end_of(last)
        return end_of_day(last, self.zone), last

    def working_day(self, last: date, *, provisional: bool) -> None:
        self.step(
            gettext_noop("last day %(last)s is a working day (provisional calendar)")
            if provisional
            else gettext_noop("last day %(last)s is a working day"),
            last=last.isoformat(),
        )

    def holiday(self, last: date) -> date:
        rule, calendar = self.rule, self.calendar
        reason = provisional_said(calendar, last)
        depends = rule.holidays == "shift"
        if not calendar.is_holiday(last):
            if reason and depends:
                self.provisional.append(reason)
            self.working_day(last, provisional=bool(reason))
            return last
        if rule.holidays != "shift":
            # Whole sentences: why it is not shifted, and whether the calendar was a guess.
            self.step(
                NOT_SHIFTED[rule.custody, bool(reason)],
                last=last.isoformat(),
                basis=rule.counting_basis,
            )
            return last
        shifted = first_working_day_after(calendar, last)
        day = last
        while day <= shifted:
            found = provisional_said(calendar, day)
            if found:
                self.provisional.append(found)
            day += timedelta(days=1)
        self.step(
            gettext_noop(
                "last day %(last)s is a holiday: the first working day after it, %(shifted)s, "
                "becomes the last day (%(basis)s)"
            ),
            last=last.isoformat(),
            shifted=shifted.isoformat(),
            basis=rule.counting_basis,
        )
        return shifted

    def relevant_time(
        self, trigger_at: datetime, within: int, values: Mapping[str, object]
    ) -> datetime:
        """PACE s.41(2): the time from which the period of detention is calculated."""
        route = values.get("route", "arrival")
        arrived = values.get("arrived")
        zone = self.zone
        if route == "voluntary":
            self.step(
                gettext_noop(
                    "s.41(2)(c): arrested at the station after attending voluntarily: "
                    "the relevant time is the time of arrest"
                )
            )
            return trigger_at
        if not isinstance(arrived, datetime):
            raise ParamError(
                gettext_noop(
                    "%(rule)s route %(route)s needs param arrived (time of arrival at the station)"
                ),
                rule=self.rule.id,
                route=route,
            )
        if route == "street_bail":
            self.step(
                gettext_noop(
                    "s.41(2)(ca): answering bail granted under s.30A: the relevant time is the "
                    "arrival"
                )
            )
            return arrived
        if arrived < trigger_at:
            raise ParamError(
                gettext_noop("%(rule)s: arrived %(arrived)s is before the trigger %(trigger)s"),
                rule=self.rule.id,
                arrived=describe(arrived, zone),
                trigger=describe(trigger_at, zone),
            )
        limb = {"arrival": "(d)", "other_force": "(a)", "outside_ew": "(b)"}[str(route)]
        cap = trigger_at + elapsed(within, self.rule.unit)
        # A whole sentence for each starting point (arrest, or entry into England and Wales),
        # so a translator never has to fit a noun into someone else's sentence.
        abroad = route == "outside_ew"
        common: dict[str, Value] = {
            "limb": limb,
            "arrived": describe(arrived, zone),
            "within": within,
        }
        if arrived <= cap:
            self.step(
                gettext_noop(
                    "s.41(2)%(limb)s: arrival %(arrived)s is the earlier of arrival and "
                    "%(within)s hours after entry into England and Wales"
                )
                if abroad
                else gettext_noop(
                    "s.41(2)%(limb)s: arrival %(arrived)s is the earlier of arrival and "
                    "%(within)s hours after arrest"
                ),
                **common,
            )
            return arrived
        self.step(
            gettext_noop(
                "s.41(2)%(limb)s: %(within)s hours after entry into England and Wales, %(cap)s, "
                "is earlier than the arrival %(arrived)s"
            )
            if abroad
            else gettext_noop(
                "s.41(2)%(limb)s: %(within)s hours after arrest, %(cap)s, is earlier than the "
                "arrival %(arrived)s"
            ),
            **common,
            cap=describe(cap, zone),
        )
        return cap

    def exact_period(
        self, start: datetime, base: int, requests: Sequence[str], values: Mapping[str, object]
    ) -> datetime:
        rule, unit, zone = self.rule, self.rule.unit, self.zone
        if rule.counting == "relevant_time":
            due = start
        else:
            due = start + elapsed(base, unit)
            self.step(
                gettext_noop(
                    "exact elapsed time: %(n)s %(unit)s from %(start)s, counted in UTC (clock "
                    "changes neither lengthen nor shorten it)"
                ),
                n=base,
                unit=unit_word(unit),
                start=describe(start, zone),
            )
        for ext, added, total in self.extension_units(requests, base):
            due += elapsed(added, unit)
            self.extension_step(
                ext,
                gettext_noop(
                    "extension %(id)s (%(citation)s; approved by %(who)s): +%(added)s %(unit)s, "
                    "%(total)s %(unit)s in all"
                ),
                added=added,
                unit=unit_word(unit),
                total=total,
            )
        for param in rule.params:
            value = values.get(param.name)
            if not value:
                continue
            if param.effect == "adds":
                if isinstance(value, timedelta):
                    due += value
                    self.step(
                        gettext_noop("%(name)s %(value)s not counted (%(notes)s)"),
                        name=param.name,
                        value=str(value),
                        notes=param.notes,
                    )
                elif isinstance(value, bool):
                    assert param.amount is not None  # noqa: S101 - the loader gives a flag its amount
                    due += param.amount.as_timedelta()
                    self.step(
                        gettext_noop("%(name)s: +%(amount)s (%(notes)s)"),
                        name=param.name,
                        amount=param.amount.said(),
                        notes=param.notes,
                    )
                else:
                    # `adds` parameters are H:MM spans, flags or whole numbers (packs.py).
                    assert isinstance(value, int)  # noqa: S101 - see above
                    due += elapsed(value, param.unit)
                    self.step(
                        gettext_noop("%(name)s: +%(value)s %(unit)s (%(notes)s)"),
                        name=param.name,
                        value=value,
                        unit=unit_word(param.unit),
                        notes=param.notes,
                    )
            elif param.effect == "deducts" and isinstance(value, timedelta):
                due -= value
                self.step(
                    gettext_noop("%(name)s %(value)s already spent (%(notes)s)"),
                    name=param.name,
                    value=str(value),
                    notes=param.notes,
                )
        return due

    def caps(self, due: datetime, values: Mapping[str, object]) -> datetime:
        for param in self.rule.params:
            value = values.get(param.name)
            if param.effect == "floor" and isinstance(value, datetime):
                earliest = value + (param.amount.as_timedelta() if param.amount else timedelta(0))
                if due < earliest:
                    self.step(
                        gettext_noop("not before %(name)s (%(notes)s): %(at)s"),
                        name=param.name,
                        notes=param.notes,
                        at=describe(earliest, self.zone),
                    )
                    due = earliest
                else:
                    self.step(
                        gettext_noop(
                            "%(name)s %(at)s is before the deadline (%(notes)s): no change"
                        ),
                        name=param.name,
                        at=describe(earliest, self.zone),
                        notes=param.notes,
                    )
                continue
            if param.effect != "cap" or param.amount is None or not isinstance(value, datetime):
                continue
            limit = value + param.amount.as_timedelta()
            if due > limit:
                self.step(
                    gettext_noop(
                        "capped: ends no later than %(amount)s after %(name)s (%(notes)s): %(at)s"
                    ),
                    amount=param.amount.said(),
                    name=param.name,
                    notes=param.notes,
                    at=describe(limit, self.zone),
                )
                due = limit
            else:
                self.step(
                    gettext_noop("within %(amount)s after %(name)s (%(at)s)"),
                    amount=param.amount.said(),
                    name=param.name,
                    at=describe(limit, self.zone),
                )
        return due


def _who(ext: Extension) -> Said | RoleName:
    """Who approves an extension (and, where the statute says so, who decides it)."""
    if not ext.decided_by:
        return RoleName(ext.approver)
    return Said.of(
        gettext_noop("%(approver)s, decided by %(body)s"),
        approver=RoleName(ext.approver),
        body=ext.decided_by,
    )
