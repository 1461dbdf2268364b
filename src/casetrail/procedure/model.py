"""The shape of a rule pack once loaded: frozen values, no behaviour beyond lookups."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from casetrail.procedure.errors import NotInForce, UnknownRule, gettext_noop
from casetrail.procedure.said import RoleName, Said, Term, amount, unit_word

UNITS = ("hours", "days", "months")

# How a period is counted.
#   exact       elapsed time from the trigger instant (hours; days as multiples of 24 hours)
#   calendar    the trigger day is not counted and the period runs to the end of its last day;
#               months follow the end-of-month rule (CPL art. 105, SPC Interpretation art. 202)
#   relevant_time   PACE s.41(2): the relevant time from arrest, arrival and route
#   working_days    periods stated in working days: the trigger day is not counted, each day
#               that is neither a weekend day nor a statutory holiday counts (an adjusted
#               working day counts), and the period runs to the end of the N-th such day
COUNTINGS = ("exact", "calendar", "relevant_time", "working_days")

# What happens when the last day of a calendar period is a holiday.
HOLIDAY_HANDLING = ("shift", "never", "not_applicable")

ROLES = (
    "intake_officer",
    "case_handler",
    "unit_leader",
    "legal_reviewer",
    "agency_head",
    "custody_officer",
    "property_custodian",
    "supervisor",
    "mediator",
    "administrator",
    # England and Wales (PACE): the review officer of at least the rank of inspector, the
    # superintendent of s.42 and the magistrates' court of ss.43-44.
    "inspector_review",
    "superintendent",
    "magistrates_court",
)

PARAM_TYPES = ("int", "bool", "instant", "choice", "hhmm")
# duration: sets the duration value; adds / deducts: lengthen or shorten the period by excluded
# or already spent time; cap: the period ends no later than the instant plus an amount; input:
# read by the counting itself (the PACE relevant time); floor: the deadline is no earlier than
# the instant plus an optional amount (PACE Code C 12.2: a fresh rest cannot start before the
# interruption under 12.2(a) ends).
PARAM_EFFECTS = ("duration", "adds", "deducts", "cap", "floor", "input")


@dataclass(frozen=True, slots=True)
class Amount:
    value: int
    unit: str

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.value == 1 else self.unit
        return f"{self.value} {unit}"

    def said(self) -> Said:
        """The amount as `__str__` writes it, to be said in the reader's language."""
        return amount(self.value, self.unit)

    def as_timedelta(self) -> timedelta:
        """Hours and days as elapsed time; months have no fixed length."""
        if self.unit == "minutes":
            return timedelta(minutes=self.value)
        if self.unit == "hours":
            return timedelta(hours=self.value)
        if self.unit == "days":
            return timedelta(days=self.value)
        raise ValueError(f"{self} has no fixed elapsed length")


@dataclass(frozen=True, slots=True)
class Citation:
    law: str
    law_zh: str
    version: str
    article: str
    paragraph: str

    def __str__(self) -> str:
        text = f"{self.law} ({self.version}), {self.article}"
        if self.paragraph.startswith("("):
            text += self.paragraph
        elif self.paragraph:
            text += f", {self.paragraph}"
        return text

    def in_chinese(self) -> str:
        """The citation as a Chinese text cites a law: 《中华人民共和国刑事诉讼法》第85条第2款,
        with Arabic numerals. Empty for a law the pack names in English only (gb_eng); an
        article or paragraph written otherwise than "art. N" / "para. N" ("article
        unverified") follows the title as the pack wrote it."""
        if not self.law_zh:
            return ""
        article, paragraph = _articles(self.article), _paragraphs(self.paragraph)
        if article is not None and paragraph is not None:
            return f"《{self.law_zh}》{article}{paragraph}"
        rest = [article or self.article, paragraph or self.paragraph]
        return f"《{self.law_zh}》" + ", ".join(part for part in rest if part)

    def term(self) -> Term:
        """The citation in English and in Chinese, for a sentence that cites it."""
        return Term(str(self), self.in_chinese())

    def as_dict(self) -> dict[str, str]:
        return {
            "law": self.law,
            "law_zh": self.law_zh,
            "version": self.version,
            "article": self.article,
            "paragraph": self.paragraph,
        }


