"""The custody API for the case-handling area: stays, the safety check, belongings,
interviews, care, rights and the exit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from casetrail.custody import actions, inputs, queries
from casetrail.custody.access import access_belonging, access_session
from casetrail.custody.api.schemas import SessionDetailOut, SessionOut, session_detail
from casetrail.custody.models import CustodySession
from casetrail.errors import NotFound
from casetrail.ledger.record import record_view
from casetrail.org.access import request_officer
from casetrail.web.inputs import Input, RecordId, body, query
from casetrail.web.pagination import Pages

router = Router()


@router.get("/custody/sessions", response=list[SessionOut])
@paginate(Pages)
@query(inputs.SessionFilterInput)
def list_sessions(
    request: HttpRequest, data: inputs.SessionFilterInput
) -> QuerySet[CustodySession]:
    return queries.session_list(request_officer(request), data)


@router.post("/custody/sessions", response={201: SessionDetailOut})
@body(inputs.SessionInput)
def open_session(request: HttpRequest, data: inputs.SessionInput) -> Status[dict[str, Any]]:
    session = actions.open_session(data, actor=request_officer(request))
    return Status(201, session_detail(session))


@router.get("/custody/sessions/{session_id}", response=SessionDetailOut)
def get_session(request: HttpRequest, session_id: RecordId) -> dict[str, Any]:
    officer = request_officer(request)
    session = access_session(officer, session_id)
    record_view(session, actor=officer, unit_id=session.unit_id, what="custody session (API)")
    return session_detail(session)


def _on_session(
    path: str, input_class: type[Input], action: Callable[..., object], *, created: bool = False
) -> None:
    """One endpoint ``POST /custody/sessions/{id}/<path>``: the stay in the officer's sight and
    theirs to run, the action with its input, the stay after it."""

    def endpoint(request: HttpRequest, session_id: RecordId, data: Any) -> Any:
        officer = request_officer(request)
        session = access_session(officer, session_id, for_write=True)
        action(session, data, actor=officer)
        detail = session_detail(session)
        return Status(201, detail) if created else detail

    endpoint.__name__ = path.replace("-", "_")
    endpoint.__annotations__ = {"request": HttpRequest, "session_id": RecordId, "data": input_class}
    response = {201: SessionDetailOut} if created else SessionDetailOut
    router.post(f"/custody/sessions/{{session_id}}/{path}", response=response)(
        body(input_class)(endpoint)
    )


_on_session("safety-check", inputs.SafetyCheckInput, actions.record_safety_check)
_on_session("belongings", inputs.BelongingInput, actions.deposit_belonging, created=True)
_on_session("interviews", inputs.InterviewInput, actions.record_interview, created=True)
_on_session("care", inputs.CareInput, actions.record_care, created=True)
_on_session("rights", inputs.RightsInput, actions.record_rights)
_on_session("exit", inputs.ExitInput, actions.close_session)


@router.post(
    "/custody/sessions/{session_id}/belongings/{belonging_id}/settle", response=SessionDetailOut
)
@body(inputs.SettleInput)
def settle(
    request: HttpRequest, session_id: RecordId, belonging_id: RecordId, data: inputs.SettleInput
) -> dict[str, Any]:
    officer = request_officer(request)
    session = access_session(officer, session_id, for_write=True)
    item = access_belonging(officer, belonging_id)
    if item.session_id != session.pk:
        raise NotFound(gettext("belonging %(id)s not found") % {"id": belonging_id})
    actions.settle_belonging(item, data, actor=officer)
    return session_detail(session)
