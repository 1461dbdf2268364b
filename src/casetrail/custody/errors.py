"""What the custody actions refuse, each naming the field to correct."""

from __future__ import annotations


class CustodyError(ValueError):
    """Refused input (400); ``field`` names what to correct."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ApprovalRefused(CustodyError):
    """An approval or review by someone the statute does not name (403), with the citation."""


__all__ = ["ApprovalRefused", "CustodyError"]
