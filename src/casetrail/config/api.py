"""The REST API under /api/v1: one NinjaAPI, routers from the apps, JSON errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from casetrail.cases.api import router as cases_router
from casetrail.custody.api import router as custody_router
from casetrail.custody.errors import ApprovalRefused
from casetrail.errors import AccessDenied, NotFound, Refused
from casetrail.ledger.api import router as ledger_router
from casetrail.ledger.errors import LedgerDamaged
from casetrail.org.access import needs_second_factor, second_factor_verified
from casetrail.org.actions import TokenExpired, authenticate_token
from casetrail.org.api import router as org_router
from casetrail.org.models import Officer
from casetrail.org.rules_api import router as rules_router
from casetrail.org.throttle import TooManyFailures, check_token_allowed, token_failed


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Officer | None:
        check_token_allowed(request)  # 429 once an address has sent too many wrong tokens
        officer = authenticate_token(token, method=request.method or "GET")
        if officer is None:
            token_failed(request)
            return None
        request.user = officer
        request.api_token = token  # type: ignore[attr-defined]  # org.access reads it
        return officer


class VerifiedSessionAuth(SessionAuth):
    """A logged-in session, verified with the second factor when the officer must use one:
    an officer who has typed only the password reaches no more of the API than of the pages."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if isinstance(user, Officer) and needs_second_factor(user):
            return user if second_factor_verified(user) else None
        return user


api = NinjaAPI(
    title="casetrail API",
    version="1",
    description="Incidents, cases, parties and their ledger. Every write is recorded.",
    auth=[TokenAuth(), VerifiedSessionAuth()],
    docs=Swagger(),
    urls_namespace="api",
)
api.add_router("", org_router)
api.add_router("", cases_router)
api.add_router("", custody_router)
api.add_router("", ledger_router)
api.add_router("", rules_router)


def _error(
    request: HttpRequest, status: int, message: str, field: str | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"detail": message, "field": field}
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "payload")]
    field = ".".join(loc) or None
    message = first.get("msg", "invalid input")
    return _error(request, 422, f"{field}: {message}" if field else message, field)


@api.exception_handler(Refused)
def on_refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    """Every app's refusals (CaseError, CustodyError, MoveRefused, ...) derive from Refused."""
    return _error(request, 400, str(exc), exc.field)


@api.exception_handler(ApprovalRefused)
def on_approval_refused(request: HttpRequest, exc: ApprovalRefused) -> HttpResponse:
    return _error(request, 403, str(exc), exc.field)


@api.exception_handler(AccessDenied)
def on_denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    return _error(request, 403, str(exc))


@api.exception_handler(NotFound)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, str(exc))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "log in or send an API token (Authorization: Bearer …)")


@api.exception_handler(TokenExpired)
def on_token_expired(request: HttpRequest, exc: TokenExpired) -> HttpResponse:
    return _error(request, 401, str(exc))


@api.exception_handler(TooManyFailures)
def on_too_many_failures(request: HttpRequest, exc: TooManyFailures) -> HttpResponse:
    response = _error(request, 429, str(exc))
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(LedgerDamaged)
def on_damaged_ledger(request: HttpRequest, exc: LedgerDamaged) -> HttpResponse:
    """The server's own rows are missing, not the request wrong: said, not a traceback."""
    return _error(
        request, 500, f"the ledger is damaged: {exc}; the operator should run ledger verify"
    )
