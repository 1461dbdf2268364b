"""Forms of the account pages: each the form of an action's input."""

from __future__ import annotations

from casetrail.org.inputs import CodeInput, TokenInput
from casetrail.web.inputs import form_of

TokenForm = form_of(TokenInput)
CodeForm = form_of(CodeInput)
