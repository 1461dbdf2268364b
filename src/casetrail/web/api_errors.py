"""The API's refusals of a request's shape, said in the officer's language.

The schema checks a body before any action sees it (pydantic, through django-ninja) and says
what is wrong in English only ("Field required", "Input should be a valid integer, unable to
parse string as an integer"). Each of its errors has a stable ``type``; this module says the
types an API client meets in the language of the request, with the values pydantic gives
(``ctx``), and the field as the request named it. An error raised by casetrail's own input
checks (``value_error``) carries a refusal already made with gettext: it is said as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_lazy

_TEXT = gettext_lazy("must be text")
_WHOLE = gettext_lazy("must be a whole number")
_NUMBER = gettext_lazy("must be a number")
_YES_NO = gettext_lazy("must be true or false")
_WHEN = gettext_lazy("must be a date and time, such as 2026-03-10T14:00+08:00")
_DAY = gettext_lazy("must be a date, such as 2026-03-10")
_OBJECT = gettext_lazy("must be an object of named fields")

SAID = {
    "missing": gettext_lazy("is required"),
    "string_type": _TEXT,
    "string_unicode": _TEXT,
    "string_too_long": gettext_lazy("may have at most %(max_length)s characters"),
    "string_too_short": gettext_lazy("needs at least %(min_length)s characters"),
    "string_pattern_mismatch": gettext_lazy("is not in the expected form"),
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "int_parsing_size": gettext_lazy("is too large a number"),
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "finite_number": _NUMBER,
    "bool_type": _YES_NO,
    "bool_parsing": _YES_NO,
    "datetime_type": _WHEN,
    "datetime_parsing": _WHEN,
    "datetime_from_date_parsing": _WHEN,
    "datetime_object_invalid": _WHEN,
    "timezone_aware": gettext_lazy("must be a date and time with its UTC offset"),
    "date_type": _DAY,
    "date_parsing": _DAY,
    "date_from_datetime_parsing": _DAY,
    "date_from_datetime_inexact": _DAY,
    "enum": gettext_lazy("must be one of %(expected)s"),
    "literal_error": gettext_lazy("must be one of %(expected)s"),
    "greater_than": gettext_lazy("must be more than %(gt)s"),
    "greater_than_equal": gettext_lazy("must be at least %(ge)s"),
    "less_than": gettext_lazy("must be less than %(lt)s"),
    "less_than_equal": gettext_lazy("must be at most %(le)s"),
    "list_type": gettext_lazy("must be a list"),
    "too_short": gettext_lazy("needs at least %(min_length)s items"),
    "too_long": gettext_lazy("may have at most %(max_length)s items"),
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "extra_forbidden": gettext_lazy("is not a field of this request"),
    "json_invalid": gettext_lazy("is not valid JSON"),
    "uuid_parsing": gettext_lazy("is not a valid identifier"),
}


def said(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors``) in the active language."""
    kind = str(error.get("type", ""))
    context = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    message = SAID.get(kind)
    if message is None:
        return gettext("is not accepted here")
    return str(message) % {k: str(v) for k, v in context.items()} if context else str(message)


def located(field: str | None, error: Mapping[str, Any]) -> str:
    """``said`` with the field the request named first, as the API's ``detail`` gives it."""
    if field is None:
        return said(error)
    return gettext("%(field)s: %(message)s") % {"field": field, "message": said(error)}


NINJA = {
    "Cannot parse request body": gettext_lazy("the body of the request is not valid JSON"),
}


def ninja_said(message: str) -> str:
    """django-ninja's own refusals (a body it cannot parse) in the active language."""
    return str(NINJA.get(message, message))


__all__ = ["located", "ninja_said", "said"]
