"""The officers' second factor (issue 16): after the password, an officer who approves or
supervises types a TOTP code (django-otp's, computed here from a known secret at the frozen
time), or enrols first and reaches nothing else until done; a wrong code is refused, recorded
and throttled; other roles are unaffected; an agency may switch the requirement off."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.models import LedgerEntry
from casetrail.org import actions
from casetrail.org.access import needs_second_factor, require_verified_session
from casetrail.org.inputs import CodeInput, TokenInput
from casetrail.org.models import Officer
from casetrail.org.roles import Role
from casetrail.org.views import PENDING_KEY
from tests.conftest import NOW, PASSWORD, TOTP_KEY, enrol, login, make_officer, totp_code

WORKBENCH = "/"
STEP = timedelta(seconds=30)  # one TOTP time step: a code is good once per step


def _password(officer: Officer) -> Client:
    client = Client()
    response = client.post(
        reverse("org:login"), {"username": officer.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _entries(kind: str) -> list[dict[str, object]]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(action=kind).order_by("seq")]


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.fixture
def admin(world):
    return make_officer("admin", world.city, Role.ADMINISTRATOR, scope="subtree")


def test_a_supervisor_types_the_code_after_the_password(world, frozen_clock):
    enrol(world.supervisor)
    frozen_clock.shift(STEP)  # the enrolment's code is spent; the next step's is fresh
    client = _password(world.supervisor)
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/login/second-factor/?next=%2Fcases%2F"
    # Nor does the API serve a session that has only the password.
    assert client.get("/api/v1/me").status_code == 401

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()

    failed = len(_entries("officer.second_factor_failed"))
    response = client.post(response["Location"], {"code": _wrong(totp_code()), "next": "/cases/"})
    assert response.status_code == 200
    assert 'id="id_code-errors"' in response.content.decode()
    assert _entries("officer.second_factor_failed")[failed:] == [
        {"during": "login", "throttled": False}
    ]
    assert client.get("/cases/").status_code == 302

    frozen_clock.shift(timedelta(seconds=2))  # past django-otp's one-second throttle
    response = client.post("/login/second-factor/", {"code": totp_code(), "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_a_code_already_used_is_refused(world, frozen_clock):
    enrol(world.supervisor)  # the enrolment used this step's code
    client = _password(world.supervisor)
    response = client.post("/login/second-factor/", {"code": totp_code()})
    assert 'id="id_code-errors"' in response.content.decode()
    assert "已被使用" in response.content.decode()  # "already used", in the unit's language
    assert client.get(WORKBENCH).status_code == 302


def test_wrong_codes_in_a_row_are_throttled_and_recorded_so(world, frozen_clock):
    enrol(world.supervisor)
    frozen_clock.shift(STEP)
    code = _wrong(totp_code())
    with pytest.raises(Refused) as refused:
        actions.verify_second_factor(CodeInput(code=code), actor=world.supervisor)
    assert refused.value.field == "code"
    with translation.override("en"), pytest.raises(Refused, match="too many wrong codes"):
        actions.verify_second_factor(CodeInput(code=totp_code()), actor=world.supervisor)
    assert _entries("officer.second_factor_failed")[-1] == {"during": "login", "throttled": True}


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", " "])
def test_a_code_that_is_not_six_digits_is_refused_naming_the_field(code):
    with pytest.raises(Refused) as refused:
        CodeInput(code=code)
    assert refused.value.field == "code"


def test_an_officer_without_a_device_is_sent_to_enrol_and_reaches_nothing_else(world):
    client = _password(world.legal)
    for path in ("/", "/cases/", "/account/tokens/", "/login/second-factor/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/second-factor/"), path

    page = client.get("/account/second-factor/?next=/cases/").content.decode()
    assert "<svg" in page
    key = client.session[PENDING_KEY]
    assert len(key) == 40
    # The secret is shown as text too, for an app that cannot scan.
    secret = page.split('data-testid="enrol-secret">')[1].split("<")[0]
    assert len(secret) == 32

    response = client.post("/account/second-factor/", {"code": _wrong(totp_code(key))})
    assert 'id="id_code-errors"' in response.content.decode()
    assert _entries("officer.second_factor_failed")[-1] == {
        "during": "enrolment",
        "throttled": False,
    }
    assert not TOTPDevice.objects.filter(user=world.legal).exists()

    response = client.post("/account/second-factor/", {"code": totp_code(key), "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    device = TOTPDevice.objects.get(user=world.legal)
    assert device.confirmed
    assert _entries("officer.second_factor_enrolled")[-1]["kind"] == "totp"
    assert client.get("/cases/").status_code == 200
    # Enrolled: the enrolment page sends the officer on; no second device.
    assert client.get("/account/second-factor/").status_code == 302
    # The pages left the officer's Chinese active; the refusal is read in English here.
    with translation.override("en"), pytest.raises(Refused, match="already enrolled"):
        actions.enrol_second_factor(
            CodeInput(code=totp_code(TOTP_KEY)), key=TOTP_KEY, actor=world.legal
        )


def test_an_enrolled_officer_who_logs_in_again_is_asked_for_the_code_not_to_enrol(world):
    enrol(world.leader)
    client = _password(world.leader)
    assert client.get("/account/second-factor/?next=/cases/")["Location"] == (
        "/login/second-factor/?next=%2Fcases%2F"
    )


def test_the_code_page_of_an_officer_without_a_device_sends_to_enrolment(world):
    client = _password(world.leader)
    response = client.get("/login/second-factor/?next=/cases/")
    assert response["Location"] == "/account/second-factor/?next=%2Fcases%2F"


def test_verifying_without_a_device_is_refused_naming_the_code(world):
    with pytest.raises(Refused) as refused:
        actions.verify_second_factor(CodeInput(code="123456"), actor=world.leader)
    assert refused.value.field == "code"


def test_roles_without_the_requirement_are_unaffected(world):
    client = _password(world.handler1)
    assert not needs_second_factor(world.handler1)
    assert client.get("/cases/").status_code == 200
    # The code page sends them on, to a page of ours only.
    response = client.get("/login/second-factor/?next=https://elsewhere.example/")
    assert response["Location"] == WORKBENCH


@pytest.mark.parametrize(
    ("name", "needed"),
    [
        ("leader", True),
        ("legal", True),
        ("supervisor", True),
        ("outsider", True),
        ("intake", False),
        ("handler1", False),
        ("nobody", False),
    ],
)
def test_who_needs_a_second_factor(world, name, needed):
    assert needs_second_factor(getattr(world, name)) is needed


def test_a_superuser_needs_it_while_active(world):
    root = Officer.objects.create_superuser("root", PASSWORD, name="root", badge_number="R-1")
    assert needs_second_factor(root)
    root = Officer.objects.get(pk=root.pk)
    root.is_active = False
    assert not needs_second_factor(root)


def test_an_agency_may_switch_the_requirement_off_and_it_is_recorded(world, admin):
    assert needs_second_factor(Officer.objects.get(pk=world.supervisor.pk))
    actions.set_second_factor(world.city, required=False, actor=admin)
    assert _entries("unit.second_factor_set")[-1] == {"unit": "C1", "required": False}
    supervisor = Officer.objects.get(pk=world.supervisor.pk)
    assert not needs_second_factor(supervisor)
    assert _password(supervisor).get("/cases/").status_code == 200
    # Setting what is already so records nothing.
    before = LedgerEntry.objects.count()
    actions.set_second_factor(world.city, required=False, actor=admin)
    assert LedgerEntry.objects.count() == before
    actions.set_second_factor(world.city, required=True, actor=None)
    assert needs_second_factor(Officer.objects.get(pk=world.supervisor.pk))


def test_the_switch_is_an_agencys_on_its_top_level_unit_by_its_administrator(world, admin):
    with pytest.raises(Refused) as refused:
        actions.set_second_factor(world.station, required=False, actor=admin)
    assert refused.value.field == "unit"
    with pytest.raises(AccessDenied):
        actions.set_second_factor(world.city, required=False, actor=world.supervisor)


def test_a_grant_that_needs_the_factor_takes_effect_on_the_same_officer(world):
    officer = world.handler1
    assert not needs_second_factor(officer)
    actions.grant_role(officer, role=Role.UNIT_LEADER, unit=world.station, actor=None)
    assert needs_second_factor(officer)


def test_api_tokens_are_made_from_a_verified_session_only(world, frozen_clock):
    body = json.dumps({"name": "script"})
    verified = login(world.leader)
    response = verified.post("/api/v1/tokens", body, content_type="application/json")
    assert response.status_code == 201, response.content
    # An API token cannot mint another.
    _token, key = actions.issue_token(TokenInput(name="t"), actor=world.leader)
    response = Client().post(
        "/api/v1/tokens",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 403
    assert "logged-in session" in response.json()["detail"]
    # A session with only the password gets no API at all.
    response = _password(world.leader).post("/api/v1/tokens", body, content_type="application/json")
    assert response.status_code == 401


def test_the_verified_session_gate_refuses_an_unverified_session(world, rf):
    request = rf.post("/account/tokens/")
    request.user = Officer.objects.get(pk=world.leader.pk)
    with pytest.raises(AccessDenied, match="second factor"):
        require_verified_session(request, doing="creating an API token")
    request.user = Officer.objects.get(pk=world.handler1.pk)
    assert require_verified_session(request, doing="creating an API token") == world.handler1


def test_the_enrolment_and_code_pages_read_in_chinese(world, frozen_clock):
    client = _password(world.legal)
    client.cookies["django_language"] = "zh-hans"
    assert "设置第二重验证" in client.get("/account/second-factor/").content.decode()
    enrol(world.leader)
    client = _password(world.leader)
    client.cookies["django_language"] = "zh-hans"
    assert "验证码" in client.get("/login/second-factor/").content.decode()
    refused = client.post("/login/second-factor/", {"code": "12"}).content.decode()
    assert "验证码必须是六位数字" in refused


def test_the_frozen_time_is_what_django_otp_reads(frozen_clock):
    """django-otp reads the time module's clock; the suite's time-machine freeze moves it with
    casetrail's, so a code computed here is the code the server checks."""
    assert int(TOTP(bytes.fromhex(TOTP_KEY)).time) == int(NOW.timestamp())


def test_an_administrator_resets_a_lost_device_and_it_is_recorded(world, admin):
    enrol(world.leader)
    with pytest.raises(AccessDenied):
        actions.reset_second_factor(world.leader, actor=world.supervisor)
    assert actions.reset_second_factor(world.leader, actor=admin) == 1
    entry = LedgerEntry.objects.filter(action="officer.second_factor_reset").get()
    assert entry.actor_id == admin.pk
    with pytest.raises(Refused) as refused:
        actions.reset_second_factor(world.leader, actor=admin)
    assert refused.value.field == "officer"
    # Next login: sent to enrol again.
    assert _password(world.leader).get("/")["Location"].startswith("/account/second-factor/")
