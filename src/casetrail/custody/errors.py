"""What the custody actions refuse, each naming the field to correct."""

from __future__ import annotations

from casetrail.errors import Refused


class CustodyError(Refused):
    """Refused input about a measure, a deadline or a stay in the area (400)."""


class ApprovalRefused(CustodyError):
    """An approval or review by someone the statute does not name (403), with the citation."""


__all__ = ["ApprovalRefused", "CustodyError"]
