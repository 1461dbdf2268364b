"""The three ways casetrail says no, shared by every app and both doors (the API answers 400,
403 or 404; the pages put a refusal beside the field it names).

This module imports nothing: the framework-free core may raise these too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


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


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the translation catalogue without translating it (xgettext finds
    it by this function's name): code that knows no language (the procedure engine, the
    identity-number check) raises with it, and whoever shows the refusal to a person translates
    it, as ``ProcedureError.said`` does."""
    return message


@contextmanager
def in_field(field: str, message: str | None = None) -> Iterator[None]:
    """A record named in an input that the actor cannot see is a mistake in that field (a
    refusal naming it), not a missing page: ``with in_field("case_id"): access_case(...)``."""
    try:
        yield
    except NotFound as exc:
        raise Refused(message or str(exc), field=field) from exc


__all__ = ["AccessDenied", "NotFound", "Refused", "gettext_noop", "in_field"]
