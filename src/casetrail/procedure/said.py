"""What the engine says in an explanation: a sentence marked for translation and its values.

The engine knows no language (it imports no translation machinery), so each step of an
explanation, each provisional reason and each description of an extension is kept as a
`Said`: the English template, marked with ``gettext_noop`` for the catalogue, and the values
that go into it. ``str()`` is the English sentence the engine has always written; ``said`` puts
it in the language of a ``translate`` (a gettext), as ``ProcedureError.said`` does for a
refusal. ``as_json`` and ``from_json`` keep it in a JSON column, so a page can say a stored
step in the language of whoever reads it.

A value is a string or a whole number as it is (a rule id, a date, a count), or one of:

- `Said`: a part of the sentence that is itself said (a unit, "once", a month-end reason);
- `Term`: pack text the pack writes in English and Chinese (a trigger, a citation);
- `RoleName`: a role the statute names (``agency_head``), shown as the code in English and
  named by the reader's ``role`` in another language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from casetrail.procedure.errors import gettext_noop


def _same(text: str) -> str:
    return text


@dataclass(frozen=True, slots=True)
class Term:
    """Pack text in both languages; ``zh`` empty where the pack has no Chinese for it."""

    en: str
    zh: str = ""


@dataclass(frozen=True, slots=True)
class RoleName:
    """A role code of the pack (``agency_head``, ``superintendent``)."""

    code: str


Value: TypeAlias = "str | int | Said | Term | RoleName"


@dataclass(frozen=True, slots=True)
class Said:
    """A sentence: its template (a msgid) and its values, in order. Hashable, so equal
    reasons are said once."""

    template: str
    params: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def of(cls, template: str, **params: Value) -> Said:
        return cls(template, tuple(params.items()))

    def __str__(self) -> str:
        return self.said()

    def said(
        self,
        translate: Callable[[str], str] = _same,
        *,
        chinese: bool = False,
        role: Callable[[str], str] = _same,
    ) -> str:
        """The sentence in the language of ``translate``: the template translated, each value
        put in said the same way (a `Term` in Chinese when ``chinese``, a role named by
        ``role``). The defaults give the English."""
        text = translate(self.template)
        if not self.params:
            return text
        return text % {name: _say(value, translate, chinese, role) for name, value in self.params}

    def as_json(self) -> dict[str, Any]:
        """``{"template": ..., "params": {...}}``, every value JSON: a nested `Said` as its
        own form, a `Term` as ``{"en": ..., "zh": ...}``, a `RoleName` as ``{"role": ...}``."""
        return {
            "template": self.template,
            "params": {name: _json(value) for name, value in self.params},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Said:
        """The inverse of `as_json`; a ValueError for anything it did not write."""
        template, params = data.get("template"), data.get("params", {})
        if not isinstance(template, str) or not isinstance(params, Mapping):
            raise ValueError(f"not a stored sentence: {data!r}")
        return cls(template, tuple((str(k), _value(v)) for k, v in params.items()))


def _say(
    value: Value, translate: Callable[[str], str], chinese: bool, role: Callable[[str], str]
) -> str | int:
    if isinstance(value, Said):
        return value.said(translate, chinese=chinese, role=role)
    if isinstance(value, Term):
        return value.zh if chinese and value.zh else value.en
    if isinstance(value, RoleName):
        return role(value.code)
    return value


def _json(value: Value) -> Any:
    if isinstance(value, Said):
        return value.as_json()
    if isinstance(value, Term):
        return {"en": value.en, "zh": value.zh}
    if isinstance(value, RoleName):
        return {"role": value.code}
    return value


def _value(data: Any) -> Value:
    if isinstance(data, str | int) and not isinstance(data, bool):
        return data
    if isinstance(data, Mapping):
        if "template" in data:
            return Said.from_json(data)
        if set(data) == {"en", "zh"}:
            return Term(str(data["en"]), str(data["zh"]))
        if set(data) == {"role"}:
            return RoleName(str(data["role"]))
    raise ValueError(f"not a stored value: {data!r}")


# A period's unit on its own ("3 days in all") and an amount ("4 hours", "1 hour"): the words
# of Amount.__str__, each a message of its own.
UNIT_WORDS = {
    "minutes": gettext_noop("minutes"),
    "hours": gettext_noop("hours"),
    "days": gettext_noop("days"),
    "months": gettext_noop("months"),
}
AMOUNTS = {
    ("minutes", True): gettext_noop("%(n)s minute"),
    ("minutes", False): gettext_noop("%(n)s minutes"),
    ("hours", True): gettext_noop("%(n)s hour"),
    ("hours", False): gettext_noop("%(n)s hours"),
    ("days", True): gettext_noop("%(n)s day"),
    ("days", False): gettext_noop("%(n)s days"),
    ("months", True): gettext_noop("%(n)s month"),
    ("months", False): gettext_noop("%(n)s months"),
}


def unit_word(unit: str) -> Said:
    """A unit of the packs (model.UNITS, or minutes) as a word."""
    return Said(UNIT_WORDS[unit])


def amount(value: int, unit: str) -> Said:
    """``value`` ``unit``, singular for one, as model.Amount writes it."""
    return Said.of(AMOUNTS[unit, value == 1], n=value)


__all__ = ["AMOUNTS", "UNIT_WORDS", "RoleName", "Said", "Term", "Value", "amount", "unit_word"]
