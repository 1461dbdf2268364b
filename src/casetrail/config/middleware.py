"""What the pages share beyond one app: after a form that worked, the next page says so and
names the ledger entry that records it."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.tree import tree_size


class RecordedMiddleware:
    """A page's form that worked answers with a redirect; when the officer's own entries grew
    the ledger meanwhile, the page it leads to says "Done" with the last of them, the number a
    party or an auditor can ask a proof of. Two reads of the ledger's size a POST; the API
    (which answers with the entry itself) and a form that was refused are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method != "POST"
            or request.path.startswith("/api/")
            or not request.user.is_authenticated
        ):
            return self.get_response(request)
        before = tree_size()
        response = self.get_response(request)
        if response.status_code in (302, 303) and tree_size() > before:
            mine = (
                LedgerEntry.objects.filter(seq__gt=before, actor_id=request.user.pk)
                .order_by("-seq")
                .values_list("seq", flat=True)
                .first()
            )
            if mine is not None:
                messages.success(
                    request, _("Done: recorded in the ledger as entry %(seq)s.") % {"seq": mine}
                )
        return response
