"""The language the request is read in, for text kept in both languages where no catalogue
holds it (the state machine's labels, the rule packs' titles, a deadline's title)."""

from __future__ import annotations

from typing import TypeVar

from django.utils.translation import get_language

T = TypeVar("T")


def reading_chinese() -> bool:
    """Whether the active language is Chinese (zh-hans, or any zh the request asked for)."""
    return (get_language() or "").startswith("zh")


def pick(en: T, zh: T) -> T:
    """``zh`` for a Chinese reader, ``en`` for anyone else."""
    return zh if reading_chinese() else en


__all__ = ["pick", "reading_chinese"]
