"""Disposal: return to the owner, confiscation, sale, destruction, or transfer with the case
file, each approved by the roles its kind needs and carried out by the holder with what the
kind requires (identity and signed receipt, two witnesses and photos, the account for cash)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from casetrail import clock
from casetrail.approvals import actions as engine
from casetrail.cases.machine import Status
from casetrail.documents.models import Document, DocumentStatus
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.access import require_staff
from casetrail.org.models import Officer
from casetrail.org.roles import Role
from casetrail.property.access import require_case_side, require_holder
from casetrail.property.actions._common import (
    decide_step,
    lock_item,
    meet_deadlines,
    require_held,
)
from casetrail.property.errors import PropertyError
from casetrail.property.inputs import CarryOutInput, DisposalInput, PropertyDecisionInput
from casetrail.property.models import (
    DISPOSAL_UNDER_WAY,
    Disposal,
    DisposalKind,
    DisposalStatus,
    FileRole,
    HolderKind,
    Item,
    ItemFile,
    ItemKind,
    ItemStatus,
    Transfer,
    TransferStatus,
)

DISPOSAL_SUBJECT = "property_disposal"
# Who approves: the unit's leader for a return or a transfer with the file; a measure that
# ends the owner's title (confiscation, sale, destruction) also the head of the agency.
CHAINS: dict[str, tuple[str, ...]] = {
    DisposalKind.RETURN: (Role.UNIT_LEADER,),
    DisposalKind.WITH_FILE: (Role.UNIT_LEADER,),
    DisposalKind.CONFISCATE: (Role.UNIT_LEADER, Role.AGENCY_HEAD),
    DisposalKind.SALE: (Role.UNIT_LEADER, Role.AGENCY_HEAD),
    DisposalKind.DESTROY: (Role.UNIT_LEADER, Role.AGENCY_HEAD),
}
# The case no longer needs its property once decided, withdrawn, not registered or archived.
CASE_DONE = frozenset(
    {Status.NOT_REGISTERED, Status.WITHDRAWN, Status.DECIDED, Status.EXECUTED, Status.ARCHIVED}
)
WITH_FILE_STATES = frozenset({Status.CONCLUDED, Status.TRANSFERRED_FOR_PROSECUTION})
MIN_DESTRUCTION_WITNESSES = 2


def _still_needed(item: Item, kind: str) -> str | None:
    status = item.case.status
    if kind == DisposalKind.WITH_FILE:
        return (
            None
            if status in WITH_FILE_STATES
            else gettext("an item goes with the case file once the investigation is concluded")
        )
    if kind == DisposalKind.RETURN and item.unrelated_at is not None:
        return None
    if status in CASE_DONE:
        return None
    return gettext(
        "case %(case)s is still open and needs %(code)s: it is disposed of once "
        "the case is decided (or, for a return, once the item is found unrelated)"
    ) % {"case": item.case.number, "code": item.code}


@transaction.atomic
def request_disposal(item: Item, data: DisposalInput, *, actor: Officer) -> Disposal:
    item = lock_item(item)
    require_case_side(actor, item)
    require_held(item)
    why = _still_needed(item, data.kind)
    if why is not None:
        raise PropertyError(why, field="kind")
    if data.kind == DisposalKind.RETURN and item.owner is None:
        pass  # an unknown owner may still come forward with the document that entitles them
    if Disposal.objects.filter(item=item, status__in=DISPOSAL_UNDER_WAY).exists():
        raise PropertyError(
            gettext("a disposal of %(code)s is already under way") % {"code": item.code},
            field="kind",
        )
    approval = engine.open_approval(
        subject_type=DISPOSAL_SUBJECT,
        subject_id=0,
        unit=item.unit,
        title=f"{DisposalKind(data.kind).label}: {item.code} {item.description}"[:200],
        case_number=item.case.number,
        chain=CHAINS[data.kind],
        actor=actor,
    )
    disposal = Disposal.objects.create(
        item=item,
        kind=data.kind,
        reason=data.reason,
        approval=approval,
        requested_by=actor,
        requested_at=clock.now(),
    )
    approval.subject_id = disposal.pk
    approval.save(update_fields=["subject_id"])
    record(
        LedgerKind.PROPERTY_DISPOSAL_REQUESTED,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={
            "disposal": disposal.pk,
            "kind": data.kind,
            "reason": data.reason,
            "chain": list(CHAINS[data.kind]),
        },
    )
    return disposal


@transaction.atomic
def decide_disposal(disposal: Disposal, data: PropertyDecisionInput, *, actor: Officer) -> Disposal:
    disposal = (
        Disposal.objects.select_for_update(of=("self",)).select_related("item").get(pk=disposal.pk)
    )
    outcomes = (DisposalStatus.REQUESTED, DisposalStatus.APPROVED, DisposalStatus.REFUSED)
    decide_step(
        disposal,
        data,
        actor,
        outcomes=outcomes,
        kind=LedgerKind.PROPERTY_DISPOSAL_DECIDED,
        key="disposal",
    )
    return disposal


def _check_return(item: Item, data: CarryOutInput) -> str:
    if not data.recipient:
        raise PropertyError(gettext("name the person the item goes back to"), field="recipient")
    if not data.receipt_signed:
        raise PropertyError(gettext("the recipient signs the receipt"), field="receipt_signed")
    owner = item.owner
    is_owner = (
        owner is not None
        and owner.id_number
        and data.recipient_id_number.replace(" ", "").upper() == owner.id_number.upper()
    )
    if is_owner:
        return "owner"
    if data.recipient_document_id is None:
        raise PropertyError(
            gettext(
                "the recipient's ID number is not the owner's: name the issued document that "
                "entitles another recipient"
            ),
            field="recipient_document_id",
        )
    doc = Document.objects.filter(
        pk=data.recipient_document_id, case=item.case, status=DocumentStatus.ISSUED
    ).first()
    if doc is None:
        raise PropertyError(
            gettext("document #%(document)s is not an issued document of the case")
            % {"document": data.recipient_document_id},
            field="recipient_document_id",
        )
    if not data.recipient_id_number:
        raise PropertyError(
            gettext("record the recipient's ID number"), field="recipient_id_number"
        )
    return f"document {doc.number or doc.pk}"


def _check_destruction(item: Item, data: CarryOutInput, actor: Officer) -> list[Officer]:
    ids = [i for i in dict.fromkeys(data.witness_ids) if i != actor.pk]
    if len(ids) < MIN_DESTRUCTION_WITNESSES:
        raise PropertyError(
            gettext("a destruction is witnessed by %(count)d officers besides you")
            % {"count": MIN_DESTRUCTION_WITNESSES},
            field="witness_ids",
        )
    if not ItemFile.objects.filter(item=item, role=FileRole.DISPOSAL).exists():
        raise PropertyError(gettext("add the photos of the destruction first"), field="witness_ids")
    return require_staff(item.unit, ids, field="witness_ids")


@transaction.atomic
def carry_out(disposal: Disposal, data: CarryOutInput, *, actor: Officer) -> Disposal:
    disposal = Disposal.objects.select_for_update(of=("self",)).get(pk=disposal.pk)
    item = lock_item(disposal.item)
    require_held(item)
    require_holder(actor, item)
    if disposal.status != DisposalStatus.APPROVED:
        raise PropertyError(
            gettext("the disposal is %(status)s") % {"status": disposal.get_status_display()},
            field="status",
        )
    if Transfer.objects.filter(item=item, status=TransferStatus.PENDING).exists():
        raise PropertyError(gettext("a hand-over of the item is still pending"), field="status")
    basis, witnesses = "", []
    if disposal.kind == DisposalKind.RETURN:
        basis = _check_return(item, data)
    elif disposal.kind == DisposalKind.DESTROY:
        witnesses = _check_destruction(item, data, actor)
    elif disposal.kind == DisposalKind.WITH_FILE and not data.recipient:
        raise PropertyError(
            gettext("name the procuratorate or court that receives it"), field="recipient"
        )
    if item.kind == ItemKind.CASH and disposal.kind != DisposalKind.RETURN and not data.account:
        raise PropertyError(gettext("cash goes to a recorded account: give it"), field="account")
    now = clock.now()
    disposal.recipient = data.recipient
    disposal.recipient_id_number = data.recipient_id_number
    disposal.account = data.account
    disposal.receipt_signed = data.receipt_signed
    disposal.status, disposal.done_at, disposal.done_by = DisposalStatus.DONE, now, actor
    disposal.save()
    disposal.witnesses.set(witnesses)
    item.status, item.disposed_at = ItemStatus.DISPOSED, now
    item.holder_kind = (
        HolderKind.OWNER if disposal.kind == DisposalKind.RETURN else HolderKind.OTHER
    )
    item.holder, item.location, item.in_room_since = None, None, None
    item.holder_name = data.recipient or str(DisposalKind(disposal.kind).label)
    item.save()
    met = meet_deadlines(item, now=now)
    record(
        LedgerKind.PROPERTY_DISPOSED,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={
            "disposal": disposal.pk,
            "kind": disposal.kind,
            "recipient": data.recipient,
            "entitled_as": basis,
            "account": data.account,
            "witnesses": sorted(o.badge_number for o in witnesses),
            "deadlines_met": met,
        },
    )
    return disposal
