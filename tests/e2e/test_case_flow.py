"""In a real browser: log in, record an incident, open a case from it and register it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from casetrail import clock
from casetrail.cases.models import Case, Incident
from casetrail.ledger.models import LedgerEntry
from tests.conftest import PASSWORD, build_world, enrol, totp_code, typed
from tests.e2e.conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_an_officer_records_an_incident_opens_a_case_and_registers_it(
    live_server, page, tmp_path, frozen_clock
):
    world = build_world()
    enrol(world.leader)  # a unit leader logs in with a second factor
    frozen_clock.shift(timedelta(seconds=30))  # the enrolment spent the code of its step
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", world.intake.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "工作台" in page.content()  # a cn unit opens in Chinese

    page.goto(f"{live_server.url}/incidents/new/")
    page.select_option("#id_channel", "walk_in")
    page.fill("#id_received_at", typed(clock.now() - timedelta(hours=2)))
    page.fill("#id_reporter_name", "张三")
    page.fill("#id_location", "东湖路8号")
    page.fill("#id_summary", "停放在小区的电动车被盗")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/incidents/\d+/receipt/"))
    code = page.inner_text("[data-testid=query-code]")
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
    receipt = page.inner_text("[data-testid=receipt-number]")
    assert Incident.objects.get().receipt_number == receipt

    page.click("a.button")
    page.select_option("#id_decision", "registration_review")
    page.select_option("#id_category", label="CR-THEFT 盗窃")
    page.select_option("#id_handler_ids", [str(world.handler1.pk), str(world.handler2.pk)])
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/S1-\d{4}-000001/"))
    assert page.get_attribute("[data-testid=case-status]", "data-status") == "registration_review"

    # The unit leader registers it with the htmx button; the timeline shows the move.
    page.click("header form button.secondary")  # log out
    log_in(page, live_server.url, world.leader.username, PASSWORD, code=totp_code)
    case = Case.objects.get()
    page.goto(f"{live_server.url}/cases/{case.number}/")
    # Every move asks first, saying what follows (none can be undone: the machines have no
    # move back).
    asked: list[str] = []

    def accept(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.click("button[data-move=register]")
    page.wait_for_selector("[data-testid=case-status][data-status=registered]")
    assert "→ 已立案" in page.inner_text("[data-testid=timeline]")
    assert asked == ["立案：案件将变为“已立案”，且无法撤回。是否继续？"]
    case.refresh_from_db()
    assert case.status == "registered"
    assert LedgerEntry.objects.filter(action="case.transitioned").count() == 2
    page.screenshot(path=str(tmp_path / "case.png"), full_page=True)

    # A refused move shows its refusal in place (htmx swaps the 400 in): the case has no
    # suspect, so it cannot go to the procuratorate (CPL Art. 162) and stays concluded.
    for move, status in (("investigate", "investigating"), ("conclude", "concluded")):
        page.click(f"button[data-move={move}]")
        page.wait_for_selector(f"[data-testid=case-status][data-status={status}]")
    page.click("button[data-move=transfer_for_prosecution]")
    refusal = page.wait_for_selector("[data-testid=move-error]")
    assert "《刑事诉讼法》第一百六十二条" in refusal.inner_text()  # said in the page's Chinese
    assert len(asked) == 4  # register, investigate, conclude, transfer
    assert asked[3].startswith("移送审查起诉：案件将变为“移送审查起诉”")
    assert page.get_attribute("[data-testid=case-status]", "data-status") == "concluded"
    page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
