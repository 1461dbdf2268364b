"""Substring search over case number, party names and summary, Chinese included.

Chinese has no spaces, so word indexes miss "张三" inside "张三丰". The text is reduced to
letters and digits (lower-cased) and indexed as overlapping character bigrams; a term of
two or more characters becomes the phrase of its bigrams, which matches exactly where the
normalised term occurs as a substring of one normalised part (a separator token that is
never a bigram keeps phrases from spanning two parts). On SQLite the bigrams live in an
FTS5 table; elsewhere, and for one-character terms, the search is a substring scan of
`search_text`, which holds the same normalised parts. Case numbers are matched exactly
on their unique index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

FTS_TABLE = "cases_case_search"
_SEPARATOR = "xsepx"
CASE_NUMBER = re.compile(r"^[A-Za-z0-9]+-\d{4}-\d{1,6}$")
# A receipt number (actions._next_receipt_number): R, the unit's code, the day, six digits.
RECEIPT_NUMBER = re.compile(r"^R[A-Z0-9]+\d{14}$")


def receipt_q(text: str, field: str = "receipt_number") -> Q:
    """The receipt number someone read out or typed, spaces aside, in the letter case typed
    or in capitals (a unit's code is usually capitals; the unique index serves both)."""
    typed = "".join(text.split())
    return Q(**{field: typed}) | Q(**{field: typed.upper()})


def normalise(text: str) -> str:
    """Letters and digits only, NFKC-folded and lower-cased (全角 Ａ → a)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def bigrams(text: str) -> list[str]:
    norm = normalise(text)
    return [norm[i : i + 2] for i in range(len(norm) - 1)]


def search_text(parts: Iterable[str]) -> str:
    """What `Case.search_text` holds: each part normalised, kept apart by a separator that
    normalised terms never contain, so a substring never spans two parts."""
    return "|".join(normalise(p) for p in parts if p)


def grams_document(parts: Iterable[str]) -> str:
    """The indexed form: each part's bigrams in order, parts kept apart by a token that no
    bigram can equal, so that no phrase spans two names."""
    return f" {_SEPARATOR} ".join(" ".join(bigrams(p)) for p in parts if p)


def uses_index() -> bool:
    return connection.vendor == "sqlite"


def search_q(term: str) -> Q:
    """A filter for cases whose number, parties or summary contain ``term``, or the case
    opened from the incident whose receipt number ``term`` is."""
    term = term.strip()
    if CASE_NUMBER.match(term):
        return Q(number=term.upper())
    if RECEIPT_NUMBER.match("".join(term.split()).upper()):
        return receipt_q(term, "incident__receipt_number")
    grams = bigrams(term)
    plain = Q(search_text__contains=normalise(term) or term)
    if not grams or not uses_index():
        return plain
    phrase = '"' + " ".join(grams) + '"'
    # The table name is a constant and the phrase a bound parameter.
    candidates = RawSQL(  # noqa: S611
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
        [phrase],
    )
    return Q(pk__in=candidates)


def index_case(case_id: int, parts: Iterable[str]) -> None:
    if not uses_index():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [case_id])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, grams) VALUES (%s, %s)",  # noqa: S608
            [case_id, grams_document(parts)],
        )


def index_cases(rows: Iterable[tuple[int, Iterable[str]]]) -> None:
    if not uses_index():
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE}(rowid, grams) VALUES (%s, %s)",  # noqa: S608
            [(pk, grams_document(parts)) for pk, parts in rows],
        )
