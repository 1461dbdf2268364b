"""Sections other apps add to a measure's page (the documents issued under the measure, such as
its summons or detention warrant), rendered by the app that owns them: custody imports none of
those apps, as cases.panels does for the case page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

MeasurePanel = Callable[[HttpRequest, Any, Any], SafeString]
"""Given the request, the officer and the measure, the section's HTML, or "" for none."""

_measure: list[MeasurePanel] = []


def register_measure_panel(panel: MeasurePanel) -> None:
    if panel not in _measure:
        _measure.append(panel)


def measure_panels(request: HttpRequest, officer: Any, measure: Any) -> list[SafeString]:
    return [html for panel in _measure if (html := panel(request, officer, measure))]
