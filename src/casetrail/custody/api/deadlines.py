"""The custody API for deadlines: reading one, asking for an extension, deciding it, and
accounting for a missed one."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from casetrail.custody import actions, inputs
from casetrail.custody.access import access_deadline, access_extension_request
from casetrail.custody.api.schemas import DeadlineOut, ExtensionRequestOut
from casetrail.custody.models import Deadline, ExtensionRequest
from casetrail.org.access import request_officer
from casetrail.web.inputs import RecordId, body

router = Router()


@router.get("/custody/deadlines/{deadline_id}", response=DeadlineOut)
def get_deadline(request: HttpRequest, deadline_id: RecordId) -> Deadline:
    return access_deadline(request_officer(request), deadline_id)


@router.post("/custody/deadlines/{deadline_id}/extensions", response={201: ExtensionRequestOut})
@body(inputs.ExtensionInput, exclude=["deadline_id"])
def request_extension(
    request: HttpRequest, deadline_id: RecordId, data: inputs.ExtensionInput
) -> Status[ExtensionRequest]:
    officer = request_officer(request)
    access_deadline(officer, deadline_id)  # the path names it: absent or not yours is a 404
    return Status(201, actions.request_extension(data, actor=officer))


@router.post("/custody/extensions/{request_id}/decision", response=ExtensionRequestOut)
@body(inputs.ExtensionDecisionInput)
def decide_extension(
    request: HttpRequest, request_id: RecordId, data: inputs.ExtensionDecisionInput
) -> ExtensionRequest:
    officer = request_officer(request)
    extension = access_extension_request(officer, request_id)
    return actions.decide_extension(extension, data, actor=officer)


@router.post("/custody/deadlines/{deadline_id}/account", response=DeadlineOut)
@body(inputs.AccountInput)
def account_for_missed(
    request: HttpRequest, deadline_id: RecordId, data: inputs.AccountInput
) -> Deadline:
    officer = request_officer(request)
    deadline = access_deadline(officer, deadline_id)
    return actions.account_for_missed(deadline, data, actor=officer)
