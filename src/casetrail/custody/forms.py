"""Forms of the custody pages. They parse and check shape; the actions decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casetrail.cases.models import Person
from casetrail.custody.clocks import rule_of
from casetrail.custody.measures import PACE_ROUTES, QUESTIONING_RULES, MeasureKind
from casetrail.custody.models import (
    BelongingOutcome,
    CareKind,
    Deadline,
    Destination,
    EndOutcome,
    InterviewKind,
    Measure,
)
from casetrail.org.models import Officer


def _when(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _text(label: Any, *, max_length: int = 2000, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _queryset(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared so below
    field.queryset = queryset


class ProposeForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Person"))
    kind = forms.ChoiceField(choices=MeasureKind.choices, label=_("Measure"))
    reason = _text(_("Reason"), max_length=4000)
    questioning = forms.ChoiceField(
        required=False,
        label=_("Questioning (administrative summons)"),
        choices=[(k, k) for k in QUESTIONING_RULES],
    )
    days = forms.IntegerField(
        required=False, min_value=1, label=_("Days (administrative detention)")
    )
    route = forms.ChoiceField(
        required=False, label=_("Route to the station (PACE s.41(2))"), choices=[("", "—")]
    )

    def __init__(self, *args: Any, persons: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "person", persons)
        route = self.fields["route"]
        assert isinstance(route, forms.ChoiceField)  # noqa: S101
        route.choices = [("", "—"), *[(r, r) for r in PACE_ROUTES]]

    def params(self) -> dict[str, Any]:
        d = self.cleaned_data
        kind = d.get("kind")
        if kind == MeasureKind.ADMIN_SUMMONS:
            return {"questioning": d.get("questioning") or "ordinary"}
        if kind == MeasureKind.ADMIN_DETENTION:
            return {"days": d.get("days")} if d.get("days") else {}
        if kind == MeasureKind.PACE_DETENTION:
            return {"route": d.get("route") or "arrival"}
        return {}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    reason = _text(_("Reason"), required=False)


class StartForm(forms.Form):
    started_at = _when(_("Started at (PACE: the arrest)"))
    arrived_at = _when(_("Arrived at the station (PACE)"), required=False)
    decision_number = forms.CharField(
        max_length=80, required=False, label=_("Procuratorate's decision number (arrest)")
    )
    decided_on = forms.DateField(
        required=False,
        label=_("Decided on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    replaces = forms.ModelChoiceField(
        queryset=Measure.objects.none(), required=False, label=_("Replaces the running measure")
    )

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(
            self,
            "replaces",
            Measure.objects.filter(
                person_id=measure.person_id, case_id=measure.case_id, status="running"
            ).exclude(pk=measure.pk),
        )


class EndForm(forms.Form):
    ended_at = _when(_("Ended at"))
    outcome = forms.ChoiceField(choices=EndOutcome.choices, label=_("Outcome"))
    reason = _text(_("Reason"))


class NotificationForm(forms.Form):
    at = _when(_("Notified at"))
    method = forms.ChoiceField(
        choices=[
            ("phone", _("by telephone")),
            ("in_person", _("in person")),
            ("written", _("in writing")),
            ("sms", _("by text message")),
            ("other", _("other")),
        ],
        label=_("Method"),
    )
    recipient = forms.CharField(max_length=80, label=_("Person told"))
    relationship = forms.CharField(max_length=40, label=_("Relationship"))


class NoticeExceptionForm(forms.Form):
    ground = forms.ChoiceField(choices=[], label=_("Lawful ground"))
    detail = _text(_("Facts"))

    def __init__(self, *args: Any, grounds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ground = self.fields["ground"]
        assert isinstance(ground, forms.ChoiceField)  # noqa: S101
        ground.choices = grounds


class PlaceForm(forms.Form):
    at = _when(_("At"))
    place = forms.CharField(max_length=200, label=_("Place"))


class ArrestRequestForm(forms.Form):
    submitted_at = _when(_("Submitted at"))
    received_at = _when(_("Received by the procuratorate at"))


class ProcuratorateForm(forms.Form):
    approved = forms.TypedChoiceField(
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Arrest approved")), ("no", _("Arrest not approved"))],
        label=_("Decision"),
    )
    decided_at = _when(_("Decided at"))
    number = forms.CharField(max_length=80, label=_("Decision number"))


class ReviewForm(forms.Form):
    at = _when(_("Reviewed at"))
    outcome = forms.ChoiceField(
        choices=[("continue", _("Detention continues")), ("release", _("Release"))],
        label=_("Outcome"),
    )
    notes = _text(_("Notes"), required=False)


class WarrantApplicationForm(forms.Form):
    at = _when(_("Applied at"))
    court = forms.CharField(max_length=200, label=_("Magistrates' court"))


class WarrantForm(forms.Form):
    issued_at = _when(_("Issued at"))
    hours = forms.IntegerField(min_value=1, label=_("Hours"))
    court = forms.CharField(max_length=200, label=_("Magistrates' court"))
    reference = forms.CharField(max_length=80, label=_("Reference"))
    extension = forms.BooleanField(required=False, label=_("Extends the warrant in force"))


class DeadlineChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A deadline with the extensions its rule offers, as the pack describes them."""

    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Deadline)  # noqa: S101 - the queryset holds deadlines
        offered = "; ".join(e.describe() for e in rule_of(obj).extensions)
        return f"{obj.rule_id} ({obj.due_at:%Y-%m-%d %H:%M} UTC): {offered}"


