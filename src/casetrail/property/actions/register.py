"""The register: an item taken, a belonging that becomes evidence, a correction, a stored file,
and the events that start a time limit (found unrelated, owner told to collect)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from casetrail import clock
from casetrail.cases.access import require_case_write
from casetrail.cases.models import Case, Party
from casetrail.custody.access import access_belonging, access_session
from casetrail.custody.actions.area import settle_belonging
from casetrail.custody.inputs import SettleInput
from casetrail.custody.models import BelongingOutcome, Measure
from casetrail.documents.models import Document, DocumentStatus
from casetrail.errors import in_field
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer
from casetrail.property import limits
from casetrail.property.access import holds, require_case_side
from casetrail.property.actions._common import (
    deadline_summary,
    decimal_of,
    flag_integrity,
    item_code,
    lock_item,
    not_future,
    open_deadline,
    require_held,
)
from casetrail.property.errors import PropertyError
from casetrail.property.inputs import (
    BelongingItemInput,
    EventInput,
    FileInput,
    ItemCorrectionInput,
    ItemInput,
)
from casetrail.property.models import (
    Basis,
    Correction,
    FileRole,
    HolderKind,
    Item,
    ItemFile,
    ItemKind,
    Seal,
)
from casetrail.web.uploads import hash_upload, hashed_copy

FILE_LIMIT = 200 * 1024 * 1024  # a photo or a forensic image sent through the web, 200 MiB


def _seal_numbers(text: str) -> list[str]:
    numbers = [n.strip() for n in text.replace("，", ",").split(",") if n.strip()]
    for number in numbers:
        if len(number) > 40:
            raise PropertyError(
                gettext("seal number %(number)s… is longer than 40") % {"number": number[:20]},
                field="seal_numbers",
            )
    if len(set(numbers)) != len(numbers):
        raise PropertyError(gettext("a seal number is listed twice"), field="seal_numbers")
    return numbers


def _apply_seals(item: Item, numbers: list[str], now: datetime) -> None:
    """The seals, each number in use on one item at a time (the unique constraint decides,
    also between two officers sealing at the same moment)."""
    try:
        with transaction.atomic():
            Seal.objects.bulk_create(Seal(item=item, number=n, applied_at=now) for n in numbers)
    except IntegrityError as exc:
        taken = Seal.objects.filter(number__in=numbers).values_list("number", flat=True)
        raise PropertyError(
            gettext("seal number %(number)s is already in use")
            % {"number": ", ".join(taken) or numbers[0]},
            field="seal_numbers",
        ) from exc


def _owner(case: Case, owner_id: int | None) -> Any:
    if owner_id is None:
        return None
    party = Party.objects.filter(case=case, person_id=owner_id).select_related("person").first()
    if party is None:
        raise PropertyError(
            gettext("person #%(person)s is not a party to case %(case)s")
            % {"person": owner_id, "case": case.number},
            field="owner_id",
        )
    return party.person


def _legal_act(case: Case, data: ItemInput) -> tuple[Measure | None, Document | None]:
    measure = document = None
    if data.measure_id is not None:
        measure = Measure.objects.filter(pk=data.measure_id, case=case).first()
        if measure is None:
            raise PropertyError(
                gettext("measure #%(measure)s is not a measure of case %(case)s")
                % {"measure": data.measure_id, "case": case.number},
                field="measure_id",
            )
    if data.document_id is not None:
        document = Document.objects.filter(pk=data.document_id, case=case).first()
        if document is None or document.status != DocumentStatus.ISSUED:
            raise PropertyError(
                gettext("document #%(document)s is not an issued document of case %(case)s")
                % {"document": data.document_id, "case": case.number},
                field="document_id",
            )
    if measure is None and document is None and not data.legal_basis:
        raise PropertyError(
            gettext("name the legal act behind it: a measure, an issued document, or the decision"),
            field="legal_basis",
        )
    return measure, document


def _create(case: Case, actor: Officer, now: datetime, **fields: Any) -> Item:
    item = Item.objects.create(
        code=uuid.uuid4().hex,  # 32 characters, never a code; the real one derives from the id
        case=case,
        unit=case.unit,
        registered_at=now,
        registered_by=actor,
        taken_by=actor,
        holder_kind=HolderKind.OFFICER,
        holder=actor,
        **fields,
    )
    item.code = item_code(item.pk)
    item.save(update_fields=["code"])
    return item


def _particulars(item: Item, seals: list[str]) -> dict[str, Any]:
    return {
        "code": item.code,
        "case": item.case.number,
        "kind": item.kind,
        "basis": item.basis,
        "description": item.description,
        "quantity": item.quantity,
        "weight": str(item.weight) if item.weight is not None else None,
        "amount": str(item.amount) if item.amount is not None else None,
        "currency": item.currency,
        "owner": item.owner_id,
        "found_place": item.found_place,
        "found_at": item.found_at,
        "witnesses": item.witnesses,
        "seals": seals,
        "measure": item.measure_id,
        "document": item.document_id,
        "legal_basis": item.legal_basis,
    }


def _taking_deadline(item: Item) -> list[dict[str, Any]]:
    rule_id = limits.on_taking(item.unit.pack, item.basis)
    if rule_id is None:
        return []
    return [deadline_summary(open_deadline(item, rule_id, item.found_at, field="found_at"))]


@transaction.atomic
def register_item(case: Case, data: ItemInput, *, actor: Officer) -> Item:
    """An item taken in a case, registered by the officer who holds it now."""
    require_case_write(actor, case)
    now = clock.now()
    found_at = not_future(data.found_at, "found_at")
    if found_at < case.opened_at and data.basis not in (Basis.EVIDENCE, Basis.PRESERVED):
        # Seizing, sealing and freezing are investigative measures: they follow the case.
        raise PropertyError(
            gettext(
                "the time it was found is before case %(case)s was opened: "
                "a seizure follows the case"
            )
            % {"case": case.number},
            field="found_at",
        )
    weight = decimal_of(data.weight, "weight")
    amount = decimal_of(data.amount, "amount")
    if amount is not None and not data.currency:
        raise PropertyError(gettext("an amount needs its currency"), field="currency")
    if data.kind == ItemKind.CASH and amount is None:
        raise PropertyError(gettext("cash is registered with its amount"), field="amount")
    owner = _owner(case, data.owner_id)
    measure, document = _legal_act(case, data)
    seals = _seal_numbers(data.seal_numbers)
    item = _create(
        case,
        actor,
        now,
        kind=data.kind,
        basis=data.basis,
        description=data.description,
        quantity=data.quantity,
        weight=weight,
        amount=amount,
        currency=data.currency,
        owner=owner,
        found_place=data.found_place,
        found_at=found_at,
        witnesses=data.witnesses,
        measure=measure,
        document=document,
        legal_basis=data.legal_basis,
    )
    _apply_seals(item, seals, now)
    deadlines = _taking_deadline(item)
    record(
        LedgerKind.PROPERTY_REGISTERED,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={**_particulars(item, seals), "deadlines": deadlines},
    )
    return item


@transaction.atomic
def register_belonging(data: BelongingItemInput, *, actor: Officer) -> Item:
    """A belonging deposited in the case-handling area becomes an item of the register, with its
    description, quantity and owner as deposited: nothing is typed twice. The belonging is
    settled by custody's own action (transferred to the item's code, with the person's
    signature or a witness of the refusal), in the same transaction."""
    with in_field("belonging_id"):
        belonging = access_belonging(actor, data.belonging_id)
    session = access_session(actor, belonging.session_id)
    case = session.case
    require_case_write(actor, case)
    if belonging.outcome:
        raise PropertyError(
            gettext("belonging %(number)s was already %(outcome)s")
            % {"number": belonging.number, "outcome": belonging.get_outcome_display()},
            field="belonging_id",
        )
    now = clock.now()
    seals = _seal_numbers(data.seal_numbers)
    item = _create(
        case,
        actor,
        now,
        kind=data.kind,
        basis=Basis.BELONGING,
        description=belonging.description,
        quantity=belonging.quantity,
        owner=session.person,
        found_place=data.found_place,
        found_at=belonging.deposited_at,
        legal_basis=data.legal_basis,
        belonging=belonging,
    )
    _apply_seals(item, seals, now)
    settle_belonging(
        belonging,
        SettleInput(
            outcome=BelongingOutcome.TRANSFERRED,
            transferred_to=f"property register {item.code}",
            person_signed=data.person_signed,
            refusal_witness_id=data.refusal_witness_id,
        ),
        actor=actor,
    )
    record(
        LedgerKind.PROPERTY_REGISTERED,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={**_particulars(item, seals), "belonging": belonging.pk, "deadlines": []},
    )
    return item


def _corrected_value(field: str, text: str) -> Any:
    """The new value of one particular, held to the register's limits (the input already
    refuses an empty value: a particular is corrected, never erased)."""
    if field == "quantity":
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise PropertyError(
                gettext("a quantity is a whole number of at least 1"), field="value"
            )
        return int(text)
    if field in ("weight", "amount"):
        return decimal_of(text, "value")
    if field == "currency" and (len(text) != 3 or not text.isascii() or not text.isupper()):
        raise PropertyError(
            gettext("a currency is three capital letters, such as CNY"), field="value"
        )
    particular = Item._meta.get_field(field)
    limit = getattr(particular, "max_length", None)
    if limit is not None and len(text) > limit:
        raise PropertyError(
            gettext("%(particular)s: at most %(limit)d characters")
            % {"particular": getattr(particular, "verbose_name", field), "limit": limit},
            field="value",
        )
    return text


@transaction.atomic
def correct_item(item: Item, data: ItemCorrectionInput, *, actor: Officer) -> Correction:
    """A correction is a new entry that reverses the old value, with the reason; the old value
    stays in the register and the ledger."""
    item = lock_item(item)
    require_case_side(actor, item)
    new = _corrected_value(data.field, data.value)
    old = getattr(item, data.field)
    if old == new or (old is not None and new is not None and str(old) == str(new)):
        raise PropertyError(gettext("the value is the same as the one registered"), field="value")
    setattr(item, data.field, new)
    item.save(update_fields=[data.field])
    correction = Correction.objects.create(
        item=item,
        field=data.field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=data.reason,
        corrected_by=actor,
        corrected_at=clock.now(),
    )
    record(
        LedgerKind.PROPERTY_CORRECTED,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={
            "field": data.field,
            "reverses": correction.old_value,
            "value": correction.new_value,
            "reason": data.reason,
        },
    )
    return correction


@transaction.atomic
def add_file(item: Item, data: FileInput, upload: UploadedFile[Any], *, actor: Officer) -> ItemFile:
    """A photo, the forensic image of a digital item, a signed receipt or a photo of a disposal,
    stored through Django's storage API (the data folder, or S3 when configured) with its SHA-256
    in the ledger."""
    item = lock_item(item)
    if not holds(actor, item):
        require_case_side(actor, item)
    role = data.role
    if upload.size is None or upload.size == 0:
        raise PropertyError(gettext("the file is empty"), field="file")
    if upload.size > FILE_LIMIT:
        raise PropertyError(
            gettext("the file is larger than %(limit)d MiB")
            % {"limit": FILE_LIMIT // (1024 * 1024)},
            field="file",
        )
    if role == FileRole.IMAGE:
        if item.kind != ItemKind.DEVICE:
            raise PropertyError(gettext("only a digital device has a forensic image"), field="role")
        if item.image_sha256:
            raise PropertyError(
                gettext("%(code)s already has its image (%(sha256)s…)")
                % {"code": item.code, "sha256": item.image_sha256[:16]},
                field="role",
            )
    sha256, size = hash_upload(upload)
    name = (upload.name or "file")[-200:]
    stored = ItemFile.objects.create(
        item=item,
        role=role,
        name=name,
        size=size,
        sha256=sha256,
        added_by=actor,
        added_at=clock.now(),
    )
    if role == FileRole.IMAGE:
        item.image_sha256 = sha256
        item.save(update_fields=["image_sha256"])
    record(
        LedgerKind.PROPERTY_FILE_ADDED,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={"file": stored.pk, "role": role, "name": name, "size": size, "sha256": sha256},
    )
    # Stored last: a refusal or a failed entry above leaves no file behind in the storage.
    stored.file.save(f"{item.code}-{sha256[:12]}", upload, save=True)
    return stored


def _event(
    item: Item,
    data: EventInput,
    actor: Officer,
    *,
    stamp: str,
    already: str,
    rule: Callable[[Item], str | None],
    kind: LedgerKind,
) -> Item:
    """An event on the item that starts a limit of the pack: stamped once, at a time neither in
    the future nor before the item was taken, with the limit it starts, in one entry."""
    item = lock_item(item)
    require_case_side(actor, item)
    require_held(item)
    if getattr(item, stamp) is not None:
        raise PropertyError(already % {"code": item.code}, field="at")
    at = not_future(data.at, "at")
    if at < item.found_at:
        raise PropertyError(gettext("the time given is before the item was taken"), field="at")
    setattr(item, stamp, at)
    item.save(update_fields=[stamp])
    rule_id = rule(item)
    deadline = open_deadline(item, rule_id, at, field="at") if rule_id else None
    record(
        kind,
        subject=item,
        actor=actor,
        unit_id=item.unit_id,
        data={
            "at": at,
            "note": data.note,
            "deadline": deadline_summary(deadline) if deadline else None,
        },
    )
    return item


@transaction.atomic
def found_unrelated(item: Item, data: EventInput, *, actor: Officer) -> Item:
    """It is established that the item has nothing to do with the case: the release limit runs
    (CPL art. 145; MPS Provisions art. 247 for a freeze)."""
    return _event(
        item,
        data,
        actor,
        stamp="unrelated_at",
        already=gettext("%(code)s was already found unrelated"),
        rule=lambda it: limits.on_unrelated(it.unit.pack, it.basis),
        kind=LedgerKind.PROPERTY_FOUND_UNRELATED,
    )


@transaction.atomic
def owner_notified(item: Item, data: EventInput, *, actor: Officer) -> Item:
    """The owner (or the public, by notice) is told to collect the item: six months to claim."""
    return _event(
        item,
        data,
        actor,
        stamp="owner_notified_at",
        already=gettext("the owner of %(code)s was already notified"),
        rule=lambda it: limits.on_owner_notified(it.unit.pack, it.case.kind),
        kind=LedgerKind.PROPERTY_OWNER_NOTIFIED,
    )


def download_file(stored: ItemFile, *, actor: Officer) -> tuple[IO[bytes], int]:
    """A copy of a stored file for whoever may see the item (a prosecutor, a defence lawyer
    through the handler): read once into the copy handed out while it is hashed, so the bytes
    handed out are the bytes checked against the registered SHA-256 (a mismatch is flagged and
    refused); then recorded, so the receipt of that entry proves what was handed out."""
    copy, found = hashed_copy(stored.file, stored.size)
    if found != stored.sha256:
        copy.close()
        flag_integrity(stored.item, found, actor=actor, where=f"download of file {stored.pk}")
        raise PropertyError(
            gettext(
                "the stored file no longer matches its registered SHA-256 %(sha256)s…: "
                "no copy is handed out and the item is flagged"
            )
            % {"sha256": stored.sha256[:16]},
            field="file",
        )
    with transaction.atomic():
        entry = record(
            LedgerKind.PROPERTY_FILE_DOWNLOADED,
            subject=stored.item,
            actor=actor,
            unit_id=stored.item.unit_id,
            data={
                "file": stored.pk,
                "name": stored.name,
                "sha256": stored.sha256,
                "size": stored.size,
            },
        )
    return copy, int(entry.seq)
