"""Every route casetrail serves, API operations and pages alike, with one concrete request each
as the officer granted it would make it, over one small site built through the real actions.

tests/test_routes.py walks them with every persona; the tables here are the one place a new
route is added (the walker fails on a route it does not know).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from casetrail import clock
from casetrail.cases import actions as case_actions
from casetrail.cases.models import Person
from casetrail.config.api import api
from casetrail.custody import actions, alerts
from casetrail.custody.models import Deadline, InboxItem
from casetrail.documents import actions as doc_actions
from casetrail.documents import alerts as doc_alerts
from casetrail.documents.inputs import DecisionInput, DraftInput
from casetrail.documents.models import Document
from casetrail.ledger import heads
from casetrail.ledger.models import LedgerEntry
from casetrail.org import actions as org_actions
from casetrail.org.models import Officer
from casetrail.org.roles import Role
from casetrail.property import actions as prop_actions
from casetrail.property import alerts as prop_alerts
from casetrail.property.inputs import (
    AnswerInput,
    BorrowInput,
    DisposalInput,
    EventInput,
    FileInput,
    ItemInput,
    LocationInput,
    TransferInput,
)
from casetrail.property.inputs import (
    PropertyDecisionInput as PropertyDecision,
)
from casetrail.supervision import actions as sup_actions
from casetrail.supervision import scorecard as cards
from casetrail.supervision import sweep as sup_sweep
from casetrail.supervision.inputs import FindingRectifyInput, ScoreReviewRequestInput
from casetrail.supervision.models import Finding
from tests.conftest import make_officer
from tests.custody.conftest import SHA, SHANGHAI, Scene, build_scene, direct_measure, iso

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)
LATE = datetime(2026, 10, 1, 21, 0, tzinfo=SHANGHAI)  # 13:00 UTC
SECRET = "少年丁"  # the sealed case's juvenile suspect: never shown outside the seal

# What a route does, for the personas' expectations:
READ, TRACED, WRITE = "read", "traced", "write"  # TRACED: a read that leaves a `viewed` entry
SELF = "self"  # any officer, about their own things or filtered to their scope
SELF_WRITE = "self_write"  # the same, and it writes (an officer's own tokens, alerts)
SUPERVISE = "supervise"  # a write only a supervisor makes (a finding reviewed or dismissed)
PUBLIC = "public"  # no login at all
UPLOAD = "FILE"  # a body that is a multipart upload of a photo (upload_body)


def upload_body() -> dict[str, Any]:
    """A photo of an item, as the page's form and the API take it (multipart)."""
    return {"role": "photo", "file": SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff photo")}


@dataclass(frozen=True)
class Call:
    path: str
    body: Any
    granted: Officer | None
    kind: str
    # A write whose target is named in the body: out of sight, it is refused naming this field.
    reference: str | None = None
    # What the granted officer gets (default: 200 for a read or an API write, 201 for an API
    # write that makes something, 302 for a page's form that worked).
    expect: tuple[int, ...] = ()

    @property
    def writes(self) -> bool:
        return self.kind in (WRITE, TRACED, SELF_WRITE, SUPERVISE)


# -- discovery ---------------------------------------------------------------------------------


def api_routes() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}


MEASURE_ACTIONS = (
    "legal-review",
    "decision",
    "start",
    "end",
    "notifications",
    "notice-exception",
    "interrogations",
    "delivery",
    "arrest-request",
    "procuratorate-decision",
    "reviews",
    "warrant-applications",
    "warrants",
    "extensions",
)
SESSION_ACTIONS = ("safety-check", "belongings", "interviews", "care", "rights", "exit")
DOCUMENT_ACTIONS = ("submit", "decision", "cancel", "revoke", "correction", "service", "account")
PROPERTY_ACTIONS = (
    "correct",
    "transfer",
    "answer",
    "withdraw",
    "receive",
    "unrelated",
    "notified",
    "borrow",
    "borrow-decision",
    "dispose",
    "disposal-decision",
    "carry-out",
    "account",
    "file",
)
SUPERVISION_ACTIONS = ("rectify", "review", "dismiss")


def page_routes() -> set[str]:
    """Every page's address pattern, an action slug spelled out (each is its own form)."""

    def walk(patterns: list[Any], prefix: str) -> list[tuple[str, str | None]]:
        found = []
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in ("admin",) or str(p.pattern).startswith("api/"):
                    continue
                found += walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append((prefix + str(p.pattern), p.name))
        return found

    routes = set()
    for pattern, _name in walk(get_resolver().url_patterns, "/"):
        if "<slug:action>" in pattern:
            if "measures" in pattern:
                names = MEASURE_ACTIONS
            elif "documents" in pattern:
                names = DOCUMENT_ACTIONS
            elif "property" in pattern:
                names = PROPERTY_ACTIONS
            elif "supervision" in pattern:
                names = SUPERVISION_ACTIONS
            else:
                names = SESSION_ACTIONS
            routes |= {pattern.replace("<slug:action>", name) for name in names}
        else:
            routes.add(pattern)
    return routes


# -- the site ----------------------------------------------------------------------------------


@dataclass
class Site:
    s: Scene
    x: dict[str, Any]
    sealed: dict[str, Any]
    outside_seal: Officer  # a handler of the station, not assigned to the sealed case


def _sealed(s: Scene) -> dict[str, Any]:
    """A case sealed by its juvenile suspect, with everything reachable from it."""
    w = s.world
    incident = w.incident(summary="少年盗窃电动车", reporter="报案人甲")
    case = w.in_review(incident)
    person = s.suspect(case, SECRET, birth_date=date(2011, 5, 1))
    case.refresh_from_db()
    assert case.sealed
    started = clock.now()
    measure = direct_measure(s, case, person, "criminal_detention", started)
    session = actions.open_session(
        actions.SessionInput(
            unit_id=w.station.pk,
            case_id=case.pk,
            person_id=person.pk,
            measure_id=measure.pk,
            entered_at=started,
            escort_ids=(w.handler1.pk, w.handler2.pk),
            reason="带入",
        ),
        actor=s.custody,
    )
    item = actions.deposit_belonging(
        session, actions.BelongingInput(description="书包"), actor=s.custody
    )
    entry = LedgerEntry.objects.filter(subject_type="case", subject_id=str(case.pk)).first()
    assert entry is not None
    sealed_item = prop_actions.register_item(
        case,
        ItemInput(
            kind="other",
            basis="evidence",
            description="书包内物品",
            found_place="学校",
            found_at=clock.now(),
            legal_basis="调取证据通知书",
        ),
        actor=w.handler1,
    )
    return {
        "item_id": sealed_item.pk,
        "incident_id": incident.pk,
        "case_ref": case.number,
        "case_id": case.pk,
        "person_id": person.pk,
        "measure_id": measure.pk,
        "session_id": session.pk,
        "deadline_id": measure.deadlines.first().pk,
        "belonging_id": item.pk,
        "seq": entry.seq,
    }


def _draft(
    s: Scene, case: Any, type_id: str, params: dict[str, str], person: Person | None = None
) -> Document:
    made = DraftInput(type_id=type_id, person_id=person.pk if person else None, params=params)
    return doc_actions.draft_document(case, made, actor=s.world.handler1)


def _issued(
    s: Scene, case: Any, type_id: str, params: dict[str, str], person: Person | None = None
) -> Document:
    """A document drafted, submitted and approved by every step of its chain (the legal
    reviewer's with its written opinion): issued and sealed."""
    doc = doc_actions.submit_document(
        _draft(s, case, type_id, params, person), actor=s.world.handler1
    )
    approvers = {Role.AGENCY_HEAD: s.head, Role.LEGAL_REVIEWER: s.world.legal}
    while doc.approval is not None and doc.status == "pending":
        role = doc.approval.current_role
        opinion = "经审核，同意" if role == Role.LEGAL_REVIEWER else ""
        decision = DecisionInput(decision="approve", opinion=opinion)
        doc = doc_actions.decide_document(doc, decision, actor=approvers.get(role, s.world.leader))
    return doc


