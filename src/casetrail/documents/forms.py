"""The documents pages' forms: each the form of an action's input (documents/inputs.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casetrail.documents import inputs
from casetrail.documents.catalogue import DocumentType
from casetrail.web.inputs import form_of

DraftForm = form_of(inputs.DraftInput)


def _widget(kind: str) -> forms.Widget:
    """How a kind of particular is typed (the action checks the value: documents.actions)."""
    if kind == "whole":
        return forms.NumberInput(attrs={"min": 0, "step": 1})
    if kind == "money":
        return forms.TextInput(attrs={"inputmode": "decimal"})
    if kind == "day":
        return forms.DateInput(attrs={"type": "date"})
    return forms.TextInput()


class TypedDraftForm(DraftForm):  # type: ignore[misc,valid-type]
    """The draft of one document type, its particulars each a field labelled in the reader's
    language (named ``params.<name>``, so a refusal of one lands beside it), instead of lines
    of ``name: value`` typed by hand. A draft may lack a required value: submitting asks."""

    def __init__(self, *args: Any, doc_type: DocumentType, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.doc_type = doc_type
        self.fields["type_id"].widget = forms.HiddenInput()
        self.initial["type_id"] = doc_type.id
        del self.fields["params"]
        if "measure" not in doc_type.draws:  # a measure is named only where the type draws it
            del self.fields["measure_id"]
        for param in doc_type.params:
            label = param.label(language)
            self.fields[f"params.{param.name}"] = forms.CharField(
                label=f"{label} *" if param.required else label,
                required=False,
                max_length=param.max_length or 4000,
                widget=_widget(param.kind),
            )

    def typed_params(self) -> dict[str, str]:
        """The particulars filled in, by name (call once the form is valid)."""
        return {
            name.removeprefix("params."): value
            for name, value in self.cleaned_data.items()
            if name.startswith("params.") and value
        }

    def to_input(self, **given: Any) -> Any:
        if not self.is_valid():
            return None
        return super().to_input(params=self.typed_params(), **given)


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
