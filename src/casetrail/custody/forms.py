"""The forms of the custody pages: each one the form of an action's input (custody/inputs.py),
so it has the API's fields, labels and limits. The views pass the records a choice offers; the
actions decide whether the record chosen may be."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext, gettext_lazy

from casetrail import procedure
from casetrail.custody import inputs
from casetrail.custody.clocks import extension_offered, listed, rule_of, said
from casetrail.custody.measures import ADMINISTRATIVE_KINDS, SPECS
from casetrail.custody.models import Deadline
from casetrail.procedure.said import unit_word
from casetrail.web.inputs import RefField, form_of
from casetrail.web.language import pick


class DeadlineChoice(RefField):
    """A deadline by its rule's title in the reader's language, its due time in its unit's
    time zone, named, and the rule's ceiling with every extension."""

    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Deadline)  # noqa: S101 - the queryset holds deadlines
        rule = rule_of(obj)
        zone = obj.unit.timezone
        # The packs refuse extensions without a ceiling (packs.py): only rules that have one
        # are offered here.
        assert rule.ceiling is not None  # noqa: S101
        return gettext(
            "%(title)s, due %(due)s (%(zone)s), at most %(ceiling)s with every extension"
        ) % {
            "title": pick(rule.title_en, rule.title_zh),
            "due": f"{obj.due_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}",
            "zone": zone,
            "ceiling": said(rule.ceiling.said()),
        }


class ProposeForm(form_of(inputs.MeasureInput, exclude=["case_id"])):  # type: ignore[misc]
    """Only the measures of the case's rule pack, and only the parameters they take, are
    offered (the action refuses the others)."""

    def __init__(
        self, *args: Any, pack: str | None = None, case_kind: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if pack is None:
            return
        kinds = [s for s in SPECS.values() if s.pack == pack]
        offered = {s.kind.value for s in kinds}
        kind = self.fields["kind"]
        choices = [c for c in kind.choices if c[0] in offered]
        if case_kind:
            # The case's own measures first, the first of them chosen: an administrative case
            # is offered the administrative summons, not the criminal one.
            administrative = case_kind == "administrative"
            own = [c for c in choices if (c[0] in ADMINISTRATIVE_KINDS) == administrative]
            choices = own + [c for c in choices if c not in own]
            if own and self.initial.get("kind") is None:
                self.initial["kind"] = own[0][0]
        kind.choices = choices
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


# What the page offers for one deadline: the deadline, its rule and the extensions of the rule
# that the measure's kind allows.
Offered = tuple[Deadline, procedure.Rule, Sequence[procedure.Extension]]


class ExtensionForm(form_of(inputs.ExtensionInput)):  # type: ignore[misc]
    """The extensions offered by name, with what each does and who approves it, grouped by the
    deadline they belong to; N typed apart, for an extension that takes it. The form only
    composes "ID=N": whether the extension and its N are allowed is the action's rule, so an
    unknown id or an N out of range is refused with its message beside the field. A value
    posted already written "ID=N" (a script) goes to the action as it is."""

    deadline_id = DeadlineChoice(label=inputs.ExtensionInput.labels()["deadline_id"])
    n = forms.IntegerField(required=False)
    field_order = ("deadline_id", "extension", "n", "reason")

    def __init__(self, *args: Any, offered: Sequence[Offered] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered = {deadline.pk: extensions for deadline, _, extensions in offered}
        groups = [
            (pick(rule.title_en, rule.title_zh), [(e.id, extension_offered(e)) for e in exts])
            for _, rule, exts in offered
        ]
        options: list[Any] = groups[0][1] if len(groups) == 1 else groups
        field = self.fields["extension"]
        field.label = gettext_lazy("Extension")
        field.widget = forms.Select(choices=[("", "---------"), *options])
        ranges = dict.fromkeys(
            (e.unit, e.adds_min, e.adds_max, pick(e.title_en, e.title_zh or e.title_en))
            for _, _, exts in offered
            for e in exts
            if e.takes_n
        )
        if not ranges:
            del self.fields["n"]
            return
        self.fields["n"].label = _n_label(list(ranges))
        self.fields["n"].widget.attrs.update(
            min=min(low for _, low, _, _ in ranges), max=max(high for _, _, high, _ in ranges)
        )

    def clean(self) -> dict[str, Any]:
        """ "ID=N" from the extension chosen and N, where the chosen deadline's extension of
        that id takes N; anything else as it was posted."""
        cleaned: dict[str, Any] = super().clean()
        chosen, n = cleaned.get("extension"), cleaned.get("n")
        offered = self.offered.get(cleaned.get("deadline_id", 0), ())
        if n is not None and any(e.id == chosen and e.takes_n for e in offered):
            cleaned["extension"] = f"{chosen}={n}"
        return cleaned


def _n_label(ranges: list[tuple[str, int, int, str]]) -> str:
    """The N field's label: the unit and range of the one extension that takes N, or of each
    where several differ."""
    if len({(unit, low, high) for unit, low, high, _ in ranges}) == 1:
        unit, low, high, _ = ranges[0]
        return gettext("N, the number of %(unit)s to add (%(low)s to %(high)s)") % {
            "unit": said(unit_word(unit)),
            "low": low,
            "high": high,
        }
    each = [
        gettext("%(extension)s: %(low)s to %(high)s %(unit)s")
        % {
            "extension": title,
            "low": low,
            "high": high,
            "unit": said(unit_word(unit)),
        }
        for unit, low, high, title in ranges
    ]
    return gettext("N, the number to add: %(ranges)s") % {"ranges": listed(each)}


class NoticeExceptionForm(form_of(inputs.NoticeExceptionInput)):  # type: ignore[misc]
    """The lawful grounds are the measure's own (CPL art. 85(2), 93(2)), offered by name."""

    def __init__(self, *args: Any, grounds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ground"] = forms.ChoiceField(
            choices=grounds, label=self.fields["ground"].label
        )
