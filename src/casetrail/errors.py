"""The three ways casetrail says no, shared by every app and both doors (the API answers 400,
403 or 404; the pages put a refusal beside the field it names).

This module imports nothing: the framework-free core may raise these too.
"""

from __future__ import annotations


class Refused(ValueError):
    """Input the rules do not accept (400); ``field`` names what to correct, as the request
    named it (``received_at``, ``officer_ids``, ``params.days``), or None for the whole."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AccessDenied(Exception):
    """The actor holds no grant for this (403); the message says which is missing."""


class NotFound(Exception):
    """Absent, or outside the actor's scope (404): the two answer the same, so a refusal
    never tells a stranger that something exists."""


__all__ = ["AccessDenied", "NotFound", "Refused"]
