"""Kill the server with SIGKILL again and again under concurrent writes, then count the damage.

    python benchmarks/kill_loop.py [--kills 20] [--writers 4] [--seconds 1.5]

(KILL_LOOP_LOG=FILE keeps the servers' own output.)

SQLite by default, in a fresh data folder; with DATABASE_URL set, that (empty) PostgreSQL
database. It loads the demo, gives the English custody sergeant a token, starts `casetrail
serve`, and while writer threads record incidents through the API it kills the server with -9
at a random moment, restarts it, and does so --kills times. Then it checks, from the database:

- every incident whose 201 reached a writer is there (an acknowledged write is never lost);
- every incident has its ledger entry (no row without its entry: the write and the entry are
  one transaction);
- `casetrail ledger verify` finds the ledger intact.

It prints one table and exits 1 if any count is not zero. It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASETRAIL = [sys.executable, "-m", "casetrail.cli"]


@dataclass
class Tally:
    acknowledged: dict[int, str] = field(default_factory=dict)  # incident id -> reporter name
    refused: int = 0  # an answer other than 201 (the server was stopping)
    statuses: dict[int, int] = field(default_factory=dict)
    broken: int = 0  # no answer at all: the connection died with the server
    lock: threading.Lock = field(default_factory=threading.Lock)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CASETRAIL_DATA_DIR"] = str(data_dir)
    env.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.config.settings.dev")
    return env


def _prepare(env: dict[str, str]) -> tuple[str, int]:
    """Load the demo and issue a token to wdc.sergeant; return the key and the unit's id."""
    subprocess.run([*CASETRAIL, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    script = (
        "from casetrail.cli.setup import setup; setup()\n"
        "from casetrail.org import actions\n"
        "from casetrail.org.inputs import TokenInput\n"
        "from casetrail.org.models import Officer\n"
        "o = Officer.objects.get(username='wdc.sergeant')\n"
        "_, key = actions.issue_token(TokenInput(name='kill loop'), actor=o)\n"
        "print(key, o.unit_id)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    key, unit = out.stdout.split()[-2:]
    return key, int(unit)


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [*CASETRAIL, "serve", "--port", str(port), "--no-background"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("KILL_LOOP_LOG", os.devnull), "ab"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def _writer(n: int, port: int, key: str, unit: int, tally: Tally, stop: threading.Event) -> None:
    i = 0
    while not stop.is_set():
        i += 1
        name = f"kill-{n}-{i}"
        body = {
            "unit_id": unit,
            "channel": "call",
            "received_at": datetime.now(UTC).isoformat(),  # a benchmark reads the real clock
            "reporter_name": name,
            "location": "Northgate",
            "summary": "written while the server may be killed",
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/incidents",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                got = json.loads(answer.read())
                status = answer.status
        except urllib.error.HTTPError as exc:
            status, got = exc.code, None
        except (OSError, ValueError, http.client.HTTPException):
            with tally.lock:
                tally.broken += 1
            time.sleep(0.05)
            continue
        with tally.lock:
            if status == 201 and got is not None:
                tally.acknowledged[int(got["incident"]["id"])] = name
            else:
                tally.refused += 1
                tally.statuses[status] = tally.statuses.get(status, 0) + 1


def _check(env: dict[str, str], tally: Tally) -> dict[str, int]:
    ids = json.dumps(sorted(tally.acknowledged))
    script = (
        "import json, sys\n"
        "from casetrail.cli.setup import setup; setup()\n"
        "from casetrail.cases.models import Incident\n"
        "from casetrail.ledger.models import LedgerEntry\n"
        f"acked = json.loads('{ids}')\n"
        "present = set(Incident.objects.filter(pk__in=acked).values_list('pk', flat=True))\n"
        "entered = set(LedgerEntry.objects.filter(subject_type='incident')"
        ".values_list('subject_id', flat=True))\n"
        "rows = list(Incident.objects.values_list('pk', flat=True))\n"
        "print(json.dumps({'lost': len(set(acked) - present),"
        " 'incidents': len(rows),"
        " 'without_entry': sum(1 for pk in rows if str(pk) not in entered)}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    found: dict[str, int] = json.loads(out.stdout.strip().splitlines()[-1])
    verify = subprocess.run([*CASETRAIL, "ledger", "verify"], env=env, capture_output=True)
    found["verify_exit"] = verify.returncode
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=1.5, help="mean time between kills")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    database = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    with tempfile.TemporaryDirectory(prefix="casetrail-kill-") as folder:
        env = _env(Path(folder))
        key, unit = _prepare(env)
        port = _free_port()
        tally = Tally()
        stop = threading.Event()
        server = _serve(env, port)
        writers = [
            threading.Thread(target=_writer, args=(n, port, key, unit, tally, stop), daemon=True)
            for n in range(args.writers)
        ]
        for thread in writers:
            thread.start()
        started = time.monotonic()
        for _ in range(args.kills):
            time.sleep(rng.uniform(0.2, 2 * args.seconds))
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
            server = _serve(env, port)
        time.sleep(args.seconds)
        stop.set()
        for thread in writers:
            thread.join(timeout=15)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        elapsed = time.monotonic() - started
        found = _check(env, tally)
    rows = [
        ("database", database),
        ("kills (SIGKILL)", args.kills),
        ("writers", args.writers),
        ("seconds", f"{elapsed:.1f}"),
        ("writes acknowledged (201)", len(tally.acknowledged)),
        ("answers refused (not acknowledged), by status", f"{tally.refused} {tally.statuses}"),
        ("requests cut or refused while the server was down", tally.broken),
        ("incidents in the database", found["incidents"]),
        ("acknowledged writes lost", found["lost"]),
        ("incidents without their ledger entry", found["without_entry"]),
        ("`casetrail ledger verify` exit status", found["verify_exit"]),
    ]
    print("| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    bad = found["lost"] + found["without_entry"] + found["verify_exit"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
