"""In a real browser: a handler drafts a 立案决定书 and submits it, each approver of its chain
decides it from "awaiting my approval", the handler serves it with a signature drawn on the pad,
and a member of the public checks the downloaded PDF on the verification page."""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from casetrail import clock
from casetrail.documents.models import Document
from tests.conftest import PASSWORD, enrol, totp_code, typed
from tests.documents.conftest import SAMPLE, build_docs, by_title
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
    page.goto(f"{base}/cases/{docs.case.number}/")
    page.click("[data-testid=case-documents]")
    page.click(f"[data-testid=draft-types] a[href='?type={register.id}']")
    page.select_option("#id_person_id", str(docs.suspect.pk))
    page.fill("#id_particulars", "经审查，有犯罪事实需要追究刑事责任")
    for param in register.params:  # each particular a field of its own, labelled
        if param.required:
            page.fill(f"[name='params.{param.name}']", SAMPLE[param.kind])
    page.click("[data-testid=draft] form button[type=submit]")
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    page.click("text=提交审批")
    page.wait_for_load_state()
    doc = Document.objects.get()
    assert doc.status == "pending"
    assert doc.number in page.content()
    page.screenshot(path=str(tmp_path / "submitted.png"), full_page=True)
    log_out(page)

    used = {docs.world.handler1.pk}
    for role in doc.approval.chain:
        approver = docs.approver(role, besides=used)
        used.add(approver.pk)
        frozen_clock.shift(timedelta(seconds=31))  # each login types a fresh code
        log_in(page, base, approver.username, PASSWORD, code=totp_code)
        count = page.inner_text("header nav a[href='/approvals/'] .count")
        assert int(count) >= 1
        page.click("header nav a[href='/approvals/']")
        page.click(f"text={doc.title} {doc.number}")
        page.select_option("#id_decision", "approve")
        page.fill("#id_opinion", "同意")
        page.click("main form button[type=submit]:has-text('记录决定')")
        page.wait_for_load_state()
        log_out(page)
    doc.refresh_from_db()
    assert doc.status == "issued"

    frozen_clock.shift(timedelta(minutes=2))
    log_in(page, base, docs.world.handler1.username, PASSWORD)
    page.goto(f"{base}/documents/{doc.pk}/")
    page.select_option("#id_method", "in_person")
    page.fill("#id_served_at", typed(clock.now()))
    page.fill("#id_recipient", docs.suspect.name)
    page.fill("#id_relationship", "本人")
    page.select_option("#id_acknowledgment", "signed")
    pad = page.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 90, steps=12)
    page.mouse.up()
    assert page.input_value("input[name=signature]").startswith("data:image/png;base64,")
    page.click("main form button[type=submit]:has-text('记录送达')")
    page.wait_for_load_state()
    page.screenshot(path=str(tmp_path / "served.png"), full_page=True)
    [service] = doc.services.all()
    assert service.signature_sha256
    assert service.acknowledgment == "signed"

    with page.expect_download() as download:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = 'd.pdf';"
            " document.body.appendChild(a); a.click(); }",
            f"{base}/documents/{doc.pk}/pdf/",
        )
    pdf_path = tmp_path / "downloaded.pdf"
    download.value.save_as(pdf_path)
    log_out(page)

    page.goto(f"{base}/verify/")
    page.set_input_files("#id_pdf", str(pdf_path))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#verdict")
    verdict = page.inner_text("#verdict")
    assert doc.number in verdict
    assert "issued" in verdict.lower() or "已签发" in verdict or "有效" in verdict
    page.screenshot(path=str(tmp_path / "verified.png"), full_page=True)
    shots = os.environ.get("CASETRAIL_SHOTS")
    if shots:  # to look at: the pages as the officer and the public see them
        for name in ("submitted", "served", "verified"):
            shutil.copy(tmp_path / f"{name}.png", Path(shots) / f"documents-{name}.png")
