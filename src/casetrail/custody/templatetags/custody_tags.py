"""Display helpers for custody pages: labels in the current language. Templates only display."""

from datetime import datetime
from typing import Protocol

from django import template
from django.utils.translation import gettext

from casetrail.custody import clocks
from casetrail.custody.alerts import MISSED_REASON
from casetrail.custody.measures import Duty
from casetrail.custody.models import Deadline
from casetrail.custody.queries import deadline_state
from casetrail.web import states
from casetrail.web.language import reading_chinese

register = template.Library()


class Titled(Protocol):
    title_en: str
    title_zh: str


@register.filter
def deadline_title(deadline: Titled) -> str:
    return deadline.title_zh if reading_chinese() else deadline.title_en


@register.filter
def duty_label(value: str) -> str:
    try:
        return str(Duty(value).label)
    except ValueError:
        return value


register.filter("state_label", states.state_label)
register.filter("state_icon", states.state_icon)


@register.filter
def live_state(deadline: Deadline, now: datetime) -> str:
    """ok, warning or overdue for a deadline still pending at ``now``; its status otherwise."""
    return deadline_state(deadline, now)


@register.filter
def said(stored: object) -> str:
    """A step of a deadline's explanation or a provisional reason, as the row keeps it, in the
    reader's language (``gettext(template) % params``); a plain line of an older row as it is."""
    return clocks.say(stored)


@register.filter
def said_all(stored: list[object]) -> str:
    """Every stored sentence of a list (the provisional reasons), said and joined."""
    return clocks.listed([clocks.say(item) for item in stored])


@register.filter
def citation(value: str) -> str:
    """A deadline's citation in the reader's language (《…》第85条第2款 in Chinese where the pack
    names the law in Chinese)."""
    return clocks.citation_shown(value)


# The notes the application itself writes on a deadline's status (the rest are the officers').
_STATUS_NOTES = frozenset({MISSED_REASON})


@register.filter
def status_note(value: str) -> str:
    """A deadline's status note: one the application writes in the reader's language, one an
    officer wrote as written."""
    return gettext(value) if value in _STATUS_NOTES else value
