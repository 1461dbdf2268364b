"""Issue 15: every answer says how long Django spent on it (`Server-Timing: app;dur=<ms>`),
which benchmarks/officer_day.py reads from the browser."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from casetrail.web.timing import ServerTimingMiddleware
from tests.conftest import login

APP = re.compile(r"(?:^|,\s*)app;dur=(\d+(?:\.\d+)?)(?:$|,)")


def app_duration(header: str | None) -> float:
    assert header is not None, "no Server-Timing header"
    found = APP.search(header)
    assert found is not None, header
    return float(found.group(1))


def test_pages_redirects_and_refusals_carry_the_server_time(world):
    anonymous = Client()
    officer = login(world.intake)
    for client, path, status in (
        (anonymous, "/login/", 200),
        (anonymous, "/", 302),
        (officer, "/", 200),
        (officer, "/incidents/999999/", 404),
    ):
        response = client.get(path)
        assert response.status_code == status, path
        assert app_duration(response.get("Server-Timing")) >= 0, path


def test_the_timing_is_first_so_it_covers_every_other_middleware():
    assert settings.MIDDLEWARE[0] == "casetrail.web.timing.ServerTimingMiddleware"


def test_a_view_s_own_server_timing_is_kept():
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("ok")
        response["Server-Timing"] = "pdf;dur=12"
        return response

    response = ServerTimingMiddleware(view)(RequestFactory().get("/"))
    header = response["Server-Timing"]
    assert header.startswith("pdf;dur=12, ")
    assert app_duration(header) >= 0


def _production_middleware(**env: str) -> list[str]:
    code = (
        "import json; from django.conf import settings; import django; django.setup();"
        "print(json.dumps(settings.MIDDLEWARE))"
    )
    given = {k: v for k, v in os.environ.items() if k != "CASETRAIL_SERVER_TIMING"} | {
        "DJANGO_SETTINGS_MODULE": "casetrail.config.settings.production",
        "CASETRAIL_SECRET_KEY": "x" * 50,
        **env,
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and a constant script
        [sys.executable, "-c", code], env=given, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_answers_carry_no_server_time_unless_the_operator_asks():
    timing = "casetrail.web.timing.ServerTimingMiddleware"
    assert timing not in _production_middleware()
    assert _production_middleware(CASETRAIL_SERVER_TIMING="1")[0] == timing
