"""What every app's pages share: the officer-only view decorator, and refusals shown where the
officer will look for them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from casetrail.errors import AccessDenied, NotFound

View = Callable[..., HttpResponseBase]  # a page, or a file streamed (a copy of an exhibit)


def officer_view(view: View) -> View:
    """Login required; NotFound becomes 404 and AccessDenied 403 (the pages 404.html and
    403.html, in the officer's language with a way back), never a 500."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except AccessDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    return wrapper


def form_error(form: forms.Form, exc: Exception) -> None:
    """Put a refusal beside the field it names, or above the form when the form has no such
    field."""
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, str(exc))


def query_without_page(request: HttpRequest, param: str = "page") -> str:
    """The query string without the page (``param``), for the pager's links."""
    params = request.GET.copy()
    params.pop(param, None)
    return params.urlencode()


PAGE_SIZE = 25
LAST_PAGE = 10**6  # a page number past every list: refused quietly as the last page


def paginate(
    request: HttpRequest, items: Any, per_page: int = PAGE_SIZE, *, param: str = "page"
) -> Page[Any]:
    """The page the query string asks for (?page=N, or ``param``=N where one page shows
    several lists); a page that is not a number, or past the end, shows the first or the last
    page, as Django's paginator does, whatever its size."""
    raw = request.GET.get(param, "1")
    digits = raw.isascii() and raw.isdigit() and len(raw) < 20  # "²" is a digit to isdigit()
    number = min(int(raw), LAST_PAGE) if digits else 1
    return Paginator(items, per_page).get_page(number)


def errors_line(form: forms.Form) -> str:
    """The errors of a small inline form, as one line shown above the page."""
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)
