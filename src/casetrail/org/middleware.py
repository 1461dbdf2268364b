"""The second factor's gate: an officer who must use one (access.needs_second_factor) and has
not verified this session reaches only the login, logout, second-factor and public pages. One
with a confirmed device is asked for a code; one without is sent to enrol."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from casetrail.org.access import needs_second_factor, second_factor_verified
from casetrail.org.models import Officer
from casetrail.org.queries import has_second_factor

# Paths an unverified officer may still reach: the API answers for itself (its session
# authentication refuses an unverified session), static files and the language switch hold
# nothing of a case.
OPEN_PREFIXES = ("/static/", "/api/", "/i18n/")


class SecondFactorMiddleware:
    """Runs after django-otp's OTPMiddleware (which tells whether the session is verified)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and isinstance(user, Officer)
            and not request.path.startswith(OPEN_PREFIXES)
            and request.path not in self._open_pages()
            and not second_factor_verified(user)
            and needs_second_factor(user)
        ):
            step = "org:second_factor" if has_second_factor(user) else "org:enrol"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open_pages() -> frozenset[str]:
        return frozenset(
            reverse(name) for name in ("org:login", "org:logout", "org:second_factor", "org:enrol")
        )
