"""Slowing down guessing (issue 16, docs/decisions/0006-login-throttling.md).

The login page is guarded by django-axes (settings ``AXES_*``): it counts wrong passwords per
username and address in the database and refuses the pair for a cool-off; ``locked_out`` is
the page it then answers with. API bearer tokens have no username to count against, so the
API counts wrong tokens per address in Django's cache, in fixed windows: past the limit, every
token from that address (the right one too) answers 429 with Retry-After until the window
ends. Each refused token is logged (logger ``casetrail.security``) with its address.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from casetrail import clock

log = logging.getLogger("casetrail.security")


class LoginThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Axes' backend (first in AUTHENTICATION_BACKENDS: it refuses a locked-out username and
    address before any password is checked), for the logins that come with a request. Axes
    refuses to run without one; an ``authenticate()`` without a request (the test client's
    ``login``, a script) has no address to count, and the next backend decides alone. Every
    login through the web (the login page, the admin's) comes with its request."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, **kwargs)  # type: ignore[no-any-return]


class TooManyFailures(Exception):
    """Too many wrong tokens from this address in this window (429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            gettext("too many failed API tokens from this address: retry in %(seconds)d s")
            % {"seconds": retry_after}
        )
        self.retry_after = retry_after


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What axes answers a locked-out login with (settings.AXES_LOCKOUT_CALLABLE)."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(request, "org/locked.html", {"minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _window(request: HttpRequest) -> tuple[str, int]:
    """The cache key of this address's current window, and the seconds left in it."""
    size = int(settings.CASETRAIL_TOKEN_FAILURE_WINDOW)
    now = clock.now().timestamp()
    index = int(now // size)
    left = max(1, math.ceil((index + 1) * size - now))
    return f"casetrail:token-failures:{_address(request)}:{index}", left


def check_token_allowed(request: HttpRequest) -> None:
    """Refuse (TooManyFailures) any token from an address past the limit in this window."""
    key, left = _window(request)
    failures = int(cache.get(key, 0))
    if failures >= int(settings.CASETRAIL_TOKEN_FAILURE_LIMIT):
        log.warning(
            "throttled API token from %s (%d refused in this window)", _address(request), failures
        )
        raise TooManyFailures(left)


def token_failed(request: HttpRequest) -> None:
    """Count and log a wrong token from the request's address."""
    key, _left = _window(request)
    timeout = 2 * int(settings.CASETRAIL_TOKEN_FAILURE_WINDOW)
    cache.add(key, 0, timeout=timeout)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        failures = 1
    log.warning("refused API token from %s (%d in this window)", _address(request), failures)


__all__ = [
    "LoginThrottleBackend",
    "TooManyFailures",
    "check_token_allowed",
    "locked_out",
    "token_failed",
]
