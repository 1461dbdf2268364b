"""Display helpers: labels in the current language. Templates only display."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

from casetrail.cases.machine import STATUS_LABELS, Status
from casetrail.ledger.kinds import LedgerKind
from casetrail.web import states
from casetrail.web.language import pick, reading_chinese

register = template.Library()
register.filter("state_label", states.state_label)
register.filter("state_icon", states.state_icon)

_ACTION_ZH = {
    LedgerKind.INCIDENT_RECORDED: "登记警情",
    LedgerKind.INCIDENT_DECIDED: "警情处理决定",
    LedgerKind.CASE_OPENED: "受案",
    LedgerKind.CASE_TRANSITIONED: "案件流转",
    LedgerKind.HANDLER_ASSIGNED: "指派办案民警",
    LedgerKind.HANDLER_RELEASED: "撤换办案民警",
    LedgerKind.PARTY_ADDED: "添加当事人",
    LedgerKind.PARTY_CORRECTED: "更正当事人信息",
    LedgerKind.PERSON_RECORDED: "登记人员",
    LedgerKind.PERSON_CORRECTED: "更正人员信息",
}


@register.filter
def status_label(value: str) -> str:
    try:
        en, zh = STATUS_LABELS[Status(value)]
    except ValueError:
        return value
    return pick(en, zh)


@register.filter
def action_label(value: str) -> str:
    try:
        kind = LedgerKind(value)
    except ValueError:
        return value
    if reading_chinese():
        return _ACTION_ZH.get(kind, str(kind.label))
    return str(kind.label)


@register.filter
def alike_of(detail: Any, party: Any) -> list[Any]:
    """The persons the case page names as perhaps the same as this party's (queries.alike)."""
    return detail.alike.get(party.person_id, [])  # type: ignore[no-any-return]


@register.filter
def move_label(move: Any) -> str:
    """A move's name in the current language."""
    return str(move.label_zh if reading_chinese() else move.label_en)


@register.filter
def confirm_move(move: Any) -> str:
    """What a move asks before it is made, saying what follows. Every move of the case
    machines is one way (none leads back to an earlier state), so every one asks."""
    return _("%(move)s: the case becomes “%(status)s”, and this cannot be undone. Continue?") % {
        "move": move_label(move),
        "status": status_label(move.target),
    }
