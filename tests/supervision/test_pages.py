"""The supervision pages and API, in both languages: the list with its counts and filters, a
finding with its records and the forms its reader may use, the loop through both doors, and
bad input answered with the field named."""

from __future__ import annotations

import pytest

from casetrail.supervision.models import Finding
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.supervision.conftest import Desk


def _two_findings(desk: Desk) -> tuple[Finding, Finding]:
    """An idle criminal case (yellow) and a case left with one handler (orange)."""
    w = desk.w
    idle = w.case(title="盗窃案")
    desk.later(days=31)
    desk.sweep()
    lonely = w.case(title="诈骗案")
    w.handler2.is_active = False
    w.handler2.save(update_fields=["is_active"])
    desk.sweep()
    return (
        Finding.objects.get(check_id="cases.idle", case=idle),
        Finding.objects.get(check_id="cases.few-handlers", case=lonely),
    )


@pytest.mark.parametrize(
    ("language", "word"), [("zh-hans", "案件长期未办理"), ("en", "Case with no action")]
)
def test_the_supervisor_sees_the_findings_of_the_city_with_their_counts(desk, language, word):
    idle, lonely = _two_findings(desk)
    page = login(desk.w.supervisor, language).get("/supervision/")
    assert page.status_code == 200
    body = page.content.decode()
    assert word in body
    assert 'data-orange="2"' in body  # the idle case has one handler left too
    assert 'data-yellow="1"' in body
    assert f'data-finding="{idle.pk}"' in body
    assert f'data-finding="{lonely.pk}"' in body
    only = login(desk.w.supervisor, language).get("/supervision/?severity=yellow")
    assert f'data-finding="{lonely.pk}"' not in only.content.decode()


def test_a_bad_filter_is_refused_naming_it(desk):
    page = login(desk.w.supervisor).get("/supervision/?severity=purple")
    assert page.status_code == 400
    assert 'id="id_severity-errors"' in page.content.decode()


def test_a_reversed_date_range_is_refused_naming_its_start(desk):
    page = login(desk.w.supervisor).get(
        "/supervision/?status=all&opened_from=2026-02-01&opened_to=2026-01-01"
    )
    assert page.status_code == 400
    assert 'id="id_opened_from-errors"' in page.content.decode()


def test_another_station_sees_none_of_it(desk):
    idle, _ = _two_findings(desk)
    client = login(desk.w.outsider)
    assert f'data-finding="{idle.pk}"' not in client.get("/supervision/").content.decode()
    assert client.get(f"/supervision/findings/{idle.pk}/").status_code == 404


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_loop_through_the_pages(desk, language):
    w = desk.w
    idle, _ = _two_findings(desk)
    handler = login(w.handler1, language)
    page = handler.get(f"/supervision/findings/{idle.pk}/").content.decode()
    assert 'data-testid="form-rectify"' in page
    assert 'data-testid="form-review"' not in page
    assert f'href="/cases/{idle.case_id}/"' in page  # the record behind it, linked
    empty = handler.post(f"/supervision/findings/{idle.pk}/rectify/", {"text": " "})
    assert empty.status_code == 400
    assert 'id="id_text-errors"' in empty.content.decode()
    done = handler.post(f"/supervision/findings/{idle.pk}/rectify/", {"text": "已补充笔录"})
    assert done.status_code == 302
    supervisor = login(w.supervisor, language)
    page = supervisor.get(f"/supervision/findings/{idle.pk}/").content.decode()
    assert 'data-testid="form-review"' in page
    assert 'data-testid="form-dismiss"' in page
    assert 'data-testid="form-rectify"' not in page
    bare = supervisor.post(f"/supervision/findings/{idle.pk}/review/", {"decision": "reject"})
    assert bare.status_code == 400
    assert 'id="id_reasons-errors"' in bare.content.decode()
    ok = supervisor.post(f"/supervision/findings/{idle.pk}/review/", {"decision": "accept"})
    assert ok.status_code == 302
    idle.refresh_from_db()
    assert idle.status == "accepted"
    page = supervisor.get(f"/supervision/findings/{idle.pk}/").content.decode()
    assert 'data-status="accepted"' in page
    assert 'data-testid="form-review"' not in page
    assert supervisor.post(f"/supervision/findings/{idle.pk}/nonsense/", {}).status_code == 404


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_checks_page_lists_every_check_with_its_basis(desk, language):
    body = login(desk.w.supervisor, language).get("/supervision/checks/").content.decode()
    assert body.count("data-check=") >= 10
    # The basis in the reader's language: the Chinese cites the article as the statute reads.
    assert ("第一百一十八条" if language == "zh-hans" else "CPL art. 118") in body


def test_the_loop_through_the_api(desk):
    w = desk.w
    _, lonely = _two_findings(desk)
    supervisor = ApiClient(w.supervisor)
    listed = supervisor.get("/supervision/findings", severity="orange").json()
    assert lonely.pk in {row["id"] for row in listed["items"]}
    detail = supervisor.get(f"/supervision/findings/{lonely.pk}").json()
    assert detail["check"] == "cases.few-handlers"
    assert detail["records"][0]["link"] == f"/cases/{lonely.case_id}/"
    assert detail["records"][0]["facts"]["active_handlers"] == 1
    leader = ApiClient(w.leader)
    answer = leader.post(f"/supervision/findings/{lonely.pk}/rectification", {"text": "已增派民警"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "rectified"
    refused = supervisor.post(f"/supervision/findings/{lonely.pk}/review", {"decision": "reject"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "reasons"
    denied = leader.post(f"/supervision/findings/{lonely.pk}/dismissal", {"reasons": "x"})
    assert denied.status_code == 403
    gone = supervisor.post(f"/supervision/findings/{lonely.pk}/dismissal", {"reasons": "误报"})
    assert gone.json()["status"] == "dismissed"
    assert [s["kind"] for s in gone.json()["steps"]] == ["rectified", "dismissed"]
    checks = supervisor.get("/supervision/checks").json()
    assert {c["id"] for c in checks} >= {"cases.idle", "custody.deadline-missed"}
    assert supervisor.get("/supervision/findings/999999").status_code == 404