class ExtensionForm(forms.Form):
    deadline = DeadlineChoice(queryset=Deadline.objects.none(), label=_("Deadline"))
    extension = forms.CharField(max_length=40, label=_("Extension (ID or ID=N)"))
    reason = _text(_("Reason"), max_length=4000)

    def __init__(self, *args: Any, deadlines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "deadline", deadlines)


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    reason = _text(_("Reason"), required=False)
    reference = forms.CharField(
        max_length=120, required=False, label=_("Reference of the deciding body's decision")
    )


class AccountForm(forms.Form):
    account = _text(_("What happened"), max_length=4000)


class EntryForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Person"))
    measure = forms.ModelChoiceField(
        queryset=Measure.objects.none(), required=False, label=_("Under the measure")
    )
    entered_at = _when(_("Entered at"))
    escorts = forms.ModelMultipleChoiceField(
        queryset=Officer.objects.none(), label=_("Escorting officers (at least two)")
    )
    reason = _text(_("Reason"))

    def __init__(
        self, *args: Any, persons: Any, measures: Any, officers: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "person", persons)
        _queryset(self, "measure", measures)
        _queryset(self, "escorts", officers)


class SafetyCheckForm(forms.Form):
    at = _when(_("Checked at"))
    search_record = _text(_("Search record"), max_length=4000)
    injuries_observed = _text(_("Injuries observed"), max_length=4000)
    refused = forms.BooleanField(required=False, label=_("The person refused the search"))


class BelongingForm(forms.Form):
    description = forms.CharField(max_length=200, label=_("Item"))
    quantity = forms.IntegerField(min_value=1, initial=1, label=_("Quantity"))
    notes = forms.CharField(max_length=200, required=False, label=_("Notes"))


class SettleForm(forms.Form):
    outcome = forms.ChoiceField(choices=BelongingOutcome.choices, label=_("Outcome"))
    transferred_to = forms.CharField(max_length=200, required=False, label=_("Transferred to"))
    person_signed = forms.BooleanField(required=False, label=_("The person signed"))
    refusal_witness = forms.ModelChoiceField(
        queryset=Officer.objects.none(), required=False, label=_("Witness of a refusal to sign")
    )

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "refusal_witness", officers)


class InterviewForm(forms.Form):
    kind = forms.ChoiceField(choices=InterviewKind.choices, label=_("Kind"))
    room = forms.CharField(max_length=40, label=_("Room"))
    started_at = _when(_("Started at"))
    ended_at = _when(_("Ended at"))
    officers = forms.ModelMultipleChoiceField(queryset=Officer.objects.none(), label=_("Officers"))
    recording_id = forms.CharField(max_length=120, label=_("Recording identifier"))
    recording_sha256 = forms.CharField(max_length=64, min_length=64, label=_("Recording SHA-256"))
    guardian_name = forms.CharField(
        max_length=80, required=False, label=_("Guardian or appropriate adult")
    )
    guardian_relation = forms.CharField(max_length=40, required=False, label=_("Their relation"))
    interpreter = forms.CharField(max_length=80, required=False, label=_("Interpreter"))

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "officers", officers)


class CareForm(forms.Form):
    kind = forms.ChoiceField(choices=CareKind.choices, label=_("Kind"))
    started_at = _when(_("Started at"))
    ended_at = _when(_("Ended at"), required=False)
    notes = forms.CharField(max_length=400, required=False, label=_("Notes"))


class RightsForm(forms.Form):
    given_at = _when(_("Notice of rights given at"))
    lawyer_requested = forms.BooleanField(required=False, label=_("A lawyer was requested"))
    lawyer_requested_at = _when(_("Requested at"), required=False)
    interpreter_language = forms.CharField(
        max_length=40, required=False, label=_("Interpreter: language")
    )
    interpreter_name = forms.CharField(max_length=80, required=False, label=_("Interpreter: name"))


class ExitForm(forms.Form):
    exited_at = _when(_("Left at"))
    destination = forms.ChoiceField(choices=Destination.choices, label=_("Destination"))
    destination_detail = forms.CharField(
        max_length=200, required=False, label=_("Where (detention house, hospital, agency)")
    )
