"""Canonical JSON: one byte encoding for one value.

The encoding, which the offline verifier relies on:

* objects have string keys, sorted by Unicode code point, no duplicates;
* no insignificant whitespace: separators are ``,`` and ``:``;
* strings are UTF-8, with only ``"``, ``\\`` and control characters below U+0020 escaped
  (as ``\\uXXXX`` except the short forms ``\\b \\f \\n \\r \\t``);
* integers in decimal without a leading ``+`` or zeros; ``true``, ``false``, ``null``;
* floats are refused: a legal record never needs one, and their text form is not unique.

Python values that are not JSON are converted before encoding, each to one string form:
aware datetimes to UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, dates to ``YYYY-MM-DD``,
``Decimal`` to its normalised text, ``UUID`` to its hyphenated lower-case form.
Naive datetimes are refused: a time without a zone is not a fact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

JsonValue = None | bool | int | str | list["JsonValue"] | dict[str, "JsonValue"]


class CanonicalError(ValueError):
    """A value that has no canonical encoding."""


def normalise(value: object, *, path: str = "$") -> JsonValue:
    """Turn ``value`` into plain JSON data, converting the supported Python types."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        raise CanonicalError(f"{path}: floats have no canonical form; use an int, str or Decimal")
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise CanonicalError(f"{path}: naive datetime; store times with their zone")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CanonicalError(f"{path}: {value} is not a finite number")
        return format(value.normalize(), "f")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        out: dict[str, JsonValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"{path}: object keys must be strings, not {key!r}")
            out[key] = normalise(item, path=f"{path}.{key}")
        return out
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [normalise(item, path=f"{path}[{i}]") for i, item in enumerate(value)]
    raise CanonicalError(f"{path}: {type(value).__name__} has no canonical form")


def canonical_json(value: object) -> bytes:
    """Encode ``value`` as canonical JSON bytes (see the module docstring)."""
    return json.dumps(
        normalise(value),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    ).encode("utf-8")


def parse(data: bytes) -> JsonValue:
    """Decode canonical JSON, refusing anything that would not re-encode to the same bytes."""
    try:
        value = json.loads(data.decode("utf-8"), parse_float=_refuse_float)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanonicalError(f"not JSON: {exc}") from exc
    if canonical_json(value) != data:
        raise CanonicalError("JSON is valid but not in canonical form")
    result: JsonValue = value
    return result


def _refuse_float(text: str) -> float:
    raise CanonicalError(f"float {text} in canonical JSON")
