"""Loading and validating rule packs: TOML data under packs/<pack>/, one rule per table.

tomllib reports no line numbers for values, so a validation error finds its line by scanning
the file text: the n-th `[[rule]]` header, then the sub-table or key inside it.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from casetrail.procedure.errors import PackError
from casetrail.procedure.model import (
    COUNTINGS,
    HOLIDAY_HANDLING,
    PARAM_EFFECTS,
    PARAM_TYPES,
    ROLES,
    UNITS,
    Amount,
    Citation,
    Extension,
    Pack,
    Param,
    Rule,
    Source,
    Trigger,
)

PACKS_DIR = Path(__file__).parent / "packs"
PACK_FILE = "pack.toml"
ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9.]+)+$")
EXTENSION_ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")

RULE_KEYS = {
    "id",
    "title_zh",
    "title_en",
    "citation",
    "trigger",
    "duration",
    "counting",
    "counting_basis",
    "holidays",
    "custody",
    "warn_before",
    "extension",
    "ceiling",
    "param",
    "effective_from",
    "effective_to",
    "notes",
}
RULE_REQUIRED = (
    "id",
    "title_zh",
    "title_en",
    "citation",
    "trigger",
    "counting",
    "holidays",
    "custody",
    "warn_before",
    "effective_from",
    "notes",
)
CITATION_KEYS = {"law", "law_zh", "version", "article", "paragraph"}
CITATION_REQUIRED = ("law", "version", "article")
TRIGGER_KEYS = {"event", "en", "zh"}
AMOUNT_KEYS = {"value", "unit"}
EXTENSION_KEYS = {
    "id",
    "title_en",
    "title_zh",
    "adds",
    "to",
    "approver",
    "decided_by",
    "max_times",
    "requires",
    "citation",
    "notes",
}
ADDS_KEYS = {"value", "unit", "min", "max"}
PARAM_KEYS = {
    "name",
    "type",
    "effect",
    "required",
    "default",
    "min",
    "max",
    "choices",
    "unit",
    "amount",
    "notes",
}
PACK_KEYS = {"id", "title_en", "title_zh", "time_zone", "calendar", "counting_basis"}
ALIAS_KEYS = {"id", "rules", "notes"}
# What a parameter may lengthen a period by, per counting, as deadlines._Run applies it: elapsed
# time in hours or days (and H:MM spans), a calendar period in days or months, a working-day
# period in working days.
ADDS_UNITS = {
    "exact": ("hours", "days"),
    "relevant_time": ("hours", "days"),
    "calendar": ("days", "months"),
    "working_days": ("days",),
}
TOP_KEYS_PACK_FILE = {"pack", "alias", "rule"}
TOP_KEYS_RULE_FILE = {"rule", "alias"}


def pack_ids() -> list[str]:
    """The packs shipped with casetrail."""
    return sorted(p.name for p in PACKS_DIR.iterdir() if (p / PACK_FILE).is_file())


@functools.cache
def load_pack(pack_id: str) -> Pack:
    """A shipped pack, validated once and cached for the life of the process."""
    directory = PACKS_DIR / pack_id
    if not (directory / PACK_FILE).is_file():
        known = ", ".join(pack_ids())
        raise PackError(directory, None, f"no rule pack {pack_id!r} (known packs: {known})")
    return read_pack(directory)


def read_pack(directory: Path) -> Pack:
    """Read and validate every *.toml file of a pack directory (not cached)."""
    pack_path = directory / PACK_FILE
    if not pack_path.is_file():
        raise PackError(pack_path, None, "a pack needs a pack.toml with a [pack] table")
    reader, data = _parse(pack_path, TOP_KEYS_PACK_FILE)
    header = reader.header(data.get("pack"))
    aliases, rules = _tables(reader, data)
    for path in sorted(directory.glob("*.toml")):
        if path.name == PACK_FILE:
            continue
        more_aliases, more_rules = _tables(*_parse(path, TOP_KEYS_RULE_FILE))
        aliases.extend(more_aliases)
        rules.extend(more_rules)
    return _assemble(header, aliases, rules)


@dataclass
class _Header:
    id: str
    title_en: str
    title_zh: str
    time_zone: ZoneInfo
    calendar: str
    counting_basis: str
    path: Path
    directory: Path


@dataclass
class _Alias:
    id: str
    rules: tuple[str, ...]
    notes: str
    source: Source


def _key(dotted: str) -> str:
    """A pattern for a dotted key as TOML lets it be written: each part bare, "quoted" or
    'quoted', with spaces around the dots."""

    def spellings(part: str) -> str:
        bare = re.escape(part)
        return f"""(?:{bare}|"{bare}"|'{bare}')"""

    return r"\s*\.\s*".join(spellings(part) for part in dotted.split("."))


class _Locator:
    """Finds the line of a rule, its sub-tables and keys in the text of a TOML file."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.rule_starts = self._headers("rule")
        self.alias_starts = self._headers("alias")

    def _headers(self, name: str) -> list[int]:
        pattern = re.compile(r"^\s*\[\[\s*" + _key(name) + r"\s*\]\]\s*(#.*)?$")
        return [i for i, line in enumerate(self.lines) if pattern.match(line)]

    def _bounds(self, starts: list[int], index: int) -> tuple[int, int]:
        if index >= len(starts):
            return 0, len(self.lines)
        end = starts[index + 1] if index + 1 < len(starts) else len(self.lines)
        return starts[index], end

    def rule(self, index: int, *path: str | int) -> int:
        return self._find(self.rule_starts, index, "rule", path)

    def alias(self, index: int, *path: str | int) -> int:
        return self._find(self.alias_starts, index, "alias", path)

    def key(self, key: str) -> int:
        """A top-level or [pack] key, wherever it first appears."""
        pattern = re.compile(r"^\s*\[?\[?\s*" + _key(key) + r"\s*[=\].]")
        for i, line in enumerate(self.lines):
            if pattern.match(line):
                return i + 1
        return 1

    def _find(self, starts: list[int], index: int, prefix: str, path: tuple[str | int, ...]) -> int:
        start, end = self._bounds(starts, index)
        current = start
        for part in path:
            if isinstance(part, int):
                header = re.compile(r"^\s*\[\[\s*" + _key(prefix) + r"\s*\]\]")
                hits = [i for i in range(start, end) if header.match(self.lines[i])]
                if part >= len(hits):
                    # A header this scan cannot read (a quoted key with an escape): the line of
                    # the enclosing table, not of another table of the same array.
                    return start + 1
                current = hits[part]
                start = current
                following = [i for i in hits if i > current]
                end = min(following[0] if following else end, end)
                continue
            table = re.compile(r"^\s*\[\[?\s*" + _key(f"{prefix}.{part}") + r"\s*\]\]?")
            hit = next((i for i in range(current, end) if table.match(self.lines[i])), None)
            if hit is not None:
                current = hit
                prefix = f"{prefix}.{part}"
                continue
            assignment = re.compile(r"^\s*" + _key(part) + r"\s*=")
            hit = next((i for i in range(current, end) if assignment.match(self.lines[i])), None)
            if hit is not None:
                return hit + 1
            return current + 1
        return current + 1


