"""The forms of the incident and case pages: each one the form of an action's input
(cases/inputs.py), so it has the API's fields, labels and limits. The views pass the records a
choice offers; the actions decide whether the record chosen may be."""

from __future__ import annotations

from casetrail.cases import inputs
from casetrail.web.inputs import form_of

IncidentForm = form_of(inputs.IncidentInput)
DecisionForm = form_of(inputs.IncidentDecisionInput)
CaseFilterForm = form_of(inputs.CaseFilterInput)
IncidentFilterForm = form_of(inputs.IncidentFilterInput)
PartyForm = form_of(inputs.PartyInput, exclude=["person_id"])
PartyCorrectionForm = form_of(inputs.PartyCorrectionInput)
MoveForm = form_of(inputs.MoveInput)
HandlerForm = form_of(inputs.HandlerInput)
ReleaseForm = form_of(inputs.ReleaseInput)
