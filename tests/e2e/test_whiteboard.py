"""In a real browser: the custody whiteboard of a station, its colours written as words, its
self-refresh through htmx polling, the person's custody record behind a row, and the same page
without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from casetrail import clock
from casetrail.custody import actions
from casetrail.custody.models import Measure
from tests.conftest import PASSWORD
from tests.custody.conftest import build_scene, run_measure


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_the_whiteboard_in_a_browser(live_server, page, browser, settings, tmp_path):
    settings.CASETRAIL_BOARD_REFRESH_SECONDS = 1
    now = clock.now().replace(microsecond=0)
    # History is built in the past, then the clock runs free for the browser.
    with time_machine.travel(now - timedelta(hours=26), tick=False) as traveller:
        s = build_scene(traveller)
        people = {}
        for name, hours_ago in (("超时甲", 25), ("预警乙", 21), ("正常丙", 1)):
            case = s.world.case()
            person = s.suspect(case, name)
            started = now - timedelta(hours=hours_ago)
            traveller.move_to(started)
            run_measure(s, case, person, "criminal_detention", started)
            people[name] = person
        # 正常丙 is in the case-handling area.
        traveller.move_to(now - timedelta(minutes=30))
        measure = Measure.objects.get(person=people["正常丙"])
        actions.open_session(
            actions.SessionInput(
                unit_id=s.world.station.pk,
                case_id=measure.case.pk,
                person_id=people["正常丙"].pk,
                entered_at=now - timedelta(minutes=40),
                escort_ids=(s.world.handler1.pk, s.world.handler2.pk),
                reason="刑事拘留后带入",
                measure_id=measure.pk if measure else None,
            ),
            actor=s.custody,
        )

    base = live_server.url
    _login(page, base, s.custody.username)
    page.click("header nav >> text=看板")  # the nav link, in Chinese for a cn unit
    page.wait_for_selector("[data-testid=board-row]")
    rows = page.locator("[data-testid=board-row]")
    assert rows.count() == 3
    # Worst first; the state is a colour, a shape and a word.
    assert [rows.nth(i).get_attribute("data-state") for i in range(3)] == [
        "overdue",
        "warning",
        "ok",
    ]
    assert "已逾期" in rows.nth(0).inner_text()
    assert "临近期限" in rows.nth(1).inner_text()
    assert "期限内" in rows.nth(2).inner_text()
    red = (
        rows.nth(0)
        .locator("[data-testid=state]")
        .evaluate("el => getComputedStyle(el).backgroundColor")
    )
    green = (
        rows.nth(2)
        .locator("[data-testid=state]")
        .evaluate("el => getComputedStyle(el).backgroundColor")
    )
    assert red != green
    assert "是" in rows.nth(2).inner_text()  # in the area
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)

    # The board refreshes itself: a new detention appears without reloading the page.
    page.evaluate("window.__notReloaded = true")
    case = s.world.case()
    person = s.suspect(case, "新到丁")
    made = actions.propose_measure(
        actions.MeasureInput(
            case_id=case.pk, person_id=person.pk, kind="criminal_detention", reason="现行犯"
        ),
        actor=s.world.handler1,
    )
    actions.decide_measure(made, actions.MeasureDecisionInput(decision="approve"), actor=s.head)
    actions.start_measure(made, actions.StartInput(started_at=clock.now()), actor=s.world.handler1)
    # A locator's wait, not wait_for_function: that evaluates a string in the page, which
    # the Content-Security-Policy (no 'unsafe-eval') refuses.
    expect(page.locator("[data-testid=board-row]")).to_have_count(4, timeout=15000)
    assert page.evaluate("window.__notReloaded") is True
    assert "新到丁" in page.inner_text("[data-testid=board]")

    # Clicking a row opens the person's custody record with every explanation and citation.
    page.click("[data-testid=board-row][data-state=overdue] a.row-link")
    page.wait_for_url(f"{base}/custody/persons/{people['超时甲'].pk}/")
    # In the officer's language (zh-CN): 《中华人民共和国刑事诉讼法》第85条第2款, and the steps.
    citations = page.locator("[data-testid=citation]").all_inner_texts()
    assert any("第85条" in c for c in citations)
    assert any("第91条" in c for c in citations)
    page.locator("details").first.click()
    assert "按实际经过时间计算" in page.inner_text("[data-testid=explanation] >> nth=0")

    # Without JavaScript it is a plain page that reloads itself.
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    plain = context.new_page()
    _login(plain, base, s.custody.username)
    plain.goto(f"{base}/custody/board/{s.world.station.pk}/")
    assert plain.locator("[data-testid=board-row]").count() == 4
    assert 'http-equiv="refresh"' in plain.content()
    context.close()
