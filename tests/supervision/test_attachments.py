"""A unit shows what it did with files beside its rectification (issue 12: "the unit records
what it did (text, attachments)"): stored through Django's storage with the SHA-256 in the
ledger, read by whoever reads the finding, refused when empty, too large, from an officer who
does not report the rectification, or once the finding is closed."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casetrail import clock
from casetrail.cases import actions as case_actions
from casetrail.errors import AccessDenied, NotFound, Refused
from casetrail.ledger.models import LedgerEntry
from casetrail.org.roles import Role
from casetrail.supervision import actions
from casetrail.supervision.access import access_finding, access_finding_file
from casetrail.supervision.inputs import FindingDismissInput
from casetrail.supervision.models import Finding
from tests.conftest import login, make_officer
from tests.supervision.conftest import Desk

SCAN = b"%PDF-1.4 a scanned record of the questioning, signed\n"


def _finding(desk: Desk) -> Finding:
    case = desk.w.case()
    desk.later(days=31)
    desk.sweep()
    return Finding.objects.get(check_id="cases.idle", case=case)


def _upload(content: bytes = SCAN, name: str = "询问笔录.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_handler_attaches_a_file_whose_hash_the_ledger_keeps(desk):
    finding = _finding(desk)
    stored = actions.attach_file(finding, _upload(), actor=desk.w.handler1)
    digest = hashlib.sha256(SCAN).hexdigest()
    assert (stored.name, stored.size, stored.sha256) == ("询问笔录.pdf", len(SCAN), digest)
    entry = LedgerEntry.objects.get(action="finding.file_added", subject_id=str(finding.pk))
    assert json.loads(entry.payload)["sha256"] == digest
    with stored.file.open("rb") as handle:
        assert handle.read() == SCAN


def test_empty_too_large_and_closed_are_refused_naming_the_file(desk, monkeypatch):
    finding = _finding(desk)
    with pytest.raises(Refused, match="empty") as empty:
        actions.attach_file(finding, _upload(b""), actor=desk.w.handler1)
    assert empty.value.field == "file"
    monkeypatch.setattr(actions, "ATTACHMENT_LIMIT", len(SCAN) - 1)
    with pytest.raises(Refused, match="larger than") as large:
        actions.attach_file(finding, _upload(), actor=desk.w.handler1)
    assert large.value.field == "file"
    monkeypatch.undo()
    assert not finding.files.exists()
    actions.dismiss(finding, FindingDismissInput(reasons="误报"), actor=desk.w.supervisor)
    before = LedgerEntry.objects.count()
    with pytest.raises(Refused, match="closed"):
        actions.attach_file(finding, _upload(), actor=desk.w.handler1)
    assert LedgerEntry.objects.count() == before


def test_only_who_reports_the_rectification_attaches(desk):
    finding = _finding(desk)
    with pytest.raises(AccessDenied):
        actions.attach_file(finding, _upload(), actor=desk.w.supervisor)


def test_the_file_is_read_by_who_reads_the_finding_and_absent_to_others(desk):
    finding = _finding(desk)
    stored = actions.attach_file(finding, _upload(), actor=desk.w.handler1)
    assert access_finding_file(desk.w.supervisor, stored.pk) == stored
    with pytest.raises(NotFound):
        access_finding_file(desk.w.outsider, stored.pk)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_attaches_lists_and_downloads(desk, language):
    finding = _finding(desk)
    handler = login(desk.w.handler1, language)
    page = handler.get(f"/supervision/findings/{finding.pk}/").content.decode()
    assert ("附件" if language == "zh-hans" else "Attachments") in page
    assert 'data-testid="form-attach"' in page
    refused = handler.post(f"/supervision/findings/{finding.pk}/files/", {})
    assert refused.status_code == 400
    assert 'id="id_file-errors"' in refused.content.decode()
    done = handler.post(f"/supervision/findings/{finding.pk}/files/", {"file": _upload()})
    assert done.status_code == 302
    stored = finding.files.get()
    page = login(desk.w.supervisor, language).get(f"/supervision/findings/{finding.pk}/")
    assert stored.sha256 in page.content.decode()
    copy = handler.get(f"/supervision/files/{stored.pk}/")
    assert copy.status_code == 200
    assert b"".join(copy.streaming_content) == SCAN
    assert copy["X-Casetrail-SHA256"] == stored.sha256
    assert (
        login(desk.w.outsider, language).get(f"/supervision/files/{stored.pk}/").status_code == 404
    )


def test_a_copy_is_recorded_and_a_changed_file_is_refused(desk):
    finding = _finding(desk)
    stored = actions.attach_file(finding, _upload(), actor=desk.w.handler1)
    with actions.copy_file(stored, actor=desk.w.supervisor) as copy:
        assert copy.read() == SCAN
    copied = LedgerEntry.objects.get(action="finding.file_copied", subject_id=str(finding.pk))
    assert json.loads(copied.payload)["sha256"] == stored.sha256
    assert copied.actor_id == desk.w.supervisor.pk
    with stored.file.open("wb") as handle:  # changed on the disk, behind the application
        handle.write(SCAN.replace(b"signed", b"forged"))
    with pytest.raises(Refused, match="no longer matches") as refused:
        actions.copy_file(stored, actor=desk.w.supervisor)
    assert refused.value.field == "file"
    mismatch = LedgerEntry.objects.get(action="finding.file_mismatch", subject_id=str(finding.pk))
    assert json.loads(mismatch.payload)["found"] != stored.sha256


def test_a_sealed_case_s_finding_escalated_stays_out_of_sight_of_the_unit_above(desk):
    """A juvenile suspect seals the case (invariant 4): the district's leader, who reads the
    station's findings only because one was escalated to the district, does not read this one
    or its files; the city's supervisor, who reads the sealed case, does."""
    w = desk.w
    case = w.case()
    case_actions.add_party(
        case,
        case_actions.PartyInput(
            role="suspect",
            name="少年乙",
            birth_date=clock.today_in("Asia/Shanghai") - timedelta(days=15 * 365),
        ),
        actor=w.handler1,
    )
    case.refresh_from_db()
    assert case.sealed
    desk.later(days=31)
    desk.sweep()
    finding = Finding.objects.get(check_id="cases.idle", case=case)
    stored = actions.attach_file(finding, _upload(), actor=w.handler1)
    desk.later(days=8)
    desk.sweep()
    finding.refresh_from_db()
    assert finding.escalated_to_id == w.district.pk
    district_leader = make_officer("dleader", w.district, Role.UNIT_LEADER)
    with pytest.raises(NotFound):
        access_finding(district_leader, finding.pk)
    with pytest.raises(NotFound):
        access_finding_file(district_leader, stored.pk)
    assert access_finding_file(w.supervisor, stored.pk) == stored
