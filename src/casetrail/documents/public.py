"""The public verification page: anyone holding a document (the PDF, or the paper with its QR
code) checks who issued it, when, and whether it stands, superseded or revoked, with the ledger
entry that recorded its hash. No login; each address has a budget of checks per window, and a
number that matches nothing answers exactly as a hash that matches nothing."""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from casetrail import clock
from casetrail.documents import queries
from casetrail.documents.forms import VerifyForm

MAX_UPLOAD = 20 * 1024 * 1024


def _spent(request: HttpRequest) -> int | None:
    """Count this check against the address's budget; the seconds to wait once it is spent."""
    size = int(settings.CASETRAIL_VERIFY_WINDOW)
    now = clock.now().timestamp()
    index = int(now // size)
    key = f"casetrail:verify:{request.META.get('REMOTE_ADDR') or 'unknown'}:{index}"
    cache.add(key, 0, timeout=2 * size)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=2 * size)
        used = 1
    if used > int(settings.CASETRAIL_VERIFY_LIMIT):
        return max(1, math.ceil((index + 1) * size - now))
    return None


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    asked = request.method == "POST" or bool(request.GET.get("n") or request.GET.get("h"))
    form = VerifyForm(
        request.POST or None,
        request.FILES or None,
        initial={"number": request.GET.get("n", ""), "sha256": request.GET.get("h", "")},
    )
    context: dict[str, object] = {"form": form, "asked": asked}
    if not asked:
        return render(request, "documents/verify.html", context)
    wait = _spent(request)
    if wait is not None:
        response = render(request, "documents/verify.html", context | {"wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    if request.method == "GET":
        number, digest, upload = request.GET.get("n", ""), request.GET.get("h", ""), None
        if len(number) > 80 or len(digest) > 64:
            number, digest = "", ""
    elif form.is_valid():
        number = form.cleaned_data["number"]
        digest = (form.cleaned_data["sha256"] or "").lower()
        upload = form.cleaned_data["pdf"]
    else:
        return render(request, "documents/verify.html", context, status=400)
    file_hash = ""
    if upload is not None:
        if upload.size > MAX_UPLOAD:
            form.add_error(
                "pdf",
                gettext("a PDF of at most %(size)d MB") % {"size": MAX_UPLOAD // (1024 * 1024)},
            )
            return render(request, "documents/verify.html", context, status=400)
        hasher = hashlib.sha256()
        for chunk in upload.chunks():
            hasher.update(chunk)
        file_hash = hasher.hexdigest()
    verdict = None
    if file_hash:
        verdict = queries.public_verdict(sha256=file_hash)
    elif digest:
        verdict = queries.public_verdict(sha256=digest) or queries.public_verdict(
            number=number.strip(), content_sha256=digest
        )
    receipt = queries.issue_receipt(verdict) if verdict is not None else None
    context |= {"verdict": verdict, "file_hash": file_hash, "receipt": receipt}
    return render(request, "documents/verify.html", context, status=200 if verdict else 404)
