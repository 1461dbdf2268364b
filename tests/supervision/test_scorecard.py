"""The quarterly quality scorecard (执法质量考评, issue 12): computed from the findings a unit
answers for and their rectification, every share with its denominator, weights from the
configuration with volume indicators refused (Road Traffic Safety Law art. 86: no fine quotas,
fines never a measure of an officer), a review asked within three days of publication and
answered within three days, exported as XLSX and PDF. Every date comes from the frozen clock."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from casetrail import clock
from casetrail.approvals.inbox import count_for, waiting_for
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.models import LedgerEntry
from casetrail.org.models import Officer, RoleGrant, Unit
from casetrail.org.roles import Role, Scope
from casetrail.supervision import actions, queries
from casetrail.supervision import scorecard as cards
from casetrail.supervision.inputs import (
    FindingDismissInput,
    FindingRectifyInput,
    FindingReviewInput,
    ScorecardFilterInput,
    ScoreReviewAnswerInput,
    ScoreReviewRequestInput,
)
from casetrail.supervision.models import Finding, ScoreReview
from tests.conftest import login, make_officer
from tests.documents.test_pdf import pdftotext
from tests.supervision.conftest import Desk

SHANGHAI = "Asia/Shanghai"


def test_a_quarter_is_written_2026Q3_and_runs_midnight_to_midnight_in_the_zone():
    q = cards.Quarter.parse("2026Q3")
    start, end = q.bounds(SHANGHAI)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-07-01T00:00:00+08:00",
        "2026-10-01T00:00:00+08:00",
    )
    assert (str(q.next), str(q.previous)) == ("2026Q4", "2026Q2")
    assert (str(cards.Quarter.parse("2026Q4").next), str(cards.Quarter(2026, 1).previous)) == (
        "2027Q1",
        "2025Q4",
    )
    for bad in ("2026Q5", "2026-Q3", "Q3", "1969Q1", "2026q3x"):
        with pytest.raises(Refused) as refused:
            cards.Quarter.parse(bad)
        assert refused.value.field == "quarter"


def test_the_default_weights_and_the_refusals_of_a_bad_configuration():
    assert cards.weights() == {"in_time": 40, "first_pass": 30, "closed": 30}
    refusals = {
        "would reward enforcement volume": {"fine_total": 50, "in_time": 50},
        "no indicator": {"speed": 10},
        "whole number from 0": {"in_time": -5},
    }
    refusals["at least one"] = {"in_time": 0, "closed": 0}
    for message, given_weights in refusals.items():
        with (
            override_settings(CASETRAIL_SCORECARD_WEIGHTS=given_weights),
            pytest.raises(ImproperlyConfigured, match=message),
        ):
            cards.weights()


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=5),
            st.integers(min_value=0, max_value=50),
            st.integers(min_value=0, max_value=50),
        ),
        min_size=3,
        max_size=3,
    )
)
def test_a_score_is_the_weighted_mean_of_the_shares_that_have_a_denominator(parts):
    cells = tuple(
        cards.Cell(indicator, weight, min(num, den), den)
        for indicator, (weight, num, den) in zip(cards.INDICATORS, parts, strict=True)
    )
    row = cards.Row(unit=None, cells=cells, findings=0, review=None)  # type: ignore[arg-type]
    counted = [c for c in cells if c.denominator and c.weight]
    if not counted:
        assert row.score is None
        return
    expected = sum(c.weight * c.numerator / c.denominator for c in counted)
    expected /= sum(c.weight for c in counted)
    assert row.score == pytest.approx(100 * expected)
    assert 0 <= row.score <= 100


def _quarter_of_four_findings(desk: Desk) -> tuple[cards.Quarter, list[Finding]]:
    """Four idle-case findings of the station opened at one sweep: one accepted at the first
    review, one rejected then accepted, one left to escalate past its deadline, one dismissed.
    Every other finding the sweeps open is dismissed, so the card counts these four."""
    w = desk.w
    cases = [w.case(title=f"案件{i}") for i in range(4)]
    desk.later(days=31)
    desk.sweep()
    first, second, third, fourth = (
        Finding.objects.get(check_id="cases.idle", case=case) for case in cases
    )
    actions.rectify(first, FindingRectifyInput(text="已办理"), actor=w.handler1)
    actions.review(first, FindingReviewInput(decision="accept"), actor=w.supervisor)
    actions.rectify(second, FindingRectifyInput(text="已办理"), actor=w.handler1)
    actions.review(
        second, FindingReviewInput(decision="reject", reasons="未附笔录"), actor=w.supervisor
    )
    actions.rectify(second, FindingRectifyInput(text="已补笔录"), actor=w.handler1)
    actions.review(second, FindingReviewInput(decision="accept"), actor=w.supervisor)
    actions.dismiss(fourth, FindingDismissInput(reasons="误报"), actor=w.supervisor)
    desk.later(days=8)
    desk.sweep()  # the third is past its seven days: escalated
    mine = {first.pk, second.pk, third.pk, fourth.pk}
    for other in Finding.objects.exclude(pk__in=mine).filter(status__in=("open", "rectified")):
        actions.dismiss(other, FindingDismissInput(reasons="不计入本测试"), actor=w.supervisor)
    zone = ZoneInfo(SHANGHAI)
    return cards.Quarter.of(first.opened_at.astimezone(zone).date()), [first, second, third]


def _row(desk: Desk, quarter: cards.Quarter) -> cards.Row:
    found = queries.scorecard(
        desk.w.supervisor, ScorecardFilterInput(quarter=str(quarter)), clock.now()
    )
    row = found.row_of(desk.w.station.pk)
    assert row is not None
    return row


def test_the_station_s_card_counts_its_findings_with_every_denominator(desk):
    quarter, _ = _quarter_of_four_findings(desk)
    row = _row(desk, quarter)
    cells = {c.indicator.id: (c.numerator, c.denominator) for c in row.cells}
    # Dismissed findings do not count; the escalated one was not rectified in time; one of the
    # two reviewed was accepted at its first review; two of three were accepted.
    assert row.findings == 3
    assert cells == {"in_time": (2, 3), "first_pass": (1, 2), "closed": (2, 3)}
    assert row.score_text == f"{(40 * 2 / 3 + 30 * 1 / 2 + 30 * 2 / 3):.1f}" == "61.7"
    assert row.weight_counted == 100


def test_only_the_weighted_indicators_count(desk):
    quarter, _ = _quarter_of_four_findings(desk)
    with override_settings(CASETRAIL_SCORECARD_WEIGHTS={"closed": 1}):
        row = _row(desk, quarter)
    assert row.score_text == "66.7"
    assert row.weight_counted == 1


def _data(action: str, review: ScoreReview) -> dict:
    entry = LedgerEntry.objects.get(action=action, subject_id=str(review.pk))
    return json.loads(entry.payload)


def _asker(desk: Desk):
    return desk.w.leader  # the station's unit leader


def test_a_unit_asks_for_a_review_within_three_days_of_publication_and_gets_an_answer(desk):
    w = desk.w
    quarter, _ = _quarter_of_four_findings(desk)
    published = quarter.published_at(SHANGHAI)
    ask = ScoreReviewRequestInput(
        unit_id=w.station.pk, quarter=str(quarter), reasons="第三项已整改"
    )
    current = cards.Quarter.of(clock.now().astimezone(ZoneInfo(SHANGHAI)).date())
    with pytest.raises(Refused, match="published when the quarter ends") as early:
        actions.request_score_review(replace(ask, quarter=str(current)), actor=_asker(desk))
    assert early.value.field == "quarter"
    desk.traveller.move_to(published + timedelta(days=2, hours=23))
    with pytest.raises(AccessDenied, match="unit leader"):
        actions.request_score_review(ask, actor=w.handler1)
    review = actions.request_score_review(ask, actor=_asker(desk))
    assert review.answer_due_at == clock.now() + timedelta(days=3)
    entry = _data("score.review_requested", review)
    assert entry["score"] == "61.7"
    assert entry["indicators"] == {"in_time": "2/3", "first_pass": "1/2", "closed": "2/3"}
    with pytest.raises(Refused, match="already asked") as twice:
        actions.request_score_review(ask, actor=_asker(desk))
    assert twice.value.field == "quarter"
    # The supervisor's inbox, and its count, show the review until it is answered.
    waiting = [i for i in waiting_for(w.supervisor) if i.url.endswith(f"?quarter={quarter}")]
    assert [i.due_at for i in waiting] == [review.answer_due_at]
    assert count_for(w.supervisor) == len(waiting_for(w.supervisor))
    answer = ScoreReviewAnswerInput(decision="upheld", answer="升级处理符合规定，维持评分")
    with pytest.raises(AccessDenied, match="supervisor"):
        actions.answer_score_review(review, answer, actor=w.leader)
    answered = actions.answer_score_review(review, answer, actor=w.supervisor)
    assert (answered.status, answered.answered_by) == ("upheld", w.supervisor)
    assert _data("score.review_answered", review)["late"] is False
    with pytest.raises(Refused, match="already answered"):
        actions.answer_score_review(review, answer, actor=w.supervisor)
    assert _row(desk, quarter).review == answered
    assert not any(i.url.endswith(f"?quarter={quarter}") for i in waiting_for(w.supervisor))


def test_a_review_is_not_asked_after_three_days(desk):
    w = desk.w
    quarter, _ = _quarter_of_four_findings(desk)
    desk.traveller.move_to(quarter.published_at(SHANGHAI) + timedelta(days=3))
    ask = ScoreReviewRequestInput(unit_id=w.station.pk, quarter=str(quarter), reasons="申请复核")
    with pytest.raises(Refused, match="within three days") as late:
        actions.request_score_review(ask, actor=w.leader)
    assert late.value.field == "quarter"


def test_no_leader_of_the_unit_answers_its_review_nor_sees_it_waiting(desk):
    """A supervisor who also leads the station answers neither their own request nor a fellow
    leader's; the station's subtree leader above it does not ask on its behalf."""
    w = desk.w
    quarter, _ = _quarter_of_four_findings(desk)
    both = make_officer("both", w.station, Role.UNIT_LEADER)
    RoleGrant.objects.create(officer=both, unit=w.city, role=Role.SUPERVISOR, scope=Scope.SUBTREE)
    above = make_officer("above", w.district, Role.UNIT_LEADER, scope=Scope.SUBTREE)
    desk.traveller.move_to(quarter.published_at(SHANGHAI) + timedelta(hours=1))
    ask = ScoreReviewRequestInput(unit_id=w.station.pk, quarter=str(quarter), reasons="申请复核")
    with pytest.raises(AccessDenied, match="unit leader"):
        actions.request_score_review(ask, actor=above)
    review = actions.request_score_review(ask, actor=w.leader)
    answer = ScoreReviewAnswerInput(decision="corrected", answer="已更正")
    with pytest.raises(AccessDenied, match="does not answer"):
        actions.answer_score_review(review, answer, actor=both)
    assert list(queries.reviews_to_answer(both)) == []
    assert list(queries.reviews_to_answer(w.supervisor)) == [review]
    # Nor does the one who asked, once moved to supervision and no longer leading the unit.
    RoleGrant.objects.filter(officer=w.leader, unit=w.station).delete()
    RoleGrant.objects.create(
        officer=w.leader, unit=w.city, role=Role.SUPERVISOR, scope=Scope.SUBTREE
    )
    moved = Officer.objects.get(pk=w.leader.pk)
    with pytest.raises(Refused, match="cannot answer"):
        actions.answer_score_review(review, answer, actor=moved)


def test_two_requests_at_once_leave_one_and_refuse_the_other(desk, monkeypatch):
    w = desk.w
    quarter, _ = _quarter_of_four_findings(desk)
    desk.traveller.move_to(quarter.published_at(SHANGHAI) + timedelta(hours=1))
    ask = ScoreReviewRequestInput(unit_id=w.station.pk, quarter=str(quarter), reasons="申请复核")
    card = cards.card

    def and_the_other_meanwhile(*args, **kwargs):
        found = card(*args, **kwargs)
        ScoreReview.objects.create(
            unit=w.station,
            quarter=str(quarter),
            reasons="同时提出",
            requested_by=w.leader,
            requested_at=clock.now(),
            answer_due_at=clock.now() + timedelta(days=3),
        )
        return found

    monkeypatch.setattr(cards, "card", and_the_other_meanwhile)
    before = LedgerEntry.objects.count()
    with pytest.raises(Refused, match="already asked") as refused:
        actions.request_score_review(ask, actor=w.leader)
    assert refused.value.field == "quarter"
    assert LedgerEntry.objects.count() == before
    ScoreReview.objects.all().delete()  # the other's row: made behind the ledger by this test


def test_a_unit_out_of_sight_is_a_mistake_in_its_field(desk):
    w = desk.w
    quarter, _ = _quarter_of_four_findings(desk)
    desk.traveller.move_to(quarter.published_at(SHANGHAI) + timedelta(hours=1))
    ask = ScoreReviewRequestInput(unit_id=w.station.pk, quarter=str(quarter), reasons="申请复核")
    with pytest.raises(Refused) as refused:
        actions.request_score_review(ask, actor=w.outsider)
    assert refused.value.field == "unit_id"


def test_a_unit_leader_reads_their_own_unit_and_a_handler_no_scorecard(desk):
    w = desk.w
    quarter, _ = _quarter_of_four_findings(desk)
    mine = queries.scorecard(w.leader, ScorecardFilterInput(quarter=str(quarter)), clock.now())
    assert [r.unit.pk for r in mine.rows] == [w.station.pk]
    city = queries.scorecard(w.supervisor, ScorecardFilterInput(quarter=str(quarter)), clock.now())
    in_city = set(Unit.objects.filter(path__startswith=w.city.path).values_list("pk", flat=True))
    assert {r.unit.pk for r in city.rows} == in_city
    assert desk.s.gb_unit.pk not in in_city  # the English force is another agency
    with pytest.raises(AccessDenied):
        queries.scorecard(w.handler1, ScorecardFilterInput(), clock.now())


def test_the_exports_carry_the_numbers_the_page_shows(desk, tmp_path):
    quarter, _ = _quarter_of_four_findings(desk)
    found = queries.scorecard(
        desk.w.supervisor, ScorecardFilterInput(quarter=str(quarter)), clock.now()
    )
    sheet = load_workbook(io.BytesIO(cards.xlsx(found, cards.weights()))).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    station = rows[desk.w.station.name]
    assert station[1:11] == (3, 2, 3, 66.7, 1, 2, 50.0, 2, 3, 66.7)
    assert station[11:13] == (100, 61.7)
    text = pdftotext(cards.pdf(found, cards.weights()), tmp_path)
    assert str(quarter) in text
    assert desk.w.station.name in text
    assert "61.7" in text


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_asks_and_answers_in_the_officer_s_language(desk, language):
    w = desk.w
    quarter, _ = _quarter_of_four_findings(desk)
    desk.traveller.move_to(quarter.published_at(SHANGHAI) + timedelta(hours=1))
    leader = login(w.leader, language)
    page = leader.get(f"/supervision/scorecard/?quarter={quarter}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "2 / 3" in body
    assert "61.7" in body
    assert ("申请复核" if language == "zh-hans" else "Ask for a review") in body
    bad = leader.get("/supervision/scorecard/?quarter=2026Q9")
    assert bad.status_code == 400
    assert 'id="id_quarter-errors"' in bad.content.decode()
    empty = leader.post(
        "/supervision/scorecard/reviews/",
        {"unit_id": w.station.pk, "quarter": str(quarter), "reasons": " "},
    )
    assert empty.status_code == 400
    assert not LedgerEntry.objects.filter(action="score.review_requested").exists()
    asked = leader.post(
        "/supervision/scorecard/reviews/",
        {"unit_id": w.station.pk, "quarter": str(quarter), "reasons": "第三项系系统升级所致"},
    )
    assert asked.status_code == 302
    supervisor = login(w.supervisor, language)
    body = supervisor.get("/supervision/scorecard/").content.decode()
    assert "第三项系系统升级所致" in body  # the default quarter is the one just published
    review_id = ScoreReview.objects.get().pk
    answered = supervisor.post(
        f"/supervision/scorecard/reviews/{review_id}/answer/",
        {"decision": "upheld", "answer": "维持"},
    )
    assert answered.status_code == 302
    assert ScoreReview.objects.get().status == "upheld"
    assert supervisor.get(f"/supervision/scorecard/{quarter}.xlsx").status_code == 200
    assert supervisor.get("/supervision/scorecard/2026Q0.pdf").status_code == 400
