"""`casetrail export case`: what a bundle discloses, that it verifies offline, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest
from django.db import transaction

from casetrail.cases import actions, export
from casetrail.cases.models import Case
from casetrail.ledger import verify
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.record import record, record_view
from tests.ledger.conftest import reported_case, run


def lines(path):
    with zipfile.ZipFile(path) as bundle:
        return [json.loads(line)["entry"] for line in bundle.read("entries.jsonl").splitlines()]


@pytest.fixture
def case_story(world):
    """Case A came from an incident; its suspect was first a party of an earlier case B."""
    other = world.case(title="早先的案件")
    suspect = actions.add_party(
        other,
        actions.PartyInput(
            role="suspect", name="赵六", id_type="resident_id", id_number="110101199001011237"
        ),
        actor=world.handler1,
    )
    case, incident = reported_case(world)
    actions.add_party(
        case, actions.PartyInput(role="suspect", person_id=suspect.person.pk), actor=world.handler1
    )
    record_view(suspect.person, actor=world.handler1, unit_id=case.unit_id, what="person")
    return case, incident, suspect.person, other


def test_the_bundle_holds_the_case_its_incident_and_its_parties_from_when_they_joined(
    world, signing_key, case_story, tmp_path, capsys
):
    case, incident, suspect, other = case_story
    out = tmp_path / "a.zip"
    code, text, err = run(capsys, "export", "case", case.number, "--out", out)
    assert code == 0, err
    assert f"exported case {case.number} to {out}" in text
    entries = lines(out)
    subjects = {e["subject"] for e in entries}
    assert f"case:{case.pk}" in subjects
    assert f"incident:{incident.pk}" in subjects
    assert f"case:{other.pk}" not in subjects  # another case is never disclosed
    victim = case.parties.get(role="victim").person
    victim_entries = [e for e in entries if e["subject"] == f"person:{victim.pk}"]
    assert victim_entries[0]["action"] == LedgerKind.PERSON_RECORDED  # recorded for this case
    # The suspect was recorded for case B: that entry is an anchor, not disclosed.
    suspect_seqs = {e["seq"] for e in entries if e["subject"] == f"person:{suspect.pk}"}
    recorded = LedgerEntry.objects.get(
        subject_type="person", subject_id=str(suspect.pk), action=LedgerKind.PERSON_RECORDED
    )
    assert recorded.seq not in suspect_seqs
    assert len(suspect_seqs) == 1  # the look at the suspect after they joined this case
    bundle = verify.read_bundle(out)
    assert [a.seq for a in bundle.anchors] == [recorded.seq]
    report = verify.verify_bundle(out, trusted_key_ids=[signing_key.key_id])
    assert report.intact, [str(c.problems) for c in report.checks]


def test_the_export_is_itself_logged_inside_the_bundles_head(
    world, signing_key, case_story, tmp_path
):
    case = case_story[0]
    done = export.export_case(case.number, tmp_path / "a.zip", actor=world.supervisor)
    viewed = LedgerEntry.objects.get(seq=done.viewed_seq)
    assert viewed.action == LedgerKind.VIEWED
    assert viewed.subject == f"case:{case.pk}"
    assert viewed.actor_id == world.supervisor.pk
    assert json.loads(viewed.payload) == {"what": "case file export"}
    assert done.head.size == done.viewed_seq  # signed in the view's own transaction
    assert lines(done.path)[-1]["seq"] == done.viewed_seq


def test_the_standalone_verifier_accepts_a_real_export(world, signing_key, case_story, tmp_path):
    done = export.export_case(case_story[0].number, tmp_path / "a.zip")
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "casetrail.ledger.verify",
            str(done.path),
            "--trust",
            signing_key.key_id,
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "INTACT: every check holds" in result.stdout


def test_a_seeded_case_exports_its_opening_entries(world, signing_key, tmp_path):
    from casetrail import seed

    seed.seed_cases(12, seed=1)
    case = max(Case.objects.order_by("id"), key=lambda c: c.parties.count())
    assert case.parties.count() >= 2
    done = export.export_case(case.number, tmp_path / "s.zip")
    assert verify.verify_bundle(done.path).intact
    assert {e["action"] for e in lines(done.path)} >= {"case.opened", "viewed"}
    # Every party's person chain is in the file, not only the one recorded last.
    people = {f"person:{pk}" for pk in case.parties.values_list("person_id", flat=True)}
    shown = {e["subject"] for e in lines(done.path)}
    assert people <= shown, people - shown


def test_export_errors_are_named_and_leave_no_trace(world, case_story, key_file, tmp_path, capsys):
    case = case_story[0]
    before = LedgerEntry.objects.count()
    code, _, err = run(capsys, "export", "case", case.number, "--out", tmp_path / "a.zip")
    assert code == 2
    assert "no ledger signing key" in err
    assert LedgerEntry.objects.count() == before  # refused before the view was logged

    code, _, err = run(capsys, "export", "case", "NO-SUCH", "--out", tmp_path / "b.zip")
    assert code == 2
    assert "error: NUMBER: no case numbered NO-SUCH" in err

    existing = tmp_path / "c.zip"
    existing.write_text("keep me")
    code, _, err = run(capsys, "export", "case", case.number, "--out", existing)
    assert code == 2
    assert "exists; refusing to overwrite" in err
    assert existing.read_text() == "keep me"

    code, _, err = run(
        capsys, "export", "case", case.number, "--out", tmp_path / "d.zip", "--officer", "ghost"
    )
    assert code == 2
    assert "--officer: no officer ghost" in err
    assert LedgerEntry.objects.count() == before


def test_an_app_can_add_its_subjects_to_a_case_export(
    world, signing_key, case_story, tmp_path, monkeypatch
):
    case = case_story[0]

    class Measure:  # a stand-in for another app's subject that belongs to the case
        LEDGER_SUBJECT = "measure"
        pk = 77

    with transaction.atomic():
        record(LedgerKind.VIEWED, subject=Measure(), actor=None, data={"case": case.number})
    monkeypatch.setattr(export, "_case_subjects", [])
    export.register_case_subjects(lambda c: [("measure", "77")] if c.pk == case.pk else [])
    export.register_case_subjects(lambda c: [("measure", "77")])  # named twice: listed once
    done = export.export_case(case.number, tmp_path / "m.zip")
    measure_lines = [e for e in lines(done.path) if e["subject"] == "measure:77"]
    assert len(measure_lines) == 1
    assert verify.verify_bundle(done.path).intact
