"""Pick the interface language (the officer's choice, else their unit's pack default), the
time zone of the officer's unit for display, and keep officers' answers out of caches."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers


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


class NoStoreMiddleware:
    """Every answer to an officer (a page after login, or an API answer to a session or a
    bearer token) carries personal data: no browser or proxy cache may keep it
    (``Cache-Control: no-store``). Answers to nobody (the login page, the public ledger head
    and keys, static files) keep their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The API's token auth sets request.user during the view, so it is read afterwards.
        if request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
            add_never_cache_headers(response)
        return response