@dataclass(frozen=True, slots=True)
class Trigger:
    event: str
    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class Extension:
    """One way the statute allows a period to be lengthened."""

    id: str
    title_en: str
    title_zh: str  # "" where the pack names the extension in English only (gb_eng)
    # Exactly one of adds / to. adds with value None takes N from the request (ID=N), within
    # [adds_min, adds_max]; `to` is the new total length of the period counted from the trigger.
    adds: Amount | None
    adds_min: int  # 0 unless the extension takes N
    adds_max: int
    to: Amount | None
    unit: str  # always the rule's duration unit
    approver: str
    decided_by: str
    max_times: int
    requires: tuple[str, ...]
    citation: str
    notes: str

    @property
    def takes_n(self) -> bool:
        return self.adds is None and self.to is None

    def describe(self) -> str:
        return str(self.described())

    def described(self, *, by_title: bool = False) -> Said:
        """What the extension does, who approves it and how often, as `describe` writes it,
        to be said in the reader's language; ``by_title`` names it by its title (in Chinese
        where the pack gives one) instead of its id, for a reader who picks it by name."""
        how: Said
        if self.to is not None:
            how = Said.of(gettext_noop("to %(amount)s in all"), amount=self.to.said())
        elif self.adds is not None:
            how = Said.of(gettext_noop("adds %(amount)s"), amount=self.adds.said())
        else:
            how = Said.of(
                gettext_noop("adds N %(unit)s (N from %(low)s to %(high)s)"),
                unit=unit_word(self.unit),
                low=self.adds_min,
                high=self.adds_max,
            )
        who: Said | RoleName = RoleName(self.approver)
        if self.decided_by:
            who = Said.of(
                gettext_noop("%(approver)s; decided by %(body)s"),
                approver=who,
                body=self.decided_by,
            )
        times = (
            Said(gettext_noop("once"))
            if self.max_times == 1
            else Said.of(gettext_noop("at most %(n)s times"), n=self.max_times)
        )
        return Said.of(
            gettext_noop("%(id)s: %(how)s, approved by %(who)s, %(times)s"),
            id=Term(self.title_en, self.title_zh) if by_title else self.id,
            how=how,
            who=who,
            times=times,
        )


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    effect: str
    required: bool
    default: object
    min: int | None
    max: int | None
    choices: tuple[str, ...]
    unit: str  # for int parameters that set or add to the duration
    amount: Amount | None  # for bool `adds` and for `cap`
    notes: str


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path.name}:{self.line}"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title_zh: str
    title_en: str
    citation: Citation
    trigger: Trigger
    duration: Amount | None  # None when a `duration` parameter supplies the value
    counting: str
    counting_basis: str
    holidays: str
    custody: bool
    warn_before: Amount
    extensions: tuple[Extension, ...]
    ceiling: Amount | None
    params: tuple[Param, ...]
    effective_from: date
    effective_to: date | None
    notes: str
    source: Source

    @property
    def unit(self) -> str:
        if self.duration is not None:
            return self.duration.unit
        for param in self.params:
            if param.effect == "duration":
                return param.unit
        raise AssertionError(f"{self.id} has neither a duration nor a duration parameter")

    def period_text(self) -> str:
        """The period as people read it: "3 days", or "N days (param days)" when a parameter
        sets it."""
        if self.duration is not None:
            if self.counting == "working_days":
                return f"{self.duration.value} working {self.duration.unit}"
            return str(self.duration)
        names = [p.name for p in self.params if p.effect == "duration"]
        return f"N {self.unit} (param {names[0]})" if names else f"N {self.unit}"

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def extension(self, extension_id: str) -> Extension:
        for ext in self.extensions:
            if ext.id == extension_id:
                return ext
        known = ", ".join(e.id for e in self.extensions) or "none"
        raise UnknownRule(
            gettext_noop("%(rule)s has no extension %(extension)r (known: %(known)s)"),
            rule=self.id,
            extension=extension_id,
            known=known,
        )

    def param(self, name: str) -> Param | None:
        for param in self.params:
            if param.name == name:
                return param
        return None

    def effective_range(self) -> str:
        end = self.effective_to.isoformat() if self.effective_to else "open"
        return f"{self.effective_from.isoformat()} to {end}"


@dataclass(frozen=True, slots=True)
class Pack:
    id: str
    title_en: str
    title_zh: str
    time_zone: ZoneInfo
    calendar: str
    counting_basis: str
    rules: tuple[Rule, ...]
    aliases: Mapping[str, tuple[str, ...]]
    alias_notes: Mapping[str, str]
    directory: Path
    _by_id: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False, repr=False)

    def rule_ids(self) -> list[str]:
        """Every rule id once, in pack order."""
        return list(dict.fromkeys(rule.id for rule in self.rules))

    def versions(self, rule_id: str) -> tuple[Rule, ...]:
        """The versions of one rule id, oldest first."""
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise UnknownRule(
                gettext_noop("pack %(pack)r has no rule or alias %(rule)r"),
                pack=self.id,
                rule=rule_id,
            ) from None

    def knows(self, rule_id: str) -> bool:
        return rule_id in self._by_id or rule_id in self.aliases

    def rules_named(self, rule_id: str) -> tuple[Rule, ...]:
        """Every version of a rule, or of every member of an alias, oldest first."""
        if rule_id in self.aliases:
            return tuple(r for member in self.aliases[rule_id] for r in self.versions(member))
        return self.versions(rule_id)

    def resolve(self, rule_id: str, on: date) -> Rule:
        """The version of a rule, or the member of an alias, in force on a date."""
        candidates = self.rules_named(rule_id)
        for rule in candidates:
            if rule.in_force_on(on):
                return rule
        ranges = "; ".join(f"{r.id}: {r.effective_range()}" for r in candidates)
        raise NotInForce(
            gettext_noop("no version of %(rule)s is in force on %(day)s (%(ranges)s)"),
            rule=rule_id,
            day=on.isoformat(),
            ranges=ranges,
        )


_NUMBERS = re.compile(r"\d+(?:(?:, |-)\d+)*")


def _numbered(numbers: str, unit: str) -> str:
    """Numbers as a Chinese citation lists them: "16, 92, 103" -> 第16条、第92条、第103条,
    "1-2" -> 第1款至第2款."""
    items = re.split(r"(, |-)", numbers)
    joins = {", ": "、", "-": "至"}
    return "".join(joins.get(item, f"第{item}{unit}") for item in items)


def _articles(text: str) -> str | None:
    if not text:
        return ""
    found = re.fullmatch(r"arts?\. (.+)", text)
    if found and _NUMBERS.fullmatch(found.group(1)):
        return _numbered(found.group(1), "条")
    return None


def _paragraphs(text: str) -> str | None:
    if not text:
        return ""
    found = re.fullmatch(r"paras?\. (.+)", text)
    if not found:
        return None
    numbers = found.group(1)
    item = re.fullmatch(r"(\d+)\((\d+)\)", numbers)
    if item:
        return f"第{item.group(1)}款第{item.group(2)}项"
    return _numbered(numbers, "款") if _NUMBERS.fullmatch(numbers) else None