def build_site(traveller: Any) -> Site:
    """The state every route needs, made through the actions (the routes are what is tested)."""
    # Four days before the evening: a notice not to register, issued and never served, whose
    # three days (CN-MPS178-NONREG-NOTICE-3D) have run out by the time the routes are walked.
    traveller.move_to(EVE - timedelta(days=4))
    s = build_scene(traveller)
    w = s.world
    org_actions.set_document_prefix(w.district, prefix="江公(东)", actor=None)
    case = w.case()
    unserved = _issued(
        s,
        case,
        "nonregistration_notice",
        {"reason": "不构成犯罪", "legal_ground": "第一百一十二条"},
    )
    traveller.move_to(EVE)
    incident = w.incident()
    p1, p2, p3, p4 = (s.suspect(case, n) for n in ("甲", "乙", "丙", "丁"))
    case_actions.assign_handler(
        case, case_actions.HandlerInput(officer_id=w.leader.pk), actor=w.handler1
    )  # three handlers: one may be released
    victim_party = case_actions.add_party(
        case, case_actions.PartyInput(role="victim", name="王小明"), actor=w.handler1
    )
    victim = victim_party.person

    def propose(kind: str) -> Any:
        made = actions.MeasureInput(case_id=case.pk, person_id=p4.pk, kind=kind, reason="x")
        return actions.propose_measure(made, actor=w.handler1)

    proposed = propose("criminal_detention")
    approved = propose("bail")
    # An administrative detention proposed in an administrative case: the legal review's.
    admin_case = w.case(kind="administrative", title="寻衅滋事案", summary="寻衅滋事")
    brawler = s.suspect(admin_case, "戊")
    for_review = actions.propose_measure(
        actions.MeasureInput(
            case_id=admin_case.pk, person_id=brawler.pk, kind="admin_detention", reason="x", days=5
        ),
        actor=w.handler1,
    )
    actions.decide_measure(approved, actions.MeasureDecisionInput(decision="approve"), actor=s.head)
    d1 = direct_measure(s, case, p1, "criminal_detention", DETAINED)
    d2 = direct_measure(s, case, p2, "criminal_detention", DETAINED)
    d3 = direct_measure(s, case, p3, "criminal_detention", DETAINED)
    s.at(datetime(2026, 9, 30, 20, 40, tzinfo=SHANGHAI))

    def enter(person: Person, measure: Any, minute: int) -> Any:
        return actions.open_session(
            actions.SessionInput(
                unit_id=w.station.pk,
                case_id=case.pk,
                person_id=person.pk,
                measure_id=measure.pk,
                entered_at=datetime(2026, 9, 30, 20, minute, tzinfo=SHANGHAI),
                escort_ids=(w.handler1.pk, w.handler2.pk),
                reason="带入办案区",
            ),
            actor=s.custody,
        )

    session = enter(p1, d1, 30)
    item = actions.deposit_belonging(
        session, actions.BelongingInput(description="包"), actor=s.custody
    )
    leaving = enter(p2, d2, 35)
    now = clock.now()
    actions.record_arrest_request(
        d2, actions.ArrestRequestInput(submitted_at=now, received_at=now), actor=w.handler1
    )
    pending = actions.request_extension(
        actions.ExtensionInput(
            deadline_id=d2.deadlines.get(rule_id="CN-CPL91-MAX-DETENTION").pk,
            extension="special=1",
            reason="特殊情况",
        ),
        actor=w.handler1,
    )
    sealed = _sealed(s)
    # A PACE detention in the English station, 10:00 UTC on 1 October.
    gcase = s.gb_case()
    gperson = s.suspect(gcase, "Jane Doe")
    s.at(datetime(2026, 10, 1, 10, 40, tzinfo=UTC))
    pace = direct_measure(
        s,
        gcase,
        gperson,
        "pace_detention",
        datetime(2026, 10, 1, 10, 0, tzinfo=UTC),
        proposer=s.gb_handler1,
        approver=s.gb_custody,
        arrived_at=datetime(2026, 10, 1, 10, 30, tzinfo=UTC),
    )
    s.at(LATE)
    alerts.sweep()  # d3's 24-hour deadlines are missed; handler1 has alerts
    doc_alerts.run_sweep()  # the notice not to register is past its service
    seizure: dict[str, str] = {}  # a seizure decision: no step, the unit leader approves
    doc_draft = _draft(s, case, "seizure_decision", seizure, person=p4)
    doc_pending = doc_actions.submit_document(
        _draft(s, case, "seizure_decision", seizure, person=p4), actor=w.handler1
    )
    doc_issued = _issued(s, case, "seizure_decision", seizure, person=p4)
    heads.ensure_key_and_head()  # the proofs route answers against a signed head
    missed = Deadline.objects.filter(measure=d3, status="missed").first()
    inbox = InboxItem.objects.filter(officer=w.handler1).first()
    assert missed is not None
    assert inbox is not None
    outside_seal = make_officer("h9", w.station, Role.CASE_HANDLER)
    case_entry = LedgerEntry.objects.filter(subject_type="case", subject_id=str(case.pk)).first()
    x = {
        "case": case,
        "incident": incident,
        "victim": victim,
        "victim_party": victim_party.pk,
        "p1": p1,
        "p3": p3,
        "proposed": proposed.pk,
        "for_review": for_review.pk,
        "approved": approved.pk,
        "d1": d1,
        "d2": d2,
        "session": session.pk,
        "item": item.pk,
        "leaving": leaving.pk,
        "pending": pending.pk,
        "pace": pace.pk,
        "missed": missed.pk,
        "inbox": inbox.pk,
        "entry": case_entry.seq if case_entry else 1,
        "doc_draft": doc_draft.pk,
        "doc_pending": doc_pending.pk,
        "doc_issued": doc_issued.pk,
        "doc_unserved": unserved.pk,
        "p4": p4,
    }
    x |= _property_site(s, x)
    x |= _supervision_site(s, missed)
    return Site(s, x, sealed, outside_seal)


def _supervision_site(s: Scene, missed: Deadline) -> dict[str, Any]:
    """The sweep's findings of the evening case's missed deadlines: one left open, one
    rectified by its handler (for the supervisor's review), one for a dismissal."""
    sup_sweep.sweep()
    found = list(Finding.objects.filter(check_id="custody.deadline-missed", case_id=missed.case_id))
    assert len(found) >= 3
    sup_actions.rectify(found[1], FindingRectifyInput(text="已书面说明"), actor=s.world.handler1)
    # The quarter just published (the site's evening is within its three days) and the
    # district's request for a review of its score, for a supervisor to answer.
    quarter = str(cards.latest_published(clock.now(), s.world.district.timezone))
    asked = sup_actions.request_score_review(
        ScoreReviewRequestInput(unit_id=s.world.district.pk, quarter=quarter, reasons="申请复核"),
        actor=make_officer("dleader", s.world.district, Role.UNIT_LEADER),
    )
    attached = sup_actions.attach_file(found[0], upload_body()["file"], actor=s.world.handler1)
    return {
        "finding_file": attached.pk,
        "finding_open": found[0].pk,
        "finding_done": found[1].pk,
        "finding_other": found[2].pk,
        "quarter": quarter,
        "score_review": asked.pk,
    }


