"""The supervision pages' forms: each the form of an action's input (supervision/inputs.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casetrail.supervision import inputs
from casetrail.web.inputs import form_of

FindingFilterForm = form_of(inputs.FindingFilterInput)
RectifyForm = form_of(inputs.FindingRectifyInput)
ReviewForm = form_of(inputs.FindingReviewInput)
DismissForm = form_of(inputs.FindingDismissInput)
ScorecardFilterForm = form_of(inputs.ScorecardFilterInput)
ScoreReviewRequestForm = form_of(inputs.ScoreReviewRequestInput)
ScoreReviewAnswerForm = form_of(inputs.ScoreReviewAnswerInput)


class AttachForm(forms.Form):
    """A file that shows what was done, beside the finding (no other field)."""

    file = forms.FileField(label=_("File"))
