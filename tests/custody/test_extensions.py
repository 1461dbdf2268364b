"""Extensions: requested with a reason, decided by the role the rule names, never past the
ceiling, and an approval recomputes every deadline of the measure the extension applies to."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.custody.models import Deadline
from tests.custody.conftest import (
    SHANGHAI,
    deadline,
    ledger_size,
    local,
    ok,
    refused,
    run_measure,
)

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)


def _detention(s):
    case = s.world.case()
    person = s.suspect(case)
    return run_measure(s, case, person, "criminal_detention", DETAINED)


def test_an_arrest_request_with_the_special_extension_cpl_91_1(scene):
    """CPL art. 91(1): in special circumstances the three days may be extended by one to four
    days, approved by the head of a county-level public security organ; the outer bound of
    detention before the arrest decision moves with it (14 days at most)."""
    s = scene(EVE)
    detail = _detention(s)
    request_deadline = deadline(detail, "CN-CPL91-ARREST-REQUEST")
    handler = s.api(s.world.handler1)
    s.at(datetime(2026, 10, 2, 9, 0, tzinfo=SHANGHAI))
    asked = ok(
        handler.post(
            f"/custody/deadlines/{request_deadline['id']}/extensions",
            {"extension": "special=4", "reason": "同案犯在逃，需进一步查证"},
        ),
        201,
    )
    assert asked["status"] == "requested"
    assert asked["statute_approver"] == "agency_head"
    assert local(asked["due_after"], SHANGHAI).date().isoformat() == "2026-10-07"

    # The unit leader is not the head of a county-level organ: refused with the citation.
    leader = s.api(s.world.leader)
    size = ledger_size()
    detail_text = refused(
        leader.post(f"/custody/extensions/{asked['id']}/decision", {"decision": "approve"}),
        403,
        "approver",
    )
    assert "CPL art. 91(1)" in detail_text
    assert ledger_size() == size

    decided = ok(
        s.api(s.head).post(
            f"/custody/extensions/{asked['id']}/decision",
            {"decision": "approve", "reason": "同意延长"},
        )
    )
    assert decided["status"] == "approved"
    after = ok(handler.get(f"/custody/measures/{detail['id']}"))
    request = deadline(after, "CN-CPL91-ARREST-REQUEST")
    assert request["extensions"] == ["special=4"]
    assert local(request["due_at"], SHANGHAI) == datetime(2026, 10, 7, 23, 59, 59, tzinfo=SHANGHAI)
    assert any("extension special" in line for line in request["explanation"])
    outer = deadline(after, "CN-CPL91-MAX-DETENTION")
    assert outer["extensions"] == ["special=4"]
    assert local(outer["due_at"], SHANGHAI).date().isoformat() == "2026-10-14"
    # special may be used once (max_times = 1).
    refused(
        handler.post(
            f"/custody/deadlines/{request['id']}/extensions",
            {"extension": "special=1", "reason": "再次延长"},
        ),
        400,
        "extension",
    )


def test_an_extension_past_its_ceiling_is_refused_and_nothing_is_written_cpl_91_2(scene):
    """CPL art. 91(2): roving, repeated or gang suspects: thirty days, the ceiling; a special
    extension on top would pass it."""
    s = scene(EVE)
    detail = _detention(s)
    request_deadline = deadline(detail, "CN-CPL91-ARREST-REQUEST")
    handler = s.api(s.world.handler1)
    s.at(datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI))
    roving = ok(
        handler.post(
            f"/custody/deadlines/{request_deadline['id']}/extensions",
            {"extension": "roving", "reason": "流窜作案"},
        ),
        201,
    )
    ok(s.api(s.head).post(f"/custody/extensions/{roving['id']}/decision", {"decision": "approve"}))
    size = ledger_size()
    message = refused(
        handler.post(
            f"/custody/deadlines/{request_deadline['id']}/extensions",
            {"extension": "special=1", "reason": "再延一天"},
        ),
        400,
        "extension",
    )
    assert "past the statutory ceiling of 30 days" in message
    assert ledger_size() == size
    # N outside its bounds (one to four days) is refused with the article too.
    message = refused(
        handler.post(
            f"/custody/deadlines/{request_deadline['id']}/extensions",
            {"extension": "special=5", "reason": "延长五天"},
        ),
        400,
        "extension",
    )
    assert "CPL art. 91(1)" in message
    assert ledger_size() == size


def test_an_extension_after_the_period_ended_is_refused(scene):
    s = scene(EVE)
    detail = _detention(s)
    request_deadline = deadline(detail, "CN-CPL91-ARREST-REQUEST")
    s.at(datetime(2026, 10, 4, 0, 30, tzinfo=SHANGHAI))
    message = refused(
        s.api(s.world.handler1).post(
            f"/custody/deadlines/{request_deadline['id']}/extensions",
            {"extension": "special=2", "reason": "迟到的申请"},
        ),
        400,
        "extension",
    )
    assert "before it ends" in message


ARRESTED = datetime(2026, 3, 31, 10, 0, tzinfo=SHANGHAI)


def test_investigative_custody_with_chained_extensions_cpl_156_158_159(scene):
    """CPL art. 156: two months after arrest, one more month on the decision of the
    procuratorate at the next level up; art. 158: two more for the four kinds of major complex
    case; art. 159: two more where ten years or more may be imposed. Each chains from the
    unshifted last day before it (SPC Interpretation art. 202), seven months at most."""
    s = scene(datetime(2026, 3, 31, 9, 0, tzinfo=SHANGHAI))
    case = s.world.case()
    person = s.suspect(case)
    arrest = run_measure(
        s,
        case,
        person,
        "arrest",
        ARRESTED,
        start={"decision_number": "检捕〔2026〕7号", "decided_on": "2026-03-30"},
    )
    custody = deadline(arrest, "CN-CPL156-INVESTIGATIVE-CUSTODY")
    assert local(custody["due_at"], SHANGHAI).date().isoformat() == "2026-05-31"
    handler, head = s.api(s.world.handler1), s.api(s.head)
    path = f"/custody/deadlines/{custody['id']}/extensions"

    # Art. 158 needs the art. 156 month first.
    s.at(datetime(2026, 5, 20, 9, 0, tzinfo=SHANGHAI))
    assert "requires CPL156_1M first" in refused(
        handler.post(path, {"extension": "CPL158_2M", "reason": "重大犯罪集团案件"}),
        400,
        "extension",
    )
    expected = {"CPL156_1M": "2026-06-30", "CPL158_2M": "2026-08-31", "CPL159_2M": "2026-10-31"}
    moments = {
        "CPL156_1M": datetime(2026, 5, 25, 9, 0, tzinfo=SHANGHAI),
        "CPL158_2M": datetime(2026, 6, 24, 9, 0, tzinfo=SHANGHAI),
        "CPL159_2M": datetime(2026, 8, 25, 9, 0, tzinfo=SHANGHAI),
    }
    previous = local(custody["due_at"], SHANGHAI)
    for extension, moment in moments.items():
        s.at(moment)
        asked = ok(handler.post(path, {"extension": extension, "reason": "案情复杂"}), 201)
        assert asked["decided_by_body"]
        # The procuratorate decides: its decision's reference is required.
        refused(
            head.post(f"/custody/extensions/{asked['id']}/decision", {"decision": "approve"}),
            400,
            "reference",
        )
        ok(
            head.post(
                f"/custody/extensions/{asked['id']}/decision",
                {"decision": "approve", "reference": f"检延〔2026〕{extension}"},
            )
        )
        now = ok(handler.get(f"/custody/deadlines/{custody['id']}"))
        due = local(now["due_at"], SHANGHAI)
        assert due.date().isoformat() == expected[extension]
        assert due > previous
        previous = due
    assert now["extensions"] == ["CPL156_1M", "CPL158_2M", "CPL159_2M"]
    assert sum("chained from the unshifted last day" in line for line in now["explanation"]) == 3
    # Seven months is the ceiling: nothing more is allowed.
    s.at(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))
    assert refused(
        handler.post(path, {"extension": "CPL156_1M", "reason": "再延"}), 400, "extension"
    )


def test_a_refused_extension_changes_nothing(scene):
    s = scene(EVE)
    detail = _detention(s)
    request_deadline = deadline(detail, "CN-CPL91-ARREST-REQUEST")
    s.at(datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI))
    asked = ok(
        s.api(s.world.handler1).post(
            f"/custody/deadlines/{request_deadline['id']}/extensions",
            {"extension": "special=2", "reason": "理由"},
        ),
        201,
    )
    refused(
        s.api(s.head).post(f"/custody/extensions/{asked['id']}/decision", {"decision": "refuse"}),
        400,
        "reason",
    )
    ok(
        s.api(s.head).post(
            f"/custody/extensions/{asked['id']}/decision",
            {"decision": "refuse", "reason": "理由不充分"},
        )
    )
    row = Deadline.objects.get(pk=request_deadline["id"])
    assert row.extensions == []
    assert row.due_at.isoformat() == request_deadline["due_at"].replace("Z", "+00:00")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    hour=st.integers(min_value=0, max_value=23),
    day=st.integers(min_value=0, max_value=400),
    special=st.integers(min_value=1, max_value=4),
    roving_first=st.booleans(),
)
def test_an_approved_extension_never_moves_a_deadline_backwards(
    scene_once, hour, day, special, roving_first
):
    """Property: whatever the trigger and the extension, an approval leaves every deadline of
    the measure where it was or later, never earlier."""
    s = scene_once
    detained = datetime(2026, 1, 1, hour, 0, tzinfo=SHANGHAI) + timedelta(days=day)
    s.at(detained - timedelta(hours=1))
    case = s.world.case()
    person = s.suspect(case)
    detail = run_measure(s, case, person, "criminal_detention", detained)
    rows = Deadline.objects.filter(measure_id=detail["id"])
    before = {row.pk: row.due_at for row in rows}
    target = deadline(detail, "CN-CPL91-ARREST-REQUEST")
    s.at(detained + timedelta(hours=2))
    approved = 0
    for extension in (["roving"] if roving_first else []) + [f"special={special}"]:
        response = s.api(s.world.handler1).post(
            f"/custody/deadlines/{target['id']}/extensions",
            {"extension": extension, "reason": "需要延长"},
        )
        if response.status_code != 201:
            assert response.status_code == 400  # special on top of roving passes the ceiling
            assert roving_first
            continue
        ok(
            s.api(s.head).post(
                f"/custody/extensions/{response.json()['id']}/decision", {"decision": "approve"}
            )
        )
        approved += 1
        for row in rows.all():
            assert row.due_at >= before[row.pk], (extension, row.rule_id)
            before[row.pk] = row.due_at
    assert approved >= 1
    assert len(Deadline.objects.get(pk=target["id"]).extensions) == approved


def test_an_extension_one_of_its_deadlines_may_no_longer_take_is_refused_whole(scene):
    """CPL art. 91(1): the special extension lengthens the three days to ask for arrest, and
    the outer bound with them. Asked against the outer bound once the three days have ended,
    it cannot move the arrest request any more: the approval is refused, naming the rule,
    and neither deadline moves (never one without the other)."""
    s = scene(EVE)
    detail = _detention(s)
    outer = deadline(detail, "CN-CPL91-MAX-DETENTION")
    s.at(datetime(2026, 10, 4, 0, 30, tzinfo=SHANGHAI))  # the three days ended at midnight
    asked = ok(
        s.api(s.world.handler1).post(
            f"/custody/deadlines/{outer['id']}/extensions",
            {"extension": "special=2", "reason": "同案犯在逃"},
        ),
        201,
    )
    size = ledger_size()
    message = refused(
        s.api(s.head).post(
            f"/custody/extensions/{asked['id']}/decision",
            {"decision": "approve", "reason": "同意"},
        ),
        400,
        "decision",
    )
    assert "CN-CPL91-ARREST-REQUEST" in message
    assert "before it ends" in message
    assert ledger_size() == size
    after = ok(s.api(s.world.handler1).get(f"/custody/measures/{detail['id']}"))
    assert deadline(after, "CN-CPL91-MAX-DETENTION")["due_at"] == outer["due_at"]
    assert deadline(after, "CN-CPL91-ARREST-REQUEST")["extensions"] == []
