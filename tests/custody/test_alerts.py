"""The sweep: warnings when a deadline enters its window, alerts when one is missed, to the
handlers and their leader in the inbox and by e-mail; safe when several sweeps run at once;
a missed deadline stays on the board until somebody records what happened."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction

from casetrail import background
from casetrail.custody import alerts
from casetrail.custody.models import Alert, Deadline, InboxItem
from casetrail.ledger.models import LedgerEntry
from tests.custody.conftest import (
    SHANGHAI,
    build_scene,
    deadline,
    ok,
    run_measure,
)

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)
WINDOW = datetime(2026, 10, 1, 17, 0, tzinfo=SHANGHAI)  # 24-hour deadlines warn from 16:00
LATE = datetime(2026, 10, 1, 20, 1, tzinfo=SHANGHAI)  # the 24-hour deadlines have passed


def _detention(s):
    case = s.mail_case()
    person = s.suspect(case)
    detail = run_measure(s, case, person, "criminal_detention", DETAINED, proposer=s.mail_handler1)
    return case, person, detail


def test_the_sweep_is_a_registered_background_job():
    assert "custody-sweep" in {job.name for job in background.jobs()}


def test_deadlines_entering_their_window_warn_the_handlers_and_their_leader(
    scene, django_capture_on_commit_callbacks
):
    s = scene(EVE)
    case, _, _ = _detention(s)
    s.at(WINDOW)
    with django_capture_on_commit_callbacks(execute=True):
        report = alerts.sweep()
    assert report.warned == 3  # delivery, family notice, interrogation (CPL art. 85, 86)
    assert report.missed == 0
    told = set(InboxItem.objects.values_list("officer__username", flat=True))
    assert {"mh1", "mh2", "mleader", "leader"} <= told
    assert "h1" not in told  # a handler of the unit, not of this case
    assert LedgerEntry.objects.filter(action="deadline.warned").count() == 3
    # One e-mail per recipient with an address, per alert; the text names the case, not the person.
    assert len(mail.outbox) == 3 * 3
    message = mail.outbox[0]
    assert case.number in message.subject
    assert "张三" not in message.subject + message.body
    assert "CPL" in message.body or "Criminal Procedure Law" in message.body
    # A second sweep finds nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.sweep().warned == 0
    assert len(mail.outbox) == 9


def test_a_past_due_deadline_the_missed_pass_skipped_is_never_warned_of_as_due_soon(
    scene, monkeypatch, django_capture_on_commit_callbacks
):
    # Another sweeper held the missed pass's rows locked (the concurrent test found this
    # under load): the warning pass ran on and told three people "due soon" of a deadline
    # already missed, then the next run told them it was missed.
    s = scene(EVE)
    _detention(s)
    s.at(LATE)
    monkeypatch.setattr(alerts, "past_due", lambda now, limit: [])  # the missed pass skips
    with django_capture_on_commit_callbacks(execute=True):
        report = alerts.sweep()
    assert (report.missed, report.warned, report.mails) == (0, 0, 0)
    assert not Alert.objects.exists()
    assert mail.outbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        report = alerts.sweep()
    assert (report.missed, report.warned) == (3, 0)
    assert {m.subject.split(":")[0] for m in mail.outbox} == {"[casetrail] MISSED"}


def test_the_sweeps_log_line_counts_what_the_inboxes_show(scene, caplog):
    """It read "3 missed" while the inboxes held one item per officer told of each: the line
    now gives both, counted from the rows the pass wrote."""
    s = scene(EVE)
    _detention(s)
    s.at(LATE)
    with caplog.at_level("INFO", logger=alerts.log.name):
        report = alerts.run_sweep()
    items = InboxItem.objects.all()
    assert report.items == items.count() > report.missed == 3
    assert report.officers == set(items.values_list("officer_id", flat=True))
    line = (
        f"custody sweep: 3 deadlines missed, 0 entering their warning window; {items.count()} "
        f"inbox items for {len(report.officers)} officers, {report.mails} e-mails"
    )
    assert line in caplog.messages


def test_a_missed_deadline_is_marked_told_and_stays_until_accounted_for(scene):
    s = scene(EVE)
    _, _, detail = _detention(s)
    s.at(LATE)
    report = alerts.sweep()
    assert report.missed == 3
    family = Deadline.objects.get(rule_id="CN-CPL85-FAMILY-24H")
    assert family.status == "missed"
    assert Alert.objects.filter(deadline=family, kind="missed").count() == 1
    assert LedgerEntry.objects.filter(action="deadline.missed").count() == 3
    board = ok(s.api(s.custody).get(f"/custody/board/{s.world.station.pk}"))
    assert board["rows"][0]["state"] == "overdue"
    assert "was due" in board["rows"][0]["state_text"]
    # Still on the board the next day, and the next sweep sends nothing more.
    s.at(datetime(2026, 10, 2, 20, 0, tzinfo=SHANGHAI))
    assert alerts.sweep().missed == 0
    assert (
        ok(s.api(s.custody).get(f"/custody/board/{s.world.station.pk}"))["rows"][0]["state"]
        == "overdue"
    )
    # Recording what happened takes each one off; the notice itself, late, is the account.
    handler = s.api(s.mail_handler1)
    after = ok(
        handler.post(
            f"/custody/measures/{detail['id']}/notifications",
            {
                "at": "2026-10-02T19:00:00+08:00",
                "method": "phone",
                "recipient": "李梅",
                "relationship": "妻子",
            },
        ),
        201,
    )
    family = deadline(after, "CN-CPL85-FAMILY-24H")
    assert family["status"] == "missed"
    assert family["accounted_at"]
    assert "late" in family["status_reason"]
    for rule in ("CN-CPL85-DELIVER-24H", "CN-CPL86-INTERROGATE-24H"):
        ok(
            handler.post(
                f"/custody/deadlines/{deadline(after, rule)['id']}/account",
                {"account": "已于当日送押、讯问，系统漏录，详见办案区登记"},
            )
        )
    board = ok(s.api(s.custody).get(f"/custody/board/{s.world.station.pk}"))
    assert board["rows"][0]["state"] != "overdue"


def test_an_event_recorded_late_but_in_time_turns_missed_into_met(scene):
    s = scene(EVE)
    _, _, detail = _detention(s)
    s.at(LATE)
    alerts.sweep()
    after = ok(
        s.api(s.mail_handler1).post(
            f"/custody/measures/{detail['id']}/notifications",
            {
                "at": "2026-10-01T10:00:00+08:00",
                "method": "in_person",
                "recipient": "李梅",
                "relationship": "妻子",
            },
        ),
        201,
    )
    family = deadline(after, "CN-CPL85-FAMILY-24H")
    assert family["status"] == "met"
    assert "recorded after the deadline" in family["status_reason"]


def test_one_alert_per_deadline_kind_and_due_time_is_a_database_constraint(scene):
    s = scene(EVE)
    _detention(s)
    s.at(WINDOW)
    alerts.sweep()
    alert = Alert.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(
            deadline=alert.deadline,
            kind=alert.kind,
            due_at=alert.due_at,
            created_at=alert.created_at,
        )


def test_a_sweep_that_lost_the_race_sends_nothing(scene):
    """Two sweepers read the same candidates; the one that claims second finds them taken."""
    s = scene(EVE)
    _detention(s)
    s.at(LATE)
    now = s_now()
    mine = alerts.past_due(now)
    assert len(mine) == 3
    first = alerts.sweep()  # the other machine, first to claim
    assert first.missed == 3
    sent = len(mail.outbox)
    for pk in mine:
        assert alerts._alert(pk, "missed", now) == (False, [], 0)
    assert Alert.objects.count() == 3
    assert len(mail.outbox) == sent


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_no_double_notification():
    with time_machine.travel(EVE, tick=False) as traveller:
        s = build_scene(traveller)
        cases = []
        for name in ("甲", "乙", "丙", "丁"):
            case = s.mail_case()
            person = s.suspect(case, name)
            run_measure(s, case, person, "criminal_detention", DETAINED, proposer=s.mail_handler1)
            cases.append(case)
        s.at(LATE)
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                barrier.wait()
                alerts.sweep()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        alerts.sweep()  # whatever a lock made either sweeper skip, a later run completes
        missed = Deadline.objects.filter(status="missed").count()
        assert missed == 4 * 3
        assert Alert.objects.filter(kind="missed").count() == missed
        assert LedgerEntry.objects.filter(action="deadline.missed").count() == missed
        per_alert = 3  # mh1, mh2, mleader have addresses
        assert len(mail.outbox) == missed * per_alert
        sent = [(m.subject, m.body, tuple(m.to)) for m in mail.outbox]
        assert len(sent) == len(set(sent))  # no message went out twice


def s_now():
    from casetrail import clock

    return clock.now()


def test_a_release_recorded_late_clears_what_the_sweep_marked_missed(scene):
    """Released at 10:00 the next morning, recorded only after the 24 hours ran out: the
    family-notice and interrogation deadlines were never missed (the person was free)."""
    s = scene(EVE)
    _, _, detail = _detention(s)
    s.at(LATE)
    assert alerts.sweep().missed == 3
    after = ok(
        s.api(s.mail_handler1).post(
            f"/custody/measures/{detail['id']}/end",
            {
                "ended_at": "2026-10-01T10:00:00+08:00",
                "outcome": "released",
                "reason": "不需要追究刑事责任，释放",
            },
        )
    )
    for rule in ("CN-CPL85-FAMILY-24H", "CN-CPL86-INTERROGATE-24H", "CN-CPL85-DELIVER-24H"):
        found = deadline(after, rule)
        assert found["status"] == "waived", rule
        assert "recorded after the deadline" in found["status_reason"]
    assert deadline(after, "CN-CPL91-MAX-DETENTION")["status"] == "met"
