"""Pick the interface language (the officer's choice, else their unit's pack default) and
the time zone of the officer's unit for display."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UnitLanguageMiddleware:
    """Runs after AuthenticationMiddleware and before LocaleMiddleware: when no language
    was chosen (no cookie), the default comes from the officer's unit (zh-Hans for `cn`
    units, English for `gb_eng`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # request.user is the same lazy object the views use: the officer is read once.
        user = request.user
        unit = getattr(user, "unit", None) if user.is_authenticated else None
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and unit is not None:
            language = getattr(user, "language", "") or unit.default_language
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        if unit is not None:
            # Times are stored in UTC and shown in the officer's unit's zone.
            timezone.activate(ZoneInfo(unit.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
