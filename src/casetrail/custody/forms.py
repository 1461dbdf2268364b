"""The forms of the custody pages: each one the form of an action's input (custody/inputs.py),
so it has the API's fields, labels and limits. The views pass the records a choice offers; the
actions decide whether the record chosen may be."""

from __future__ import annotations

from typing import Any

from django import forms

from casetrail.custody import inputs
from casetrail.custody.clocks import extensions_offered, rule_of
from casetrail.custody.measures import SPECS
from casetrail.custody.models import Deadline
from casetrail.web.inputs import RefField, form_of


class DeadlineChoice(RefField):
    """A deadline with the extensions its rule offers, as the pack describes them, in the
    reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Deadline)  # noqa: S101 - the queryset holds deadlines
        offered = extensions_offered(rule_of(obj))
        return f"{obj.rule_id} ({obj.due_at:%Y-%m-%d %H:%M} UTC): {offered}"


class ProposeForm(form_of(inputs.MeasureInput, exclude=["case_id"])):  # type: ignore[misc]
    """Only the measures of the case's rule pack, and only the parameters they take, are
    offered (the action refuses the others)."""

    def __init__(self, *args: Any, pack: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if pack is None:
            return
        kinds = [s for s in SPECS.values() if s.pack == pack]
        offered = {s.kind.value for s in kinds}
        kind = self.fields["kind"]
        kind.choices = [c for c in kind.choices if c[0] in offered]
        taken = {p for s in kinds for p in s.params}
        for name in (PARAMETERS - taken) & set(self.fields):
            del self.fields[name]


# The fields of a proposal that are parameters of some measure's rule.
PARAMETERS = frozenset(p for s in SPECS.values() for p in s.params)
DecisionForm = form_of(inputs.MeasureDecisionInput)
LegalReviewForm = form_of(inputs.LegalReviewInput)
StartForm = form_of(inputs.StartInput)
EndForm = form_of(inputs.EndInput)
NotificationForm = form_of(inputs.NoticeInput)
InterrogationForm = form_of(inputs.InterrogationInput)
DeliveryForm = form_of(inputs.DeliveryInput)
ArrestRequestForm = form_of(inputs.ArrestRequestInput)
ProcuratorateForm = form_of(inputs.ProcuratorateDecisionInput)
ReviewForm = form_of(inputs.ReviewInput)
WarrantApplicationForm = form_of(inputs.WarrantApplicationInput)
WarrantForm = form_of(inputs.WarrantInput)
ExtensionDecisionForm = form_of(inputs.ExtensionDecisionInput)
AccountForm = form_of(inputs.AccountInput)
EntryForm = form_of(inputs.SessionInput, exclude=["unit_id", "case_id"])
SafetyCheckForm = form_of(inputs.SafetyCheckInput)
BelongingForm = form_of(inputs.BelongingInput)
SettleForm = form_of(inputs.SettleInput)
InterviewForm = form_of(inputs.InterviewInput)


class CareForm(form_of(inputs.CareInput)):  # type: ignore[misc]
    """The grounds of an interrupted rest (PACE Code C 12.2) are offered only where the unit's
    pack sets a rest period; elsewhere the action would refuse them."""

    def __init__(self, *args: Any, rest_rules: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not rest_rules:
            del self.fields["interruption"]


RightsForm = form_of(inputs.RightsInput)
ExitForm = form_of(inputs.ExitInput)


class ExtensionForm(form_of(inputs.ExtensionInput)):  # type: ignore[misc]
    deadline_id = DeadlineChoice(label=inputs.ExtensionInput.labels()["deadline_id"])


class NoticeExceptionForm(form_of(inputs.NoticeExceptionInput)):  # type: ignore[misc]
    """The lawful grounds are the measure's own (CPL art. 85(2), 93(2)), offered by name."""

    def __init__(self, *args: Any, grounds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ground"] = forms.ChoiceField(
            choices=grounds, label=self.fields["ground"].label
        )
