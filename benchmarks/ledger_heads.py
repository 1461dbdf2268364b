"""Signed heads per 1,000 intakes through the API (issue 16: 1,705 heads after a short load test).

    .venv/bin/python benchmarks/ledger_heads.py [--intakes 1000] [--rate 20]

Posts ``--intakes`` incidents to ``POST /api/v1/incidents`` with a real API token, ``--rate`` a
second of simulated time (the clock is stepped, not waited for), and runs the background job
`ledger.sign_head` every 10 simulated seconds, as `casetrail serve` does. A tenth of the
reporters also fetch their receipt file afterwards, as a reporter who asks for it would. Prints
the heads signed, per 1,000 intakes; asserts nothing but its own set-up.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

from ledger_common import jurisdiction, start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0, help="intakes per simulated second")
    args = parser.parse_args()
    bench = start()
    try:
        run(args.intakes, args.rate)
    finally:
        bench.stop()


def run(intakes: int, rate: float) -> None:
    from django.test import Client

    from casetrail import clock
    from casetrail.ledger import heads
    from casetrail.ledger.models import SignedHead
    from casetrail.org.actions import issue_token
    from casetrail.org.inputs import TokenInput

    unit, (intake, _, _) = jurisdiction()
    heads.generate_key()
    _, token = issue_token(TokenInput(name="bench"), actor=intake)
    client = Client()
    auth = {"Authorization": f"Bearer {token}"}
    start_at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    before = SignedHead.objects.count()
    next_tick = start_at
    ids = []
    pending = 0
    for n in range(intakes):
        now = start_at + timedelta(seconds=n / rate)
        with clock.backdated(now):
            while next_tick <= now:  # the background job, every 10 s
                heads.sign_head_if_due()
                next_tick += timedelta(seconds=heads.CHECK_EVERY_SECONDS)
            body = {
                "unit_id": unit.pk,
                "channel": "call",
                "received_at": (now - timedelta(minutes=3)).isoformat(),
                "reporter_name": "张三",
                "location": "东湖路8号",
                "summary": f"家中被盗 {n}",
                "category": "CR-THEFT",
            }
            response = client.post(
                "/api/v1/incidents", json.dumps(body), content_type="application/json", headers=auth
            )
            assert response.status_code == 201, response.content
            answer = response.json()
            ids.append(answer["incident"]["id"])
            pending += answer["ledger"] is None
    end = start_at + timedelta(seconds=intakes / rate)
    with clock.backdated(end + timedelta(seconds=heads.CHECK_EVERY_SECONDS)):
        heads.sign_head_if_due()
        for incident_id in ids[::10]:  # a tenth of the reporters ask for their receipt file
            response = client.get(f"/api/v1/incidents/{incident_id}/receipt", headers=auth)
            assert response.status_code in (200, 404), response.content
    signed = SignedHead.objects.count() - before
    print(
        f"{intakes} intakes at {rate:g}/s ({intakes / rate:.0f} s simulated): {signed} heads "
        f"signed = {signed * 1000 / intakes:.0f} per 1,000 intakes; {pending} intake answers "
        "without a receipt yet"
    )


if __name__ == "__main__":
    main()
