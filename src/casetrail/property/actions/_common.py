"""What the property actions share: the code of an item, parsing amounts, locking, the item's
deadlines, the image check at a hand-over. Private to the actions package."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from casetrail import clock
from casetrail.approvals import actions as engine
from casetrail.approvals.models import ApprovalStatus
from casetrail.custody import clocks
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.models import Officer
from casetrail.property.errors import PropertyError
from casetrail.property.inputs import PropertyDecisionInput
from casetrail.property.models import (
    Borrow,
    DeadlineStatus,
    Disposal,
    FileRole,
    IntegrityFlag,
    Item,
    ItemDeadline,
    ItemFile,
)

CODE_PREFIX = "P"
CODE_DIGITS = 9
# The refusals of a particular, one sentence each, by the field the request named.
NOT_A_NUMBER = {
    "weight": gettext_lazy("the weight is not a number"),
    "amount": gettext_lazy("the amount is not a number"),
    "value": gettext_lazy("the value is not a number"),
}
NEGATIVE = {
    "weight": gettext_lazy("the weight may not be negative"),
    "amount": gettext_lazy("the amount may not be negative"),
    "value": gettext_lazy("the value may not be negative"),
}
IN_THE_FUTURE = {
    "found_at": gettext_lazy("the time it was found is in the future"),
    "at": gettext_lazy("the time given is in the future"),
}
# What a decided step is, in the sentence that says it is no longer waiting.
STEP_IS = {
    "borrow": gettext_lazy("the borrowing is %(status)s"),
    "disposal": gettext_lazy("the disposal is %(status)s"),
}


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits``: a mistyped or misread digit changes it."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def item_code(pk: int) -> str:
    digits = f"{pk:0{CODE_DIGITS}d}"
    return f"{CODE_PREFIX}{digits}{luhn_digit(digits)}"


def code_is_valid(code: str) -> bool:
    body = code[len(CODE_PREFIX) :]
    return (
        code.startswith(CODE_PREFIX)
        and len(body) >= CODE_DIGITS + 1
        and body.isascii()
        and body.isdigit()
        and luhn_digit(body[:-1]) == body[-1]
    )


def decimal_of(text: str, field: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # a correction's value is free text
        raise PropertyError(str(NOT_A_NUMBER[field]), field=field) from exc
    if value < 0:
        raise PropertyError(str(NEGATIVE[field]), field=field)
    return value


def lock_item(item: Item) -> Item:
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related(
            "case", "case__unit", "unit", "owner", "holder", "location", "location__unit"
        )
        .get(pk=item.pk)
    )


def require_held(item: Item) -> None:
    if item.status != "held":
        raise PropertyError(
            gettext("item %(code)s has been disposed of") % {"code": item.code}, field="status"
        )


def not_future(value: datetime, field: str) -> datetime:
    if value > clock.now():
        raise PropertyError(str(IN_THE_FUTURE[field]), field=field)
    return value


def open_deadline(item: Item, rule_id: str, trigger_at: datetime, *, field: str) -> ItemDeadline:
    """The rule computed by the procedure engine from ``trigger_at``, kept on the item."""
    pack = item.unit.pack
    computed = clocks.compute(
        rule_id, trigger_at, pack=pack, calendars=clocks.Calendars(), field=field
    )
    return ItemDeadline.objects.create(
        item=item,
        unit=item.unit,
        rule_id=computed.rule_id,
        pack=computed.pack_id,
        title_en=computed.rule.title_en,
        title_zh=computed.rule.title_zh,
        citation=str(computed.citation)[:300],
        trigger_at=computed.trigger_at,
        due_at=computed.due_at,
        warn_at=computed.warn_at,
        # Each step as the engine's sentence, said in the reader's language (clocks.say).
        explanation=[step.as_json() for step in computed.explanation_said],
    )


def deadline_summary(deadline: ItemDeadline) -> dict[str, Any]:
    return {
        "rule": deadline.rule_id,
        "citation": deadline.citation,
        "trigger_at": deadline.trigger_at,
        "due_at": deadline.due_at,
    }


def meet_deadlines(item: Item, *, now: datetime) -> list[str]:
    """The item leaves the register: every open limit of it is met."""
    rows = ItemDeadline.objects.filter(item=item, status=DeadlineStatus.OPEN)
    met = list(rows.values_list("rule_id", flat=True))
    rows.update(status=DeadlineStatus.MET, status_at=now)
    return met


def file_sha256(stored: ItemFile) -> str:
    digest = hashlib.sha256()
    with stored.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def image_of(item: Item) -> ItemFile | None:
    return ItemFile.objects.filter(item=item, role=FileRole.IMAGE).order_by("-added_at").first()


def check_image(item: Item, given: str, *, actor: Officer, where: str, field: str) -> str:
    """For a digital item with a registered image: the stored image re-hashed, and the hash the
    hand-over reports, each against the registered one. A mismatch is flagged in its own
    transaction (it stays recorded though the hand-over is refused) and refused."""
    if not item.image_sha256:
        return ""
    stored = image_of(item)
    found = file_sha256(stored) if stored is not None else ""
    if found != item.image_sha256:
        flag_integrity(item, found or "absent", actor=actor, where=f"{where}: stored image")
        raise PropertyError(
            gettext(
                "the stored image of %(code)s no longer matches its registered SHA-256: "
                "the hand-over is refused and the item flagged"
            )
            % {"code": item.code},
            field=field,
        )
    if not given:
        raise PropertyError(
            gettext("%(code)s is digital evidence: give the SHA-256 of the image as handed over")
            % {"code": item.code},
            field=field,
        )
    if given.lower() != item.image_sha256:
        flag_integrity(item, given.lower(), actor=actor, where=where)
        raise PropertyError(
            gettext(
                "SHA-256 %(given)s… does not match the registered image of %(code)s "
                "(%(registered)s…): the hand-over is refused and the item flagged"
            )
            % {
                "given": given.lower()[:16],
                "code": item.code,
                "registered": item.image_sha256[:16],
            },
            field=field,
        )
    return found


def flag_integrity(item: Item, found: str, *, actor: Officer, where: str) -> None:
    with transaction.atomic():
        IntegrityFlag.objects.create(
            item=item,
            expected=item.image_sha256,
            found=found[:64],
            where=where[:200],
            flagged_by=actor,
            flagged_at=clock.now(),
        )
        record(
            LedgerKind.PROPERTY_INTEGRITY_FAILED,
            subject=item,
            actor=actor,
            unit_id=item.unit_id,
            data={"expected": item.image_sha256, "found": found, "where": where},
        )


def decide_step(
    row: Borrow | Disposal,
    data: PropertyDecisionInput,
    actor: Officer,
    *,
    outcomes: tuple[str, str, str],
    kind: LedgerKind,
    key: str,
) -> None:
    """The waiting step of a borrowing's or a disposal's approval, decided on the engine: the
    row becomes approved (or refused) when the chain closes, in one entry of its item.
    ``outcomes`` is the row's (waiting, approved, refused) status."""
    waiting, approved, refused = outcomes
    if row.status != waiting:
        raise PropertyError(
            str(STEP_IS[key]) % {"status": row.get_status_display()}, field="decision"
        )
    step = engine.decide(
        row.approval, actor=actor, approve=data.decision == "approve", opinion=data.opinion
    )
    row.approval.refresh_from_db()
    if row.approval.status == ApprovalStatus.APPROVED:
        row.status = approved
    elif row.approval.status == ApprovalStatus.RETURNED:
        row.status = refused
    row.save(update_fields=["status"])
    record(
        kind,
        subject=row.item,
        actor=actor,
        unit_id=row.item.unit_id,
        data={
            key: row.pk,
            "role": step.role,
            "verdict": step.verdict,
            "opinion": data.opinion,
            "status": row.status,
        },
    )
