"""The organisation's actions and gates: administrators act within their grant, names are not
taken twice, a token is its holder's, and who counts as a unit's staff."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation

from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.models import LedgerEntry
from casetrail.org import actions
from casetrail.org.access import on_staff, request_officer, require_staff
from casetrail.org.inputs import TokenInput
from casetrail.org.roles import Role
from tests.conftest import make_officer, make_unit


@pytest.fixture
def admin(world):
    return make_officer("admin", world.city, Role.ADMINISTRATOR, scope="subtree")


def test_an_administrator_creates_units_officers_and_grants_within_the_grant(world, admin):
    unit = actions.create_unit(
        code="S9",
        name="新站",
        kind="station",
        parent=world.district,
        timezone="Asia/Shanghai",
        pack="cn",
        actor=admin,
    )
    assert unit.path == f"{world.district.path}{unit.pk}/"
    officer = actions.create_officer(
        username="new",
        name="新警员",
        badge_number="B-new",
        unit=unit,
        password="x" * 12,
        actor=admin,
    )
    actions.grant_role(officer, role=Role.CASE_HANDLER, unit=unit, actor=admin)
    kinds = list(LedgerEntry.objects.order_by("-seq").values_list("action", flat=True)[:3])
    assert kinds == ["role.granted", "officer.created", "unit.created"]


def test_a_root_unit_is_made_only_from_the_command_line(world, admin):
    with pytest.raises(Refused) as refused:
        actions.create_unit(
            code="R2", name="根", kind="city", parent=None, timezone="UTC", pack="cn", actor=admin
        )
    assert refused.value.field == "unit"


def test_administration_outside_the_grant_is_denied(world):
    # The role is named in the officer's language: English here, whatever an earlier test's
    # request left active.
    with translation.override("en"), pytest.raises(AccessDenied, match="administrator"):
        actions.create_unit(
            code="S8",
            name="站",
            kind="station",
            parent=world.district,
            timezone="Asia/Shanghai",
            pack="cn",
            actor=world.leader,
        )


@pytest.mark.parametrize(
    ("over", "field"),
    [({"code": "S1"}, "code")],
)
def test_a_unit_code_is_not_taken_twice(world, over, field):
    before = LedgerEntry.objects.count()
    with pytest.raises(Refused) as refused:
        make_unit(**over)
    assert refused.value.field == field
    assert LedgerEntry.objects.count() == before


@pytest.mark.parametrize(
    ("username", "badge", "field"),
    [("h1", "B-fresh", "username"), ("fresh", "B-h1", "badge_number")],
)
def test_a_username_or_badge_is_not_taken_twice(world, username, badge, field):
    with pytest.raises(Refused) as refused:
        actions.create_officer(
            username=username,
            name="某",
            badge_number=badge,
            unit=world.station,
            password="x" * 12,
            actor=None,
        )
    assert refused.value.field == field


def test_an_unknown_role_is_refused(world):
    with pytest.raises(Refused) as refused:
        actions.grant_role(world.handler1, role="sheriff", unit=world.station, actor=None)
    assert refused.value.field == "role"


def test_only_the_holder_revokes_a_token(world):
    token, _key = actions.issue_token(TokenInput(name="script"), actor=world.handler1)
    with pytest.raises(Refused) as refused:
        actions.revoke_token(token, actor=world.handler2)
    assert refused.value.field == "token"
    actions.revoke_token(token, actor=world.handler1)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_request_without_an_officer_is_denied():
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with pytest.raises(AccessDenied, match="log in"):
        request_officer(request)


def test_the_staff_of_a_unit(world):
    """Posted there, or granted a role over it, of the same rule pack, and active."""
    assert on_staff(world.handler1, world.station)
    assert on_staff(world.legal, world.station)  # a district reviewer, granted over it
    assert not on_staff(world.other_handler, world.station)  # another station's
    english = make_unit("LX", pack="gb_eng", timezone="Europe/London")
    constable = make_officer("pc", english, Role.CASE_HANDLER)
    actions.grant_role(constable, role=Role.CASE_HANDLER, unit=world.station, actor=None)
    assert not on_staff(constable, world.station)  # granted, but of another jurisdiction
    world.handler2.is_active = False
    world.handler2.save(update_fields=["is_active"])
    assert not on_staff(world.handler2, world.station)
    with pytest.raises(Refused, match="not an active officer"):
        require_staff(world.station, [world.handler2.pk], field="escort_ids")
