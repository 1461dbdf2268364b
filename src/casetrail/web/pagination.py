"""The API lists' pages: ``?page=N&page_size=M`` as django-ninja reads them, bounded in the
document (a page number past LAST_PAGE is a 422), and a page past the last one is refused naming
``page`` (400). Ninja's own paginator turned a page number near 2**63 into an offset no database
column holds (a 500)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from casetrail.errors import Refused
from casetrail.web.shortcuts import LAST_PAGE


class Pages(PageNumberPagination):
    """``PageNumberPagination`` with a last page: page 1 of an empty list is an empty list,
    and any page after the last is a refusal saying which page is the last."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=LAST_PAGE)
        page_size: int | None = Field(None, ge=1, le=settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE)

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: PageNumberPagination.Input,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        count = self._items_count(queryset)
        last = max(1, -(-count // page_size))
        if pagination.page > last:
            raise Refused(
                gettext("page %(page)s is past the end: the last page is %(last)s")
                % {"page": pagination.page, "last": last},
                field="page",
            )
        offset = (pagination.page - 1) * page_size
        return {self.items_attribute: queryset[offset : offset + page_size], "count": count}


__all__ = ["Pages"]
