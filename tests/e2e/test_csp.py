"""In a real browser: the Content-Security-Policy holds on the main pages (no inline script,
handler or style is refused, so none is left in a template) and the behaviour moved out of
the templates (the language switch) still works under it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import PASSWORD, build_world, enrol, totp_code

# Chromium's console line for a blocked resource, and the DOM event for each violation.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.mark.django_db(transaction=True)
def test_the_main_pages_report_no_csp_violation(live_server, page, frozen_clock):
    world = build_world()
    incident = world.incident()
    case = world.case()
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.context.add_init_script(LISTEN)
    base = live_server.url

    def visit(path: str) -> None:
        response = page.goto(f"{base}{path}")
        assert response is not None
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], path

    enrol(world.leader)  # a unit leader logs in with a second factor: its page is checked too
    frozen_clock.shift(timedelta(seconds=30))  # the enrolment spent the code of its step
    visit("/login/")
    page.fill("#id_username", world.leader.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/login/second-factor/**")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == [], "/login/second-factor/"
    page.fill("#id_code", totp_code())
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    for path in (
        "/",
        "/incidents/",
        "/incidents/new/",
        f"/incidents/{incident.pk}/",
        "/cases/",
        f"/cases/{case.number}/",
        "/custody/",
        f"/custody/board/{world.station.pk}/",
        "/account/tokens/",
        "/api/v1/docs",
    ):
        visit(path)
    # htmx under the policy: the case list filters as one types.
    visit("/cases/")
    page.fill("#id_q", case.number)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []

    # The language switch (once an inline onchange) submits from casetrail.js.
    assert "工作台" in page.content()
    page.select_option("#lang", "en")
    page.wait_for_selector("header nav >> text=Workbench")
    assert page.evaluate("window.__csp") == []
    assert console == []
