"""The catalogue of legal documents, per rule pack: data under catalogue/<pack>.toml.

Each `[[document]]` table is one type of legal instrument: its titles, the statute it rests on,
the body template, what it draws from the case, how it is numbered, who approves it, whom it is
served on and under which service rule of the same procedure pack, its copies, whether the
party signs, the step of the case it belongs to, and what the drafter types in by hand.

The loader validates the data the way procedure/packs.py validates the rule packs: a mistake
stops loading with a message that names the file (and line), the document and the key.

Framework-light: the module needs no Django settings. It reads the role, measure and case-state
values it checks against from their modules, and touches Django's template engine only in
`render_body`.

Numbering follows GB/T 9704-2012 (党政机关公文格式) 7.2.4: the agency's code, the year in full in
hexagonal brackets 〔〕 and the serial without leading zeros and without 第, e.g.
`江公(东)拘字〔2026〕12号`. Several types may share a series (字): numbering runs per issuing
agency, pack, series and year, so types sharing a series draw their numbers from one counter.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args

from casetrail.cases.machine import Status
from casetrail.custody.measures import MeasureKind
from casetrail.org.roles import Role
from casetrail.procedure import ProcedureError, load_pack

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
TEMPLATES_DIR = Path(__file__).parent / "templates"

ParamKind = Literal["text", "whole", "money", "day"]
PARAM_KINDS: tuple[str, ...] = get_args(ParamKind)
DRAWS = ("case", "incident", "parties", "person", "measure", "items", "decision")
SERVED_ON = (
    "none",
    "person",
    "family",
    "reporter",
    "victim",
    "procuratorate",
    "court",
    "detention_house",
)
COPIES = ("stub", "original", "duplicate", "file")
INCIDENT_STEPS = ("recorded", "accepted", "no_case")
PLACEHOLDERS = ("prefix", "series", "year", "serial")

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
TOP_KEYS = {"catalogue", "document"}
HEADER_KEYS = {"pack", "numbering", "notes"}
DOCUMENT_KEYS = {
    "id",
    "title_zh",
    "title_en",
    "basis",
    "template",
    "draws",
    "series",
    "numbering",
    "approval",
    "served_on",
    "service_rule",
    "copies",
    "party_signs",
    "step",
    "alone",
    "param",
    "notes",
}
DOCUMENT_REQUIRED = (
    "id",
    "title_zh",
    "title_en",
    "basis",
    "draws",
    "series",
    "approval",
    "served_on",
    "copies",
    "party_signs",
)
PARAM_KEYS = {"name", "label_zh", "label_en", "kind", "required", "max_length"}


class CatalogueError(ValueError):
    """A catalogue that does not validate, or a look-up it cannot answer: the message names the
    file (with the line where it can be found), the document type and the key."""

    def __init__(
        self,
        path: Path | str,
        entry: str | None,
        key: str | None,
        message: str,
        *,
        line: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.entry = entry
        self.key = key
        self.line = line
        self.message = message
        parts = [f"{self.path}:{line}" if line is not None else str(self.path)]
        if entry is not None:
            parts.append(f"document {entry!r}")
        if key is not None:
            parts.append(f"key {key!r}")
        super().__init__(f"{': '.join(parts)}: {message}")


@dataclass(frozen=True)
class Param:
    """A value the drafter types in because the case does not hold it."""

    name: str
    label_zh: str
    label_en: str
    kind: ParamKind
    required: bool
    max_length: int | None  # text only: the longest value accepted

    def label(self, language: str) -> str:
        """The label in a language code as Django gives it ("zh-hans", "en")."""
        return self.label_zh if language.lower().startswith("zh") else self.label_en


@dataclass(frozen=True)
class DocumentType:
    pack: str
    id: str
    title_zh: str
    title_en: str
    basis: str
    template: str
    draws: tuple[str, ...]  # subset of DRAWS
    series: str  # the 字 of the number, e.g. "拘"
    numbering: str  # a format with {prefix} {series} {year} {serial}
    approval: tuple[str, ...]  # casetrail.org.roles.Role values, in order; may be empty
    served_on: str  # one of SERVED_ON
    service_rule: str  # a rule or alias id of the same procedure pack, or ""
    copies: tuple[str, ...]  # of COPIES
    party_signs: bool
    step: str  # "" or a step (see check_step)
    params: tuple[Param, ...]
    notes: str = ""  # what a legal reviewer should know: readings, articles not verified
    # A measure's own document that is also drafted by hand on its own (a penalty decision for
    # a fine or a warning, with no administrative detention to draft it).
    alone: bool = False

    def title(self, language: str) -> str:
        """The title in a language code as Django gives it ("zh-hans", "en")."""
        return self.title_zh if language.lower().startswith("zh") else self.title_en

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def check_step(step: str) -> str | None:
    """What is wrong with a step, or None when it is one the catalogue knows:

    - `measure:<kind>`: starting a measure (MeasureKind values, custody/measures.py);
    - `notice:<kind>`: the notice to the family of a measure of that kind;
    - `incident:recorded`, `incident:accepted`, `incident:no_case`;
    - `case:<status>`: the case move that reaches that state (cases/machine.py Status values,
      e.g. `case:registered`, `case:not_registered`, `case:withdrawn`, `case:concluded`);
    - `extension`: a request to extend a custody period.
    """
    if step in ("", "extension"):
        return None
    area, _, value = step.partition(":")
    known: tuple[str, ...]
    if area in ("measure", "notice"):
        known = tuple(kind.value for kind in MeasureKind)
    elif area == "incident":
        known = INCIDENT_STEPS
    elif area == "case":
        known = tuple(status.value for status in Status)
    else:
        return (
            f"step {step!r} is not one of measure:<kind>, notice:<kind>, incident:<event>, "
            "case:<state>, extension"
        )
    if value not in known:
        return f"step {step!r}: {value!r} is not one of {', '.join(known)}"
    return None


def check_numbering(numbering: str, pack: str) -> str | None:
    """What is wrong with a numbering format, or None.

    A number names the agency, the series, the year and the serial, so that no two documents
    print the same number. GB/T 9704-2012 7.2.4 for the cn pack: the full year in 〔〕, the
    serial without leading zeros (no format spec) and without 第, followed by 号.
    """
    try:
        parsed = list(string.Formatter().parse(numbering))
    except ValueError as error:
        return f"numbering {numbering!r} is not a valid format: {error}"
    fields = []
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            return f"numbering {numbering!r}: unknown placeholder {{{field}}}"
        if spec or conversion:
            return (
                f"numbering {numbering!r}: {{{field}}} takes no format spec or conversion "
                "(a serial has no leading zeros)"
            )
        fields.append(field)
    for needed in PLACEHOLDERS:
        if needed not in fields:
            return f"numbering {numbering!r} needs {{{needed}}}"
        if fields.count(needed) > 1:
            return f"numbering {numbering!r} names {{{needed}}} twice"
    if pack == "cn":
        if "〔{year}〕" not in numbering:
            return f"numbering {numbering!r}: a cn number has the full year in 〔{{year}}〕"
        if not numbering.endswith("{serial}号"):
            return f"numbering {numbering!r}: a cn number ends with {{serial}}号"
        if "第" in numbering:
            return f"numbering {numbering!r}: a cn number has no 第 (GB/T 9704-2012 7.2.4)"
    return None


def format_number(doc_type: DocumentType, *, prefix: str, year: int, serial: int) -> str:
    """The number of one document: `江公(东)拘字〔2026〕12号` for prefix 江公(东), series 拘,
    year 2026 and serial 12."""
    for name, value, low, high in (("year", year, 1, 9999), ("serial", serial, 1, None)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an integer, not {value!r}")
        if value < low or (high is not None and value > high):
            raise ValueError(f"{name} {value} is out of range")
    return doc_type.numbering.format(
        prefix=prefix, series=doc_type.series, year=year, serial=serial
    )


def catalogue_packs() -> list[str]:
    """The packs with a shipped catalogue."""
    return sorted(p.stem for p in CATALOGUE_DIR.glob("*.toml"))


@functools.cache
def _shipped(pack: str) -> dict[str, DocumentType]:
    path = CATALOGUE_DIR / f"{pack}.toml"
    if not path.is_file():
        known = ", ".join(catalogue_packs())
        raise CatalogueError(path, None, None, f"no document catalogue for pack {pack!r} ({known})")
    return load_catalogue(path, pack)


def catalogue(pack: str) -> dict[str, DocumentType]:
    """The shipped catalogue of a pack, by type id in file order; validated once and cached."""
    return dict(_shipped(pack))


def document_type(pack: str, type_id: str) -> DocumentType:
    types = _shipped(pack)
    if type_id not in types:
        raise CatalogueError(
            CATALOGUE_DIR / f"{pack}.toml",
            type_id,
            "id",
            f"no document type {type_id!r} in the {pack} catalogue (known: {', '.join(types)})",
        )
    return types[type_id]


def for_step(pack: str, step: str) -> tuple[DocumentType, ...]:
    """The types a step of a case produces, in catalogue order (usually one)."""
    problem = check_step(step)
    if problem is not None:
        raise CatalogueError(CATALOGUE_DIR / f"{pack}.toml", None, "step", problem)
    return tuple(t for t in _shipped(pack).values() if t.step == step)


def language_of(pack: str) -> str:
    """The language a pack's documents are written in, whoever drafts or reads them."""
    return "zh-hans" if pack == "cn" else "en"