class _Reader:
    """Validates the raw tables of one file, raising PackError at the first problem."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.at = _Locator(text)

    def fail(self, line: int, message: str) -> PackError:
        return PackError(self.path, line, message)

    def unknown_keys(
        self, raw: Mapping[str, Any], allowed: set[str], line_of: Any, what: str
    ) -> None:
        for key in raw:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.fail(
                    line_of(key), f"unknown key {key!r} in {what} (expected: {expected})"
                )

    def text(
        self, raw: Mapping[str, Any], key: str, line: int, what: str, *, required: bool
    ) -> str:
        value = raw.get(key)
        if value is None:
            if required:
                raise self.fail(line, f"{what} is missing {key!r}")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(line, f"{what}: {key!r} must be a non-empty string")
        return value.strip()

    def amount(self, raw: Any, line: int, what: str, units: tuple[str, ...] = UNITS) -> Amount:
        if not isinstance(raw, dict):
            raise self.fail(line, f"{what} must be a table with value and unit")
        self.unknown_keys(raw, AMOUNT_KEYS, lambda _key: line, what)
        value, unit = raw.get("value"), raw.get("unit")
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise self.fail(line, f"{what}: value must be a positive integer, not {value!r}")
        if unit not in units:
            raise self.fail(line, f"{what}: unit {unit!r} is not one of {', '.join(units)}")
        return Amount(value, unit)

    def day(self, raw: Any, line: int, what: str) -> date:
        if isinstance(raw, date) and not hasattr(raw, "hour"):
            return raw
        raise self.fail(line, f"{what} must be a TOML date (YYYY-MM-DD), not {raw!r}")

    def header(self, raw: Any) -> _Header:
        line = self.at.key("pack")
        if not isinstance(raw, dict):
            raise self.fail(line, "pack.toml needs a [pack] table")
        self.unknown_keys(raw, PACK_KEYS, self.at.key, "[pack]")
        pack_id = self.text(raw, "id", line, "[pack]", required=True)
        if pack_id != self.path.parent.name:
            raise self.fail(
                self.at.key("id"),
                f"pack id {pack_id!r} differs from its folder {self.path.parent.name!r}",
            )
        zone_name = self.text(raw, "time_zone", line, "[pack]", required=True)
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(self.at.key("time_zone"), f"unknown time zone {zone_name!r}") from None
        return _Header(
            id=pack_id,
            title_en=self.text(raw, "title_en", line, "[pack]", required=True),
            title_zh=self.text(raw, "title_zh", line, "[pack]", required=True),
            time_zone=zone,
            calendar=self.text(raw, "calendar", line, "[pack]", required=True),
            counting_basis=self.text(raw, "counting_basis", line, "[pack]", required=True),
            path=self.path,
            directory=self.path.parent,
        )

    def alias(self, raw: Any, index: int) -> _Alias:
        line = self.at.alias(index)
        if not isinstance(raw, dict):
            raise self.fail(line, "[[alias]] must be a table")
        self.unknown_keys(raw, ALIAS_KEYS, lambda key: self.at.alias(index, key), "[[alias]]")
        alias_id = self.text(raw, "id", line, "[[alias]]", required=True)
        members = raw.get("rules")
        if (
            not isinstance(members, list)
            or not members
            or not all(isinstance(m, str) for m in members)
        ):
            raise self.fail(
                self.at.alias(index, "rules"), f"alias {alias_id}: rules must list rule ids"
            )
        return _Alias(
            id=alias_id,
            rules=tuple(members),
            notes=self.text(raw, "notes", line, "[[alias]]", required=False),
            source=Source(self.path, line),
        )

    def rule(self, raw: Any, index: int) -> Rule:
        line = self.at.rule(index)
        if not isinstance(raw, dict):
            raise self.fail(line, "[[rule]] must be a table")
        self.unknown_keys(raw, RULE_KEYS, lambda key: self.at.rule(index, key), "[[rule]]")
        rule_id = raw.get("id")
        if not isinstance(rule_id, str) or not ID_PATTERN.match(rule_id):
            raise self.fail(
                line, f"[[rule]] needs an id like CN-CPL91-ARREST-REQUEST, not {rule_id!r}"
            )
        what = f"rule {rule_id}"
        for key in RULE_REQUIRED:
            if key not in raw:
                raise self.fail(line, f"{what} is missing {key!r}")

        citation = self.citation(raw["citation"], index, what)
        trigger_raw = raw["trigger"]
        trigger_line = self.at.rule(index, "trigger")
        if not isinstance(trigger_raw, dict):
            raise self.fail(trigger_line, f"{what}: trigger must be a table with event, en, zh")
        self.unknown_keys(trigger_raw, TRIGGER_KEYS, lambda _k: trigger_line, f"{what} trigger")
        trigger = Trigger(
            event=self.text(trigger_raw, "event", trigger_line, f"{what} trigger", required=True),
            en=self.text(trigger_raw, "en", trigger_line, f"{what} trigger", required=True),
            zh=self.text(trigger_raw, "zh", trigger_line, f"{what} trigger", required=True),
        )

        counting = raw["counting"]
        if counting not in COUNTINGS:
            raise self.fail(
                self.at.rule(index, "counting"),
                f"{what}: counting {counting!r} is not one of {', '.join(COUNTINGS)}",
            )
        holidays = raw["holidays"]
        if holidays not in HOLIDAY_HANDLING:
            raise self.fail(
                self.at.rule(index, "holidays"),
                f"{what}: holidays {holidays!r} is not one of {', '.join(HOLIDAY_HANDLING)}",
            )
        custody = raw["custody"]
        if not isinstance(custody, bool):
            raise self.fail(
                self.at.rule(index, "custody"), f"{what}: custody must be true or false"
            )

        params = tuple(
            self.param(p, index, i, what)
            for i, p in enumerate(self.tables(raw, "param", index, what))
        )
        duration_params = [p for p in params if p.effect == "duration"]
        if "duration" in raw:
            if duration_params:
                raise self.fail(
                    self.at.rule(index, "duration"),
                    f"{what}: give either a duration or a duration parameter, not both",
                )
            duration: Amount | None = self.amount(
                raw["duration"], self.at.rule(index, "duration"), f"{what} duration"
            )
            unit = duration.unit if duration else ""
        elif len(duration_params) == 1:
            duration = None
            unit = duration_params[0].unit
        else:
            raise self.fail(line, f"{what} is missing 'duration' (or one duration parameter)")

        self.check_counting(index, what, counting, holidays, custody, unit)
        self.check_params(index, what, counting, params)
        warn_before = self.amount(
            raw["warn_before"],
            self.at.rule(index, "warn_before"),
            f"{what} warn_before",
            ("minutes", "hours", "days"),
        )
        ceiling = None
        if "ceiling" in raw:
            ceiling = self.amount(raw["ceiling"], self.at.rule(index, "ceiling"), f"{what} ceiling")
            if ceiling.unit != unit:
                raise self.fail(
                    self.at.rule(index, "ceiling"),
                    f"{what}: ceiling is in {ceiling.unit} but the period is counted in {unit}",
                )
            if duration is not None and ceiling.value < duration.value:
                raise self.fail(
                    self.at.rule(index, "ceiling"), f"{what}: ceiling is below the duration"
                )

        extensions = tuple(
            self.extension(e, index, i, what, unit, ceiling)
            for i, e in enumerate(self.tables(raw, "extension", index, what))
        )
        ids = [e.id for e in extensions]
        for i, ext in enumerate(extensions):
            if ids.count(ext.id) > 1:
                raise self.fail(
                    self.at.rule(index, "extension", i), f"{what}: extension {ext.id} twice"
                )
            for needed in ext.requires:
                if needed not in ids or needed == ext.id:
                    raise self.fail(
                        self.at.rule(index, "extension", i, "requires"),
                        f"{what}: extension {ext.id} requires unknown extension {needed!r}",
                    )
        if extensions and ceiling is None:
            raise self.fail(line, f"{what} has extensions but no ceiling (the statutory maximum)")

        effective_from = self.day(
            raw["effective_from"], self.at.rule(index, "effective_from"), f"{what} effective_from"
        )
        effective_to = None
        if "effective_to" in raw:
            effective_to = self.day(
                raw["effective_to"], self.at.rule(index, "effective_to"), f"{what} effective_to"
            )
            if effective_to < effective_from:
                raise self.fail(
                    self.at.rule(index, "effective_to"),
                    f"{what}: effective_to is before effective_from",
                )
        return Rule(
            id=rule_id,
            title_zh=self.text(raw, "title_zh", line, what, required=True),
            title_en=self.text(raw, "title_en", line, what, required=True),
            citation=citation,
            trigger=trigger,
            duration=duration,
            counting=counting,
            counting_basis=self.text(raw, "counting_basis", line, what, required=False),
            holidays=holidays,
            custody=custody,
            warn_before=warn_before,
            extensions=extensions,
            ceiling=ceiling,
            params=params,
            effective_from=effective_from,
            effective_to=effective_to,
            notes=" ".join(self.text(raw, "notes", line, what, required=True).split()),
            source=Source(self.path, line + 0),
        )

    def tables(
        self, raw: Mapping[str, Any], key: str, index: int, what: str
    ) -> list[dict[str, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(
                self.at.rule(index, key), f"{what}: {key} must be [[rule.{key}]] tables"
            )
        return value

    def citation(self, raw: Any, index: int, what: str) -> Citation:
        line = self.at.rule(index, "citation")
        if not isinstance(raw, dict):
            raise self.fail(
                line, f"{what}: citation must be a table (law, version, article, paragraph)"
            )
        self.unknown_keys(
            raw, CITATION_KEYS, lambda key: self.at.rule(index, "citation", key), f"{what} citation"
        )
        for key in CITATION_REQUIRED:
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise self.fail(line, f"{what}: citation is missing {key!r}")
        return Citation(
            law=raw["law"].strip(),
            law_zh=self.text(raw, "law_zh", line, f"{what} citation", required=False),
            version=raw["version"].strip(),
            article=raw["article"].strip(),
            paragraph=self.text(raw, "paragraph", line, f"{what} citation", required=False),
        )

    def check_counting(
        self, index: int, what: str, counting: str, holidays: str, custody: bool, unit: str
    ) -> None:
        line = self.at.rule(index, "counting")
        if counting == "exact" and unit not in ("hours", "days"):
            raise self.fail(line, f"{what}: exact counting needs hours or days, not {unit}")
        if counting == "calendar" and unit not in ("days", "months"):
            raise self.fail(line, f"{what}: calendar counting needs days or months, not {unit}")
        if counting == "relevant_time" and unit != "hours":
            raise self.fail(line, f"{what}: the relevant time is counted in hours")
        if counting == "working_days" and unit != "days":
            raise self.fail(line, f"{what}: working-day counting needs days, not {unit}")
        if counting == "working_days" and custody:
            raise self.fail(
                line,
                f"{what}: a custody period is never counted in working days: holidays would "
                "lengthen it (CPL art. 105)",
            )
        holiday_line = self.at.rule(index, "holidays")
        if counting == "calendar" and holidays == "not_applicable":
            raise self.fail(holiday_line, f"{what}: a calendar period must say shift or never")
        if counting == "working_days" and holidays != "not_applicable":
            raise self.fail(
                holiday_line,
                f"{what}: a working-day period always ends on a working day: "
                "holidays = not_applicable",
            )
        if counting != "calendar" and holidays != "not_applicable":
            raise self.fail(holiday_line, f"{what}: holidays only apply to calendar periods")
        if custody and holidays == "shift":
            raise self.fail(
                holiday_line,
                f"{what}: a custody period is never lengthened for a holiday (CPL art. 105)",
            )

    def check_params(self, index: int, what: str, counting: str, params: tuple[Param, ...]) -> None:
        """Refuse a parameter compute() could not apply to this counting: it would crash or be
        ignored when the deadline is computed, long after the pack loaded."""
        units = ADDS_UNITS[counting]
        for position, param in enumerate(params):
            line = self.at.rule(index, "param", position)
            where = f"{what} param {param.name}"
            if param.effect == "duration" and not param.required and param.default is None:
                raise self.fail(line, f"{where}: a duration parameter is required or has a default")
            if param.effect not in ("adds", "deducts"):
                continue
            if param.type == "hhmm" and counting not in ("exact", "relevant_time"):
                raise self.fail(
                    line,
                    f"{where}: an H:MM span is elapsed time; a {counting} period cannot take it",
                )
            if param.type == "bool" and counting == "working_days":
                raise self.fail(
                    line,
                    f"{where}: a working-day period is lengthened only by a number of working days",
                )
            if param.type == "int" and param.unit not in units:
                raise self.fail(
                    line,
                    f"{where}: a {counting} period is lengthened in {' or '.join(units)}, "
                    f"not {param.unit}",
                )
            if param.type == "bool" and param.amount is not None and param.amount.unit not in units:
                raise self.fail(
                    line,
                    f"{where}: a {counting} period is lengthened in {' or '.join(units)}, "
                    f"not {param.amount.unit}",
                )

    def extension(
        self,
        raw: dict[str, Any],
        index: int,
        position: int,
        what: str,
        unit: str,
        ceiling: Amount | None,
    ) -> Extension:
        line = self.at.rule(index, "extension", position)
        self.unknown_keys(
            raw,
            EXTENSION_KEYS,
            lambda key: self.at.rule(index, "extension", position, key),
            f"{what} extension",
        )
        ext_id = raw.get("id")
        if not isinstance(ext_id, str) or not EXTENSION_ID_PATTERN.match(ext_id):
            raise self.fail(line, f"{what}: extension id {ext_id!r} is not a plain name")
        where = f"{what} extension {ext_id}"
        if ("adds" in raw) == ("to" in raw):
            raise self.fail(
                line, f"{where}: give exactly one of adds (how much) or to (new ceiling)"
            )
        adds = to = None
        adds_min = adds_max = 0
        if "to" in raw:
            to = self.amount(
                raw["to"], self.at.rule(index, "extension", position, "to"), f"{where} to"
            )
            if to.unit != unit:
                raise self.fail(line, f"{where}: extends a period counted in {unit}, not {to.unit}")
            if ceiling is not None and to.value > ceiling.value:
                raise self.fail(line, f"{where}: goes past the rule's ceiling of {ceiling}")
        else:
            adds_raw = raw["adds"]
            adds_line = self.at.rule(index, "extension", position, "adds")
            if not isinstance(adds_raw, dict):
                raise self.fail(adds_line, f"{where}: adds must be a table")
            self.unknown_keys(adds_raw, ADDS_KEYS, lambda _k: adds_line, f"{where} adds")
            if "value" in adds_raw:
                adds = self.amount(
                    {k: v for k, v in adds_raw.items() if k in AMOUNT_KEYS},
                    adds_line,
                    f"{where} adds",
                )
                if adds.unit != unit:
                    raise self.fail(
                        adds_line, f"{where}: adds {adds.unit} to a period counted in {unit}"
                    )
                if "min" in adds_raw or "max" in adds_raw:
                    raise self.fail(adds_line, f"{where}: a fixed amount takes no min or max")
            else:
                low, high = adds_raw.get("min"), adds_raw.get("max")
                if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high):
                    raise self.fail(
                        adds_line, f"{where}: a variable extension needs 1 <= min <= max"
                    )
                adds_min, adds_max = low, high
                if adds_raw.get("unit", unit) != unit:
                    raise self.fail(
                        adds_line, f"{where}: adds {adds_raw['unit']} to a period in {unit}"
                    )
        approver = raw.get("approver")
        if approver not in ROLES:
            raise self.fail(
                self.at.rule(index, "extension", position, "approver"),
                f"{where}: approver {approver!r} is not a role ({', '.join(ROLES)})",
            )
        max_times = raw.get("max_times", 1)
        if not isinstance(max_times, int) or isinstance(max_times, bool) or max_times < 1:
            raise self.fail(line, f"{where}: max_times must be a positive integer")
        requires = raw.get("requires", [])
        if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
            raise self.fail(line, f"{where}: requires must list extension ids")
        return Extension(
            id=ext_id,
            title_en=self.text(raw, "title_en", line, where, required=True),
            title_zh=self.text(raw, "title_zh", line, where, required=False),
            adds=adds,
            adds_min=adds_min,
            adds_max=adds_max,
            to=to,
            unit=unit,
            approver=str(approver),
            decided_by=self.text(raw, "decided_by", line, where, required=False),
            max_times=max_times,
            requires=tuple(requires),
            citation=self.text(raw, "citation", line, where, required=True),
            notes=" ".join(self.text(raw, "notes", line, where, required=False).split()),
        )

    def param(self, raw: dict[str, Any], index: int, position: int, what: str) -> Param:
        line = self.at.rule(index, "param", position)
        self.unknown_keys(
            raw,
            PARAM_KEYS,
            lambda key: self.at.rule(index, "param", position, key),
            f"{what} param",
        )
        name = raw.get("name")
        if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9_]*$", name):
            raise self.fail(line, f"{what}: param name {name!r} must be snake_case")
        where = f"{what} param {name}"
        kind, effect = raw.get("type"), raw.get("effect")
        if kind not in PARAM_TYPES:
            raise self.fail(line, f"{where}: type {kind!r} is not one of {', '.join(PARAM_TYPES)}")
        if effect not in PARAM_EFFECTS:
            raise self.fail(
                line, f"{where}: effect {effect!r} is not one of {', '.join(PARAM_EFFECTS)}"
            )
        unit = raw.get("unit", "")
        if unit and unit not in UNITS:
            raise self.fail(line, f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}")
        amount = None
        if "amount" in raw:
            amount = self.amount(raw["amount"], line, f"{where} amount", ("hours", "days"))
        allowed = {
            "duration": {"int"},
            "adds": {"int", "bool", "hhmm"},
            "deducts": {"hhmm"},
            "cap": {"instant"},
            "floor": {"instant"},
            "input": set(PARAM_TYPES),
        }[str(effect)]
        if kind not in allowed:
            raise self.fail(line, f"{where}: a {effect} parameter cannot be of type {kind}")
        if kind == "int" and effect in ("duration", "adds") and not unit:
            raise self.fail(line, f"{where}: an int {effect} parameter needs a unit")
        if ((kind == "bool" and effect == "adds") or effect == "cap") and amount is None:
            raise self.fail(line, f"{where}: needs an amount")
        low, high = raw.get("min"), raw.get("max")
        for bound in (low, high):
            if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
                raise self.fail(line, f"{where}: min and max must be integers")
        choices = raw.get("choices", [])
        if kind == "choice" and (not choices or not all(isinstance(c, str) for c in choices)):
            raise self.fail(line, f"{where}: a choice parameter lists its choices")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            raise self.fail(line, f"{where}: required must be true or false")
        return Param(
            name=name,
            type=str(kind),
            effect=str(effect),
            required=required,
            default=raw.get("default"),
            min=low,
            max=high,
            choices=tuple(choices),
            unit=unit,
            amount=amount,
            notes=" ".join(self.text(raw, "notes", line, where, required=True).split()),
        )


def _parse(path: Path, allowed: set[str]) -> tuple[_Reader, dict[str, Any]]:
    """A pack file's tables, refused if it is not TOML or has a top-level key not `allowed`."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        raise PackError(
            path, int(found.group(1)) if found else None, f"not valid TOML: {error}"
        ) from None
    reader = _Reader(path, text)
    for key in data:
        if key not in allowed:
            raise reader.fail(
                reader.at.key(key),
                f"unknown top-level key {key!r} (expected: {', '.join(sorted(allowed))})",
            )
    return reader, data


