"""Sections other apps add to the case page and the person page (the property of a case, the
property of a person), rendered by the app that owns them: cases imports none of them."""

from __future__ import annotations

from collections.abc import Callable
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
