"""The property pages' forms: each the form of an action's input (property/inputs.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casetrail.property import inputs
from casetrail.web.inputs import form_of

ItemForm = form_of(inputs.ItemInput)
BelongingForm = form_of(inputs.BelongingItemInput)
CorrectionForm = form_of(inputs.ItemCorrectionInput)
TransferForm = form_of(inputs.TransferInput)
AnswerForm = form_of(inputs.AnswerInput)
ReturnForm = form_of(inputs.ReturnInput)
EventForm = form_of(inputs.EventInput)
BorrowForm = form_of(inputs.BorrowInput)
DecisionForm = form_of(inputs.PropertyDecisionInput)
DisposalForm = form_of(inputs.DisposalInput)
CarryOutForm = form_of(inputs.CarryOutInput)
LocationForm = form_of(inputs.LocationInput)
ScanForm = form_of(inputs.ScanInput)
AccountForm = form_of(inputs.LimitAccountInput)


class FileForm(form_of(inputs.FileInput)):  # type: ignore[misc]  # a class made by form_of
    """A photo, a forensic image, a signed receipt or a photo of a disposal: the input's role,
    and the file beside it."""

    file = forms.FileField(label=_("File"))