def _property_site(s: Scene, x: dict[str, Any]) -> dict[str, Any]:
    """Items in every state a property route acts on, in the case of the evening."""
    w, case = s.world, x["case"]
    keeper = make_officer("keeper", w.station, Role.PROPERTY_CUSTODIAN)
    shelf = prop_actions.add_location(
        w.station, LocationInput(code="R1-A", store="保管室", shelf="A"), actor=keeper
    )
    now = clock.now()

    def item(description: str, **given: Any) -> Any:
        fields = {
            "kind": "other",
            "basis": "seized",
            "description": description,
            "found_place": "现场",
            "found_at": now,
            "legal_basis": "扣押决定书",
        } | given
        return prop_actions.register_item(case, ItemInput(**fields), actor=w.handler1)

    def send(it: Any, actor: Officer, **given: Any) -> Any:
        fields = {
            "to_kind": "officer",
            "purpose": "移交",
            "condition": "intact",
            "seal_intact": True,
        } | given
        return prop_actions.send(it, TransferInput(**fields), actor=actor)

    def confirm(transfer: Any, actor: Officer, **given: Any) -> Any:
        fields = {"answer": "confirm", "condition": "intact", "seal_intact": True} | given
        return prop_actions.answer(transfer, AnswerInput(**fields), actor=actor)

    def into_room(it: Any) -> Any:
        confirm(send(it, w.handler1, to_kind="room", location_id=shelf.pk), keeper)
        return it

    def unrelated(it: Any, at: datetime) -> Any:
        return prop_actions.found_unrelated(it, EventInput(at=at), actor=w.handler1)

    held = item("手机一部", seal_numbers="F-100")
    pending_item = item("钱包一个")
    pending = send(pending_item, w.handler1, to_officer_id=w.handler2.pk)
    in_room = into_room(item("电脑一台"))
    borrowed = into_room(item("刀具一把"))
    borrow = prop_actions.request_borrow(
        borrowed,
        BorrowInput(purpose="鉴定", due_back_at=now + timedelta(days=1)),
        actor=w.handler1,
    )
    back = unrelated(item("自行车一辆"), now)
    approved = prop_actions.request_disposal(
        back, DisposalInput(kind="return", reason="与案件无关"), actor=w.handler1
    )
    prop_actions.decide_disposal(approved, PropertyDecision(decision="approve"), actor=w.leader)
    asked = unrelated(item("雨伞一把"), now)
    requested = prop_actions.request_disposal(
        asked, DisposalInput(kind="return", reason="与案件无关"), actor=w.handler1
    )
    lab_item = item("血迹样本")
    confirm(
        send(lab_item, w.handler1, to_kind="laboratory", to_name="鉴定所"),
        w.handler1,
        receiver_name="鉴定人",
    )
    late = item("旧衣物", basis="evidence", found_at=now - timedelta(days=6))
    unrelated(late, now - timedelta(days=5))
    prop_alerts.sweep()
    missed = late.deadlines.get(status="missed")
    photo = prop_actions.add_file(
        held, FileInput(role="photo"), SimpleUploadedFile("p.jpg", b"\xff\xd8x"), actor=w.handler1
    )
    copy, copy_seq = prop_actions.download_file(photo, actor=w.handler1)
    copy.close()
    stocktake = prop_actions.start_stocktake(shelf, actor=keeper)
    return {
        "prop_keeper": keeper,
        "prop_shelf": shelf,
        "prop_held": held,
        "prop_pending_item": pending_item,
        "prop_pending": pending,
        "prop_in_room": in_room,
        "prop_borrowed": borrowed,
        "prop_borrow": borrow,
        "prop_back": back,
        "prop_approved": approved,
        "prop_asked": asked,
        "prop_requested": requested,
        "prop_lab_item": lab_item,
        "prop_late": late,
        "prop_missed_limit": missed,
        "prop_photo": photo,
        "prop_copy_seq": copy_seq,
        "prop_stocktake": stocktake,
    }


# -- the API ----------------------------------------------------------------------------------


def _incident_body(site: Site) -> dict[str, Any]:
    return {
        "unit_id": site.s.world.station.pk,
        "channel": "call",
        "received_at": iso(clock.now() - timedelta(minutes=3)),
        "reporter_name": "张三",
        "location": "东湖路8号",
        "summary": "家中被盗",
        "category": "CR-THEFT",
    }


# A victim's birth date, left out when the party was added, and why it is corrected.
CORRECTION = {"name": "王小明", "birth_date": "1990-05-04", "reason": "出生日期漏填"}


