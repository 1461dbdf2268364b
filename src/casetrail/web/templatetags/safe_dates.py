"""The ``date`` filter every template uses, made safe for a date already stored outside the
range the inputs accept (written behind the application, or before the inputs were bounded).

Django's own filter shifts an aware datetime into the current zone before formatting it;
year 1 shifted west of UTC, or year 9999 shifted east of it, leaves ``datetime``'s range and
raises OverflowError, a 500 for the whole page. This one shows such a moment as it is stored
(UTC), the only way it can be written. Installed as a template builtin (settings.TEMPLATES),
so it replaces ``date`` in every template without a ``{% load %}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template import Library, defaultfilters
from django.utils import timezone

register = Library()


def shown_in_zone(value: Any) -> Any:
    """``value`` in the current zone, or as stored when that zone cannot hold it."""
    if not isinstance(value, datetime) or timezone.is_naive(value):
        return value
    try:
        return timezone.localtime(value)
    except OverflowError:
        return value


@register.filter(expects_localtime=False, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    return defaultfilters.date(shown_in_zone(value), arg)


__all__ = ["date", "register", "shown_in_zone"]
