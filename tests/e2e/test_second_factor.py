"""In a real browser: a supervisor logs in with the password, then the TOTP code, in Chinese
(the unit's default) and in English."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import PASSWORD, build_world, enrol, totp_code


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "title", "workbench"),
    [("zh-hans", "第二重验证", "工作台"), ("en", "Second factor", "Workbench")],
)
def test_a_supervisor_logs_in_with_a_totp_code(
    live_server, page, frozen_clock, tmp_path, language, title, workbench
):
    world = build_world()
    enrol(world.supervisor)
    frozen_clock.shift(timedelta(seconds=30))  # the enrolment spent the code of its step
    if language == "en":
        page.context.add_cookies(
            [{"name": "django_language", "value": "en", "url": live_server.url}]
        )
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", world.supervisor.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/login/second-factor/?next=%2F")
    assert title in page.inner_text("main h1")
    # Nothing else opens before the code.
    page.goto(f"{base}/cases/")
    assert "/login/second-factor/" in page.url

    page.fill("#id_code", "000000" if totp_code() != "000000" else "111111")
    page.click("main button[type=submit]")
    page.wait_for_selector("#id_code-errors")
    assert "/login/second-factor/" in page.url

    frozen_clock.shift(timedelta(seconds=2))  # past django-otp's throttle after a wrong code
    page.fill("#id_code", totp_code())
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/cases/")
    page.goto(f"{base}/")
    assert workbench in page.content()
    page.screenshot(path=str(tmp_path / f"second-factor-{language}.png"), full_page=True)
