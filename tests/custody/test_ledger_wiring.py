"""A case's coercive measures belong to its file: a case export carries their chains and
verifies offline, and a proof of a measure's entry is for those who may see the measure."""

from __future__ import annotations

import zipfile
from datetime import datetime

from casetrail.cases.export import export_case
from casetrail.custody.models import Measure
from casetrail.ledger.heads import ensure_key_and_head
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify_bundle
from tests.custody.conftest import SHANGHAI, run_measure

DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)


def test_an_export_carries_the_measures_chain_and_verifies(scene, tmp_path, settings):
    settings.CASETRAIL_LEDGER_KEY_FILE = tmp_path / "keys" / "ledger.pem"
    s = scene(DETAINED)
    case = s.world.case()
    run_measure(s, case, s.suspect(case), "criminal_detention", DETAINED)
    measure = Measure.objects.get(case=case)
    ensure_key_and_head()
    out = tmp_path / "case.zip"
    export_case(case.number, out, actor=s.world.handler1)
    report = verify_bundle(out)
    assert report.intact, report
    with zipfile.ZipFile(out) as bundle:
        lines = bundle.read("entries.jsonl").decode()
    assert f'"subject":"measure:{measure.pk}"' in lines.replace(" ", "")


def test_a_measure_entry_proof_follows_measure_access(scene, tmp_path, settings):
    settings.CASETRAIL_LEDGER_KEY_FILE = tmp_path / "keys" / "ledger.pem"
    s = scene(DETAINED)
    case = s.world.case()
    run_measure(s, case, s.suspect(case), "criminal_detention", DETAINED)
    ensure_key_and_head()
    measure = Measure.objects.get(case=case)
    seq = LedgerEntry.objects.filter(subject_type="measure", subject_id=str(measure.pk)).first().seq
    viewed = LedgerEntry.objects.filter(action="viewed", subject_type="measure").count()
    assert s.api(s.world.handler1).get(f"/ledger/entries/{seq}/proof").status_code == 200
    # The proof carries the entry's fields: reading it is a look at the custody record.
    assert LedgerEntry.objects.filter(action="viewed", subject_type="measure").count() == (
        viewed + 1
    )
    assert s.api(s.world.outsider).get(f"/ledger/entries/{seq}/proof").status_code == 404
