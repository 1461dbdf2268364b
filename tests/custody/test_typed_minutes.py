"""A page types times to the minute; the application records its own events to the
microsecond. A measure started in the minute it was approved is not "before the approval",
and a refusal says both times in the zone the time was typed in."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.custody.conftest import SHANGHAI, iso, ok, refused

APPROVED = datetime(2026, 9, 30, 9, 5, 37, 289258, tzinfo=SHANGHAI)


def _approved(s) -> int:
    case = s.world.case()
    person = s.suspect(case)
    client = s.api(s.world.handler1)
    made = ok(
        client.post(
            "/custody/measures",
            {
                "case_id": case.pk,
                "person_id": person.pk,
                "kind": "criminal_detention",
                "reason": "有证据证明有犯罪事实",
            },
        ),
        201,
    )
    ok(s.api(s.head).post(f"/custody/measures/{made['id']}/decision", {"decision": "approve"}))
    return made["id"]


def test_a_measure_started_in_the_minute_it_was_approved_is_accepted(scene):
    s = scene(APPROVED)
    measure = _approved(s)
    s.at(APPROVED + timedelta(seconds=10))
    typed = APPROVED.replace(second=0, microsecond=0)  # 09:05, as the page sends it
    started = ok(
        s.api(s.world.handler1).post(
            f"/custody/measures/{measure}/start", {"started_at": iso(typed)}
        )
    )
    assert datetime.fromisoformat(started["started_at"].replace("Z", "+00:00")) == typed


def test_a_start_a_minute_before_the_approval_is_refused_in_the_typed_zone(scene):
    s = scene(APPROVED)
    measure = _approved(s)
    typed = APPROVED.replace(minute=4, second=0, microsecond=0)
    message = refused(
        s.api(s.world.handler1).post(
            f"/custody/measures/{measure}/start", {"started_at": iso(typed)}
        ),
        400,
        "started_at",
    )
    assert "2026-09-30T09:04:00+08:00" in message
    assert "(2026-09-30T09:05:37+08:00)" in message  # the approval, in the same zone
