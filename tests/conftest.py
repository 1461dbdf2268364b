"""Shared fixtures: a small jurisdiction built through the real actions, at a frozen instant.

Every test runs with the clock frozen at ``NOW`` (``CASETRAIL_TEST_NOW``, an ISO 8601 instant
with its offset; a fixed default otherwise), and every date a fixture needs is derived from it,
so the suite gives the same answer at any hour of any year. CI runs it under several instants
(scripts/test.sh): an early and a late hour of the UTC day (the units' day is Shanghai's) and a
New Year's Eve years ahead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings

from casetrail import clock
from casetrail.cases import actions
from casetrail.cases.catalogue import ensure_offence_catalogue
from casetrail.cases.models import Case, Incident, OffenceCategory
from casetrail.org import actions as org
from casetrail.org.access import needs_second_factor
from casetrail.org.inputs import CodeInput
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role, Scope

# No per-example deadline: the property tests check what is true, not how fast, and CI runs
# on a shared 2-core machine where one slow example would fail a correct test. Speed is
# measured by benchmarks/.
settings.register_profile("casetrail", deadline=None)
settings.load_profile("casetrail")

PASSWORD = "a-long-test-password"
DEFAULT_NOW = "2026-03-10T03:00:00+00:00"


def frozen_instant(raw: str | None = None) -> datetime:
    """The instant the suite runs at, from CASETRAIL_TEST_NOW or the default."""
    text = raw or os.environ.get("CASETRAIL_TEST_NOW") or DEFAULT_NOW
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError(f"CASETRAIL_TEST_NOW needs an offset, e.g. {DEFAULT_NOW}: {text!r}")
    return instant.astimezone(UTC)


NOW = frozen_instant()
# Qualifications run for years after the frozen day; the lapsed one ended before any scene the
# tests travel to (the custody scenes replay 2025).
VALID = (NOW + timedelta(days=4 * 366)).date()
LAPSED = date(2020, 1, 1)


def typed(moment: datetime, zone: str = "Asia/Shanghai") -> str:
    """A moment as an officer of a unit in ``zone`` types it into a date-and-time field."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(autouse=True)
def frozen_clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller]:
    """Every test starts at NOW. Browser tests let it run on from there (a page polls, a
    session ages); the others hold it still until they move it."""
    ticking = request.node.get_closest_marker("e2e") is not None
    with time_machine.travel(NOW, tick=ticking) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def module_db(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """One transaction around a whole module, for a state built once and shared by its tests
    (tests/routes.py `kept_site`): each test's own transaction (pytest-django's `db`) nests in
    it as a savepoint rolled back after the test, and this one is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def kept(module_db: None, tmp_path_factory: pytest.TempPathFactory, request: Any) -> Iterator[Any]:
    """tests/routes.py's site, built once for the module that asks for it (its tests take a
    copy each: ``kept.at(frozen_clock)``); a module with ``ENROLLED = True`` has its approvers
    and supervisors enrolled for their second factor."""
    from tests.routes import kept_site

    enrolled = getattr(request.module, "ENROLLED", False)
    with kept_site(tmp_path_factory.mktemp("site"), enrolled=enrolled) as built:
        yield built


@pytest.fixture(autouse=True, scope="session")
def agency_keys() -> None:
    """The agency's document-signing files (a demo CA made at the frozen instant, in the test
    settings' temporary folder): proposing a detention issues its warrant, signed."""
    from casetrail.documents.sealing import configured_paths, ensure_demo_keys

    with time_machine.travel(NOW, tick=False):
        ensure_demo_keys(*configured_paths())


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: the API counts wrong tokens per address there
    (casetrail.org.throttle), and the frozen clock keeps every test in one window."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english_outside_requests() -> Iterator[None]:
    """Each test starts, and the next one starts, with no language active: a request for an
    officer whose unit speaks Chinese leaves zh-hans active in the thread after it (Django's
    LocaleMiddleware does not undo it), and a refusal made outside a request by the next test
    would otherwise come out in Chinese (the tests' default, settings.test, is English)."""
    translation.deactivate()
    yield
    translation.deactivate()


def make_unit(
    code: str,
    parent: Unit | None = None,
    *,
    kind: str = "station",
    pack: str = "cn",
    timezone: str = "Asia/Shanghai",
) -> Unit:
    return org.create_unit(
        code=code,
        name=f"单位{code}",
        name_en=f"Unit {code}",
        kind=kind,
        parent=parent,
        timezone=timezone,
        pack=pack,
        actor=None,
    )


def make_officer(
    username: str,
    unit: Unit,
    *roles: str,
    scope: str = Scope.UNIT,
    valid_until: date | None = VALID,
    at: Unit | None = None,
) -> Officer:
    officer = org.create_officer(
        username=username,
        name=f"警员{username}",
        badge_number=f"B-{username}",
        unit=unit,
        password=PASSWORD,
        qualification_level="basic" if valid_until else "",
        qualification_valid_until=valid_until,
        actor=None,
    )
    for role in roles:
        org.grant_role(officer, role=role, unit=at or unit, scope=scope, actor=None)
    return officer


