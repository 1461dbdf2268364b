"""Administrative measures: questioning after a summons (PSAPL 2012 art. 83 / 2025 art. 97, the
version in force on the day of arrival) and administrative detention (PSAPL art. 16: release N
days after admission, at the same hour)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.custody.conftest import SHANGHAI, deadline, iso, local, ok, run_measure


def test_questioning_after_a_summons_uses_the_2025_law_and_ends_on_release_psapl_97(scene):
    s = scene(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))
    case = s.world.case(kind="administrative", title="殴打他人案")
    person = s.suspect(case)
    arrival = datetime(2026, 4, 1, 9, 30, tzinfo=SHANGHAI)
    detail = run_measure(
        s,
        case,
        person,
        "admin_summons",
        arrival,
        approver=s.world.leader,
        params={"questioning": "detention_possible"},
    )
    limit = deadline(detail, "CN-PSAPL2025-Q97-24H")
    assert "art. 97" in limit["citation"]
    assert local(limit["due_at"], SHANGHAI) == datetime(2026, 4, 2, 9, 30, tzinfo=SHANGHAI)
    area = s.api(s.custody)
    session = ok(
        area.post(
            "/custody/sessions",
            {
                "unit_id": s.world.station.pk,
                "case_id": case.pk,
                "person_id": person.pk,
                "measure_id": detail["id"],
                "entered_at": iso(arrival),
                "escort_ids": [s.world.handler1.pk, s.custody2.pk],
                "reason": "传唤到案",
            },
        ),
        201,
    )
    s.at(datetime(2026, 4, 1, 15, 0, tzinfo=SHANGHAI))
    ok(
        area.post(
            f"/custody/sessions/{session['id']}/exit",
            {"exited_at": iso(s_now()), "destination": "released"},
        )
    )
    after = ok(s.api(s.world.handler1).get(f"/custody/measures/{detail['id']}"))
    assert after["status"] == "ended"
    assert deadline(after, "CN-PSAPL2025-Q97-24H")["status"] == "met"


def test_administrative_detention_ends_n_days_after_admission_psapl_16(scene):
    s = scene(datetime(2026, 5, 10, 8, 0, tzinfo=SHANGHAI))
    case = s.world.case(kind="administrative", title="寻衅滋事案")
    person = s.suspect(case)
    detail = run_measure(
        s,
        case,
        person,
        "admin_detention",
        datetime(2026, 5, 10, 16, 0, tzinfo=SHANGHAI),
        params={"days": 10},
    )
    release = deadline(detail, "CN-ADMIN-DETENTION-EXEC")
    assert local(release["due_at"], SHANGHAI) == datetime(2026, 5, 20, 16, 0, tzinfo=SHANGHAI)


def s_now():
    from casetrail import clock

    return clock.now()


def test_an_administrative_detention_is_decided_only_after_the_legal_reviews_opinion(scene):
    """MPS Provisions on Administrative Cases arts. 170-171: a penalty decision is reviewed by
    the legal department before the head decides; administrative detention is a penalty, and
    its decision is the measure's own, so the review is on the measure."""
    from casetrail.custody import actions
    from casetrail.custody.models import MeasureApproval
    from casetrail.errors import AccessDenied, Refused
    from casetrail.ledger.models import LedgerEntry

    s = scene(datetime(2026, 5, 10, 8, 0, tzinfo=SHANGHAI))
    w = s.world
    case = w.case(kind="administrative", title="寻衅滋事案")
    person = s.suspect(case)
    measure = actions.propose_measure(
        actions.MeasureInput(
            case_id=case.pk, person_id=person.pk, kind="admin_detention", reason="x", days=5
        ),
        actor=w.handler1,
    )
    approve = actions.MeasureDecisionInput(decision="approve")
    with pytest.raises(Refused, match="legal department") as refused:
        actions.decide_measure(measure, approve, actor=s.head)
    assert refused.value.field == "decision"
    review = actions.LegalReviewInput(verdict="disagree", opinion="证据不足以证明其寻衅滋事")
    for stranger in (w.handler2, s.head):  # only the legal reviewer writes it
        with pytest.raises((AccessDenied, Refused)):
            actions.review_measure(measure, review, actor=stranger)
    with pytest.raises(Refused) as empty:
        actions.LegalReviewInput(verdict="agree", opinion=" ")
    assert empty.value.field == "opinion"
    from casetrail.approvals.inbox import count_for, waiting_for

    mine = [item.url for item in waiting_for(w.legal)]
    assert f"/custody/measures/{measure.pk}/" in mine
    before = count_for(w.legal)
    actions.review_measure(measure, review, actor=w.legal)
    assert count_for(w.legal) == before - 1
    with pytest.raises(Refused, match="already written"):
        actions.review_measure(measure, review, actor=w.legal)
    entry = LedgerEntry.objects.filter(action="measure.legal_reviewed").get()
    assert "证据不足" in entry.payload
    # The head decides after it, whatever it says, and the decision stands on its own row.
    actions.decide_measure(measure, approve, actor=s.head)
    roles = list(MeasureApproval.objects.filter(measure=measure).values_list("role", "decision"))
    assert roles == [("legal_reviewer", "refused"), ("agency_head", "approved")]
    measure.refresh_from_db()
    with pytest.raises(Refused, match="only a proposed measure"):
        actions.review_measure(measure, review, actor=w.legal)


def test_a_measure_the_legal_department_does_not_review_takes_no_review(scene):
    from casetrail.custody import actions
    from casetrail.errors import Refused

    s = scene(datetime(2026, 5, 10, 8, 0, tzinfo=SHANGHAI))
    case = s.world.case()
    person = s.suspect(case)
    measure = actions.propose_measure(
        actions.MeasureInput(
            case_id=case.pk, person_id=person.pk, kind="criminal_detention", reason="x"
        ),
        actor=s.world.handler1,
    )
    review = actions.LegalReviewInput(verdict="agree", opinion="同意")
    with pytest.raises(Refused, match="not reviewed"):
        actions.review_measure(measure, review, actor=s.world.legal)


def test_nobody_writes_the_legal_review_of_a_measure_they_proposed(scene):
    from casetrail.custody import actions
    from casetrail.errors import AccessDenied, Refused
    from casetrail.org.roles import Role
    from tests.conftest import make_officer

    s = scene(datetime(2026, 5, 10, 8, 0, tzinfo=SHANGHAI))
    both = make_officer("both", s.world.station, Role.UNIT_LEADER, Role.LEGAL_REVIEWER)
    case = s.world.case(kind="administrative", title="寻衅滋事案")
    person = s.suspect(case)
    measure = actions.propose_measure(
        actions.MeasureInput(
            case_id=case.pk, person_id=person.pk, kind="admin_detention", reason="x", days=5
        ),
        actor=both,
    )
    review = actions.LegalReviewInput(verdict="agree", opinion="同意")
    with pytest.raises((AccessDenied, Refused), match="proposed"):
        actions.review_measure(measure, review, actor=both)
