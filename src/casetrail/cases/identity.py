"""The resident identity card number (公民身份号码, GB 11643-1999): what an officer types is
read and checked before a person is recorded with it, so a mistyped digit is caught at the
desk and not months later when two records of one person fail to meet.

The number is 18 characters: a six-digit address code whose first two digits name the
province (GB/T 2260), the eight-digit birth date, a three-digit sequence (odd for men, even for
women: not read here, casetrail records no sex from it) and a check character, ISO 7064
MOD 11-2 over the first seventeen, ``X`` standing for ten. The fifteen-digit numbers of the
first-generation cards stopped being valid in 2013 and are refused.

Framework-free: the messages are English text marked for the translation catalogue; the caller
translates them (``gettext(exc.template) % exc.params``) and names the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casetrail.errors import gettext_noop

LENGTH = 18
# ISO 7064 MOD 11-2: the weight of the i-th of the first seventeen digits is 2^(17-i) mod 11.
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(LENGTH - 1))
# The check character for each remainder of the weighted sum mod 11.
CHECK = "10X98765432"
# The province-level codes of GB/T 2260 (and 83, which the residence permits of Taiwan
# residents carry since 2018; 81 and 82 those of Hong Kong and Macao residents).
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
EARLIEST_BIRTH = date(1900, 1, 1)


class BadResidentId(ValueError):
    """The number cannot be a resident ID number; the message says what is wrong with it, in
    English, and ``template`` with ``params`` let the caller say it in the officer's language."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template % params)
        self.template = template
        self.params = params


@dataclass(frozen=True)
class ResidentId:
    number: str  # as the card prints it: 18 characters, a final x written X
    birth_date: date


def check_character(first17: str) -> str:
    """The check character of the first seventeen digits."""
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def resident_id(address: str, born: date, sequence: int) -> str:
    """The number of the card with this six-digit address code, birth date and sequence
    (0 to 999): for the demo, the seeds and the tests."""
    first17 = f"{address}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def read_resident_id(text: str) -> ResidentId:
    """The number in ``text`` (spaces ignored, a lower-case x accepted), or BadResidentId."""
    number = "".join(text.split()).upper()
    if len(number) != LENGTH:
        raise BadResidentId(
            gettext_noop("a resident ID number has %(length)d characters (this one has %(count)d)"),
            length=LENGTH,
            count=len(number),
        )
    if not (number[:17].isascii() and number[:17].isdigit()):
        raise BadResidentId(
            gettext_noop("the first 17 characters of a resident ID number are digits")
        )
    if int(number[:2]) not in PROVINCES:
        raise BadResidentId(
            gettext_noop("%(code)s is no province's code (its first two digits)"), code=number[:2]
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise BadResidentId(
            gettext_noop("%(digits)s (digits 7 to 14) is not a date of birth"),
            digits=number[6:14],
        ) from None
    if born < EARLIEST_BIRTH:
        raise BadResidentId(
            gettext_noop("%(date)s (digits 7 to 14) is too early a date of birth"),
            date=born.isoformat(),
        )
    expected = check_character(number[:17])
    if number[17] != expected:
        raise BadResidentId(
            gettext_noop(
                "the last character does not check against the others (it would be "
                "%(check)s): a character is mistyped"
            ),
            check=expected,
        )
    return ResidentId(number, born)


__all__ = ["BadResidentId", "ResidentId", "check_character", "read_resident_id", "resident_id"]