@dataclass
class World:
    city: Unit
    district: Unit
    station: Unit
    other_station: Unit
    intake: Officer
    handler1: Officer
    handler2: Officer
    lapsed: Officer
    leader: Officer
    legal: Officer
    supervisor: Officer
    outsider: Officer
    other_handler: Officer
    nobody: Officer

    def category(self, code: str) -> OffenceCategory:
        return OffenceCategory.objects.get(code=code)

    def incident(
        self,
        *,
        summary: str = "电动车被盗",
        reporter: str = "王小明",
        unit: Unit | None = None,
        actor: Officer | None = None,
    ) -> Incident:
        incident, _ = actions.record_incident(
            actions.IncidentInput(
                unit_id=unit or self.station.pk,
                channel="walk_in",
                received_at=clock.now() - timedelta(hours=1),
                reporter_name=reporter,
                location="东湖路1号",
                summary=summary,
                category="CR-THEFT",
            ),
            actor=actor or self.intake,
        )
        return incident

    def case(
        self,
        *,
        kind: str = "criminal",
        title: str = "电动车被盗案",
        summary: str = "电动车被盗，价值约3000元",
        elsewhere: bool = False,
    ) -> Case:
        """A case of the station (``elsewhere``: of the other station, its own officers')."""
        code = "CR-THEFT" if kind == "criminal" else "AD-ASSAULT"
        unit, handlers, actor = (
            (self.other_station, (self.outsider, self.other_handler), self.outsider)
            if elsewhere
            else (self.station, (self.handler1, self.handler2), self.intake)
        )
        return actions.open_case(
            actions.CaseInput(
                unit_id=unit.pk,
                kind=kind,
                category=self.category(code).code,
                title=title,
                summary=summary,
                handler_ids=tuple(h.pk for h in handlers),
            ),
            actor=actor,
        )

    def in_review(self, incident: Incident | None = None) -> Case:
        """A report the intake officer accepts as a criminal case in registration review, with
        the station's two handlers (a new report unless one is given)."""
        case = actions.decide_incident(
            incident or self.incident(),
            actions.IncidentDecisionInput(
                decision="registration_review", handler_ids=(self.handler1.pk, self.handler2.pk)
            ),
            actor=self.intake,
        )
        assert case is not None
        return case


def build_world() -> World:
    ensure_offence_catalogue()
    city = make_unit("C1", kind="city")
    district = make_unit("D1", city, kind="district")
    station = make_unit("S1", district)
    other_district = make_unit("D2", city, kind="district")
    other_station = make_unit("S2", other_district)
    return World(
        city=city,
        district=district,
        station=station,
        other_station=other_station,
        intake=make_officer("intake", station, Role.INTAKE_OFFICER),
        handler1=make_officer("h1", station, Role.CASE_HANDLER),
        handler2=make_officer("h2", station, Role.CASE_HANDLER),
        lapsed=make_officer("lapsed", station, Role.CASE_HANDLER, valid_until=LAPSED),
        leader=make_officer("leader", station, Role.UNIT_LEADER, Role.CASE_HANDLER),
        legal=make_officer("legal", district, Role.LEGAL_REVIEWER, scope=Scope.SUBTREE),
        supervisor=make_officer("supervisor", city, Role.SUPERVISOR, scope=Scope.SUBTREE),
        outsider=make_officer(
            "outsider", other_station, Role.UNIT_LEADER, Role.CASE_HANDLER, Role.INTAKE_OFFICER
        ),
        other_handler=make_officer("h3", other_station, Role.CASE_HANDLER),
        nobody=make_officer("nobody", station),
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


# The TOTP secret the tests enrol officers with (20 bytes, hex), and the code for it now.
TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_code(key: str = TOTP_KEY) -> str:
    """The code an authenticator app shows now for ``key``: django-otp's own TOTP, at the
    frozen time (django-otp reads the time module, which time-machine freezes with the clock)."""
    return f"{totp(bytes.fromhex(key)):06d}"


def enrol(officer: Officer, key: str = TOTP_KEY) -> TOTPDevice:
    """The officer's confirmed TOTP device, enrolled through the real action once (it records
    the enrolment in the ledger; build it before counting entries)."""
    device = TOTPDevice.objects.filter(user=officer, confirmed=True).first()
    if device is None:
        device = org.enrol_second_factor(CodeInput(code=totp_code(key)), key=key, actor=officer)
    return device


def login(officer: Officer, language: str | None = None) -> Client:
    """A test client logged in as ``officer``, with the interface in ``language`` if given. An
    officer who must use a second factor is enrolled (once) and the session marked verified
    with that device, as django_otp.login does after a right code: the code step itself is
    tested in tests/org/test_second_factor.py, not replayed by every page test."""
    client = Client()
    assert client.login(username=officer.username, password=PASSWORD)
    if needs_second_factor(officer):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = enrol(officer).persistent_id
        session.save()
    if language:
        client.cookies["django_language"] = language
    return client
