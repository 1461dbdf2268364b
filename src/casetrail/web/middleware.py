"""Pick the interface language: the officer's choice, else their unit's pack default."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class UnitLanguageMiddleware:
    """Runs before LocaleMiddleware: when no language was chosen (no cookie), the default
    comes from the officer's unit (zh-Hans for `cn` units, English for `gb_eng`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = self._unit_language(request)
            if language:
                request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)

    @staticmethod
    def _unit_language(request: HttpRequest) -> str | None:
        from django.contrib.auth import get_user

        user = get_user(request) if hasattr(request, "session") else None
        if user is None or not user.is_authenticated:
            return None
        if getattr(user, "language", ""):
            return str(user.language)
        unit = getattr(user, "unit", None)
        return unit.default_language if unit is not None else None
