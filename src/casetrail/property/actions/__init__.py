"""Every write to the property register (DESIGN.md: one door behind two entrances)."""

from casetrail.property.actions.disposal import carry_out, decide_disposal, request_disposal
from casetrail.property.actions.moves import answer, receive_back, send, withdraw
from casetrail.property.actions.register import (
    add_file,
    correct_item,
    download_file,
    found_unrelated,
    owner_notified,
    register_belonging,
    register_item,
)
from casetrail.property.actions.room import (
    add_location,
    decide_borrow,
    reconcile,
    request_borrow,
    start_stocktake,
)
from casetrail.property.alerts import account_for_deadline

__all__ = [
    "account_for_deadline",
    "add_file",
    "add_location",
    "answer",
    "carry_out",
    "correct_item",
    "decide_borrow",
    "decide_disposal",
    "download_file",
    "found_unrelated",
    "owner_notified",
    "receive_back",
    "reconcile",
    "register_belonging",
    "register_item",
    "request_borrow",
    "request_disposal",
    "send",
    "start_stocktake",
    "withdraw",
]
