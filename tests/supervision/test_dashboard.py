"""The dashboard's numbers: each chart's figures match the records of the reader's scope, each
bar links to the list that holds exactly those records, and the same figures download as CSV."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from casetrail.supervision.models import Finding
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.supervision.conftest import Desk


def _findings(desk: Desk) -> None:
    """Two idle cases at the station (yellow), both left with one handler (orange)."""
    w = desk.w
    w.case(title="盗窃案")
    w.case(title="诈骗案")
    desk.later(days=31)
    w.handler2.is_active = False
    w.handler2.save(update_fields=["is_active"])
    desk.sweep()


def _data(page: str) -> dict:
    found = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_open_findings_chart_counts_the_scope_and_links_to_its_list(desk, language):
    _findings(desk)
    client = login(desk.w.supervisor, language)
    page = client.get("/supervision/dashboard/")
    assert page.status_code == 200
    data = _data(page.content.decode())
    assert set(data) == {"findings", "trend", "rectify", "reviewers", "custody", "stages"}
    findings = data["findings"]
    assert findings["categories"] == [desk.w.station.name]
    by_key = {s["key"]: s for s in findings["series"]}
    assert by_key["yellow"]["values"] == [2]
    assert by_key["orange"]["values"] == [2]
    assert by_key["red"]["values"] == [0]
    listed = client.get(by_key["yellow"]["links"][0]).content.decode()
    ids = set(re.findall(r'data-finding="(\d+)"', listed))
    expected = Finding.objects.filter(severity="yellow", unit=desk.w.station)
    assert ids == {str(pk) for pk in expected.values_list("pk", flat=True)}
    stages = data["stages"]
    assert sum(stages["series"][0]["values"]) == 2
    assert stages["series"][0]["links"][0].startswith("/cases/?status=")


def test_the_weekly_trend_puts_the_findings_in_the_week_they_opened(desk):
    _findings(desk)
    data = ApiClient(desk.w.supervisor).get("/supervision/dashboard").json()
    trend = next(c for c in data if c["id"] == "trend")
    assert len(trend["categories"]) == 12
    totals = [sum(s["values"][i] for s in trend["series"]) for i in range(12)]
    assert totals[-1] == 4  # all four opened this week, by today's sweep
    assert sum(totals[:-1]) == 0
    week = next(s for s in trend["series"] if s["key"] == "orange")["links"][-1]
    assert "opened_from=" in week
    assert "status=all" in week


def test_the_median_time_to_rectify_is_counted_from_opening_to_acceptance(desk):
    from casetrail.supervision import actions
    from casetrail.supervision.inputs import FindingRectifyInput, FindingReviewInput

    _findings(desk)
    w = desk.w
    first, second = Finding.objects.filter(check_id="cases.idle").order_by("pk")
    desk.later(hours=10)
    actions.rectify(first, FindingRectifyInput(text="已办理"), actor=w.handler1)
    actions.review(first, FindingReviewInput(decision="accept"), actor=w.supervisor)
    desk.later(hours=20)
    actions.rectify(second, FindingRectifyInput(text="已办理"), actor=w.handler1)
    actions.review(second, FindingReviewInput(decision="accept"), actor=w.supervisor)
    data = ApiClient(w.supervisor).get("/supervision/dashboard").json()
    rectify = next(c for c in data if c["id"] == "rectify")
    assert rectify["series"][0]["values"] == [20.0]  # the median of 10 and 30 hours
    assert rectify["series"][1]["values"] == [2]


def test_the_csv_holds_the_charts_numbers(desk):
    _findings(desk)
    client = login(desk.w.supervisor, "en")
    response = client.get("/supervision/dashboard/findings.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Unit", "red", "orange", "yellow"]
    assert rows[1] == [desk.w.station.name, "0", "2", "2"]
    assert client.get("/supervision/dashboard/nothing.csv").status_code == 404


def test_the_dashboard_is_for_readers_of_a_scope(desk):
    _findings(desk)
    assert login(desk.w.handler1).get("/supervision/dashboard/").status_code == 403
    assert ApiClient(desk.w.handler1).get("/supervision/dashboard").status_code == 403
    other = ApiClient(desk.w.outsider).get("/supervision/dashboard").json()
    findings = next(c for c in other if c["id"] == "findings")
    assert findings["categories"] == []  # another station's leader sees none of it


def test_supervisors_are_supervised_by_their_time_to_review_and_share_dismissed(desk):
    from casetrail.supervision import actions
    from casetrail.supervision.inputs import (
        FindingDismissInput,
        FindingRectifyInput,
        FindingReviewInput,
    )

    _findings(desk)
    w = desk.w
    idle = list(Finding.objects.filter(check_id="cases.idle").order_by("pk"))
    lonely = list(Finding.objects.filter(check_id="cases.few-handlers").order_by("pk"))
    actions.rectify(idle[0], FindingRectifyInput(text="已办理"), actor=w.handler1)
    desk.later(hours=6)
    actions.review(idle[0], FindingReviewInput(decision="accept"), actor=w.supervisor)
    actions.dismiss(lonely[0], FindingDismissInput(reasons="已另行处理"), actor=w.supervisor)
    data = ApiClient(w.supervisor).get("/supervision/dashboard").json()
    chart = next(c for c in data if c["id"] == "reviewers")
    assert chart["categories"] == [str(w.supervisor)]
    hours, share = chart["series"]
    assert hours["values"] == [6.0]
    assert share["values"] == [50.0]  # one accepted, one dismissed
    listed = login(w.supervisor).get(share["links"][0]).content.decode()
    assert set(re.findall(r'data-finding="(\d+)"', listed)) == {str(lonely[0].pk)}