def render_body(doc_type: DocumentType, context: dict[str, Any]) -> str:
    """The body of a document (an HTML fragment) from its template and the case's data, in the
    document's own language (dates, months, choices), never the caller's."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language_of(doc_type.pack)):
        return render_to_string(doc_type.template, context)


def default_template(pack: str, type_id: str) -> str:
    return f"documents/body/{pack}/{type_id}.html"


def load_catalogue(
    path: Path, pack: str, *, templates: Path = TEMPLATES_DIR
) -> dict[str, DocumentType]:
    """Read and validate one catalogue file (not cached). `templates` is the folder the
    template names are relative to."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        raise CatalogueError(
            path,
            None,
            None,
            f"not valid TOML: {error}",
            line=int(found.group(1)) if found else None,
        ) from None
    reader = _Reader(path, text, pack, templates)
    return reader.read(data)


class _Reader:
    def __init__(self, path: Path, text: str, pack: str, templates: Path) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.pack = pack
        self.templates = templates
        header = re.compile(r"^\s*\[\[\s*document\s*\]\]")
        self.starts = [i for i, line in enumerate(self.lines) if header.match(line)]
        self.index = 0
        self.entry: str | None = None

    def _line(self, key: str | None) -> int | None:
        """The line of a key: inside the current [[document]] while one is read (a parameter's
        key after its [[document.param]] header), else anywhere; else the table's own line."""
        start, end = 0, len(self.lines)
        if self.entry is not None and self.index < len(self.starts):
            start = self.starts[self.index]
            if self.index + 1 < len(self.starts):
                end = self.starts[self.index + 1]
        if key is not None:
            name = key.removeprefix("param.")
            pattern = re.compile(r"^\s*\[?\[?\s*" + re.escape(name) + r"\s*[=\]]")
            for i in range(start, end):
                if pattern.match(self.lines[i]):
                    return i + 1
        return start + 1 if self.entry is not None else None

    def fail(self, key: str | None, message: str) -> CatalogueError:
        return CatalogueError(self.path, self.entry, key, message, line=self._line(key))

    def read(self, data: dict[str, Any]) -> dict[str, DocumentType]:
        for key in data:
            if key not in TOP_KEYS:
                raise self.fail(key, f"unknown top-level key (expected: {', '.join(TOP_KEYS)})")
        header = data.get("catalogue", {})
        if not isinstance(header, dict):
            raise self.fail("catalogue", "[catalogue] must be a table")
        for key in header:
            if key not in HEADER_KEYS:
                expected = ", ".join(sorted(HEADER_KEYS))
                raise self.fail(key, f"unknown key in [catalogue] (expected: {expected})")
        if header.get("pack", self.pack) != self.pack:
            raise self.fail("pack", f"the file is for pack {header['pack']!r}, not {self.pack!r}")
        default_numbering = header.get("numbering", "")
        if not isinstance(default_numbering, str):
            raise self.fail("numbering", "the default numbering must be a string")
        if default_numbering:
            problem = check_numbering(default_numbering, self.pack)
            if problem is not None:
                raise self.fail("numbering", problem)
        try:
            procedure = load_pack(self.pack)
        except ProcedureError as error:
            raise self.fail(None, f"no procedure pack {self.pack!r}: {error}") from None
        raw_types = data.get("document", [])
        if not isinstance(raw_types, list) or not raw_types:
            raise self.fail("document", "a catalogue lists its types as [[document]] tables")
        types: dict[str, DocumentType] = {}
        for index, raw in enumerate(raw_types):
            self.index = index
            self.entry = None
            doc = self.document(raw, default_numbering, procedure.knows)
            if doc.id in types:
                raise self.fail("id", f"the id {doc.id!r} is already used by an earlier document")
            types[doc.id] = doc
        return types

    def document(
        self, raw: Any, default_numbering: str, knows: Callable[[str], bool]
    ) -> DocumentType:
        if not isinstance(raw, dict):
            raise self.fail(None, "[[document]] must be a table")
        type_id = raw.get("id")
        if not isinstance(type_id, str) or not ID_PATTERN.match(type_id):
            raise self.fail("id", f"a document needs a snake_case id, not {type_id!r}")
        self.entry = type_id
        for key in raw:
            if key not in DOCUMENT_KEYS:
                expected = ", ".join(sorted(DOCUMENT_KEYS))
                raise self.fail(key, f"unknown key (expected: {expected})")
        for key in DOCUMENT_REQUIRED:
            if key not in raw:
                raise self.fail(key, "missing")

        template = self.text(raw, "template", required=False) or default_template(
            self.pack, type_id
        )
        if ".." in Path(template).parts or Path(template).is_absolute():
            raise self.fail("template", f"template {template!r} must be a relative name")
        if not (self.templates / template).is_file():
            raise self.fail("template", f"no template {template} under {self.templates}")

        numbering = self.text(raw, "numbering", required=False) or default_numbering
        if not numbering:
            raise self.fail("numbering", "missing, and [catalogue] gives no default")
        problem = check_numbering(numbering, self.pack)
        if problem is not None:
            raise self.fail("numbering", problem)

        approval = self.choices(raw, "approval", tuple(role.value for role in Role), empty=True)
        served_on = self.text(raw, "served_on", required=True)
        if served_on not in SERVED_ON:
            raise self.fail("served_on", f"{served_on!r} is not one of {', '.join(SERVED_ON)}")
        service_rule = self.text(raw, "service_rule", required=False)
        if service_rule and not knows(service_rule):
            raise self.fail(
                "service_rule", f"the {self.pack} procedure pack has no rule {service_rule!r}"
            )
        if service_rule and served_on == "none":
            raise self.fail("service_rule", "a document served on nobody has no service rule")
        party_signs = raw["party_signs"]
        if not isinstance(party_signs, bool):
            raise self.fail("party_signs", "must be true or false")
        step = self.text(raw, "step", required=False)
        problem = check_step(step)
        if problem is not None:
            raise self.fail("step", problem)
        alone = raw.get("alone", False)
        if not isinstance(alone, bool):
            raise self.fail("alone", "must be true or false")
        if alone and not step.startswith("measure:"):
            raise self.fail(
                "alone", "only a measure's own document (step measure:<kind>) is drafted alone too"
            )
        return DocumentType(
            pack=self.pack,
            id=type_id,
            title_zh=self.text(raw, "title_zh", required=True),
            title_en=self.text(raw, "title_en", required=True),
            basis=self.text(raw, "basis", required=True),
            template=template,
            draws=self.choices(raw, "draws", DRAWS, empty=True),
            series=self.text(raw, "series", required=True),
            numbering=numbering,
            approval=approval,
            served_on=served_on,
            service_rule=service_rule,
            copies=self.choices(raw, "copies", COPIES, empty=False),
            party_signs=party_signs,
            step=step,
            params=self.params(raw.get("param", [])),
            notes=" ".join(self.text(raw, "notes", required=False).split()),
            alone=alone,
        )

    def text(self, raw: Mapping[str, Any], key: str, *, required: bool) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, not {value!r}")
        value = value.strip()
        if required and not value:
            raise self.fail(key, "must not be empty")
        return value

    def choices(
        self, raw: Mapping[str, Any], key: str, allowed: tuple[str, ...], *, empty: bool
    ) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of strings")
        if not value and not empty:
            raise self.fail(key, "must not be empty")
        for item in value:
            if item not in allowed:
                raise self.fail(key, f"{item!r} is not one of {', '.join(allowed)}")
        if len(set(value)) != len(value):
            raise self.fail(key, "lists a value twice")
        return tuple(value)

    def params(self, raw: Any) -> tuple[Param, ...]:
        if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
            raise self.fail("param", "parameters are [[document.param]] tables")
        params: list[Param] = []
        for item in raw:
            for key in item:
                if key not in PARAM_KEYS:
                    expected = ", ".join(sorted(PARAM_KEYS))
                    raise self.fail(f"param.{key}", f"unknown key (expected: {expected})")
            name = item.get("name")
            if not isinstance(name, str) or not ID_PATTERN.match(name):
                raise self.fail("param.name", f"a parameter needs a snake_case name, not {name!r}")
            if any(p.name == name for p in params):
                raise self.fail("param.name", f"parameter {name!r} is listed twice")
            kind = item.get("kind")
            if kind not in PARAM_KINDS:
                raise self.fail(
                    "param.kind", f"parameter {name}: {kind!r} is not one of {PARAM_KINDS}"
                )
            required = item.get("required", False)
            if not isinstance(required, bool):
                raise self.fail("param.required", f"parameter {name}: must be true or false")
            max_length = item.get("max_length")
            if kind == "text":
                if (
                    not isinstance(max_length, int)
                    or isinstance(max_length, bool)
                    or max_length < 1
                ):
                    raise self.fail(
                        "param.max_length", f"parameter {name}: a text needs a max_length >= 1"
                    )
            elif max_length is not None:
                raise self.fail("param.max_length", f"parameter {name}: only a text has one")
            labels = {}
            for label in ("label_zh", "label_en"):
                value = item.get(label)
                if not isinstance(value, str) or not value.strip():
                    raise self.fail(f"param.{label}", f"parameter {name}: must not be empty")
                labels[label] = value.strip()
            params.append(
                Param(
                    name=name,
                    label_zh=labels["label_zh"],
                    label_en=labels["label_en"],
                    kind=cast(ParamKind, kind),
                    required=required,
                    max_length=max_length,
                )
            )
        return tuple(params)