def api_calls(site: Site) -> dict[tuple[str, str], Call]:
    s, x, w = site.s, site.x, site.s.world
    now = iso(clock.now())
    case, d1 = x["case"], x["d1"]
    handlers = [w.handler1.pk, w.handler2.pk]
    request_deadline = d1.deadlines.get(rule_id="CN-CPL91-ARREST-REQUEST").pk
    sid = x["session"]
    m = "/api/v1/custody/measures/{measure_id}"
    ss = "/api/v1/custody/sessions/{session_id}"
    return {
        # org
        ("GET", "/api/v1/me"): Call("/me", None, w.handler1, SELF),
        ("GET", "/api/v1/units"): Call("/units", None, w.handler1, SELF),
        ("GET", "/api/v1/officers"): Call("/officers", None, w.handler1, SELF),
        ("GET", "/api/v1/tokens"): Call("/tokens", None, w.handler1, SELF),
        # Tokens are made from a logged-in session only: a token cannot mint another (the
        # walker's API client holds a token, so the granted officer is refused, writing nothing).
        ("POST", "/api/v1/tokens"): Call(
            "/tokens", {"name": "script"}, w.handler1, SELF, expect=(403,)
        ),
        ("POST", "/api/v1/tokens/{token_id}/revoke"): Call(
            "/tokens/{own_token}/revoke", {}, w.handler1, SELF_WRITE
        ),
        # cases
        ("GET", "/api/v1/categories"): Call("/categories", None, w.handler1, SELF),
        ("GET", "/api/v1/incidents"): Call("/incidents", None, w.intake, SELF),
        ("POST", "/api/v1/incidents"): Call(
            "/incidents", _incident_body(site), w.intake, WRITE, reference="unit_id"
        ),
        ("GET", "/api/v1/incidents/{incident_id}"): Call(
            f"/incidents/{x['incident'].pk}", None, w.intake, READ
        ),
        ("GET", "/api/v1/incidents/{incident_id}/receipt"): Call(
            f"/incidents/{x['incident'].pk}/receipt", None, w.intake, READ
        ),
        ("POST", "/api/v1/incidents/{incident_id}/decision"): Call(
            f"/incidents/{x['incident'].pk}/decision",
            {"decision": "administrative_case", "category": "AD-ASSAULT", "handler_ids": handlers},
            w.intake,
            WRITE,
        ),
        ("GET", "/api/v1/cases"): Call("/cases", None, w.handler1, SELF),
        ("POST", "/api/v1/cases"): Call(
            "/cases",
            {
                "unit_id": w.station.pk,
                "kind": "criminal",
                "category": "CR-THEFT",
                "title": "新案件",
                "handler_ids": handlers,
            },
            w.intake,
            WRITE,
            reference="unit_id",
        ),
        ("GET", "/api/v1/cases/{case_ref}"): Call(
            f"/cases/{case.number}", None, w.handler1, TRACED
        ),
        ("GET", "/api/v1/cases/{case_ref}/limits"): Call(
            f"/cases/{case.number}/limits", None, w.handler1, TRACED
        ),
        ("POST", "/api/v1/cases/{case_ref}/transitions"): Call(
            f"/cases/{case.pk}/transitions",
            {"move": "start_review"},
            w.handler1,
            WRITE,
        ),
        ("POST", "/api/v1/cases/{case_ref}/parties/{party_id}"): Call(
            f"/cases/{case.pk}/parties/{x['victim_party']}", CORRECTION, w.handler1, WRITE
        ),
        ("POST", "/api/v1/cases/{case_ref}/parties"): Call(
            f"/cases/{case.pk}/parties", {"role": "witness", "name": "李四"}, w.handler1, WRITE
        ),
        ("POST", "/api/v1/cases/{case_ref}/handlers"): Call(
            f"/cases/{case.pk}/handlers", {"officer_id": s.mail_handler1.pk}, w.leader, WRITE
        ),
        ("POST", "/api/v1/cases/{case_ref}/handlers/{officer_id}/release"): Call(
            f"/cases/{case.pk}/handlers/{w.handler2.pk}/release",
            {"reason": "调岗"},
            w.leader,
            WRITE,
        ),
        ("GET", "/api/v1/persons/{person_id}"): Call(
            f"/persons/{x['victim'].pk}", None, w.handler1, TRACED
        ),
        # the ledger
        ("GET", "/api/v1/ledger/head"): Call("/ledger/head", None, None, PUBLIC),
        ("GET", "/api/v1/ledger/keys"): Call("/ledger/keys", None, None, PUBLIC),
        ("GET", "/api/v1/ledger/entries/{seq}/proof"): Call(
            f"/ledger/entries/{x['entry']}/proof", None, w.handler1, TRACED
        ),
        ("GET", "/api/v1/ledger/consistency"): Call(
            "/ledger/consistency?first=1", None, w.handler1, SELF
        ),
        # the rules
        ("GET", "/api/v1/rules"): Call("/rules", None, w.handler1, SELF),
        ("GET", "/api/v1/rules/{rule_id}"): Call(
            "/rules/CN-CPL86-INTERROGATE-24H", None, w.handler1, SELF
        ),
        ("POST", "/api/v1/rules/{rule_id}/deadline"): Call(
            "/rules/CN-CPL86-INTERROGATE-24H/deadline",
            {"trigger": "2026-09-30T20:00"},
            w.handler1,
            SELF,
        ),
        # custody: measures
        ("GET", "/api/v1/custody/kinds"): Call("/custody/kinds", None, w.handler1, SELF),
        ("GET", "/api/v1/custody/measures"): Call("/custody/measures", None, w.handler1, SELF),
        ("POST", "/api/v1/custody/measures"): Call(
            "/custody/measures",
            {"case_id": case.pk, "person_id": x["p1"].pk, "kind": "bail", "reason": "取保"},
            w.handler1,
            WRITE,
            reference="case_id",
        ),
        ("GET", m): Call(f"/custody/measures/{d1.pk}", None, w.handler1, TRACED),
        ("POST", f"{m}/decision"): Call(
            f"/custody/measures/{x['proposed']}/decision", {"decision": "approve"}, s.head, WRITE
        ),
        ("POST", f"{m}/legal-review"): Call(
            f"/custody/measures/{x['for_review']}/legal-review",
            {"verdict": "agree", "opinion": "经审核，同意"},
            w.legal,
            WRITE,
        ),
        ("POST", f"{m}/start"): Call(
            f"/custody/measures/{x['approved']}/start", {"started_at": now}, w.handler1, WRITE
        ),
        ("POST", f"{m}/end"): Call(
            f"/custody/measures/{d1.pk}/end",
            {"ended_at": now, "outcome": "released", "reason": "不需要继续拘留"},
            w.handler1,
            WRITE,
        ),
        ("POST", f"{m}/notifications"): Call(
            f"/custody/measures/{d1.pk}/notifications",
            {"at": now, "method": "phone", "recipient": "李梅", "relationship": "妻子"},
            w.handler1,
            WRITE,
        ),
        ("POST", f"{m}/notice-exception"): Call(
            f"/custody/measures/{d1.pk}/notice-exception",
            {"ground": "impossible", "detail": "无家属"},
            w.handler1,
            WRITE,
        ),
        ("POST", f"{m}/interrogations"): Call(
            f"/custody/measures/{d1.pk}/interrogations",
            {"at": now, "place": "看守所"},
            w.handler1,
            WRITE,
        ),
        ("POST", f"{m}/delivery"): Call(
            f"/custody/measures/{d1.pk}/delivery",
            {"at": now, "place": "市看守所"},
            w.handler1,
            WRITE,
        ),
        ("POST", f"{m}/arrest-request"): Call(
            f"/custody/measures/{d1.pk}/arrest-request",
            {"submitted_at": now, "received_at": now},
            w.handler1,
            WRITE,
        ),
        ("POST", f"{m}/procuratorate-decision"): Call(
            f"/custody/measures/{x['d2'].pk}/procuratorate-decision",
            {"approved": True, "decided_at": now, "number": "检捕1号"},
            w.handler1,
            WRITE,
        ),
        ("POST", f"{m}/reviews"): Call(
            f"/custody/measures/{x['pace']}/reviews",
            {"at": now, "outcome": "continue"},
            s.inspector,
            WRITE,
        ),
        ("POST", f"{m}/warrant-applications"): Call(
            f"/custody/measures/{x['pace']}/warrant-applications",
            {"at": now, "court": "Leeds Magistrates' Court"},
            s.gb_handler1,
            WRITE,
        ),
        ("POST", f"{m}/warrants"): Call(
            f"/custody/measures/{x['pace']}/warrants",
            {"issued_at": now, "hours": 24, "court": "Leeds MC", "reference": "W1"},
            s.gb_handler1,
            WRITE,
        ),
        # custody: deadlines
        ("GET", "/api/v1/custody/deadlines/{deadline_id}"): Call(
            f"/custody/deadlines/{request_deadline}", None, w.handler1, READ
        ),
        ("POST", "/api/v1/custody/deadlines/{deadline_id}/extensions"): Call(
            f"/custody/deadlines/{request_deadline}/extensions",
            {"deadline_id": request_deadline, "extension": "special=2", "reason": "特殊情况"},
            w.handler1,
            WRITE,
        ),
        ("POST", "/api/v1/custody/extensions/{request_id}/decision"): Call(
            f"/custody/extensions/{x['pending']}/decision", {"decision": "approve"}, s.head, WRITE
        ),
        ("POST", "/api/v1/custody/deadlines/{deadline_id}/account"): Call(
            f"/custody/deadlines/{x['missed']}/account",
            {"account": "已送押，系统漏录"},
            w.handler1,
            WRITE,
        ),
        # custody: the area
        ("GET", "/api/v1/custody/sessions"): Call("/custody/sessions", None, s.custody, SELF),
        ("POST", "/api/v1/custody/sessions"): Call(
            "/custody/sessions",
            {
                "unit_id": w.station.pk,
                "case_id": case.pk,
                "person_id": x["p3"].pk,  # not in the area
                "entered_at": now,
                "escort_ids": [w.handler1.pk, w.handler2.pk],
                "reason": "带入",
            },
            s.custody,
            WRITE,
            reference="case_id",
        ),
        ("GET", ss): Call(f"/custody/sessions/{sid}", None, s.custody, TRACED),
        ("POST", f"{ss}/safety-check"): Call(
            f"/custody/sessions/{sid}/safety-check",
            {"at": now, "search_record": "检查", "injuries_observed": "无"},
            s.custody,
            WRITE,
        ),
        ("POST", f"{ss}/belongings"): Call(
            f"/custody/sessions/{sid}/belongings",
            {"description": "钥匙", "quantity": 2},
            s.custody,
            WRITE,
        ),
        ("POST", f"{ss}/belongings/{{belonging_id}}/settle"): Call(
            f"/custody/sessions/{sid}/belongings/{x['item']}/settle",
            {"outcome": "returned", "person_signed": True},
            s.custody,
            WRITE,
        ),
        ("POST", f"{ss}/interviews"): Call(
            f"/custody/sessions/{sid}/interviews",
            {
                "kind": "interrogation",
                "room": "讯问室1",
                "started_at": iso(datetime(2026, 9, 30, 21, 0, tzinfo=SHANGHAI)),
                "ended_at": iso(datetime(2026, 9, 30, 22, 0, tzinfo=SHANGHAI)),
                "officer_ids": [w.handler1.pk, w.handler2.pk],
                "recording_id": "R1",
                "recording_sha256": SHA,
            },
            w.handler1,
            WRITE,
        ),
        ("POST", f"{ss}/care"): Call(
            f"/custody/sessions/{sid}/care",
            {"kind": "meal", "started_at": now, "notes": "晚餐"},
            s.custody,
            WRITE,
        ),
        ("POST", f"{ss}/rights"): Call(
            f"/custody/sessions/{sid}/rights",
            {"given_at": now, "lawyer_requested": True},
            s.custody,
            WRITE,
        ),
        ("POST", f"{ss}/exit"): Call(
            f"/custody/sessions/{x['leaving']}/exit",
            {"exited_at": now, "destination": "detention_house", "destination_detail": "看守所"},
            s.custody,
            WRITE,
        ),
        # custody: the board, a person's record, the inbox
        ("GET", "/api/v1/custody/board/{unit_id}"): Call(
            f"/custody/board/{w.station.pk}", None, s.custody, READ
        ),
        ("GET", "/api/v1/custody/persons/{person_id}"): Call(
            f"/custody/persons/{x['p1'].pk}", None, w.handler1, TRACED
        ),
        ("GET", "/api/v1/custody/inbox"): Call("/custody/inbox", None, w.handler1, SELF),
        ("POST", "/api/v1/custody/inbox/{item_id}/acknowledge"): Call(
            f"/custody/inbox/{x['inbox']}/acknowledge", None, w.handler1, WRITE
        ),
        **_document_api_calls(site),
        **_property_api_calls(site),
        **_supervision_api_calls(site),
    }


