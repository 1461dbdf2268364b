"""The errors the procedure engine raises: each says what is wrong and where."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the translation catalogue without translating it, as
    ``casetrail.errors.gettext_noop`` does: the engine is a package of its own (it imports no
    other casetrail package), so it keeps its own copy of these two lines."""
    return message


class ProcedureError(Exception):
    """Base class: anything the engine refuses, with a message a reviewer can act on.

    Raised as ``ParamError(gettext_noop("%(where)s must be ..."), where=...)``: ``str()`` is the
    English sentence; ``said(gettext)`` is the same sentence in the language ``gettext`` speaks.
    """

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)

    def said(self, translate: Callable[[str], str]) -> str:
        """The message in the language of ``translate`` (a gettext), its values put back in."""
        text = translate(self.template)
        return text % self.params if self.params else text


class PackError(ProcedureError):
    """A rule pack that does not validate, located by file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {message}")


class UnknownRule(ProcedureError):
    """No rule or alias with this id in the pack."""


class NotInForce(ProcedureError):
    """The rule exists, but no version of it is in force on the trigger date."""


class TriggerError(ProcedureError):
    """A trigger time that cannot be placed on the time line without guessing."""


class ParamError(ProcedureError):
    """A missing, unknown or out-of-range parameter of a rule."""


class ExtensionError(ProcedureError):
    """An extension the statute does not allow (unknown, too often, past the ceiling)."""


class CalendarError(ProcedureError):
    """A calendar that cannot answer, or a notice that does not validate."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        self.line = line
        self.field = field
        self.message = message
        where = []
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(f"{prefix}{message}")
