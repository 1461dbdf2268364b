"""Sections other apps add to the case page and the person page (the property of a case, the
property of a person), rendered by the app that owns them, and the time limits each app keeps
for a case (custody deadlines, service of documents, property limits), which the case page
lists together: cases imports none of those apps."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

Panel = Callable[[HttpRequest, Any, Any], SafeString]
"""Given the request, the officer and the case (or person), the section's HTML, or "" for none."""

_case: list[Panel] = []
_person: list[Panel] = []


def register_case_panel(panel: Panel) -> None:
    if panel not in _case:
        _case.append(panel)


def register_person_panel(panel: Panel) -> None:
    if panel not in _person:
        _person.append(panel)


def case_panels(request: HttpRequest, officer: Any, case: Any) -> list[SafeString]:
    return [html for panel in _case if (html := panel(request, officer, case))]


def person_panels(request: HttpRequest, officer: Any, person: Any) -> list[SafeString]:
    return [html for panel in _person if (html := panel(request, officer, person))]


@dataclass(frozen=True)
class Limit:
    """One pending time limit of a case, said in the reader's language by the app that keeps
    it: what it is, whom or what it concerns, when it falls due, its state at the time asked
    (`casetrail.web.states`: ok, warning, overdue), the law it comes from (shown and in full)
    and how it was computed, and the page where it is dealt with."""

    area: str
    title: str
    subject: str
    due_at: datetime
    state: str
    citation: str
    citation_full: str
    steps: tuple[str, ...]
    url: str


LimitSource = Callable[[Any, datetime], Iterable[Limit]]
"""Given the case and the time, the limits of the case the app keeps that are still pending."""

_limits: list[LimitSource] = []


def register_case_limits(source: LimitSource) -> None:
    if source not in _limits:
        _limits.append(source)


def case_limits(case: Any, now: datetime) -> list[Limit]:
    """Every pending limit of the case, the soonest first."""
    found = [limit for source in _limits for limit in source(case, now)]
    return sorted(found, key=lambda limit: (limit.due_at, limit.area, limit.title))


PendingSource = Callable[[Any], Iterable[str]]
"""Given the case, what the app still holds open on it that concluding the investigation must
not leave behind, each said whole in the reader's language."""

_pending: list[PendingSource] = []


def register_pending(source: PendingSource) -> None:
    if source not in _pending:
        _pending.append(source)


def case_pending(case: Any) -> tuple[str, ...]:
    return tuple(item for source in _pending for item in source(case))
