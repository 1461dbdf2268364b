"""Display helpers for custody pages: labels in the current language. Templates only display."""

from datetime import datetime
from typing import Protocol

from django import template
from django.utils.translation import get_language, gettext_lazy

from casetrail.custody.measures import Duty
from casetrail.custody.models import Deadline
from casetrail.custody.queries import deadline_state

register = template.Library()


class Titled(Protocol):
    title_en: str
    title_zh: str


@register.filter
def deadline_title(deadline: Titled) -> str:
    return deadline.title_zh if (get_language() or "").startswith("zh") else deadline.title_en


@register.filter
def duty_label(value: str) -> str:
    try:
        return str(Duty(value).label)
    except ValueError:
        return value


_STATE_LABELS = {
    "ok": gettext_lazy("within limits"),
    "warning": gettext_lazy("warning"),
    "overdue": gettext_lazy("overdue"),
    "open": gettext_lazy("open"),
    "met": gettext_lazy("met"),
    "missed": gettext_lazy("missed"),
    "waived": gettext_lazy("waived"),
}


@register.filter
def state_label(value: str) -> str:
    label = _STATE_LABELS.get(value)
    return str(label) if label is not None else value


@register.filter
def state_icon(value: str) -> str:
    """A shape as well as a colour, so the state never rests on colour alone."""
    return {"ok": "●", "met": "✓", "warning": "▲", "overdue": "✖", "missed": "✖"}.get(value, "○")


@register.filter
def live_state(deadline: Deadline, now: datetime) -> str:
    """ok, warning or overdue for a deadline still pending at ``now``; its status otherwise."""
    return deadline_state(deadline, now)
