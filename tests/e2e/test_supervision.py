"""In a real browser: the city's supervisor opens the dashboard; every chart draws from the
vendored ECharts, no request leaves the server and no Content-Security-Policy is broken; a click
on a bar opens the list of exactly the findings it counts; the supervisor opens one and the
station's handler reports its rectification, which the supervisor accepts."""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta

import pytest

from casetrail.supervision import sweep
from casetrail.supervision.models import Finding
from tests.conftest import PASSWORD, enrol, totp_code
from tests.custody.conftest import build_scene
from tests.e2e.conftest import log_in
from tests.e2e.test_csp import LISTEN
from tests.e2e.test_property import officer_page, submit


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_draws_drills_down_and_the_loop_closes(
    live_server, page, browser, tmp_path, frozen_clock
):
    s = build_scene(frozen_clock)
    w = s.world
    w.case(title="盗窃案")
    w.case(title="诈骗案")
    frozen_clock.shift(timedelta(days=31))
    w.handler2.is_active = False
    w.handler2.save(update_fields=["is_active"])
    sweep.sweep()
    enrol(w.supervisor)
    frozen_clock.shift(timedelta(minutes=2))  # past the enrolment's code step
    base = live_server.url
    requests: list[str] = []
    violations: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.context.add_init_script(LISTEN)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    handler = officer_page(browser, base, "zh-hans")
    try:
        log_in(page, base, w.supervisor.username, PASSWORD, totp_code)
        page.goto(f"{base}/supervision/dashboard/")
        for chart in ("findings", "trend", "rectify", "reviewers", "custody", "stages"):
            page.wait_for_selector(f"[data-chart={chart}][data-drawn]")
            assert page.locator(f"[data-chart={chart}] canvas").count() >= 1
        drawn = page.evaluate(
            "Object.fromEntries(Object.entries(window.casetrailCharts)"
            ".map(([k, c]) => [k, c.getOption().series.length]))"
        )
        assert drawn == {
            "findings": 3,
            "trend": 3,
            "rectify": 2,
            "reviewers": 2,
            "custody": 1,
            "stages": 1,
        }
        violations = page.evaluate("window.__csp")
        assert violations == []
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

        # A click on the yellow part of the station's bar (stacked on two orange findings,
        # so the value 3 lies inside it) opens the list of the station's yellow findings.
        x, y = page.evaluate(
            "window.casetrailCharts.findings.convertToPixel({seriesIndex: 2}, [0, 3])"
        )
        box = page.locator("[data-chart=findings]").bounding_box()
        assert box is not None
        with page.expect_navigation():
            page.mouse.click(box["x"] + x, box["y"] + y)
        assert "severity=yellow" in page.url
        listed = set(
            page.eval_on_selector_all("[data-finding]", "rows => rows.map(r => r.dataset.finding)")
        )
        yellow = Finding.objects.filter(severity="yellow", unit=w.station)
        assert listed == {str(pk) for pk in yellow.values_list("pk", flat=True)}
        assert all(url.startswith(base) for url in requests), [
            u for u in requests if not u.startswith(base)
        ]

        # The handler reports the rectification of one; the supervisor accepts it.
        finding = yellow.order_by("pk").first()
        assert finding is not None
        log_in(handler, base, w.handler1.username, PASSWORD)
        handler.goto(f"{base}/supervision/findings/{finding.pk}/")
        handler.fill("[data-testid=form-rectify] [name=text]", "已补充调查并制作笔录")
        submit(handler, "rectify")
        assert handler.get_attribute("[data-testid=finding]", "data-status") == "rectified"
        page.goto(f"{base}/supervision/findings/{finding.pk}/")
        page.select_option("[data-testid=form-review] [name=decision]", "accept")
        submit(page, "review")
        assert page.get_attribute("[data-testid=finding]", "data-status") == "accepted"
        page.screenshot(path=str(tmp_path / "accepted.png"), full_page=True)
    finally:
        handler.context.close()
    shots = os.environ.get("CASETRAIL_SHOTS")
    if shots:
        for name in ("dashboard", "accepted"):
            shutil.copy(tmp_path / f"{name}.png", os.path.join(shots, f"supervision-{name}.png"))
    assert re.search(r"/supervision/findings/\d+/$", page.url)
