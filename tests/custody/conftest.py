"""A custody scene: the shared jurisdiction plus the roles custody needs (an agency head, custody
officers, a PACE force), built inside a frozen clock, with an API client per officer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casetrail import clock
from casetrail.cases import actions as case_actions
from casetrail.cases.models import Case, Person
from casetrail.custody import actions
from casetrail.custody.models import Measure
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.state import reconcile
from casetrail.org import actions as org
from casetrail.org.models import Officer
from casetrail.org.roles import Role, Scope
from tests.api.conftest import ApiClient
from tests.conftest import PASSWORD, VALID, World, build_world, make_unit


@pytest.fixture(autouse=True)
def tables_match_the_ledger(request: pytest.FixtureRequest) -> Iterator[None]:
    """Invariant 5 on every custody flow: whatever a test did through the actions, each
    measure, stay, case and person ends as its last entry's state digest says."""
    if "db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")  # set up before this fixture, so torn down after it
    yield
    findings = reconcile().findings
    assert not findings, [str(f) for f in findings[:5]]


SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")
SHA = "ab" * 32
LEGAL_OPINION = "经审核，事实清楚，证据确实充分，适用法律正确，程序合法"
LEGAL_REVIEWED = ("admin_detention",)  # custody.actions.measures.LEGAL_REVIEWED


def officer(username: str, unit, *roles: str, scope: str = Scope.UNIT, at=None) -> Officer:
    """An officer with an e-mail address (alerts go out by mail too)."""
    made = org.create_officer(
        username=username,
        name=f"警员{username}",
        badge_number=f"B-{username}",
        unit=unit,
        password=PASSWORD,
        qualification_level="basic",
        qualification_valid_until=VALID,
        email=f"{username}@police.test",
        actor=None,
    )
    for role in roles:
        org.grant_role(made, role=role, unit=at or unit, scope=scope, actor=None)
    return made


@dataclass
class Scene:
    world: World
    traveller: Any
    head: Officer
    custody: Officer
    custody2: Officer
    gb_unit: Any
    gb_handler1: Officer
    gb_handler2: Officer
    gb_custody: Officer
    gb_custody2: Officer
    inspector: Officer
    superintendent: Officer
    mail_handler1: Officer
    mail_handler2: Officer
    mail_leader: Officer
    clients: dict[int | None, ApiClient] = field(default_factory=dict)

    def at(self, moment: datetime) -> None:
        self.traveller.move_to(moment)

    def api(self, who: Officer | None) -> ApiClient:
        """One client (and API token) per officer for the whole scene, issued again when the
        scene has travelled past its token's lifetime (the shared scenes span years)."""
        key = who.pk if who is not None else None
        client = self.clients.get(key)
        if client is None or not client.lasts_until(clock.now()):
            client = self.clients[key] = ApiClient(who)
        return client

    def suspect(
        self, case: Case, name: str = "张三", birth_date: date | None = date(1990, 5, 1)
    ) -> Person:
        party = case_actions.add_party(
            case,
            case_actions.PartyInput(role="suspect", name=name, birth_date=birth_date),
            actor=case.handlers.filter(released_at__isnull=True).first().officer,
        )
        return party.person

    def mail_case(self) -> Case:
        """A case whose handlers and leader have e-mail addresses."""
        return case_actions.open_case(
            case_actions.CaseInput(
                unit_id=self.world.station.pk,
                kind="criminal",
                category="CR-THEFT",
                title="入室盗窃案",
                handler_ids=(self.mail_handler1.pk, self.mail_handler2.pk),
            ),
            actor=self.world.intake,
        )

    def gb_case(self) -> Case:
        return case_actions.open_case(
            case_actions.CaseInput(
                unit_id=self.gb_unit.pk,
                kind="criminal",
                category="CR-THEFT",
                title="Burglary, 12 High Street",
                handler_ids=(self.gb_handler1.pk, self.gb_handler2.pk),
            ),
            actor=self.gb_handler1,
        )


