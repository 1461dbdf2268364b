"""Shared fixtures: a small jurisdiction built through the real actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import settings

from casetrail.cases import actions
from casetrail.cases.models import Case, Incident, OffenceCategory
from casetrail.catalogue import ensure_offence_catalogue
from casetrail.org import actions as org
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role, Scope

# No per-example deadline: the property tests check what is true, not how fast, and CI runs
# on a shared 2-core machine where one slow example would fail a correct test. Speed is
# measured by benchmarks/.
settings.register_profile("casetrail", deadline=None)
settings.load_profile("casetrail")

PASSWORD = "a-long-test-password"
VALID = date(2030, 12, 31)


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
            unit or self.station,
            actions.IncidentInput(
                channel="walk_in",
                received_at=datetime.now(UTC) - timedelta(hours=1),
                reporter_name=reporter,
                location="东湖路1号",
                summary=summary,
                category=self.category("CR-THEFT"),
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
    ) -> Case:
        code = "CR-THEFT" if kind == "criminal" else "AD-ASSAULT"
        return actions.open_case(
            self.station,
            kind=kind,
            category=self.category(code),
            title=title,
            summary=summary,
            handlers=[self.handler1, self.handler2],
            actor=self.intake,
        )


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
        lapsed=make_officer("lapsed", station, Role.CASE_HANDLER, valid_until=date(2020, 1, 1)),
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
