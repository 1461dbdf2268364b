"""How long Django spent on a request, told to the browser in a `Server-Timing` header
(`app;dur=<ms>`), so a browser script (benchmarks/officer_day.py) or the browser's own
developer tools read the server's figure rather than one blurred by the network and the page's
rendering. It adds nothing a client cannot already time from outside: the whole answer's
duration is visible to whoever sent the request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


class ServerTimingMiddleware:
    """First in MIDDLEWARE, so the figure covers every other middleware and the view. A
    streamed answer is timed up to its headers, not to its last byte."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        # Another Server-Timing metric set by a view is kept; ours is appended to it.
        timing = f"app;dur={elapsed_ms:.1f}"
        existing = response.get("Server-Timing")
        response["Server-Timing"] = f"{existing}, {timing}" if existing else timing
        return response
