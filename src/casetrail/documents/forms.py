"""The documents pages' forms: each the form of an action's input (documents/inputs.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casetrail.documents import inputs
from casetrail.web.inputs import form_of

DraftForm = form_of(inputs.DraftInput)
DecisionForm = form_of(inputs.DecisionInput)
ReasonForm = form_of(inputs.ReasonInput)
CorrectionForm = form_of(inputs.CorrectionInput)
ServiceForm = form_of(inputs.ServiceInput)
AccountForm = form_of(inputs.ServiceAccountInput)


def offer_types(form: forms.Form, choices: list[tuple[str, str]]) -> forms.Form:
    """The type field as a list of the pack's catalogue (the action still checks the id)."""
    form.fields["type_id"].widget = forms.Select(choices=choices)
    return form


class VerifyForm(forms.Form):
    """The public check: a PDF file, or the number and the hash its QR code carries."""

    pdf = forms.FileField(required=False, label="PDF")
    number = forms.CharField(
        required=False, max_length=80, label=pgettext_lazy("legal document", "Number")
    )
    sha256 = forms.RegexField(
        required=False,
        regex=r"^[0-9a-fA-F]{64}$",
        max_length=64,
        label=_("SHA-256 printed under the QR code"),
    )