def _supervision_api_calls(site: Site) -> dict[tuple[str, str], Call]:
    x, w = site.x, site.s.world
    f = "/supervision/findings"
    return {
        ("GET", "/api/v1/supervision/checks"): Call("/supervision/checks", None, w.handler1, SELF),
        ("GET", "/api/v1/supervision/findings"): Call(f, None, w.handler1, SELF),
        ("GET", "/api/v1/supervision/dashboard"): Call(
            "/supervision/dashboard", None, w.leader, SELF
        ),
        ("GET", "/api/v1/supervision/findings/{finding_id}"): Call(
            f"{f}/{x['finding_open']}", None, w.handler1, READ
        ),
        ("POST", "/api/v1/supervision/findings/{finding_id}/rectification"): Call(
            f"{f}/{x['finding_open']}/rectification", {"text": "已补正"}, w.handler1, WRITE
        ),
        ("POST", "/api/v1/supervision/findings/{finding_id}/review"): Call(
            f"{f}/{x['finding_done']}/review", {"decision": "accept"}, w.supervisor, SUPERVISE
        ),
        ("POST", "/api/v1/supervision/findings/{finding_id}/dismissal"): Call(
            f"{f}/{x['finding_other']}/dismissal", {"reasons": "误报"}, w.supervisor, SUPERVISE
        ),
        ("POST", "/api/v1/supervision/findings/{finding_id}/files"): Call(
            f"{f}/{x['finding_open']}/files", UPLOAD, w.handler1, WRITE, expect=(201,)
        ),
        ("GET", "/api/v1/supervision/files/{file_id}"): Call(
            f"/supervision/files/{x['finding_file']}", None, w.handler1, TRACED
        ),
        ("GET", "/api/v1/supervision/scorecard"): Call(
            "/supervision/scorecard", None, w.leader, SELF
        ),
        ("POST", "/api/v1/supervision/scorecard/reviews"): Call(
            "/supervision/scorecard/reviews",
            _score_ask(site),
            w.leader,
            WRITE,
            reference="unit_id",
        ),
        ("POST", "/api/v1/supervision/scorecard/reviews/{review_id}/answer"): Call(
            f"/supervision/scorecard/reviews/{x['score_review']}/answer",
            {"decision": "upheld", "answer": "维持"},
            w.supervisor,
            SUPERVISE,
        ),
    }


def _score_ask(site: Site) -> dict[str, Any]:
    """The station leader's request for a review of the quarter just published."""
    return {"unit_id": site.s.world.station.pk, "quarter": site.x["quarter"], "reasons": "申请复核"}


def _document_api_calls(site: Site) -> dict[tuple[str, str], Call]:
    s, x, w = site.s, site.x, site.s.world
    case = x["case"]
    d = "/api/v1/documents/{document_id}"
    return {
        ("GET", "/api/v1/approvals/awaiting"): Call("/approvals/awaiting", None, s.head, SELF),
        ("GET", "/api/v1/cases/{case_ref}/documents"): Call(
            f"/cases/{case.number}/documents", None, w.handler1, READ
        ),
        ("POST", "/api/v1/cases/{case_ref}/documents"): Call(
            f"/cases/{case.number}/documents",
            {"type_id": "seizure_decision", "person_id": x["p4"].pk, "particulars": "手机一部"},
            w.handler1,
            WRITE,
        ),
        ("GET", d): Call(f"/documents/{x['doc_issued']}", None, w.handler1, READ),
        ("GET", f"{d}/pdf"): Call(f"/documents/{x['doc_issued']}/pdf", None, w.handler1, TRACED),
        ("POST", f"{d}/submit"): Call(
            f"/documents/{x['doc_draft']}/submit", None, w.handler1, WRITE
        ),
        ("POST", f"{d}/decision"): Call(
            f"/documents/{x['doc_pending']}/decision", {"decision": "approve"}, w.leader, WRITE
        ),
        ("POST", f"{d}/cancel"): Call(
            f"/documents/{x['doc_draft']}/cancel", {"reason": "不再需要"}, w.handler1, WRITE
        ),
        ("POST", f"{d}/revoke"): Call(
            f"/documents/{x['doc_issued']}/revoke", {"reason": "扣押对象有误"}, w.leader, WRITE
        ),
        ("POST", f"{d}/correction"): Call(
            f"/documents/{x['doc_issued']}/correction",
            {"reason": "物品笔误", "particulars": "手机两部"},
            w.handler1,
            WRITE,
        ),
        ("POST", f"{d}/services"): Call(
            f"/documents/{x['doc_issued']}/services",
            {
                "method": "in_person",
                "served_at": iso(clock.now()),
                "recipient": "丁",
                "relationship": "本人",
                "acknowledgment": "refused",
                "witness": "王警官",
            },
            w.handler1,
            WRITE,
        ),
        ("POST", f"{d}/service-account"): Call(
            f"/documents/{x['doc_unserved']}/service-account",
            {"account": "报案人外出，电话联系未果"},
            w.handler1,
            WRITE,
        ),
    }


# -- the pages ----------------------------------------------------------------------------------


