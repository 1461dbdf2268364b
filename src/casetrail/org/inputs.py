"""The inputs of the officer's own account actions, for the API and the pages alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from django.utils.translation import gettext_lazy as _

from casetrail.org.models import ApiToken
from casetrail.web.inputs import Flag, Input, Text, Whole

# The longest lifetime any deployment may give a token; CASETRAIL_TOKEN_MAX_DAYS may only
# shorten it (the action refuses a lifetime past the setting, naming the field).
TOKEN_DAYS_CEILING = 365


@dataclass(frozen=True, kw_only=True)
class TokenInput(Input):
    name: Annotated[str, Text(ApiToken, "name")]
    # None: the deployment's default lifetime (CASETRAIL_TOKEN_DAYS).
    lifetime_days: Annotated[
        int | None, Whole(low=1, high=TOKEN_DAYS_CEILING, label=_("Lifetime (days)"))
    ] = None
    read_only: Annotated[bool, Flag(_("Read-only"))] = False


@dataclass(frozen=True, kw_only=True)
class CodeInput(Input):
    """A code from the officer's authenticator app (TOTP: six digits)."""

    code: Annotated[
        str,
        Text(max_length=6, label=_("Code"), pattern=r"[0-9]{6}", pattern_text=_("six digits")),
    ]
