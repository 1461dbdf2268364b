"""The inputs of the officer's own account actions, for the API and the pages alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from casetrail.org.models import ApiToken
from casetrail.web.inputs import Input, Text


@dataclass(frozen=True, kw_only=True)
class TokenInput(Input):
    name: Annotated[str, Text(ApiToken, "name")]
