"""The documents pages: a case's documents (table of contents and drafting), one document with
its approval steps, decision, service and corrections, and its PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from casetrail.approvals.actions import ApprovalRefused
from casetrail.cases.access import access_case, may_write_case
from casetrail.cases.models import Case
from casetrail.custody.models import Measure
from casetrail.documents import actions, queries
from casetrail.documents import forms as ui
from casetrail.documents.access import access_document
from casetrail.documents.actions import type_of
from casetrail.documents.catalogue import DocumentType
from casetrail.documents.models import Document, DocumentStatus
from casetrail.errors import NotFound, Refused
from casetrail.org.access import has_role, request_officer
from casetrail.org.models import Officer
from casetrail.org.roles import CASE_LEADERS
from casetrail.web.inputs import InputForm
from casetrail.web.shortcuts import form_error, officer_view


def _typed(case: Case, type_id: str | None) -> DocumentType | None:
    """The type chosen to draft, if it is one the officer drafts by hand in the case's pack."""
    if not type_id or type_id not in queries.drafted_by_hand_ids(case.unit.pack):
        return None
    return type_of(case.unit.pack, type_id)


def _draft_form(case: Case, data: Any, doc_type: DocumentType | None) -> InputForm:
    choices = queries.draft_choices(case)
    if doc_type is None:
        return ui.DraftForm(data, choices=choices)
    form = ui.TypedDraftForm(data, choices=choices, doc_type=doc_type, language=get_language())
    form.offer_the_only_choice("person_id")
    return form


def _case_context(
    officer: Officer, case_ref: str, form: forms.Form | None = None, typed: str | None = None
) -> dict[str, Any]:
    case = access_case(officer, case_ref)
    writable = may_write_case(officer, case)
    language = get_language()
    doc_type = _typed(case, typed) if writable else None
    types = queries.draftable_types(case.unit.pack, language) if writable else []
    draft = form or _draft_form(case, None, doc_type)
    chosen = draft.doc_type if isinstance(draft, ui.TypedDraftForm) else None
    if chosen is None:
        draft = ui.offer_types(draft, types)
    return {
        "case": case,
        "documents": queries.case_documents(case),
        "param_help": queries.draftable_params(case.unit.pack, language) if writable else [],
        "types": types,
        "typed": chosen,
        "typed_title": dict(types).get(chosen.id, "") if chosen else "",
        # Offered only to whoever may write the case.
        "form": draft if writable else None,
    }


@officer_view
def case_documents(request: HttpRequest, case_ref: str) -> HttpResponse:
    officer = request_officer(request)
    if request.method != "POST":
        context = _case_context(officer, case_ref, typed=request.GET.get("type"))
        return render(request, "documents/case_documents.html", context)
    case = access_case(officer, case_ref, for_write=True)
    # The form of one type posts its particulars as fields; the general form as lines.
    doc_type = None if "params" in request.POST else _typed(case, request.POST.get("type_id"))
    form = _draft_form(case, request.POST, doc_type)
    data = form.to_input()
    if data is not None:
        try:
            doc = actions.draft_document(case, data, actor=officer)
        except Refused as exc:
            form_error(form, exc)
        else:
            return redirect("documents:detail", doc.pk)
    context = _case_context(officer, case_ref, form)
    return render(request, "documents/case_documents.html", context, status=400)


def _detail_context(officer: Officer, doc: Document, **forms_given: forms.Form) -> dict[str, Any]:
    writable = doc.case is not None and may_write_case(officer, doc.case)
    issued = doc.status == DocumentStatus.ISSUED
    open_draft = doc.status in (DocumentStatus.DRAFT, DocumentStatus.RETURNED)
    context: dict[str, Any] = {
        "doc": doc,
        "steps": list(doc.approval.steps.select_related("officer")) if doc.approval else [],
        "services": list(doc.services.all()),
        "versions": queries.versions(doc),
        "params": queries.labelled_params(doc, get_language()),
        "writable": writable,
        "can_submit": writable and open_draft,
        # A type no one approves is issued when submitted: the button says so.
        "issues_at_once": not actions.approval_chain(doc, type_of(doc.pack, doc.type_id)),
        "decision_form": ui.DecisionForm() if queries.decidable(officer, doc) else None,
        "cancel_form": ui.ReasonForm() if writable and doc.status in actions.OPEN else None,
        "revoke_form": ui.ReasonForm()
        if issued and has_role(officer, doc.unit, CASE_LEADERS)
        else None,
        "correct_form": ui.CorrectionForm() if writable and issued else None,
        "service_form": ui.ServiceForm() if writable and issued else None,
        "account_form": ui.AccountForm()
        if writable and doc.service_missed_at and not doc.service_account
        else None,
    }
    return context | {k: v for k, v in forms_given.items()}


@officer_view
def detail(request: HttpRequest, document_id: int) -> HttpResponse:
    officer = request_officer(request)
    doc = access_document(officer, document_id)
    return render(request, "documents/detail.html", _detail_context(officer, doc))


@officer_view
def pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    officer = request_officer(request)
    return queries.pdf_response(officer, access_document(officer, document_id))


# The page's actions: (form class, form name in the template, the action).
_ACTS: dict[str, tuple[type[forms.Form] | None, str, Callable[..., Any]]] = {
    "submit": (None, "", actions.submit_document),
    "decision": (ui.DecisionForm, "decision_form", actions.decide_document),
    "cancel": (ui.ReasonForm, "cancel_form", actions.cancel_document),
    "revoke": (ui.ReasonForm, "revoke_form", actions.revoke_document),
    "correction": (ui.CorrectionForm, "correct_form", actions.correct_document),
    "service": (ui.ServiceForm, "service_form", actions.serve_document),
    "account": (ui.AccountForm, "account_form", actions.account_for_service),
}


@officer_view
@require_POST
def act(request: HttpRequest, document_id: int, action: str) -> HttpResponse:
    if action not in _ACTS:
        raise NotFound(gettext("no action '%(action)s'") % {"action": action})
    officer = request_officer(request)
    doc = access_document(officer, document_id)
    form_class, name, run = _ACTS[action]
    form = form_class(request.POST) if form_class is not None else None
    data = form.to_input() if form is not None else None  # type: ignore[attr-defined]
    error, status = "", 400
    if form is None or data is not None:
        try:
            result = run(doc, data, actor=officer) if form is not None else run(doc, actor=officer)
        except Refused as exc:
            # A decision by someone the chain does not name is a 403, like custody's approvals.
            status = 403 if isinstance(exc, ApprovalRefused) else 400
            if form is not None:
                form_error(form, exc)
            else:
                error = str(exc)
        else:
            target = result if isinstance(result, Document) else doc
            return redirect("documents:detail", target.pk)
    doc = access_document(officer, document_id)
    context = _detail_context(officer, doc, **({name: form} if form is not None else {}))
    context["error"] = error
    return render(request, "documents/detail.html", context, status=status)


def measure_panel(request: HttpRequest, officer: Officer, measure: Measure) -> SafeString:
    """The measure page's documents section: those issued under it that the officer may see."""
    documents = list(queries.measure_documents(officer, measure))
    if not documents:
        return SafeString("")
    return SafeString(
        render_to_string("documents/panel_measure.html", {"documents": documents}, request=request)
    )