def _typed(moment: datetime, zone: Any = SHANGHAI) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def page_calls(site: Site) -> dict[tuple[str, str], Call]:
    s, x, w = site.s, site.x, site.s.world
    now = _typed(clock.now())
    case, d1 = x["case"], x["d1"]
    sid = x["session"]
    request_deadline = d1.deadlines.get(rule_id="CN-CPL91-ARREST-REQUEST").pk
    london = x["pace"]
    london_now = _typed(clock.now(), UTC)  # the English station's zone is London: UTC in October
    mm = "/custody/measures/<int:measure_id>"
    sp = "/custody/sessions/<int:session_id>"
    calls = {
        ("GET", "/login/"): Call("/login/", None, None, PUBLIC),
        ("POST", "/logout/"): Call("/logout/", {}, None, PUBLIC),
        ("POST", "/i18n/setlang/"): Call("/i18n/setlang/", {"language": "en"}, None, PUBLIC),
        ("GET", "/account/tokens/"): Call("/account/tokens/", None, w.handler1, SELF),
        ("POST", "/account/tokens/"): Call(
            "/account/tokens/", {"name": "script"}, w.handler1, SELF_WRITE, expect=(200,)
        ),
        # The second factor: a verified (or exempt) officer is sent on; an officer without a
        # device sees the enrolment page, and a wrong code there is recorded.
        ("GET", "/login/second-factor/"): Call(
            "/login/second-factor/", None, w.leader, SELF, expect=(302,)
        ),
        ("POST", "/login/second-factor/"): Call(
            "/login/second-factor/", {"code": "000000"}, w.leader, SELF, expect=(302,)
        ),
        ("GET", "/account/second-factor/"): Call("/account/second-factor/", None, w.handler1, SELF),
        ("POST", "/account/second-factor/"): Call(
            "/account/second-factor/", {"code": "000000"}, w.handler1, SELF_WRITE, expect=(200,)
        ),
        ("GET", "/"): Call("/", None, w.handler1, SELF),
        ("GET", "/incidents/"): Call("/incidents/", None, w.intake, SELF),
        ("GET", "/incidents/new/"): Call("/incidents/new/", None, w.intake, SELF),
        ("POST", "/incidents/new/"): Call(
            "/incidents/new/",
            {
                "unit_id": w.station.pk,
                "channel": "call",
                "received_at": _typed(clock.now() - timedelta(minutes=5)),
                "reporter_name": "张三",
                "location": "东湖路8号",
                "summary": "家中被盗",
            },
            w.intake,
            WRITE,
            reference="unit_id",
        ),
        ("GET", "/incidents/<int:incident_id>/"): Call(
            f"/incidents/{x['incident'].pk}/", None, w.intake, READ
        ),
        ("POST", "/incidents/<int:incident_id>/"): Call(
            f"/incidents/{x['incident'].pk}/",
            {
                "decision": "administrative_case",
                "category": "AD-ASSAULT",
                "handler_ids": [w.handler1.pk, w.handler2.pk],
            },
            w.intake,
            WRITE,
        ),
        ("GET", "/incidents/<int:incident_id>/receipt/"): Call(
            f"/incidents/{x['incident'].pk}/receipt/", None, w.intake, READ
        ),
        ("GET", "/incidents/<int:incident_id>/receipt.json"): Call(
            f"/incidents/{x['incident'].pk}/receipt.json", None, w.intake, READ
        ),
        ("GET", "/cases/"): Call("/cases/", None, w.handler1, SELF),
        ("GET", "/cases/<str:case_ref>/"): Call(f"/cases/{case.number}/", None, w.handler1, TRACED),
        ("POST", "/cases/<str:case_ref>/move/"): Call(
            f"/cases/{case.number}/move/", {"move": "start_review"}, w.handler1, WRITE
        ),
        ("GET", "/cases/<str:case_ref>/parties/<int:party_id>/correct/"): Call(
            f"/cases/{case.number}/parties/{x['victim_party']}/correct/", None, w.handler1, READ
        ),
        ("POST", "/cases/<str:case_ref>/parties/<int:party_id>/correct/"): Call(
            f"/cases/{case.number}/parties/{x['victim_party']}/correct/",
            {**CORRECTION, "id_type": "none"},
            w.handler1,
            WRITE,
        ),
        ("POST", "/cases/<str:case_ref>/parties/"): Call(
            f"/cases/{case.number}/parties/", {"role": "witness", "name": "李四"}, w.handler1, WRITE
        ),
        ("POST", "/cases/<str:case_ref>/handlers/"): Call(
            f"/cases/{case.number}/handlers/", {"officer_id": s.mail_handler1.pk}, w.leader, WRITE
        ),
        ("GET", "/persons/<int:person_id>/"): Call(
            f"/persons/{x['victim'].pk}/", None, w.handler1, TRACED
        ),
        ("GET", "/custody/"): Call("/custody/", None, s.custody, SELF, expect=(302,)),
        ("GET", "/custody/start/"): Call("/custody/start/", None, s.custody, SELF),
        ("GET", "/custody/inbox/"): Call("/custody/inbox/", None, w.handler1, SELF),
        ("POST", "/custody/inbox/"): Call(
            "/custody/inbox/", {"item": x["inbox"]}, w.handler1, SELF_WRITE
        ),
        ("GET", "/custody/board/<int:unit_id>/"): Call(
            f"/custody/board/{w.station.pk}/", None, s.custody, READ
        ),
        ("GET", "/custody/persons/<int:person_id>/"): Call(
            f"/custody/persons/{x['p1'].pk}/", None, w.handler1, TRACED
        ),
        ("GET", "/custody/cases/<int:case_id>/measures/new/"): Call(
            f"/custody/cases/{case.pk}/measures/new/", None, w.handler1, READ
        ),
        ("POST", "/custody/cases/<int:case_id>/measures/new/"): Call(
            f"/custody/cases/{case.pk}/measures/new/",
            {"person_id": x["p1"].pk, "kind": "bail", "reason": "取保"},
            w.handler1,
            WRITE,
        ),
        ("GET", f"{mm}/"): Call(f"/custody/measures/{d1.pk}/", None, w.handler1, TRACED),
        ("GET", "/custody/cases/<int:case_id>/sessions/new/"): Call(
            f"/custody/cases/{case.pk}/sessions/new/", None, s.custody, READ
        ),
        ("POST", "/custody/cases/<int:case_id>/sessions/new/"): Call(
            f"/custody/cases/{case.pk}/sessions/new/",
            {
                "person_id": x["p3"].pk,
                "entered_at": now,
                "escort_ids": [w.handler1.pk, w.handler2.pk],
                "reason": "带入",
            },
            s.custody,
            WRITE,
        ),
        ("GET", f"{sp}/"): Call(f"/custody/sessions/{sid}/", None, s.custody, TRACED),
        ("POST", "/custody/extensions/<int:request_id>/decision/"): Call(
            f"/custody/extensions/{x['pending']}/decision/", {"decision": "approve"}, s.head, WRITE
        ),
        ("POST", "/custody/deadlines/<int:deadline_id>/account/"): Call(
            f"/custody/deadlines/{x['missed']}/account/",
            {"account": "已送押，系统漏录"},
            w.handler1,
            WRITE,
        ),
        ("POST", f"{sp}/belongings/<int:belonging_id>/settle/"): Call(
            f"/custody/sessions/{sid}/belongings/{x['item']}/settle/",
            {"outcome": "returned", "person_signed": "on"},
            s.custody,
            WRITE,
        ),
    }
    measure_forms = {
        "decision": (x["proposed"], {"decision": "approve"}, s.head),
        "legal-review": (x["for_review"], {"verdict": "agree", "opinion": "经审核，同意"}, w.legal),
        "start": (x["approved"], {"started_at": now}, w.handler1),
        "end": (
            d1.pk,
            {"ended_at": now, "outcome": "released", "reason": "不需要继续拘留"},
            w.handler1,
        ),
        "notifications": (
            d1.pk,
            {"at": now, "method": "phone", "recipient": "李梅", "relationship": "妻子"},
            w.handler1,
        ),
        "notice-exception": (d1.pk, {"ground": "impossible", "detail": "无家属"}, w.handler1),
        "interrogations": (d1.pk, {"at": now, "place": "看守所"}, w.handler1),
        "delivery": (d1.pk, {"at": now, "place": "市看守所"}, w.handler1),
        "arrest-request": (d1.pk, {"submitted_at": now, "received_at": now}, w.handler1),
        "procuratorate-decision": (
            x["d2"].pk,
            {"approved": "yes", "decided_at": now, "number": "检捕1号"},
            w.handler1,
        ),
        "reviews": (london, {"at": london_now, "outcome": "continue"}, s.inspector),
        "warrant-applications": (
            london,
            {"at": london_now, "court": "Leeds Magistrates' Court"},
            s.gb_handler1,
        ),
        "warrants": (
            london,
            {"issued_at": london_now, "hours": 24, "court": "Leeds MC", "reference": "W1"},
            s.gb_handler1,
        ),
        "extensions": (
            d1.pk,
            {"deadline_id": request_deadline, "extension": "special=2", "reason": "特殊情况"},
            w.handler1,
        ),
    }
    for action, (pk, body, who) in measure_forms.items():
        calls[("POST", f"{mm}/{action}/")] = Call(
            f"/custody/measures/{pk}/{action}/", body, who, WRITE
        )
    session_forms = {
        "safety-check": {"at": now, "search_record": "检查", "injuries_observed": "无"},
        "belongings": {"description": "钥匙", "quantity": 2},
        "interviews": {
            "kind": "interrogation",
            "room": "讯问室1",
            "started_at": "2026-09-30T21:00",
            "ended_at": "2026-09-30T22:00",
            "officer_ids": [w.handler1.pk, w.handler2.pk],
            "recording_id": "R1",
            "recording_sha256": SHA,
        },
        "care": {"kind": "meal", "started_at": now, "notes": "晚餐"},
        "rights": {"given_at": now, "lawyer_requested": "on"},
        "exit": {"exited_at": now, "destination": "detention_house", "destination_detail": "所"},
    }
    for action, body in session_forms.items():
        target = x["leaving"] if action == "exit" else sid
        calls[("POST", f"{sp}/{action}/")] = Call(
            f"/custody/sessions/{target}/{action}/", body, s.custody, WRITE
        )
    return (
        calls
        | _document_page_calls(site)
        | _property_page_calls(site)
        | _supervision_page_calls(site)
    )


def _supervision_page_calls(site: Site) -> dict[tuple[str, str], Call]:
    x, w = site.x, site.s.world
    one = "/supervision/findings/<int:finding_id>/"
    calls = {
        ("GET", "/supervision/"): Call("/supervision/", None, w.handler1, SELF),
        ("GET", "/supervision/checks/"): Call("/supervision/checks/", None, w.handler1, SELF),
        ("GET", "/supervision/dashboard/"): Call("/supervision/dashboard/", None, w.leader, SELF),
        ("GET", "/supervision/dashboard/<slug:chart_id>.csv"): Call(
            "/supervision/dashboard/findings.csv", None, w.leader, SELF
        ),
        ("GET", one): Call(f"/supervision/findings/{x['finding_open']}/", None, w.handler1, READ),
        ("POST", f"{one}files/"): Call(
            f"/supervision/findings/{x['finding_open']}/files/", UPLOAD, w.handler1, WRITE
        ),
        ("GET", "/supervision/files/<int:file_id>/"): Call(
            f"/supervision/files/{x['finding_file']}/", None, w.handler1, TRACED
        ),
        ("GET", "/supervision/scorecard/"): Call("/supervision/scorecard/", None, w.leader, SELF),
        ("POST", "/supervision/scorecard/reviews/"): Call(
            "/supervision/scorecard/reviews/", _score_ask(site), w.leader, WRITE
        ),
        ("POST", "/supervision/scorecard/reviews/<int:review_id>/answer/"): Call(
            f"/supervision/scorecard/reviews/{x['score_review']}/answer/",
            {"decision": "upheld", "answer": "维持"},
            w.supervisor,
            SUPERVISE,
        ),
    }
    for kind in ("xlsx", "pdf"):
        calls[("GET", f"/supervision/scorecard/<str:quarter>.{kind}")] = Call(
            f"/supervision/scorecard/{x['quarter']}.{kind}", None, w.leader, SELF
        )
    forms = {
        "rectify": (x["finding_open"], {"text": "已补正"}, w.handler1, WRITE),
        "review": (x["finding_done"], {"decision": "accept"}, w.supervisor, SUPERVISE),
        "dismiss": (x["finding_other"], {"reasons": "误报"}, w.supervisor, SUPERVISE),
    }
    for action, (pk, body, who, kind) in forms.items():
        calls[("POST", f"{one}{action}/")] = Call(
            f"/supervision/findings/{pk}/{action}/", body, who, kind
        )
    return calls


