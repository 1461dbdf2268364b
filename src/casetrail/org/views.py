"""The officer's own account: API tokens. (Logging in and out are Django's views.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casetrail.errors import NotFound
from casetrail.org import actions, queries
from casetrail.org.access import request_officer
from casetrail.org.forms import TokenForm
from casetrail.web.inputs import record_number
from casetrail.web.shortcuts import officer_view


@officer_view
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    officer = request_officer(request)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and "revoke" in request.POST:
        revoke = record_number(request.POST.get("revoke", ""))
        if revoke is None:
            raise NotFound("token not found")
        actions.revoke_token(queries.token_of(officer, revoke), actor=officer)
        return redirect("org:tokens")
    data = form.to_input() if request.method == "POST" else None
    if data is not None:
        _, new_key = actions.issue_token(data, actor=officer)
        form = TokenForm()
    return render(
        request,
        "org/tokens.html",
        {"form": form, "tokens": queries.tokens_of(officer), "new_key": new_key},
    )
