"""Which rule of the unit's pack an event of an item starts. The periods, their counting and
their citations are the pack's (procedure/packs/cn/property.toml); here is only the choice of
rule, by the act the item was taken under and the kind of case. A pack without such a rule
(gb_eng has none for property yet) gives the item no statutory limit, and the item says so."""

from __future__ import annotations

from casetrail.procedure import ProcedureError, load_pack
from casetrail.property.models import Basis

ON_TAKING: dict[tuple[str, str], str] = {
    ("cn", Basis.ADMIN_SEIZED): "CN-MPSA112-SEIZURE-30D",
    ("cn", Basis.PRESERVED): "CN-MPSA110-PRESERVATION-7D",
    ("cn", Basis.FROZEN): "CN-MPS243-FREEZE-6M",
}
ON_UNRELATED: dict[tuple[str, str], str] = {
    ("cn", Basis.FROZEN): "CN-MPS247-UNFREEZE-3D",
}
UNRELATED_DEFAULT = {"cn": "CN-CPL145-UNRELATED-RELEASE-3D"}
ON_OWNER_NOTIFIED: dict[tuple[str, str], str] = {
    ("cn", "criminal"): "CN-MPS233-UNCLAIMED-6M",
    ("cn", "administrative"): "CN-MPSA197-UNCLAIMED-6M",
}


def _in_pack(pack: str, rule_id: str | None) -> str | None:
    if rule_id is None:
        return None
    try:
        ids = {rule.id for rule in load_pack(pack).rules}
    except ProcedureError:
        return None
    return rule_id if rule_id in ids else None


def on_taking(pack: str, basis: str) -> str | None:
    return _in_pack(pack, ON_TAKING.get((pack, basis)))


def on_unrelated(pack: str, basis: str) -> str | None:
    return _in_pack(pack, ON_UNRELATED.get((pack, basis), UNRELATED_DEFAULT.get(pack)))


def on_owner_notified(pack: str, case_kind: str) -> str | None:
    return _in_pack(pack, ON_OWNER_NOTIFIED.get((pack, case_kind)))
