"""How the property register says no."""

from casetrail.errors import Refused


class PropertyError(Refused):
    """Input the register does not accept (400), naming the field to correct."""


__all__ = ["PropertyError"]
