"""The custody API: measures, approvals, deadlines and extensions, the case-handling area, the
whiteboard, a person's custody record and the alert inbox. Every POST is one action, and so one
transaction with its ledger entry; each takes the action's input (custody/inputs.py).

By subject: `measures`, `deadlines`, `area`, `board`; `schemas` holds what they answer.
"""

from ninja import Router

from casetrail.custody.api import area, board, deadlines, measures

router = Router(tags=["custody"])
for part in (measures, deadlines, area, board):
    router.add_router("", part.router)

__all__ = ["router"]
