"""One typed input per action, shared by both doors (DESIGN.md: one door behind two entrances).

An action's input is a frozen dataclass derived from `Input`; each field's annotation carries
its spec::

    @dataclass(frozen=True, kw_only=True)
    class IncidentInput(Input):
        unit_id: Annotated[int, Ref(Unit, _("Unit"))]
        channel: Annotated[str, Choice(Incident, "channel")]
        received_at: Annotated[datetime, When(Incident, "received_at")]
        reporter_name: Annotated[str, Text(Incident, "reporter_name")]
        reporter_contact: Annotated[str, Text(Incident, "reporter_contact")] = ""

A field's limits are stated once: on the model field the spec names (max_length, choices,
verbose_name) or, for what no model stores, in the spec itself. From that one statement:

- constructing the input checks every limit and normalises text, raising `Refused` that names
  the field, so an action called from the demo, a loader or a test is held to the same limits
  as one called from a request;
- `schema_of(IncidentInput)` is the API's request body, with the same limits in the OpenAPI;
- `form_of(IncidentInput)` is the page's form: the same names, labels and limits.

The API builds ``IncidentInput(**payload.dict())`` and the page ``form.to_input()``: neither maps
a field by hand. Rules that depend on the world (who may be an escort, whether a time is in the
future, which moves a case allows) belong to the action and its access gate, never here.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

from django import forms
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import AwareDatetime, Field, StringConstraints, create_model

from casetrail.errors import Refused
from casetrail.web.language import pick

# The largest primary key either database stores (a signed 64-bit integer): a larger id is a
# refusal naming its field, never an overflow deep in a driver.
MAX_ID = 2**63 - 1
# Times and dates the system accepts at all. An event of casetrail's cases happens after 1970
# (a cold case's report included) and before 2100; birth dates reach back to 1900.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
FIRST_BIRTH = date(1900, 1, 1)
RecordId = Annotated[int, Field(ge=1, le=MAX_ID, description="a record number")]
"""An API path's or query's record number: the same bounds as a `Ref` in a body."""


def record_number(text: object) -> int | None:
    """The record number a path, a form field or a query string names: ASCII digits from 1 to
    MAX_ID, else None. (``str.isdigit`` alone passes "²", which ``int`` refuses, and numbers
    no database stores.)"""
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


LAST_DAY = date(2099, 12, 31)

# Characters refused in any text: C0/C1 controls (bar tab and newline where text may run over
# lines), and the bidirectional overrides and isolates that make text read other than it is
# stored (U+202E turns "gpj.exe" into "exe.jpg"). Left-to-right and right-to-left marks are
# refused in one-line text (names, numbers), allowed in running text.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_MARKS = "\u200e\u200f\u061c"
_INVISIBLE = re.compile("[\\s\u200b\u200c\u200d\u2060\ufeff\u180e\u3164\u115f\u1160]+")

# The same refusals as JSON Schema patterns, for the API's document (a client, or schemathesis,
# then never sends what `Text.check` refuses). Written with \\uXXXX escapes, read alike by
# ECMA-262, Python's re and Rust's regex. `_BLANK` is stricter than `_INVISIBLE` plus the
# refused characters (it takes every separator and format character near them), so a required
# text that matches the pattern always has something visible once stripped.
_CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069"
_CONTROLS_MULTILINE = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069"
_MARKS_PATTERN = "\\u200e\\u200f\\u061c"
_BLANK = (
    "\\u0000-\\u0020\\u007f-\\u00a0\\u061c\\u115f\\u1160\\u1680\\u180e\\u2000-\\u200f"
    "\\u2028-\\u202f\\u205f-\\u206f\\u3000\\u3164\\ufeff"
)


CODE_PATTERN = f"^[^{_BLANK}]+$"
"""A code (an offence category's, ...) as the document states it: no blank characters."""


def text_pattern(*, multiline: bool, required: bool) -> str:
    """The JSON Schema pattern of a text `Text.check` accepts (before its length limit)."""
    refused = _CONTROLS_MULTILINE if multiline else _CONTROLS + _MARKS_PATTERN
    allowed = f"[^{refused}]"
    if not required:
        return f"^{allowed}*$"
    return f"^{allowed}*[^{_BLANK}]{allowed}*$"


def _years(low: int, high: int) -> str:
    """A pattern for the four-digit years from ``low`` to ``high`` (same century digits or
    spanning whole centuries as casetrail's bounds do)."""
    parts = []
    for century in range(low // 100, high // 100 + 1):
        first = max(low, century * 100) % 100
        last = min(high, century * 100 + 99) % 100
        for decade in range(first // 10, last // 10 + 1):
            lo = max(first, decade * 10) % 10
            hi = min(last, decade * 10 + 9) % 10
            digit = f"{lo}" if lo == hi else f"[{lo}-{hi}]"
            parts.append(f"{century:02d}{decade}{digit}")
    return "(?:" + "|".join(parts) + ")"


# Month and day as a pattern: days 01 to 28 only, so every string the pattern admits is a real
# date (a pattern cannot know February); the API accepts the 29th to 31st all the same.
_MONTH_DAY = "-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
_TIME = "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?"
_OFFSET = "(?:Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9])"


def day_pattern(low: date, high: date) -> str:
    """The dates of the whole years within [low, high], as a pattern: a date the pattern admits
    is always one `Day.check` accepts."""
    first = low.year if (low.month, low.day) == (1, 1) else low.year + 1
    last = high.year if (high.month, high.day) == (12, 31) else high.year - 1
    return f"^{_years(first, last)}{_MONTH_DAY}$"


def when_pattern() -> str:
    """Instants with an offset in the years after EARLIEST's and before LATEST's: whatever the
    offset (at most 13:59 either way), the instant lies inside [EARLIEST, LATEST)."""
    return f"^{_years(EARLIEST.year + 1, LATEST.year - 1)}{_MONTH_DAY}{_TIME}{_OFFSET}$"


bilingual = lazy(pick, str)
"""A label kept in both languages where no catalogue holds it (the state machine's, the rule
packs'): shown in the language of the request."""


def _label(field: models.Field[Any, Any] | None, given: Any, name: str) -> Any:
    if given is not None:
        return given
    if field is not None and field.verbose_name:
        return field.verbose_name
    return name.replace("_", " ")


def _model_field(model: type[models.Model] | None, name: str | None) -> Any:
    if model is None:
        return None
    return model._meta.get_field(name or "")


class Spec:
    """What one field of an input accepts. Subclasses say how to check a value, how the API's
    schema declares it and which form field the page shows."""

    label: Any = None

    def check(self, value: Any, name: str, label: str, required: bool) -> Any:
        raise NotImplementedError

    def annotation(self, required: bool) -> Any:
        raise NotImplementedError

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        raise NotImplementedError

    def describe(self) -> str:
        return ""

    def title(self, name: str) -> Any:
        return self.label if self.label is not None else name.replace("_", " ")


def _refuse(name: str, message: str) -> Refused:
    return Refused(message, field=name)


class Text(Spec):
    """Text: NFC-normalised, stripped, no control or bidi-override characters, not empty once
    invisible characters are removed when required, and never longer than its limit (refused
    with the field named, not cut)."""

    def __init__(
        self,
        model: type[models.Model] | None = None,
        field: str | None = None,
        *,
        max_length: int | None = None,
        label: Any = None,
        multiline: bool | None = None,
        pattern: str | None = None,
        pattern_text: Any = None,
    ) -> None:
        source = _model_field(model, field)
        self.max_length = max_length or (getattr(source, "max_length", None) if source else None)
        if self.max_length is None:
            raise TypeError(f"{model}.{field}: a text input needs a max_length")
        self.label = _label(source, label, field or "")
        self.multiline = (
            multiline if multiline is not None else isinstance(source, models.TextField)
        )
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_text = pattern_text

    def check(self, value: Any, name: str, label: str, required: bool) -> str:
        if not isinstance(value, str):
            raise _refuse(name, _("%(field)s must be text") % {"field": label})
        text = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
        allowed = "\t\n" if self.multiline else ""
        for char in text:
            bad = char in _BIDI or (not self.multiline and char in _MARKS)
            bad = bad or (unicodedata.category(char) == "Cc" and char not in allowed)
            if bad:
                raise _refuse(
                    name,
                    _("%(field)s contains the invisible control character U+%(code)04X")
                    % {"field": label, "code": ord(char)},
                )
        text = text.strip()
        if not _INVISIBLE.sub("", text):
            if required:
                raise _refuse(name, _("%(field)s is required") % {"field": label})
            return ""
        if self.max_length is not None and len(text) > self.max_length:
            raise _refuse(
                name,
                _("%(field)s is at most %(limit)d characters (%(length)d given)")
                % {"field": label, "limit": self.max_length, "length": len(text)},
            )
        if self.pattern is not None and not self.pattern.fullmatch(text):
            raise _refuse(
                name,
                _("%(field)s must be %(what)s")
                % {"field": label, "what": self.pattern_text or self.pattern.pattern},
            )
        return text

    def annotation(self, required: bool) -> Any:
        own = f"^(?:{self.pattern.pattern})$" if self.pattern else None
        documented = own or text_pattern(multiline=self.multiline, required=required)
        return Annotated[
            str,
            StringConstraints(
                min_length=1 if required else None, max_length=self.max_length, pattern=own
            ),
            # Documented, not enforced by the schema: `check` refuses these characters with a
            # 400 naming the field, as the page does.
            Field(json_schema_extra={"pattern": documented}),
        ]

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        widget = forms.Textarea(attrs={"rows": 3}) if self.multiline else None
        # Not stripped here: the input strips, after it has looked for control characters,
        # so the page hands it exactly what the API would.
        return forms.CharField(
            label=label, required=required, max_length=self.max_length, widget=widget, strip=False
        )

    def describe(self) -> str:
        return "no control or bidirectional-override characters"


class Choice(Spec):
    """One of a fixed set of values: the model field's choices, or the options given."""

    def __init__(
        self,
        model: type[models.Model] | None = None,
        field: str | None = None,
        *,
        options: Iterable[tuple[str, Any]] | None = None,
        label: Any = None,
    ) -> None:
        source = _model_field(model, field)
        given = list(options) if options is not None else list(source.choices or ())
        if not given:
            raise TypeError(f"{model}.{field}: a choice input needs options")
        self.options = [(str(value), text) for value, text in given]
        self.values = tuple(value for value, _ in self.options)
        self.label = _label(source, label, field or "")

    def check(self, value: Any, name: str, label: str, required: bool) -> str:
        if value not in self.values:
            raise _refuse(
                name,
                _("%(field)s must be one of %(values)s (not %(value)r)")
                % {"field": label, "values": ", ".join(self.values), "value": value},
            )
        return str(value)

    def annotation(self, required: bool) -> Any:
        return Literal[self.values]

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        options = self.options if required else [("", "—"), *self.options]
        return forms.ChoiceField(label=label, required=required, choices=options)


class Flag(Spec):
    def __init__(self, label: Any = None) -> None:
        self.label = label

    def check(self, value: Any, name: str, label: str, required: bool) -> bool:
        if not isinstance(value, bool):
            raise _refuse(name, _("%(field)s must be true or false") % {"field": label})
        return value

    def annotation(self, required: bool) -> Any:
        return bool

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        return forms.BooleanField(label=label, required=False)


class Verdict(Spec):
    """Yes or no, asked as a question that must be answered: a boolean in the API, a choice
    between the two answers on the page (never an unticked box read as no)."""

    def __init__(self, *, yes: Any, no: Any, label: Any = None) -> None:
        self.yes, self.no, self.label = yes, no, label

    def check(self, value: Any, name: str, label: str, required: bool) -> bool:
        if not isinstance(value, bool):
            raise _refuse(name, _("%(field)s must be true or false") % {"field": label})
        return value

    def annotation(self, required: bool) -> Any:
        return bool

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        return forms.TypedChoiceField(
            label=label,
            required=True,
            coerce=lambda value: value == "yes",
            choices=[("", "—"), ("yes", self.yes), ("no", self.no)],
        )


class Whole(Spec):
    """A whole number within bounds."""

    def __init__(self, *, low: int, high: int, label: Any = None) -> None:
        self.low, self.high, self.label = low, high, label

    def check(self, value: Any, name: str, label: str, required: bool) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(name, _("%(field)s must be a whole number") % {"field": label})
        if not self.low <= value <= self.high:
            raise _refuse(
                name,
                _("%(field)s must be from %(low)d to %(high)d")
                % {"field": label, "low": self.low, "high": self.high},
            )
        return value

    def annotation(self, required: bool) -> Any:
        return Annotated[int, Field(ge=self.low, le=self.high)]

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        return forms.IntegerField(
            label=label, required=required, min_value=self.low, max_value=self.high
        )


class When(Spec):
    """An instant with its offset, between EARLIEST and LATEST. (Whether it may lie in the
    future depends on the action: that rule is the action's.)"""

    def __init__(
        self,
        model: type[models.Model] | None = None,
        field: str | None = None,
        *,
        label: Any = None,
    ) -> None:
        self.label = _label(_model_field(model, field), label, field or "")

    def check(self, value: Any, name: str, label: str, required: bool) -> datetime:
        if not isinstance(value, datetime):
            raise _refuse(name, _("%(field)s must be a date and time") % {"field": label})
        if value.tzinfo is None or value.utcoffset() is None:
            raise _refuse(name, _("%(field)s needs a time zone offset") % {"field": label})
        if not EARLIEST <= value < LATEST:
            raise _refuse(
                name,
                _("%(field)s must lie between %(low)s and %(high)s")
                % {"field": label, "low": EARLIEST.date(), "high": LATEST.date()},
            )
        return value

    def annotation(self, required: bool) -> Any:
        return Annotated[
            AwareDatetime,
            Field(ge=EARLIEST, lt=LATEST, json_schema_extra={"pattern": when_pattern()}),
        ]

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        return forms.DateTimeField(
            label=label,
            required=required,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )

    def describe(self) -> str:
        return f"with its offset; from {EARLIEST.date()} to before {LATEST.date()}"


class Day(Spec):
    """A calendar date within bounds (a birth date from 1900)."""

    def __init__(
        self,
        model: type[models.Model] | None = None,
        field: str | None = None,
        *,
        label: Any = None,
        low: date = FIRST_BIRTH,
        high: date = LAST_DAY,
    ) -> None:
        self.label = _label(_model_field(model, field), label, field or "")
        self.low, self.high = low, high

    def check(self, value: Any, name: str, label: str, required: bool) -> date:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise _refuse(name, _("%(field)s must be a date") % {"field": label})
        if not self.low <= value <= self.high:
            raise _refuse(
                name,
                _("%(field)s must lie between %(low)s and %(high)s")
                % {"field": label, "low": self.low, "high": self.high},
            )
        return value

    def annotation(self, required: bool) -> Any:
        pattern = day_pattern(self.low, self.high)
        return Annotated[
            date, Field(ge=self.low, le=self.high, json_schema_extra={"pattern": pattern})
        ]

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )

    def describe(self) -> str:
        return f"from {self.low} to {self.high}"


def _check_id(value: Any, name: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        message = _("%(field)s must be a record number from 1 to %(max)d")
        raise _refuse(name, message % {"field": label, "max": MAX_ID})
    return value


class RefField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice among records; cleans to the record's key (its pk, or ``to_field_name``). The
    records offered are set per form (`InputForm`'s ``choices``)."""

    def __init__(self, *, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(queryset, **kwargs)

    def clean(self, value: Any) -> Any:
        found = super().clean(value)
        if found is None:
            return None
        return getattr(found, self.to_field_name or "pk")


class RefsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several records; cleans to their primary keys, in the order given."""

    def __init__(self, *, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(queryset, **kwargs)

    def _check_values(self, value: Any) -> Any:
        """Ids past what a database stores are refused here, before they reach a query (one
        driver or another overflows on them)."""
        for item in value or ():
            text = str(item)
            if record_number(text) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super()._check_values(value)  # type: ignore[misc]  # Django's, unstubbed

    def clean(self, value: Any) -> Any:
        found = super().clean(value)
        by_pk = {obj.pk: obj for obj in found}
        ordered = [n for v in (value or []) if (n := record_number(str(v))) in by_pk]
        return tuple(dict.fromkeys(ordered))


class Ref(Spec):
    """One record, by its primary key (or, with ``by``, by a unique code). Whether the actor
    may name that record is the action's rule; the page offers what the view passes in."""

    def __init__(
        self, model: type[models.Model], label: Any, *, by: str = "pk", max_length: int = 32
    ) -> None:
        self.model, self.label, self.by, self.max_length = model, label, by, max_length

    def check(self, value: Any, name: str, label: str, required: bool) -> Any:
        if self.by == "pk":
            return _check_id(value, name, label)
        if not isinstance(value, str) or not value.strip() or len(value) > self.max_length:
            raise _refuse(name, _("%(field)s must be a code") % {"field": label})
        return value.strip()

    def annotation(self, required: bool) -> Any:
        if self.by == "pk":
            return Annotated[int, Field(ge=1, le=MAX_ID)]
        return Annotated[
            str,
            StringConstraints(min_length=1, max_length=self.max_length),
            # A code has no blank in it (the input refuses one that is blank once stripped).
            Field(json_schema_extra={"pattern": CODE_PATTERN}),
        ]

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        return RefField(
            label=label,
            required=required,
            to_field_name=None if self.by == "pk" else self.by,
        )


class Refs(Spec):
    """Several records by primary key, between ``low`` and ``high`` of them."""

    def __init__(
        self, model: type[models.Model], label: Any, *, low: int = 0, high: int = 10
    ) -> None:
        self.model, self.label, self.low, self.high = model, label, low, high

    def check(self, value: Any, name: str, label: str, required: bool) -> tuple[int, ...]:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise _refuse(name, _("%(field)s must be a list of record numbers") % {"field": label})
        ids = tuple(_check_id(v, name, label) for v in value)
        if not self.low <= len(ids) <= self.high:
            raise _refuse(
                name,
                _("%(field)s takes from %(low)d to %(high)d records (%(count)d given)")
                % {"field": label, "low": self.low, "high": self.high, "count": len(ids)},
            )
        return ids

    def annotation(self, required: bool) -> Any:
        item = Annotated[int, Field(ge=1, le=MAX_ID)]
        return Annotated[tuple[item, ...], Field(min_length=self.low, max_length=self.high)]

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        return RefsField(label=label, required=required)


_PAIR_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


class Pairs(Spec):
    """Named values a record type declares for itself (a penalty's fine, a refusal's reason): an
    object of short names to text in the API, lines of ``name: value`` on the page. Which names
    a type takes, and of what kind, is the action's rule; here each value is text as ``Text``
    checks it, and a line without a name is refused with its number."""

    def __init__(self, *, label: Any, max_items: int = 20, max_length: int = 400) -> None:
        self.label, self.max_items = label, max_items
        self.value = Text(max_length=max_length, label=label, multiline=False)

    def check(self, value: Any, name: str, label: str, required: bool) -> dict[str, str]:
        if isinstance(value, str):
            value = self._parse(value, name, label)
        if not isinstance(value, Mapping):
            raise _refuse(
                name, _("%(field)s must be an object of names to text") % {"field": label}
            )
        if len(value) > self.max_items:
            raise _refuse(
                name,
                _("%(field)s takes at most %(limit)d values")
                % {"field": label, "limit": self.max_items},
            )
        clean: dict[str, str] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not _PAIR_NAME.fullmatch(key):
                raise _refuse(
                    name,
                    _("%(field)s: %(key)s is not a name (lower-case letters, digits, _)")
                    % {"field": label, "key": repr(key)[:40]},
                )
            text = self.value.check(item, f"{name}.{key}", f"{label}: {key}", False)
            if text:
                clean[key] = text
        if required and not clean:
            raise _refuse(name, _("%(field)s is required") % {"field": label})
        return clean

    def _parse(self, text: str, name: str, label: str) -> dict[str, str]:
        pairs: dict[str, str] = {}
        for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
            if not line.strip():
                continue
            key, sep, rest = line.partition(":")
            if not sep:
                key, sep, rest = line.partition("=")
            if not sep:
                raise _refuse(
                    name,
                    _("%(field)s, line %(line)d: write name: value")
                    % {"field": label, "line": number},
                )
            pairs[key.strip()] = rest
        return pairs

    def annotation(self, required: bool) -> Any:
        anchored = f"^{_PAIR_NAME.pattern}$"
        key = Annotated[str, StringConstraints(pattern=anchored, max_length=32)]
        mapping: Any = dict.__class_getitem__((key, self.value.annotation(False)))
        return Annotated[
            mapping,
            Field(
                max_length=self.max_items,
                min_length=1 if required else None,
                # A name that is not one is refused, as the document says: no other keys.
                json_schema_extra={
                    "additionalProperties": False,
                    "propertyNames": {"pattern": anchored, "maxLength": 32},
                },
            ),
        ]

    def formfield(self, *, required: bool, label: Any) -> forms.Field:
        return forms.CharField(
            label=label,
            required=required,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 3, "placeholder": "name: value"}),
        )

    def describe(self) -> str:
        return "one value per name the document type declares"


@dataclasses.dataclass(frozen=True)
class Bound:
    """A field of an input with its spec, whether it is required, and its default."""

    name: str
    spec: Spec
    required: bool
    optional: bool  # None is a value (``T | None``)
    default: Any


def _is_optional(hint: Any) -> bool:
    return get_origin(hint) in (Union, type(int | None)) and type(None) in get_args(hint)


def _spec_from(hint: Any) -> tuple[Spec | None, bool]:
    """The spec an annotation carries, and whether None is a value (``T | None``)."""
    optional = _is_optional(hint)
    if optional:  # Optional[Annotated[T, spec]]
        inner = [a for a in get_args(hint) if a is not type(None)]
        hint = inner[0] if len(inner) == 1 else hint
    if get_origin(hint) is Annotated:
        base, *extras = get_args(hint)
        optional = optional or _is_optional(base)  # Annotated[T | None, spec]
        for extra in extras:
            if isinstance(extra, Spec):
                return extra, optional
    return None, optional


_BOUND: dict[type, tuple[Bound, ...]] = {}


def fields_of(cls: type[Input]) -> tuple[Bound, ...]:
    """The fields of an input class with their specs (read once per class)."""
    if cls in _BOUND:
        return _BOUND[cls]
    hints = get_type_hints(cls, include_extras=True)
    bound = []
    for f in dataclasses.fields(cls):
        spec, optional = _spec_from(hints[f.name])
        if spec is None:
            raise TypeError(f"{cls.__name__}.{f.name} carries no input spec")
        has_default = f.default is not dataclasses.MISSING
        default = f.default if has_default else None
        bound.append(Bound(f.name, spec, not has_default, optional, default))
    _BOUND[cls] = tuple(bound)
    return _BOUND[cls]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Input:
    """Base of every action's input: checks each field against its spec when made."""

    def __post_init__(self) -> None:
        for field in fields_of(type(self)):
            value = getattr(self, field.name)
            if value is None and field.optional:
                continue
            if isinstance(field.spec, Text) and value is None:
                value = ""
            label = str(field.spec.title(field.name))
            cleaned = field.spec.check(value, field.name, label, field.required)
            object.__setattr__(self, field.name, cleaned)

    @classmethod
    def labels(cls) -> dict[str, Any]:
        return {f.name: f.spec.title(f.name) for f in fields_of(cls)}


def schema_of(
    cls: type[Input], *, name: str | None = None, exclude: Iterable[str] = ()
) -> type[Schema]:
    """The API's request body for ``cls``: the same fields and limits, declared for OpenAPI."""
    skip = set(exclude)
    declared: dict[str, Any] = {}
    for field in fields_of(cls):
        if field.name in skip:
            continue
        annotation = field.spec.annotation(field.required)
        if field.optional:
            annotation = annotation | None
        info = Field(
            ... if field.required else field.default,
            description=" ".join(
                part for part in (str(field.spec.title(field.name)), field.spec.describe()) if part
            ),
        )
        declared[field.name] = (annotation, info)
    schema_name = name or cls.__name__.removesuffix("Input") + "In"
    model: type[Schema] = create_model(schema_name, __base__=Schema, **declared)
    model.__module__ = cls.__module__
    return model


def _receiving(
    input_class: type[Input], exclude: Iterable[str], wrap: Callable[[type[Schema]], Any]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    schema = schema_of(input_class, exclude=exclude)
    given = tuple(exclude)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(view, eval_str=True)
        kept = [p for p in signature.parameters.values() if p.name != "data"]
        payload = inspect.Parameter(
            "payload", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=wrap(schema)
        )

        @functools.wraps(view)
        def receive(request: Any, *args: Any, payload: Schema, **kwargs: Any) -> Any:
            values = payload.model_dump() | {name: kwargs[name] for name in given}
            return view(request, *args, data=input_class(**values), **kwargs)

        receive.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*kept, payload]
        )
        receive.input_class = input_class  # type: ignore[attr-defined]
        return receive

    return decorate


def body(
    input_class: type[Input], *, exclude: Iterable[str] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """For an API view: the request body is ``input_class``'s schema, and the view receives
    the input itself as ``data``, made from the body and the path's values of the ``exclude``d
    fields (``/cases/{ref}/handlers/{officer_id}/release``)."""
    return _receiving(input_class, exclude, lambda schema: schema)


def query(input_class: type[Input]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """For an API view: the query string is ``input_class``'s schema; the view gets ``data``."""
    return _receiving(input_class, (), lambda schema: Query[schema])  # type: ignore[misc,valid-type]


class InputForm(forms.Form):
    """A page's form for one input. ``choices`` gives the records a Ref or Refs field offers
    (the action still decides whether a record may be named)."""

    input_class: ClassVar[type[Input]]

    def __init__(
        self, *args: Any, choices: Mapping[str, models.QuerySet[Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (choices or {}).items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - Ref and Refs only
            field.queryset = queryset

    def offer_the_only_choice(self, *names: str) -> None:
        """Where one of these choices has a single record to offer (the one suspect of a case,
        its one running measure), it is offered chosen: the officer confirms, not picks."""
        for name in names:
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - Ref and Refs only
            found = list(field.queryset[:2]) if field.queryset is not None else []
            if len(found) == 1 and self.initial.get(name) is None:
                self.initial[name] = getattr(found[0], field.to_field_name or "pk")

    def to_input(self, **given: Any) -> Any:
        """The action's input from the cleaned data and what the page's address gives
        (``case_id=...``), or None with each refusal beside its field. A field the form adds
        beside the input's (an uploaded file) stays in ``cleaned_data`` for the view."""
        if not self.is_valid():
            return None
        names = {f.name for f in fields_of(self.input_class)}
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k in names and not (v in ("", None) and _has_default(self.input_class, k))
        }
        try:
            return self.input_class(**data, **given)
        except Refused as exc:
            self.add_error(exc.field if exc.field in self.fields else None, str(exc))
            return None


def _has_default(cls: type[Input], name: str) -> bool:
    return any(f.name == name and not f.required for f in fields_of(cls))


def form_of(
    cls: type[Input], *, exclude: Iterable[str] = (), labels: Mapping[str, Any] | None = None
) -> type[InputForm]:
    """The page's form for ``cls``: one form field per input field, in the input's order."""
    skip = set(exclude)
    declared: dict[str, Any] = {"input_class": cls}
    for field in fields_of(cls):
        if field.name in skip:
            continue
        label = (labels or {}).get(field.name) or field.spec.title(field.name)
        required = field.required and not isinstance(field.spec, Flag)
        declared[field.name] = field.spec.formfield(required=required, label=label)
    return type(cls.__name__.removesuffix("Input") + "Form", (InputForm,), declared)


__all__ = [
    "CODE_PATTERN",
    "EARLIEST",
    "LATEST",
    "MAX_ID",
    "Choice",
    "Day",
    "Flag",
    "Input",
    "InputForm",
    "RecordId",
    "Ref",
    "Refs",
    "Text",
    "Verdict",
    "When",
    "Whole",
    "bilingual",
    "body",
    "fields_of",
    "form_of",
    "query",
    "record_number",
    "schema_of",
]
