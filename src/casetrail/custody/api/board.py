"""The custody API's views of a whole: a unit's whiteboard, a person's custody record, and the
officer's alert inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from casetrail import clock
from casetrail.custody import actions, inputs, queries
from casetrail.custody.access import access_board, access_custody_person, access_inbox_item
from casetrail.custody.api.schemas import (
    BoardOut,
    InboxItemOut,
    PersonRecordOut,
    brief,
    measure_out,
    session_out,
)
from casetrail.custody.models import InboxItem
from casetrail.ledger.record import record_view
from casetrail.org.access import request_officer
from casetrail.web.inputs import RecordId, query
from casetrail.web.pagination import Pages

router = Router()


@router.get("/custody/board/{unit_id}", response=BoardOut)
def board(request: HttpRequest, unit_id: RecordId, subtree: bool = False) -> dict[str, Any]:
    """The unit's whiteboard; ``subtree=true``: the unit's and every unit's below it in scope."""
    officer = request_officer(request)
    unit = access_board(officer, unit_id)
    found = queries.board(officer, unit, clock.now(), subtree=subtree)
    return {
        "unit_id": unit.pk,
        "unit": unit.code,
        "now": found.now,
        "counts": found.counts,
        "rows": [
            {
                "person_id": r.person.pk,
                "person_name": r.person.name,
                "unit_name": r.unit_name,
                "case_number": r.case_number,
                "measure_id": r.measure.pk if r.measure else None,
                "measure_kind": r.measure.kind if r.measure else None,
                "session_id": r.session_id,
                "in_area": r.in_area,
                "clock_start": r.clock_start,
                "elapsed_seconds": int(r.elapsed.total_seconds()),
                "elapsed": r.elapsed_text,
                "limit": brief(r.limit),
                "left_seconds": int(r.left.total_seconds()) if r.left is not None else None,
                "left": r.left_text,
                "next": brief(r.next),
                "state": r.state,
                "state_text": r.state_text,
            }
            for r in found.rows
        ],
    }


@router.get("/custody/persons/{person_id}", response=PersonRecordOut)
def person_record(request: HttpRequest, person_id: RecordId) -> dict[str, Any]:
    officer = request_officer(request)
    person = access_custody_person(officer, person_id)
    record_view(person, actor=officer, unit_id=officer.unit_id, what="custody record (API)")
    found = queries.person_record(officer, person)
    return {
        "person_id": person.pk,
        "name": person.name,
        "measures": [measure_out(m) for m in found.measures],
        "sessions": [session_out(s) for s in found.sessions],
    }


@router.get("/custody/inbox", response=list[InboxItemOut])
@paginate(Pages)
@query(inputs.InboxFilterInput)
def inbox(request: HttpRequest, data: inputs.InboxFilterInput) -> QuerySet[InboxItem]:
    return queries.inbox(request_officer(request), data)


@router.post("/custody/inbox/{item_id}/acknowledge", response=InboxItemOut)
def acknowledge(request: HttpRequest, item_id: RecordId) -> InboxItem:
    officer = request_officer(request)
    item = access_inbox_item(officer, item_id)
    actions.acknowledge_alert(item, actor=officer)
    return access_inbox_item(officer, item_id)
