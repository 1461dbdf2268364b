"""The REST API under /api/v1: one NinjaAPI, routers from the apps, JSON errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, django_auth

from casetrail.cases.api import router as cases_router
from casetrail.custody.api import router as custody_router
from casetrail.custody.errors import ApprovalRefused
from casetrail.errors import AccessDenied, NotFound, Refused
from casetrail.ledger.api import router as ledger_router
from casetrail.ledger.errors import LedgerDamaged
from casetrail.org.actions import authenticate_token
from casetrail.org.api import router as org_router
from casetrail.org.models import Officer
from casetrail.org.rules_api import router as rules_router
from casetrail.org.throttle import TooManyFailures, check_token_allowed, token_failed


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Officer | None:
        check_token_allowed(request)  # 429 once an address has sent too many wrong tokens
        officer = authenticate_token(token)
        if officer is None:
            token_failed(request)
            return None
        request.user = officer
        return officer


api = NinjaAPI(
    title="casetrail API",
    version="1",
    description="Incidents, cases, parties and their ledger. Every write is recorded.",
    auth=[TokenAuth(), django_auth],
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
