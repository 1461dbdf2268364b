"""The officer's one list of what waits for their decision."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from casetrail.approvals.inbox import waiting_for
from casetrail.org.access import request_officer
from casetrail.web.shortcuts import officer_view


@officer_view
def awaiting(request: HttpRequest) -> HttpResponse:
    items = waiting_for(request_officer(request))
    return render(request, "approvals/awaiting.html", {"items": items})