def _document_page_calls(site: Site) -> dict[tuple[str, str], Call]:
    s, x, w = site.s, site.x, site.s.world
    case = x["case"]
    issued = x["doc_issued"]
    calls = {
        ("GET", "/approvals/"): Call("/approvals/", None, s.head, SELF),
        ("GET", "/verify/"): Call("/verify/", None, None, PUBLIC),
        ("GET", "/documents/cases/<str:case_ref>/"): Call(
            f"/documents/cases/{case.number}/", None, w.handler1, READ
        ),
        ("POST", "/documents/cases/<str:case_ref>/"): Call(
            f"/documents/cases/{case.number}/",
            {"type_id": "seizure_decision", "person_id": x["p4"].pk, "particulars": "手机一部"},
            w.handler1,
            WRITE,
        ),
        ("GET", "/documents/<int:document_id>/"): Call(
            f"/documents/{issued}/", None, w.handler1, READ
        ),
        ("GET", "/documents/<int:document_id>/pdf/"): Call(
            f"/documents/{issued}/pdf/", None, w.handler1, TRACED
        ),
    }
    forms = {
        "submit": (x["doc_draft"], {}, w.handler1),
        "decision": (x["doc_pending"], {"decision": "approve"}, w.leader),
        "cancel": (x["doc_draft"], {"reason": "不再需要"}, w.handler1),
        "revoke": (issued, {"reason": "扣押对象有误"}, w.leader),
        "correction": (issued, {"reason": "物品笔误", "particulars": "手机两部"}, w.handler1),
        "service": (
            issued,
            {
                "method": "in_person",
                "served_at": _typed(clock.now()),
                "recipient": "丁",
                "relationship": "本人",
                "acknowledgment": "refused",
                "witness": "王警官",
            },
            w.handler1,
        ),
        "account": (x["doc_unserved"], {"account": "报案人外出，电话联系未果"}, w.handler1),
    }
    for action, (pk, body, who) in forms.items():
        calls[("POST", f"/documents/<int:document_id>/{action}/")] = Call(
            f"/documents/{pk}/{action}/", body, who, WRITE
        )
    return calls


def _property_api_calls(site: Site) -> dict[tuple[str, str], Call]:
    x, w = site.x, site.s.world
    case, keeper, now = x["case"], x["prop_keeper"], iso(clock.now())
    i = "/api/v1/property/items/{item_id}"
    held = x["prop_held"].pk
    item_body = {
        "kind": "cash",
        "basis": "seized",
        "description": "现金",
        "amount": "500",
        "currency": "CNY",
        "found_place": "住处",
        "found_at": now,
        "legal_basis": "扣押决定书",
    }
    moved = {
        "to_kind": "officer",
        "to_officer_id": w.handler2.pk,
        "purpose": "移交",
        "condition": "intact",
        "seal_intact": True,
    }
    return {
        ("GET", "/api/v1/cases/{case_ref}/property"): Call(
            f"/cases/{case.number}/property", None, w.handler1, READ
        ),
        ("POST", "/api/v1/cases/{case_ref}/property"): Call(
            f"/cases/{case.number}/property", item_body, w.handler1, WRITE, expect=(201,)
        ),
        ("GET", "/api/v1/cases/{case_ref}/property/labels.pdf"): Call(
            f"/cases/{case.number}/property/labels.pdf", None, w.handler1, READ
        ),
        ("POST", "/api/v1/property/from-belonging"): Call(
            "/property/from-belonging",
            {
                "belonging_id": x["item"],
                "kind": "other",
                "found_place": "办案区",
                "legal_basis": "扣押决定书",
                "person_signed": True,
            },
            w.handler1,
            WRITE,
            reference="belonging_id",
            expect=(201,),
        ),
        ("GET", i): Call(f"/property/items/{held}", None, w.handler1, READ),
        ("GET", "/api/v1/property/scan"): Call(
            f"/property/scan?code={x['prop_held'].code}", None, w.handler1, SELF
        ),
        ("GET", "/api/v1/property/search"): Call(
            "/property/search?q=F-100", None, w.handler1, SELF
        ),
        ("GET", "/api/v1/property/handovers"): Call("/property/handovers", None, w.handler2, SELF),
        ("GET", f"{i}/labels.pdf"): Call(
            f"/property/items/{held}/labels.pdf", None, w.handler1, READ
        ),
        ("POST", f"{i}/corrections"): Call(
            f"/property/items/{held}/corrections",
            {"field": "description", "value": "黑色手机一部", "reason": "描述不全"},
            w.handler1,
            WRITE,
            expect=(201,),
        ),
        ("POST", f"{i}/files"): Call(
            f"/property/items/{held}/files", UPLOAD, w.handler1, WRITE, expect=(201,)
        ),
        ("GET", "/api/v1/property/files/{file_id}"): Call(
            f"/property/files/{x['prop_photo'].pk}", None, w.handler1, TRACED
        ),
        ("GET", "/api/v1/property/copies/{copy_seq}/receipt"): Call(
            f"/property/copies/{x['prop_copy_seq']}/receipt", None, w.handler1, SELF
        ),
        ("POST", f"{i}/transfers"): Call(
            f"/property/items/{held}/transfers", moved, w.handler1, WRITE, expect=(201,)
        ),
        ("POST", "/api/v1/property/transfers/{transfer_id}/answer"): Call(
            f"/property/transfers/{x['prop_pending'].pk}/answer",
            {"answer": "confirm", "condition": "intact", "seal_intact": True},
            w.handler2,
            WRITE,
        ),
        ("POST", "/api/v1/property/transfers/{transfer_id}/withdraw"): Call(
            f"/property/transfers/{x['prop_pending'].pk}/withdraw", None, w.handler1, WRITE
        ),
        ("POST", f"{i}/receive"): Call(
            f"/property/items/{x['prop_lab_item'].pk}/receive",
            {"condition": "intact", "seal_intact": True, "from_name": "鉴定人"},
            w.handler1,
            WRITE,
            expect=(201,),
        ),
        ("POST", f"{i}/unrelated"): Call(
            f"/property/items/{held}/unrelated", {"at": now}, w.handler1, WRITE
        ),
        ("POST", f"{i}/owner-notified"): Call(
            f"/property/items/{held}/owner-notified", {"at": now}, w.handler1, WRITE
        ),
        ("POST", f"{i}/borrows"): Call(
            f"/property/items/{x['prop_in_room'].pk}/borrows",
            {"purpose": "开庭", "due_back_at": iso(clock.now() + timedelta(days=1))},
            w.handler1,
            WRITE,
            expect=(201,),
        ),
        ("POST", "/api/v1/property/borrows/{borrow_id}/decision"): Call(
            f"/property/borrows/{x['prop_borrow'].pk}/decision",
            {"decision": "approve"},
            w.leader,
            WRITE,
        ),
        ("POST", f"{i}/disposals"): Call(
            f"/property/items/{x['prop_late'].pk}/disposals",
            {"kind": "return", "reason": "与案件无关"},
            w.handler1,
            WRITE,
            expect=(201,),
        ),
        ("POST", "/api/v1/property/disposals/{disposal_id}/decision"): Call(
            f"/property/disposals/{x['prop_requested'].pk}/decision",
            {"decision": "approve"},
            w.leader,
            WRITE,
        ),
        ("POST", "/api/v1/property/disposals/{disposal_id}/carry-out"): Call(
            f"/property/disposals/{x['prop_approved'].pk}/carry-out",
            {
                "recipient": "王小明",
                "recipient_id_number": "110101199003077539",
                "recipient_document_id": x["doc_issued"],
                "receipt_signed": True,
            },
            w.handler1,
            WRITE,
        ),
        ("POST", "/api/v1/property/limits/{limit_id}/account"): Call(
            f"/property/limits/{x['prop_missed_limit'].pk}/account",
            {"account": "已退还，录入迟延"},
            w.handler1,
            WRITE,
        ),
        ("GET", "/api/v1/units/{unit_id}/property/store"): Call(
            f"/units/{w.station.pk}/property/store", None, keeper, READ
        ),
        ("POST", "/api/v1/units/{unit_id}/property/locations"): Call(
            f"/units/{w.station.pk}/property/locations",
            {"code": "R2-A", "store": "二号库"},
            keeper,
            WRITE,
            expect=(201,),
        ),
        ("POST", "/api/v1/property/stocktakes"): Call(
            "/property/stocktakes",
            {"location_id": x["prop_shelf"].pk},
            keeper,
            WRITE,
            reference="location_id",
            expect=(201,),
        ),
        ("POST", "/api/v1/property/stocktakes/{stocktake_id}/reconcile"): Call(
            f"/property/stocktakes/{x['prop_stocktake'].pk}/reconcile",
            {"codes": x["prop_in_room"].code},
            keeper,
            WRITE,
        ),
    }