def _tables(reader: _Reader, data: dict[str, Any]) -> tuple[list[_Alias], list[Rule]]:
    """The [[alias]] and [[rule]] tables of a parsed pack file, validated."""
    raw_aliases = data.get("alias", [])
    raw_rules = data.get("rule", [])
    if not isinstance(raw_aliases, list) or not isinstance(raw_rules, list):
        raise reader.fail(1, "rules and aliases are arrays of tables: [[rule]] and [[alias]]")
    aliases = [reader.alias(raw, i) for i, raw in enumerate(raw_aliases)]
    rules = [reader.rule(raw, i) for i, raw in enumerate(raw_rules)]
    return aliases, rules


def _assemble(header: _Header, aliases: list[_Alias], rules: list[Rule]) -> Pack:
    rules = [
        rule if rule.counting_basis else replace(rule, counting_basis=header.counting_basis)
        for rule in rules
    ]
    by_id: dict[str, list[Rule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    for versions in by_id.values():
        versions.sort(key=lambda r: r.effective_from)
        _check_no_overlap(versions, what=f"rule {versions[0].id}")
    alias_map: dict[str, tuple[str, ...]] = {}
    alias_notes: dict[str, str] = {}
    for alias in aliases:
        if alias.id in by_id or alias.id in alias_map:
            raise PackError(
                alias.source.path, alias.source.line, f"alias {alias.id} is already an id"
            )
        for member in alias.rules:
            if member not in by_id:
                raise PackError(
                    alias.source.path, alias.source.line, f"alias {alias.id}: no rule {member}"
                )
        members = sorted((r for m in alias.rules for r in by_id[m]), key=lambda r: r.effective_from)
        _check_no_overlap(members, what=f"alias {alias.id}", source=alias.source)
        alias_map[alias.id] = alias.rules
        alias_notes[alias.id] = " ".join(alias.notes.split())
    return Pack(
        id=header.id,
        title_en=header.title_en,
        title_zh=header.title_zh,
        time_zone=header.time_zone,
        calendar=header.calendar,
        counting_basis=header.counting_basis,
        rules=tuple(rules),
        aliases=alias_map,
        alias_notes=alias_notes,
        directory=header.directory,
        _by_id={rule_id: tuple(versions) for rule_id, versions in by_id.items()},
    )


def _check_no_overlap(rules: list[Rule], *, what: str, source: Source | None = None) -> None:
    for earlier, later in itertools.pairwise(rules):
        if earlier.effective_to is None or later.effective_from <= earlier.effective_to:
            where = source or later.source
            raise PackError(
                where.path,
                where.line,
                f"{what}: effective ranges overlap: {later.id} ({later.source}) from "
                f"{later.effective_from.isoformat()} and {earlier.id} ({earlier.source}) "
                f"{earlier.effective_range()}",
            )