def build_scene(traveller: Any) -> Scene:
    world = build_world()
    head = officer("head", world.district, Role.AGENCY_HEAD, scope=Scope.SUBTREE)
    custody = officer("custody", world.station, Role.CUSTODY_OFFICER)
    custody2 = officer("custody2", world.station, Role.CUSTODY_OFFICER)
    force = make_unit("LF", kind="city", pack="gb_eng", timezone="Europe/London")
    station = make_unit("LS", force, pack="gb_eng", timezone="Europe/London")
    return Scene(
        world=world,
        traveller=traveller,
        head=head,
        custody=custody,
        custody2=custody2,
        gb_unit=station,
        gb_handler1=officer("gh1", station, Role.CASE_HANDLER),
        gb_handler2=officer("gh2", station, Role.CASE_HANDLER),
        gb_custody=officer("gcustody", station, Role.CUSTODY_OFFICER),
        gb_custody2=officer("gcustody2", station, Role.CUSTODY_OFFICER),
        inspector=officer("inspector", station, Role.UNIT_LEADER),
        superintendent=officer("super", force, Role.AGENCY_HEAD, scope=Scope.SUBTREE),
        mail_handler1=officer("mh1", world.station, Role.CASE_HANDLER),
        mail_handler2=officer("mh2", world.station, Role.CASE_HANDLER),
        mail_leader=officer("mleader", world.station, Role.UNIT_LEADER),
    )


@pytest.fixture
def scene(db: None) -> Iterator[Any]:
    """scene(moment) freezes the clock at an aware moment and builds the scene there."""
    with ExitStack() as stack:

        def start(moment: datetime) -> Scene:
            traveller = stack.enter_context(time_machine.travel(moment, tick=False))
            return build_scene(traveller)

        yield start


@pytest.fixture
def scene_once(db: None) -> Iterator[Scene]:
    """One scene for a whole hypothesis test (each example adds its own case)."""
    with time_machine.travel(datetime(2025, 12, 1, tzinfo=SHANGHAI), tick=False) as traveller:
        yield build_scene(traveller)


def ledger_size() -> int:
    return LedgerEntry.objects.count()


def iso(moment: datetime) -> str:
    return moment.isoformat()


def deadline(detail: dict[str, Any], rule_id: str) -> dict[str, Any]:
    """The one deadline of a rule in a measure's detail."""
    found = [d for d in detail["deadlines"] if d["rule_id"] == rule_id]
    assert len(found) == 1, (rule_id, [d["rule_id"] for d in detail["deadlines"]])
    return found[0]


def local(text: str, zone: ZoneInfo) -> datetime:
    """An API instant shown in a zone."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(zone)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def refused(response: Any, status: int, field: str) -> str:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["field"] == field, body
    return str(body["detail"])


def run_measure(
    scene: Scene,
    case: Case,
    person: Person,
    kind: str,
    started_at: datetime,
    *,
    proposer: Officer | None = None,
    approver: Officer | None = None,
    params: dict[str, Any] | None = None,
    start: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Propose, approve and start a measure through the API; the clock must allow it."""
    proposer = proposer or scene.world.handler1
    approver = approver or scene.head
    client = scene.api(proposer)
    made = ok(
        client.post(
            "/custody/measures",
            {
                "case_id": case.pk,
                "person_id": person.pk,
                "kind": kind,
                "reason": "有证据证明有犯罪事实",
                **(params or {}),
            },
        ),
        201,
    )
    if kind in LEGAL_REVIEWED:  # the legal department's written opinion comes first
        ok(
            scene.api(scene.world.legal).post(
                f"/custody/measures/{made['id']}/legal-review",
                {"verdict": "agree", "opinion": LEGAL_OPINION},
            )
        )
    ok(
        scene.api(approver).post(
            f"/custody/measures/{made['id']}/decision", {"decision": "approve"}
        )
    )
    if started_at > clock.now():
        scene.at(started_at)
    body = {"started_at": iso(started_at)} | (start or {})
    return ok(client.post(f"/custody/measures/{made['id']}/start", body))


def direct_measure(
    scene: Scene,
    case: Case,
    person: Person,
    kind: str,
    started_at: datetime,
    *,
    proposer: Officer | None = None,
    approver: Officer | None = None,
    params: dict[str, Any] | None = None,
    **start: Any,
) -> Measure:
    """The same as run_measure, through the actions directly (faster set-up for the matrix)."""
    proposer = proposer or scene.world.handler1
    measure = actions.propose_measure(
        actions.MeasureInput(
            case_id=case.pk,
            person_id=person.pk,
            kind=kind,
            reason="有证据证明有犯罪事实",
            **(params or {}),
        ),
        actor=proposer,
    )
    if actions.needs_legal_review(measure):
        actions.review_measure(
            measure,
            actions.LegalReviewInput(verdict="agree", opinion=LEGAL_OPINION),
            actor=scene.world.legal,
        )
    actions.decide_measure(
        measure, actions.MeasureDecisionInput(decision="approve"), actor=approver or scene.head
    )
    if started_at > clock.now():
        scene.at(started_at)
    return actions.start_measure(
        measure, actions.StartInput(started_at=started_at, **start), actor=proposer
    )
