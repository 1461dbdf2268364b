"""What the pages share beyond one app: after a form that worked, the next page says so and
names the ledger entry that records it."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.record import appending


class RecordedMiddleware:
    """A page's form that worked answers with a redirect; when the request appended to the
    ledger, the page it leads to says "Done" with the last entry, the number a party or an
    auditor can ask a proof of. The entry's seq comes from `record` itself; the one read is
    that it was committed, and only after a write. The API (which answers with the entry
    itself) and a form that was refused are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method != "POST"
            or request.path.startswith("/api/")
            or not request.user.is_authenticated
        ):
            return self.get_response(request)
        with appending() as last:
            response = self.get_response(request)
            seq = last()
        if (
            response.status_code in (302, 303)
            and seq is not None
            and LedgerEntry.objects.filter(seq=seq).exists()
        ):
            messages.success(
                request, _("Done: recorded in the ledger as entry %(seq)s.") % {"seq": seq}
            )
        return response
