"""Invariant 5: each entry carries the digest of its subject's row after the action, and
`casetrail ledger verify --state` finds a row changed, inserted or deleted behind the ledger,
naming the kind, the id and the field."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail import background, clock, demo, seed
from casetrail.cases import actions
from casetrail.cases.models import Case, Incident, IncidentStatus, Person
from casetrail.custody.models import CustodySession, Measure
from casetrail.ledger import state, state_pass
from casetrail.ledger.bulk import NewSubjectEntry, append_entries
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.record import record
from tests.ledger.conftest import reported_case, run, sql

KINDS = (
    "case",
    "custody_session",
    "document",
    "finding",
    "incident",
    "measure",
    "person",
    "property_item",
    "property_stocktake",
    "score_review",
)


def messages(report):
    return [f.message for f in report.findings]


def last_payload(subject_type, subject_id):
    entry = (
        LedgerEntry.objects.filter(subject_type=subject_type, subject_id=str(subject_id))
        .exclude(action=LedgerKind.VIEWED)
        .order_by("-seq")
        .first()
    )
    assert entry is not None
    return entry, json.loads(entry.payload)


@pytest.fixture
def registry():
    """Put the registrations back as the apps made them, whatever a test changes."""
    saved = dict(state._states)
    yield state._states
    state._states.clear()
    state._states.update(saved)


@pytest.fixture
def story(world):
    """An incident that became a case with a party, and a case of its own."""
    case, incident = reported_case(world)
    other = world.case()
    lone = world.incident(summary="手机被盗")
    return case, other, incident, lone


# --- what an entry carries ----------------------------------------------------------------------


def test_every_registered_kind_is_described(registry):
    assert sorted(registry) == sorted(KINDS)
    case = state.spec_for("case")
    assert case is not None
    assert "status" in case.names
    assert "title" in case.names
    assert "search_text" not in case.names
    assert "updated_at" not in case.names
    session = state.spec_for("custody_session")
    assert session is not None
    assert "clock" not in session.names


def test_an_entry_carries_the_digest_of_its_subjects_row_after_the_action(world):
    case = world.case(title="电动车被盗案")
    entry, payload = last_payload("case", case.pk)
    assert entry.action == LedgerKind.CASE_OPENED
    row = state.current_states(state.spec_for("case"), [case.pk])[str(case.pk)]
    assert row["title"] == "电动车被盗案"
    assert payload["state"] == state.digest(row)
    assert len(payload["state"]) == 64
    assert payload["state_fields"]["title"] == state.tag("title", "电动车被盗案")
    assert set(payload["state_fields"]) == set(state.spec_for("case").names)


def test_a_look_carries_no_digest(world):
    case = world.case()
    with transaction.atomic():
        viewed = record(LedgerKind.VIEWED, subject=case, actor=world.handler1, data={"what": "x"})
    assert json.loads(viewed.payload) == {"what": "x"}


def test_an_entry_about_no_registered_subject_carries_no_digest(world):
    entry = LedgerEntry.objects.filter(subject_type="officer").order_by("-seq").first()
    assert entry is not None
    assert "state" not in json.loads(entry.payload)


def test_the_digest_takes_a_float_in_a_json_field():
    assert state.digest({"params": {"hours": 1.5}}) == state.digest({"params": {"hours": "1.5"}})
    assert state.tag("params", [1.5]) == state.tag("params", ["1.5"])


def test_no_state_is_read_for_a_subject_id_that_is_not_a_key(registry):
    assert state.payload_for("case", "１２", str(LedgerKind.CASE_OPENED)) == {}
    assert state.payloads_for([("case", "x1"), ("unit", "1")]) == {}


def test_naming_an_unknown_derived_field_is_refused(registry):
    with pytest.raises(ValueError, match="Case has no field colour"):
        state.register_state("case", Case, derived=("colour",))


# --- the reconcile: each tamper ----------------------------------------------------------------


def test_the_actions_leave_every_row_matching_its_last_entry(story):
    report = state.reconcile()
    assert report.ok, messages(report)
    assert report.kinds["case"].rows == report.kinds["case"].checked == 2
    assert report.kinds["incident"].checked == 2
    assert report.kinds["person"].checked == 1
    assert report.undigested == 0


def test_a_status_changed_in_the_database_is_found(story):
    case, *_ = story
    sql("UPDATE cases_case SET status = 'archived' WHERE id = %s", [case.pk])
    entry, _ = last_payload("case", case.pk)
    report = state.reconcile()
    assert messages(report) == [
        f"case {case.pk}: status changed behind the ledger "
        f"(differs from the state recorded by entry {entry.seq}, {entry.action})"
    ]
    (finding,) = report.findings
    assert (finding.subject_type, finding.subject_id, finding.fields) == (
        "case",
        str(case.pk),
        ("status",),
    )


def test_a_title_changed_in_the_database_is_found(story):
    _, other, _, _ = story
    sql("UPDATE cases_case SET title = %s WHERE id = %s", ["无事发生", other.pk])
    (finding,) = state.reconcile().findings
    assert finding.fields == ("title",)
    assert finding.message.startswith(f"case {other.pk}: title changed behind the ledger")


def test_a_case_row_inserted_without_an_entry_is_found(story, world):
    case, *_ = story
    forged = Case.objects.create(
        number="S1-2026-999999",
        unit=world.station,
        year=2026,
        sequence=999999,
        kind=case.kind,
        category=case.category,
        status=case.status,
        title="凭空出现的案件",
        opened_at=clock.now(),
        updated_at=clock.now(),
    )
    report = state.reconcile()
    assert messages(report) == [
        f"case {forged.pk}: row has no ledger entry (inserted behind the ledger)"
    ]


def test_a_row_whose_subject_was_only_looked_at_counts_as_unrecorded(story, world):
    _, other, _, _ = story
    LedgerEntry.objects.filter(subject_type="case", subject_id=str(other.pk)).update(
        action=LedgerKind.VIEWED
    )
    (finding,) = state.reconcile(["case"]).findings
    assert (finding.problem, finding.subject_id) == ("unrecorded", str(other.pk))


def test_a_deleted_case_is_found(story):
    _, other, _, _ = story
    entry, _ = last_payload("case", other.pk)
    sql("DELETE FROM cases_casehandler WHERE case_id = %s", [other.pk])
    sql("DELETE FROM cases_case WHERE id = %s", [other.pk])
    report = state.reconcile()
    assert messages(report) == [
        f"case {other.pk}: row is gone but its last entry {entry.seq} (case.opened) is not a "
        "deletion (deleted behind the ledger)"
    ]


def test_a_deleted_incident_is_found(story):
    *_, lone = story
    entry, _ = last_payload("incident", lone.pk)
    sql("DELETE FROM cases_incident WHERE id = %s", [lone.pk])
    (finding,) = state.reconcile().findings
    assert (finding.subject_type, finding.subject_id, finding.problem) == (
        "incident",
        str(lone.pk),
        "deleted",
    )
    assert finding.message == (
        f"incident {lone.pk}: row is gone but its last entry {entry.seq} (incident.recorded) "
        "is not a deletion (deleted behind the ledger)"
    )


def test_a_row_gone_after_a_deletion_entry_is_not_a_finding(story, registry):
    *_, lone = story
    state.register_state("incident", Incident, deleted_by=[LedgerKind.INCIDENT_RECORDED])
    sql("DELETE FROM cases_incident WHERE id = %s", [lone.pk])
    assert state.reconcile().ok


def test_an_entry_recorded_after_its_row_is_gone_carries_no_state(story, registry, world):
    """A deletion through an action: the row goes first, then its entry, which has no row to
    vouch for; with the kind registered as a deletion, the reconcile accepts the absence."""
    *_, lone = story
    state.register_state("incident", Incident, deleted_by=[LedgerKind.INCIDENT_DECIDED])
    with transaction.atomic():
        sql("DELETE FROM cases_incident WHERE id = %s", [lone.pk])
        entry = record(LedgerKind.INCIDENT_DECIDED, subject=lone, actor=world.intake)
    assert json.loads(entry.payload) == {}
    assert state.reconcile(["incident"]).ok


def test_an_incident_decided_in_the_database_names_every_field(story):
    *_, lone = story
    Incident.objects.filter(pk=lone.pk).update(
        status=IncidentStatus.NO_CASE, decision_reason="不予立案"
    )
    (finding,) = state.reconcile().findings
    assert finding.fields == ("status", "decision_reason")
    assert finding.message.startswith(
        f"incident {lone.pk}: status, decision_reason changed behind the ledger"
    )


def test_a_persons_name_edited_in_the_database_is_found(story):
    person = Person.objects.get(name="王小明")
    sql("UPDATE cases_person SET name = %s WHERE id = %s", ["王大明", person.pk])
    (finding,) = state.reconcile().findings
    assert (finding.subject_type, finding.subject_id, finding.fields) == (
        "person",
        str(person.pk),
        ("name",),
    )
    assert finding.message.startswith(f"person {person.pk}: name changed behind the ledger")


def test_an_entry_older_than_digests_is_reported_not_failed(story, registry, capsys):
    case, *_ = story
    del registry["person"]  # as before digests: 李四's entry carries none
    actions.add_party(
        case, actions.PartyInput(role="witness", name="李四"), actor=case.handlers.first().officer
    )
    state.register_state("person", Person)
    report = state.reconcile(["person"])
    assert report.ok
    assert report.kinds["person"].undigested == 1
    assert report.kinds["person"].checked == 1  # 王小明, recorded with a digest
    code, out, _ = run(capsys, "ledger", "verify", "--no-progress", "--state")
    assert code == 0, out
    assert "state: person: 2 rows, 1 match their last entry, 1 with no state digest" in out


def test_an_entry_whose_payload_is_no_object_has_no_digest(story):
    _, other, _, _ = story
    entry, _ = last_payload("case", other.pk)
    sql("UPDATE ledger_ledgerentry SET payload = '[]' WHERE seq = %s", [entry.seq])
    report = state.reconcile(["case"])
    assert report.ok
    assert report.kinds["case"].undigested == 1


def test_a_field_the_row_no_longer_has_is_reported(story, registry):
    *_, lone = story
    state.register_state("incident", Incident, derived=("reporter_contact",))
    entry, _ = last_payload("incident", lone.pk)
    findings = [f for f in state.reconcile(["incident"]).findings if f.subject_id == str(lone.pk)]
    assert [f.message for f in findings] == [
        f"incident {lone.pk}: entry {entry.seq} records the state of reporter_contact, "
        "which the row lacks"
    ]


def test_a_change_the_tags_cannot_name_is_still_reported():
    finding = state.Finding("case", "7", "changed", (), 12, "case.opened")
    assert str(finding) == (
        "case 7: a field the tags cannot name changed behind the ledger "
        "(differs from the state recorded by entry 12, case.opened)"
    )


def test_a_forged_tag_does_not_hide_a_change(story):
    """The digest decides; the tags only name the field."""
    _, other, _, _ = story
    entry, payload = last_payload("case", other.pk)
    payload["state_fields"]["title"] = state.tag("title", "无事发生")
    sql(
        "UPDATE ledger_ledgerentry SET payload = %s WHERE seq = %s",
        [json.dumps(payload, ensure_ascii=False), entry.seq],
    )
    sql("UPDATE cases_case SET title = %s WHERE id = %s", ["无事发生", other.pk])
    (finding,) = state.reconcile(["case"]).findings
    assert (finding.problem, finding.fields) == ("changed", ())


def test_the_reconcile_reports_progress(story):
    seen = []
    state.reconcile(progress=lambda done, total: seen.append((done, total)))
    assert (
        seen[-1][0]
        == seen[-1][1]
        == sum(
            m._default_manager.count() for m in (Case, Incident, Person, Measure, CustodySession)
        )
    )


# --- any audited field ---------------------------------------------------------------------------

EDITS = {
    "title": st.text(min_size=1, max_size=200),
    "summary": st.text(max_size=400),
    "status": st.sampled_from(["registered", "investigating", "archived", "withdrawn"]),
    "sealed": st.booleans(),
    "hearing_required": st.booleans(),
    "hearing_held_on": st.dates(date(1970, 1, 1), date(2100, 12, 31)),
    "opened_at": st.integers(1, 10**9).map(lambda s: clock.now() - timedelta(microseconds=s)),
    "sequence": st.integers(1000, 2**31 - 1),  # clear of the other cases (unique per year)
}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_edit_of_an_audited_case_field_is_found_and_named(story, data):
    _, other, _, _ = story
    name = data.draw(st.sampled_from(sorted(EDITS)))
    value = data.draw(EDITS[name].filter(lambda v: "\x00" not in str(v)))
    before = Case.objects.filter(pk=other.pk).values_list(name, flat=True).get()
    if value == before:
        assert state.reconcile(["case"]).ok
        return
    Case.objects.filter(pk=other.pk).update(**{name: value})
    try:
        findings = state.reconcile(["case"]).findings
        assert [(f.subject_id, f.fields) for f in findings] == [(str(other.pk), (name,))]
    finally:
        Case.objects.filter(pk=other.pk).update(**{name: before})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(["name", "id_number", "contact"]), value=st.text(max_size=40))
def test_any_edit_of_a_persons_text_is_found_and_named(story, name, value):
    person = Person.objects.get(name="王小明")
    before = Person.objects.filter(pk=person.pk).values_list(name, flat=True).get()
    if "\x00" in value or value == before:
        return
    Person.objects.filter(pk=person.pk).update(**{name: value})
    try:
        (finding,) = state.reconcile(["person"]).findings
        assert finding.fields == (name,)
    finally:
        Person.objects.filter(pk=person.pk).update(**{name: before})


# --- the demo, custody, the seeder and the bulk loaders -----------------------------------------


@pytest.fixture
def demo_world(db):
    demo.load(seed=3, incidents=160)
    assert Measure.objects.exists()
    assert CustodySession.objects.exists()


def test_an_untouched_demo_verifies_clean(demo_world, capsys):
    report = state.reconcile()
    assert report.ok, messages(report)[:5]
    # The demo takes no stock, and no unit asks for a review of a score in it.
    for name in (k for k in KINDS if k not in ("property_stocktake", "score_review")):
        tally = report.kinds[name]
        assert tally.rows > 0, name
        assert tally.checked == tally.rows, name
    code, out, _ = run(capsys, "ledger", "verify", "--no-progress", "--state")
    assert code == 0, out
    assert "STATE MATCHES" in out


def test_a_measure_and_a_stay_changed_in_the_database_are_found(demo_world, capsys):
    measure = Measure.objects.order_by("pk").first()
    session = CustodySession.objects.order_by("pk").first()
    Measure.objects.filter(pk=measure.pk).update(
        status="ended", started_at=F("started_at") + timedelta(hours=2)
    )
    CustodySession.objects.filter(pk=session.pk).update(entry_reason="无")
    report = state.reconcile()
    found = {(f.subject_type, f.subject_id): f.fields for f in report.findings}
    assert found == {
        ("measure", str(measure.pk)): ("status", "started_at"),
        ("custody_session", str(session.pk)): ("entry_reason",),
    }
    code, out, _ = run(capsys, "ledger", "verify", "--no-progress", "--state")
    assert code == 1
    assert "STATE DIFFERS: 2 rows disagree with the ledger" in out
    assert f"measure {measure.pk}: status, started_at changed behind the ledger" in out
    assert f"custody_session {session.pk}: entry_reason changed behind the ledger" in out


def test_a_seeded_database_verifies_clean(db):
    demo.load(seed=1, incidents=0)
    seed.seed_cases(40, seed=2)
    report = state.reconcile()
    assert report.ok, messages(report)[:5]
    assert report.kinds["case"].checked == report.kinds["case"].rows >= 40
    assert report.undigested == 0


def test_a_bulk_append_vouches_with_each_subjects_last_entry_only(story, world):
    case, other, *_ = story

    def entry(kind, subject):
        return NewSubjectEntry(
            kind, "case", str(subject.pk), clock.now(), None, "system", None, {"n": 1}
        )

    with transaction.atomic():
        append_entries(
            [
                entry(LedgerKind.HANDLER_ASSIGNED, case),
                entry(LedgerKind.HANDLER_ASSIGNED, case),
                entry(LedgerKind.HANDLER_ASSIGNED, other),
                entry(LedgerKind.VIEWED, other),
            ]
        )
    rows = list(LedgerEntry.objects.order_by("-seq")[:4])[::-1]
    payloads = [json.loads(r.payload) for r in rows]
    assert ["state" in p for p in payloads] == [False, True, True, False]
    assert state.reconcile().ok


def test_more_subjects_than_a_chunk_are_read_in_chunks(story, monkeypatch):
    monkeypatch.setattr(state, "CHUNK", 1)
    case, other, _incident, lone = story
    found = state.payloads_for([("case", str(case.pk)), ("case", str(other.pk))])
    assert set(found) == {("case", str(case.pk)), ("case", str(other.pk))}
    sql("DELETE FROM cases_incident WHERE id = %s", [lone.pk])
    report = state.reconcile()
    assert [f.subject_id for f in report.findings] == [str(lone.pk)]
    assert report.kinds["incident"].checked == 1


# --- the daily pass ------------------------------------------------------------------------------


def test_the_state_pass_is_a_background_job():
    job = next(job for job in background.jobs() if job.name == "ledger.state")
    assert job.every_seconds == 3600
    assert job.run == state_pass.reconcile_if_due


def test_the_daily_pass_runs_once_a_day_and_records_itself(story, caplog, frozen_clock):
    case, *_ = story
    sql("UPDATE cases_case SET status = 'archived' WHERE id = %s", [case.pk])
    with caplog.at_level(logging.ERROR, logger="casetrail.ledger"):
        report = state_pass.reconcile_if_due()
    assert report is not None
    assert not report.ok
    assert f"case {case.pk}: status changed behind the ledger" in caplog.text
    entry = LedgerEntry.objects.filter(action=LedgerKind.STATE_RECONCILED).get()
    data = json.loads(entry.payload)
    assert (data["findings"], data["rows"]) == (1, report.rows)
    assert data["first"].startswith(f"case {case.pk}: status")
    assert state_pass.reconcile_if_due() is None  # not due again the same day
    sql("UPDATE cases_case SET status = %s WHERE id = %s", [case.status, case.pk])
    frozen_clock.shift(timedelta(days=1, seconds=1))
    with caplog.at_level(logging.INFO, logger="casetrail.ledger"):
        again = state_pass.reconcile_if_due()
    assert again is not None
    assert again.ok
    assert "rows match their last entries" in caplog.text
    assert LedgerEntry.objects.filter(action=LedgerKind.STATE_RECONCILED).count() == 2
