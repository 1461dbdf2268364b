"""The property of a case in its export: each item's particulars and chain of custody
(``property/chain-of-custody.json``), every hand-over beside the ledger entries that recorded
it, so the verifier's chains and this list can be read side by side."""

from __future__ import annotations

import json
from collections import defaultdict

from casetrail.cases.models import Case
from casetrail.ledger.models import LedgerEntry
from casetrail.property.models import Item, Transfer


def case_files(case: Case, entries: list[LedgerEntry]) -> dict[str, bytes]:
    items = list(Item.objects.filter(case=case).order_by("code").prefetch_related("seals"))
    if not items:
        return {}
    seqs: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        if entry.subject_type == Item.LEDGER_SUBJECT:
            seqs[entry.subject_id].append(int(entry.seq))
    transfers: dict[int, list[Transfer]] = defaultdict(list)
    rows = Transfer.objects.filter(item__case=case).select_related(
        "from_officer", "to_officer", "location"
    )
    for transfer in rows:
        transfers[transfer.item_id].append(transfer)
    listing = [
        {
            "code": item.code,
            "kind": item.kind,
            "basis": item.basis,
            "description": item.description,
            "quantity": item.quantity,
            "seals": [s.number for s in item.seals.all()],
            "status": item.status,
            "image_sha256": item.image_sha256 or None,
            "ledger_seqs": sorted(seqs.get(str(item.pk), [])),
            "chain": [
                {
                    "from": t.from_officer.badge_number if t.from_officer else t.from_kind,
                    "to": t.to_officer.badge_number if t.to_officer else (t.to_name or t.to_kind),
                    "location": t.location.code if t.location else None,
                    "sent_at": t.sent_at.isoformat(),
                    "status": t.status,
                    "answered_at": t.answered_at.isoformat() if t.answered_at else None,
                    "condition": t.received_condition or t.condition,
                    "seal_intact": t.received_seal_intact
                    if t.received_seal_intact is not None
                    else t.seal_intact,
                    "sha256": t.received_sha256 or t.sent_sha256 or None,
                }
                for t in transfers.get(item.pk, [])
            ],
        }
        for item in items
    ]
    text = json.dumps(listing, ensure_ascii=False, indent=2) + "\n"
    return {"property/chain-of-custody.json": text.encode()}
