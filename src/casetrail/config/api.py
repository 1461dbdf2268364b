"""The REST API under /api/v1: one NinjaAPI, routers from the apps, JSON errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer, SessionAuth

from casetrail.approvals.actions import ApprovalRefused as StepRefused
from casetrail.cases.api import router as cases_router
from casetrail.custody.api import router as custody_router
from casetrail.custody.errors import ApprovalRefused
from casetrail.documents.api import router as documents_router
from casetrail.errors import AccessDenied, NotFound, Refused
from casetrail.ledger.api import router as ledger_router
from casetrail.ledger.errors import LedgerDamaged
from casetrail.org.access import needs_second_factor, second_factor_verified
from casetrail.org.actions import TokenExpired, authenticate_token
from casetrail.org.api import router as org_router
from casetrail.org.models import Officer
from casetrail.org.rules_api import router as rules_router
from casetrail.org.throttle import TooManyFailures, check_token_allowed, token_failed
from casetrail.property.api import router as property_router
from casetrail.supervision.api import router as supervision_router
from casetrail.web.api_errors import located, ninja_said


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Officer | None:
        """The officer whose token this is. A bearer token that names nobody (unknown, revoked)
        is a 401 here: the request must not fall through to the session cookie, whose CSRF
        check would answer a script a 403 it cannot act on."""
        check_token_allowed(request)  # 429 once an address has sent too many wrong tokens
        officer = authenticate_token(token, method=request.method or "GET")
        if officer is None:
            token_failed(request)
            raise AuthenticationError
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


# What every operation may answer besides its success, with the one error body (see "The
# API's document" in docs/operations.md).
# The descriptions say when; the document declares them all on every operation so a client
# handles them once, whatever it calls.
ERRORS: dict[int, str] = {
    400: "Refused: the request is well formed but a rule refuses it (the field it concerns "
    "is named), or the body is not JSON. Also the answer to text carrying control "
    "characters, which the document's patterns exclude but JSON Schema cannot refuse alone",
    401: "No session and no API token, or a token that is unknown or revoked",
    403: "Not yours to do: a role the action needs is not held, or the approver is not the "
    "one the statute names",
    404: "Absent, or outside what the caller may see (the two answer the same)",
    422: "The request does not match this document (a type, a bound, a pattern)",
    429: "Too many attempts: wait as long as Retry-After says",
}
PUBLIC_ERRORS = (400, 404, 422, 429)


class CasetrailAPI(NinjaAPI):
    """Ninja's document plus the error answers of every operation (ERRORS)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = {
            "title": "ErrorOut",
            "type": "object",
            "properties": {
                "detail": {"type": "string", "title": "Detail"},
                "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Field"},
            },
            "required": ["detail", "field"],
        }
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in schema["paths"].values():
            for operation in operations.values():
                codes = ERRORS if operation.get("security") else PUBLIC_ERRORS
                for code in codes:
                    operation["responses"].setdefault(
                        str(code),
                        {
                            "description": ERRORS[code],
                            "content": {"application/json": {"schema": ref}},
                        },
                    )
        return schema


api = CasetrailAPI(
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
api.add_router("", documents_router)
api.add_router("", property_router)
api.add_router("", supervision_router)


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
    return _error(request, 422, located(field, first), field)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals (a body that is not JSON: 400; a throttle: 429) in the one body."""
    return _error(request, exc.status_code, ninja_said(str(exc)))


@api.exception_handler(Refused)
def on_refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    """Every app's refusals (CaseError, CustodyError, MoveRefused, ...) derive from Refused."""
    return _error(request, 400, str(exc), exc.field)


@api.exception_handler(ApprovalRefused)
@api.exception_handler(StepRefused)
def on_approval_refused(request: HttpRequest, exc: ApprovalRefused | StepRefused) -> HttpResponse:
    """A decision by someone the chain does not name: the custody measures' and the approval
    engine's (documents, cases) refusals alike."""
    return _error(request, 403, str(exc), exc.field)


@api.exception_handler(AccessDenied)
def on_denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    return _error(request, 403, str(exc))


@api.exception_handler(NotFound)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, str(exc))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, gettext("log in or send an API token (Authorization: Bearer …)"))


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
        request,
        500,
        gettext("the ledger is damaged: %(fault)s; the operator should run ledger verify")
        % {"fault": exc},
    )
