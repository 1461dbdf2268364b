"""Forms of the incident and case pages. They parse and check shape; the actions decide the
rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from casetrail.cases.actions import Decision
from casetrail.cases.machine import STATUS_LABELS, Kind, Status
from casetrail.cases.models import Channel, IdType, OffenceCategory, PartyRole
from casetrail.cases.queries import MAX_QUERY_LENGTH
from casetrail.org.models import Officer, Unit


class IncidentForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    channel = forms.ChoiceField(choices=Channel.choices, label=_("Channel"))
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reporter_name = forms.CharField(max_length=80, label=_("Reporter"))
    reporter_contact = forms.CharField(max_length=80, required=False, label=_("Contact"))
    location = forms.CharField(max_length=200, label=_("Location"))
    category = forms.ModelChoiceField(
        queryset=OffenceCategory.objects.all(), required=False, label=_("Category")
    )
    summary = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), label=_("Summary")
    )

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)  # noqa: S101
        unit_field.queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        if len(units) == 1:
            unit_field.initial = units[0].pk


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.ADMINISTRATIVE_CASE, _("Accept as an administrative case")),
            (Decision.REGISTRATION_REVIEW, _("Open criminal registration review")),
            (Decision.NO_CASE, _("No case")),
            (Decision.MEDIATION, _("Refer to mediation")),
            (Decision.TRANSFER, _("Transfer to another unit")),
        ],
    )
    category = forms.ModelChoiceField(
        queryset=OffenceCategory.objects.all(), required=False, label=_("Category")
    )
    title = forms.CharField(max_length=200, required=False, label=_("Case title"))
    handlers = forms.ModelMultipleChoiceField(
        queryset=Officer.objects.none(), required=False, label=_("Handlers (at least two)")
    )
    transfer_to = forms.ModelChoiceField(
        queryset=Unit.objects.all(), required=False, label=_("Transfer to")
    )
    reason = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason")
    )
    notify_method = forms.CharField(
        max_length=40, required=False, label=_("How the reporter was notified")
    )

    def __init__(self, *args: Any, handlers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["handlers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        field.queryset = handlers


def _status_choices() -> list[tuple[str, str]]:
    """Status names in the language of the request (the choices are read at render)."""
    zh = (get_language() or "").startswith("zh")
    return [("", "—"), *[(s.value, STATUS_LABELS[s][1 if zh else 0]) for s in Status]]


class CaseFilterForm(forms.Form):
    q = forms.CharField(max_length=MAX_QUERY_LENGTH, required=False, label=_("Search"))
    status = forms.ChoiceField(required=False, label=_("Status"), choices=_status_choices)
    kind = forms.ChoiceField(
        required=False,
        label=_("Kind"),
        choices=[
            ("", "—"),
            (Kind.CRIMINAL.value, _("criminal")),
            (Kind.ADMINISTRATIVE.value, _("administrative")),
        ],
    )
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("Unit"))
    handler = forms.ModelChoiceField(
        queryset=Officer.objects.none(), required=False, label=_("Handler")
    )
    opened_from = forms.DateField(
        required=False, label=_("Opened from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    opened_to = forms.DateField(
        required=False, label=_("Opened to"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [u.pk for u in units]
        unit_field = self.fields["unit"]
        handler_field = self.fields["handler"]
        assert isinstance(unit_field, forms.ModelChoiceField)  # noqa: S101
        assert isinstance(handler_field, forms.ModelChoiceField)  # noqa: S101
        unit_field.queryset = Unit.objects.filter(pk__in=ids)
        handler_field.queryset = Officer.objects.filter(unit_id__in=ids, is_active=True)


class PartyForm(forms.Form):
    role = forms.ChoiceField(choices=PartyRole.choices, label=_("Role"))
    name = forms.CharField(max_length=80, label=_("Name"))
    id_type = forms.ChoiceField(choices=IdType.choices, initial=IdType.NONE, label=_("ID document"))
    id_number = forms.CharField(max_length=40, required=False, label=_("Document number"))
    birth_date = forms.DateField(
        required=False, label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    contact = forms.CharField(max_length=80, required=False, label=_("Contact"))


class MoveForm(forms.Form):
    move = forms.CharField(max_length=40)
    reason = forms.CharField(max_length=2000, required=False)
    hearing_required = forms.BooleanField(required=False)
    hearing_held_on = forms.DateField(required=False)


class HandlerForm(forms.Form):
    """Assign a handler, or release one with the reason."""

    officer = forms.ModelChoiceField(queryset=Officer.objects.none(), label=_("Officer"))
    release = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=2000, required=False, label=_("Reason"))

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = candidates
