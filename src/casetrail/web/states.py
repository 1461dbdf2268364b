"""A time limit's state as every page says it: a word and a shape as well as a colour, so the
state never rests on colour alone (the custody board, a measure's deadlines, a case's limits)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy

OK = "ok"
WARNING = "warning"
OVERDUE = "overdue"

_LABELS = {
    OK: gettext_lazy("within limits"),
    WARNING: gettext_lazy("warning"),
    OVERDUE: gettext_lazy("overdue"),
    "open": gettext_lazy("open"),
    "met": gettext_lazy("met"),
    "missed": gettext_lazy("missed"),
    "waived": gettext_lazy("waived"),
}

_ICONS = {OK: "●", "met": "✓", WARNING: "▲", OVERDUE: "✖", "missed": "✖"}


def state_label(value: str) -> str:
    label = _LABELS.get(value)
    return str(label) if label is not None else value


def state_icon(value: str) -> str:
    return _ICONS.get(value, "○")


def pending_state(due_at: datetime, warn_at: datetime | None, now: datetime) -> str:
    """overdue, warning or ok for a limit still pending at ``now``."""
    if due_at <= now:
        return OVERDUE
    if warn_at is not None and warn_at <= now:
        return WARNING
    return OK
