"""In a real browser: a handler drafts a 立案决定书 and submits it, each approver of its chain
decides it from "awaiting my approval", the handler serves it with a signature drawn on the pad,
and a member of the public checks the downloaded PDF on the verification page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from casetrail.documents.models import Document
from tests.conftest import PASSWORD, enrol, totp_code
from tests.documents.conftest import build_docs, by_title
from tests.e2e.conftest import log_in


def log_out(page) -> None:
    page.click("header form button.secondary")
    page.wait_for_url(re.compile(r"/login/"))


@pytest.mark.django_db(transaction=True)
def test_draft_approve_issue_serve_and_verify(live_server, page, tmp_path, frozen_clock):
    docs = build_docs()
    for approver in (docs.world.leader, docs.head, docs.legal):
        enrol(approver)
    frozen_clock.shift(timedelta(seconds=30))  # the enrolments spent the code of this step
    base = live_server.url
    register = by_title("cn", "立案决定书")

    log_in(page, base, docs.world.handler1.username, PASSWORD)
    page.goto(f"{base}/documents/cases/{docs.case.number}/")
    page.select_option("#id_type_id", register.id)
    page.fill("#id_person_id", str(docs.suspect.pk)) if page.locator("input#id_person_id").count() else page.select_option("#id_person_id", str(docs.suspect.pk))
    page.fill("#id_particulars", "经审查，有犯罪事实需要追究刑事责任")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    page.click("text=提交审批")
    page.wait_for_load_state()
    doc = Document.objects.get()
    assert doc.number and doc.number in page.content()
    page.screenshot(path=str(tmp_path / "submitted.png"), full_page=True)
    log_out(page)

    used = {docs.world.handler1.pk}
    for role in doc.approval.chain:
        approver = docs.approver(role, besides=used)
        used.add(approver.pk)
        frozen_clock.shift(timedelta(seconds=31))  # each login types a fresh code
        log_in(page, base, approver.username, PASSWORD, code=totp_code)
        page.click("header nav a[href='/approvals/']")
        page.click(f"text={doc.number}")
        page.select_option("#id_decision", "approve")
        page.fill("#id_opinion", "同意")
        page.click("main form button[type=submit] >> text=记录决定")
        page.wait_for_load_state()
        log_out(page)
    doc.refresh_from_db()
    assert doc.status == "issued"

    log_in(page, base, docs.world.handler1.username, PASSWORD)
    page.goto(f"{base}/documents/{doc.pk}/")
    page.select_option("#id_method", "in_person")
    page.fill("#id_served_at", doc.issued_at.astimezone(docs.case.unit_zone if hasattr(docs.case, "unit_zone") else None).strftime("%Y-%m-%dT%H:%M") if False else "")
    box = page.locator("canvas.signature-pad").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 90, steps=12)
    page.mouse.up()
    assert page.input_value("input[name=signature]").startswith("data:image/png;base64,")
    page.screenshot(path=str(tmp_path / "serve.png"), full_page=True)
