"""The ledger API: the latest signed head and the public keys for anyone; inclusion and
consistency proofs for officers, an entry's only to those who may see its subject."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema

from casetrail.errors import NotFound
from casetrail.ledger import heads, proofs
from casetrail.ledger.access import access_entry
from casetrail.ledger.record import record_view
from casetrail.ledger.signing import public_key_pem

# A sequence number or a tree size: 1 to the largest a database stores (web.inputs.MAX_ID; the
# ledger sits beside web, so the bound is written here again).
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]

router = Router(tags=["ledger"])


class SignedHeadOut(Schema):
    size: int = Field(description="the number of entries the head covers")
    root: str = Field(description="hex RFC 6962 Merkle root of those entries")
    time: str = Field(description="when it was signed, YYYY-MM-DDTHH:MM:SS.ffffffZ")
    key_id: str = Field(description="hex SHA-256 of the signing public key")
    signature: str = Field(description="hex Ed25519 signature (docs/ledger.md: the message)")


class PublicKeyOut(Schema):
    key_id: str
    public_key: str = Field(description="hex raw Ed25519 public key")
    pem: str
    registered_at: datetime
    latest: bool = Field(description="whether it signed the latest head")


class InclusionOut(Schema):
    seq: int
    leaf_index: int
    size: int
    leaf_hash: str
    root: str
    proof: list[str] = Field(description="hex hashes, leaf to root (RFC 9162 2.1.3)")
    head: SignedHeadOut | None = Field(description="the signed head of this size, if any")
    receipt: dict[str, Any] | None = Field(
        description="a receipt for `casetrail ledger check-receipt`, when the head is signed"
    )


class ConsistencyOut(Schema):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str] = Field(description="hex hashes (RFC 9162 2.1.4)")
    first_head: SignedHeadOut | None
    second_head: SignedHeadOut | None


class ReceiptFileOut(Schema):
    """What a holder keeps: the receipt and the public key that signed its head."""

    receipt: dict[str, Any]
    public_key: str


@router.get("/ledger/head", response=SignedHeadOut, auth=None)
def latest_head(request: HttpRequest) -> dict[str, object]:
    """The latest signed tree head. No login: anyone may hold the log to its word."""
    head = heads.latest_head()
    if head is None:
        raise NotFound(gettext("no tree head has been signed yet"))
    return head.to_dict()


@router.get("/ledger/keys", response=list[PublicKeyOut], auth=None)
def public_keys(request: HttpRequest) -> list[dict[str, Any]]:
    """Every key that ever signed a head, the rotated-out ones too. No login."""
    latest = heads.latest_head()
    return [
        {
            "key_id": key.key_id,
            "public_key": bytes(key.public_key).hex(),
            "pem": public_key_pem(bytes(key.public_key)),
            "registered_at": key.registered_at,
            "latest": latest is not None and latest.key_id == key.key_id,
        }
        for key in heads.key_rows()
    ]


@router.get("/ledger/entries/{seq}/proof", response=InclusionOut)
def entry_proof(
    request: HttpRequest, seq: RecordId, size: RecordId | None = None
) -> dict[str, Any]:
    """The inclusion proof of entry ``seq`` (against the latest signed head unless ``size``
    is given), for an officer who may see the entry's subject. Reading the entry of a case, a
    person or a custody record this way leaves a `viewed` trace, like opening them."""
    officer: Any = request.user  # the router's authentication let only officers through
    visible = access_entry(officer, seq)
    result = proofs.inclusion(seq, size)
    if visible.subject is not None and visible.traced:
        # A case, a person or a custody record read through its entry: traced like opening it.
        unit_id = getattr(visible.subject, "unit_id", getattr(officer, "unit_id", None))
        record_view(visible.subject, actor=officer, unit_id=unit_id, what=f"ledger entry {seq}")
    return result.to_dict()


@router.get("/ledger/consistency", response=ConsistencyOut)
def consistency(
    request: HttpRequest, first: RecordId, second: RecordId | None = None
) -> dict[str, Any]:
    """The proof that the log's first ``first`` entries are a prefix of its first ``second``
    (default: the latest signed head's size). Hashes only: no entry is disclosed."""
    return proofs.consistency(first, second).to_dict()
