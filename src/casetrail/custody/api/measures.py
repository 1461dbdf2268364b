"""The custody API for measures: the kinds the statute knows, proposals, decisions, starts,
ends, and the events that meet a measure's deadlines. Every POST is one action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from casetrail.custody import actions, inputs, queries
from casetrail.custody.access import access_measure
from casetrail.custody.api.schemas import (
    MeasureDetailOut,
    MeasureKindOut,
    MeasureOut,
    measure_detail,
)
from casetrail.custody.measures import SPECS
from casetrail.custody.models import Measure
from casetrail.ledger.record import record_view
from casetrail.org.access import request_officer
from casetrail.org.models import Officer
from casetrail.procedure import list_extensions
from casetrail.web.inputs import Input, RecordId, body, query
from casetrail.web.pagination import Pages

router = Router()


@router.get("/custody/kinds", response=list[MeasureKindOut])
def list_kinds(request: HttpRequest) -> list[dict[str, Any]]:
    """The measures, who approves each (with the citation) and the rules each attaches."""
    kinds = []
    for spec in SPECS.values():
        limit = spec.attached[0].rule_id
        extensions = [e.id for e in list_extensions(limit, pack=spec.pack)]
        if spec.extensions is not None:
            extensions = [e for e in extensions if e in spec.extensions]
        kinds.append(
            {
                "kind": spec.kind.value,
                "label": str(spec.kind.label),
                "pack": spec.pack,
                "approver": spec.approver.value,
                "approver_en": spec.approver_en,
                "approval_citation": spec.approval_citation,
                "rules": [a.rule_id for a in spec.attached],
                "extensions": extensions,
                "notice_exceptions": [g.code for g in spec.notice_exceptions],
                "params": list(spec.params),
            }
        )
    return kinds


@router.get("/custody/measures", response=list[MeasureOut])
@paginate(Pages)
@query(inputs.MeasureFilterInput)
def list_measures(request: HttpRequest, data: inputs.MeasureFilterInput) -> QuerySet[Measure]:
    return queries.measure_list(request_officer(request), data)


@router.post("/custody/measures", response={201: MeasureDetailOut})
@body(inputs.MeasureInput)
def propose_measure(request: HttpRequest, data: inputs.MeasureInput) -> Status[dict[str, Any]]:
    measure = actions.propose_measure(data, actor=request_officer(request))
    return Status(201, measure_detail(measure))


@router.get("/custody/measures/{measure_id}", response=MeasureDetailOut)
def get_measure(request: HttpRequest, measure_id: RecordId) -> dict[str, Any]:
    officer = request_officer(request)
    measure = access_measure(officer, measure_id)
    record_view(measure, actor=officer, unit_id=measure.unit_id, what="custody measure (API)")
    return measure_detail(measure)


MeasureAction = Callable[..., object]


def _on_measure(
    path: str,
    input_class: type[Input],
    action: MeasureAction,
    *,
    created: bool = False,
    writer: bool = True,
) -> None:
    """One endpoint ``POST /custody/measures/{id}/<path>``: the measure in the officer's sight
    (and, for ``writer``, theirs to act on), the action with its input, the measure after it.
    The approver of a decision and the reviewer of a detention are not the measure's writers:
    the action checks the role the statute names."""

    def endpoint(request: HttpRequest, measure_id: RecordId, data: Any) -> Any:
        officer: Officer = request_officer(request)
        measure = access_measure(officer, measure_id, for_write=writer)
        action(measure, data, actor=officer)
        detail = measure_detail(measure)
        return Status(201, detail) if created else detail

    endpoint.__name__ = path.replace("-", "_")
    endpoint.__annotations__ = {"request": HttpRequest, "measure_id": RecordId, "data": input_class}
    response = {201: MeasureDetailOut} if created else MeasureDetailOut
    router.post(f"/custody/measures/{{measure_id}}/{path}", response=response)(
        body(input_class)(endpoint)
    )


_on_measure("legal-review", inputs.LegalReviewInput, actions.review_measure, writer=False)
_on_measure("decision", inputs.MeasureDecisionInput, actions.decide_measure, writer=False)
_on_measure("start", inputs.StartInput, actions.start_measure)
_on_measure("end", inputs.EndInput, actions.end_measure)
_on_measure("notifications", inputs.NoticeInput, actions.record_family_notice, created=True)
_on_measure(
    "notice-exception",
    inputs.NoticeExceptionInput,
    actions.record_notice_exception,
    created=True,
)
_on_measure("interrogations", inputs.InterrogationInput, actions.record_interrogation, created=True)
_on_measure("delivery", inputs.DeliveryInput, actions.record_delivery, created=True)
_on_measure(
    "arrest-request", inputs.ArrestRequestInput, actions.record_arrest_request, created=True
)
_on_measure(
    "procuratorate-decision",
    inputs.ProcuratorateDecisionInput,
    actions.record_procuratorate_decision,
    created=True,
)
_on_measure("reviews", inputs.ReviewInput, actions.record_review, created=True, writer=False)
_on_measure(
    "warrant-applications",
    inputs.WarrantApplicationInput,
    actions.record_warrant_application,
    created=True,
)
_on_measure("warrants", inputs.WarrantInput, actions.record_warrant, created=True)
