"""The case file of a case with 200 issued documents, exported (issue 10: < 30 s). Prints,
asserts nothing but its own set-up.

    .venv/bin/python benchmarks/casefile_export.py [--documents 200] [--runs 3]

Seeds a database once (kept in benchmarks/out/ for later runs) through the real actions: the
demo's units and officers, one criminal case at 东湖派出所 with a suspect, and ``--documents``
documents issued on it, three in four a 扣押清单 (no approval: issued on submission) and one in
four a 扣押决定书 approved by the unit leader (a signature per step, then the seal), each
rendered by WeasyPrint and sealed by pyHanko under the demo agency CA. Then, on a fixed clock:

1. `casetrail export case` as the command runs it (a `viewed` entry, a signed head, the ledger
   bundle with its proofs, every issued PDF as documents/<seq>.pdf, and casefile.pdf, one PDF
   of the whole file with a bookmark per document), wall time per run;
2. beside it, the baseline of the same export without the documents' files (the ledger bundle
   alone, as before issue 10), and the case file PDF merged alone (pypdf);
3. the offline verifier (`python -m casetrail.ledger.verify FILE.zip`, standard library and
   `cryptography`), which re-hashes every PDF against the ledger, as a subprocess.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 16, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = ROOT / "benchmarks" / "out" / f"casefile-{args.documents}"
    os.environ.setdefault("CASETRAIL_DATA_DIR", str(data))
    os.environ["DJANGO_SETTINGS_MODULE"] = "casetrail.config.settings.dev"
    os.environ.setdefault("CASETRAIL_ALLOWED_HOSTS", "testserver")
    data.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from casetrail import clock
    from casetrail.documents.sealing import configured_paths, ensure_demo_keys
    from casetrail.ledger import heads

    call_command("migrate", interactive=False, verbosity=0)
    with clock.backdated(NOW):
        ensure_demo_keys(*configured_paths())
        heads.ensure_key_and_head()
        number = case_number()
        if number is None:
            began = time.perf_counter()
            number = seed(args.documents)
            print(f"seeded {args.documents} documents in {time.perf_counter() - began:.0f} s")
        return run(number, args.runs)


def case_number() -> str | None:
    from casetrail.cases.models import Case

    case = Case.objects.filter(title="涉案财物200件盗窃案").first()
    return case.number if case else None


def seed(documents: int) -> str:
    from casetrail import clock, demo
    from casetrail.cases import actions as cases
    from casetrail.cases.catalogue import ensure_offence_catalogue
    from casetrail.documents import actions
    from casetrail.documents.inputs import DecisionInput, DraftInput
    from casetrail.org.models import Officer

    ensure_offence_catalogue()
    jurisdiction = demo._units_and_officers()
    station = jurisdiction.stations[0]
    first, second = station.handlers[:2]
    case = cases.open_case(
        cases.CaseInput(
            unit_id=station.unit.pk,
            kind="criminal",
            category="CR-THEFT",
            title="涉案财物200件盗窃案",
            handler_ids=(first.pk, second.pk),
        ),
        actor=station.intake,
    )
    suspect = cases.add_party(
        case, cases.PartyInput(role="suspect", name="张三丰"), actor=first
    ).person
    leader = Officer.objects.get(pk=station.leader.pk)
    start = NOW - timedelta(days=30)
    for n in range(documents):
        with clock.backdated(start + timedelta(minutes=10 * n)):
            if n % 4 == 3:
                made = DraftInput(
                    type_id="seizure_decision",
                    person_id=suspect.pk,
                    particulars=f"扣押电动自行车一辆（第{n}件）",
                )
            else:
                made = DraftInput(
                    type_id="seizure_list",
                    person_id=suspect.pk,
                    particulars=f"手机一部，IMEI 8645120{n:07d}，黑色，已封存",
                    params={"witness": "李四"},
                )
            doc = actions.submit_document(
                actions.draft_document(case, made, actor=first), actor=first
            )
            if doc.status == "pending":
                actions.decide_document(doc, DecisionInput(decision="approve"), actor=leader)
        if (n + 1) % 50 == 0:
            print(f"  {n + 1} documents issued", flush=True)
    return case.number


def run(number: str, runs: int) -> int:
    from casetrail.cases import export
    from casetrail.cases.models import Case
    from casetrail.documents import casefile
    from casetrail.documents.models import Document
    from casetrail.ledger.models import LedgerEntry

    case = Case.objects.get(number=number)
    issued = Document.objects.filter(case=case, status="issued").count()
    entries = LedgerEntry.objects.count()
    print(f"case {number}: {issued} issued documents; {entries} ledger entries in all")

    def export_once(out: Path) -> float:
        began = time.perf_counter()
        export.export_case(number, out)
        return time.perf_counter() - began

    with tempfile.TemporaryDirectory() as folder:
        full = [export_once(Path(folder) / f"full-{i}.zip") for i in range(runs)]
        size = (Path(folder) / "full-0.zip").stat().st_size
        providers = list(export._case_files)
        export._case_files.clear()  # the baseline: the ledger bundle alone
        try:
            bare = [export_once(Path(folder) / f"bare-{i}.zip") for i in range(runs)]
        finally:
            export._case_files.extend(providers)
        bare_size = (Path(folder) / "bare-0.zip").stat().st_size
        disclosed, _anchors = export.disclosed(case, LedgerEntry.objects.count())
        began = time.perf_counter()
        files = casefile.case_files(case, disclosed)
        merge = time.perf_counter() - began
        merged = files["casefile.pdf"]
        began = time.perf_counter()
        checked = subprocess.run(
            [sys.executable, "-m", "casetrail.ledger.verify", str(Path(folder) / "full-0.zip")],
            capture_output=True,
            text=True,
            check=False,
        )
        verify = time.perf_counter() - began

    print(f"{'export':<44}{'median s':>10}{'max s':>10}")
    print(
        f"{'with documents and casefile.pdf':<44}{statistics.median(full):>10.2f}{max(full):>10.2f}"
    )
    print(
        f"{'baseline: ledger bundle alone':<44}{statistics.median(bare):>10.2f}{max(bare):>10.2f}"
    )
    ratio = statistics.median(full) / statistics.median(bare)
    print(f"ratio with/without documents: {ratio:.1f}x")
    print(f"bundle size: {size / 1e6:.1f} MB (baseline {bare_size / 1e6:.2f} MB)")
    print(f"the documents' files alone (read + merge): {merge:.2f} s;")
    print(f"  casefile.pdf {len(merged) / 1e6:.1f} MB, {len(files) - 2} documents")
    verdict = checked.stdout.strip().splitlines()[-1] if checked.stdout.strip() else checked.stderr
    print(f"offline verify of the bundle: {verify:.2f} s, exit {checked.returncode}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