def _property_page_calls(site: Site) -> dict[tuple[str, str], Call]:
    x, w = site.x, site.s.world
    case, keeper, now = x["case"], x["prop_keeper"], _typed(clock.now())
    held = x["prop_held"].pk
    calls = {
        ("GET", "/property/"): Call("/property/", None, w.handler1, SELF),
        ("GET", "/property/scan/"): Call(
            f"/property/scan/?code={x['prop_held'].code}", None, w.handler1, SELF, expect=(302,)
        ),
        ("GET", "/property/handovers/"): Call("/property/handovers/", None, w.handler2, SELF),
        ("GET", "/property/cases/<str:case_ref>/"): Call(
            f"/property/cases/{case.number}/", None, w.handler1, READ
        ),
        ("POST", "/property/cases/<str:case_ref>/"): Call(
            f"/property/cases/{case.number}/",
            {
                "kind": "other",
                "basis": "seized",
                "description": "钥匙",
                "quantity": "1",
                "found_place": "住处",
                "found_at": now,
                "legal_basis": "扣押决定书",
            },
            w.handler1,
            WRITE,
        ),
        ("GET", "/property/cases/<str:case_ref>/labels.pdf"): Call(
            f"/property/cases/{case.number}/labels.pdf", None, w.handler1, READ
        ),
        ("GET", "/property/items/<int:item_id>/"): Call(
            f"/property/items/{held}/", None, w.handler1, READ
        ),
        ("GET", "/property/items/<int:item_id>/labels.pdf"): Call(
            f"/property/items/{held}/labels.pdf", None, w.handler1, READ
        ),
        ("GET", "/property/files/<int:file_id>/"): Call(
            f"/property/files/{x['prop_photo'].pk}/", None, w.handler1, TRACED
        ),
        ("GET", "/property/copies/<int:copy_seq>/receipt/"): Call(
            f"/property/copies/{x['prop_copy_seq']}/receipt/", None, w.handler1, SELF
        ),
        ("GET", "/property/rooms/<int:unit_id>/"): Call(
            f"/property/rooms/{w.station.pk}/", None, keeper, READ
        ),
        ("POST", "/property/rooms/<int:unit_id>/"): Call(
            f"/property/rooms/{w.station.pk}/", {"code": "R2-A", "store": "二号库"}, keeper, WRITE
        ),
        ("GET", "/property/stocktakes/<int:stocktake_id>/"): Call(
            f"/property/stocktakes/{x['prop_stocktake'].pk}/", None, keeper, READ
        ),
        ("POST", "/property/stocktakes/<int:stocktake_id>/"): Call(
            f"/property/stocktakes/{x['prop_stocktake'].pk}/",
            {"codes": x["prop_in_room"].code},
            keeper,
            WRITE,
        ),
    }
    forms: dict[str, tuple[int, Any, Officer]] = {
        "correct": (held, {"field": "quantity", "value": "2", "reason": "清点有误"}, w.handler1),
        "transfer": (
            held,
            {
                "to_kind": "officer",
                "to_officer_id": w.handler2.pk,
                "purpose": "移交",
                "condition": "intact",
                "seal_intact": "on",
            },
            w.handler1,
        ),
        "answer": (
            x["prop_pending_item"].pk,
            {
                "target": x["prop_pending"].pk,
                "answer": "confirm",
                "condition": "intact",
                "seal_intact": "on",
            },
            w.handler2,
        ),
        "withdraw": (x["prop_pending_item"].pk, {"target": x["prop_pending"].pk}, w.handler1),
        "receive": (
            x["prop_lab_item"].pk,
            {"condition": "intact", "from_name": "鉴定人"},
            w.handler1,
        ),
        "unrelated": (held, {"at": now}, w.handler1),
        "notified": (held, {"at": now}, w.handler1),
        "borrow": (
            x["prop_in_room"].pk,
            {"purpose": "开庭", "due_back_at": _typed(clock.now() + timedelta(days=1))},
            w.handler1,
        ),
        "borrow-decision": (
            x["prop_borrowed"].pk,
            {"target": x["prop_borrow"].pk, "decision": "approve"},
            w.leader,
        ),
        "dispose": (x["prop_late"].pk, {"kind": "return", "reason": "与案件无关"}, w.handler1),
        "disposal-decision": (
            x["prop_asked"].pk,
            {"target": x["prop_requested"].pk, "decision": "approve"},
            w.leader,
        ),
        "carry-out": (
            x["prop_back"].pk,
            {
                "target": x["prop_approved"].pk,
                "recipient": "王小明",
                "recipient_id_number": "110101199003077539",
                "recipient_document_id": x["doc_issued"],
                "receipt_signed": "on",
            },
            w.handler1,
        ),
        "account": (
            x["prop_late"].pk,
            {"target": x["prop_missed_limit"].pk, "account": "已处理"},
            w.handler1,
        ),
        "file": (held, UPLOAD, w.handler1),
    }
    for action, (pk, body, who) in forms.items():
        calls[("POST", f"/property/items/<int:item_id>/{action}/")] = Call(
            f"/property/items/{pk}/{action}/", body, who, WRITE
        )
    return calls


__all__ = [
    "DETAINED",
    "EVE",
    "PUBLIC",
    "READ",
    "SECRET",
    "SELF",
    "SELF_WRITE",
    "SUPERVISE",
    "TRACED",
    "UPLOAD",
    "WRITE",
    "Call",
    "Kept",
    "Site",
    "api_calls",
    "api_routes",
    "build_site",
    "kept_site",
    "page_calls",
    "page_routes",
    "upload_body",
]


@dataclass(frozen=True)
class Kept:
    """A site built once for a whole test module, inside the module's transaction
    (tests/conftest.py `module_db`), and the instant its build ended."""

    site: Site
    instant: datetime

    def at(self, traveller: Any) -> Site:
        """The site for one test: the test's clock moved to where the build left it, and a
        fresh copy of every record the site holds, as Django's setUpTestData hands each test
        (a test that changes one in memory leaves the next test's copy as the build made it).
        The scene's clients, whose tokens the build issued, are shared; it moves the test's
        clock, not the build's."""
        traveller.move_to(self.instant)
        memo: dict[int, Any] = {id(self.site.s.traveller): traveller}
        memo.update({id(client): client for client in self.site.s.clients.values()})
        return copy.deepcopy(self.site, memo)


@contextmanager
def kept_site(key_dir: Path, *, enrolled: bool = False) -> Iterator[Kept]:
    """build_site once, at its own instants, with a ledger key of its own (never the shared
    one) for as long as the module runs; ``enrolled``: the officers who approve or supervise
    enrolled for their second factor, before any test counts ledger entries (the enrolment is
    recorded). Needs the module's transaction open (`module_db`)."""
    from casetrail.org.access import needs_second_factor
    from tests.conftest import NOW, enrol

    with override_settings(CASETRAIL_LEDGER_KEY_FILE=key_dir / "keys" / "ledger.pem"):
        with time_machine.travel(NOW, tick=False) as traveller:
            site = build_site(traveller)
            if enrolled:
                for officer in Officer.objects.all():
                    if needs_second_factor(officer):
                        enrol(officer)
            instant = clock.now()
        yield Kept(site, instant)
