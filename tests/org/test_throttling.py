"""Issue 16: guessing is slowed. The login page locks a username at an address out after
five wrong passwords (django-axes), with a translated message and for a cool-off period; the
API refuses bearer tokens from an address after too many wrong ones (429, Retry-After)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from tests.api.conftest import ApiClient
from tests.conftest import PASSWORD, enrol

WRONG = "not-the-password"


def attempt(client: Client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def logged_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_five_wrong_passwords_lock_the_username_at_the_address_out(world):
    """The fifth wrong password's answer already says so; the sixth attempt is refused."""
    client = Client()
    for _ in range(4):
        response = attempt(client, world.handler1.username, WRONG)
        assert response.status_code == 200  # the form again, with its error
    assert attempt(client, world.handler1.username, WRONG).status_code == 429
    locked = attempt(client, world.handler1.username, WRONG)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert AccessAttempt.objects.filter(username=world.handler1.username).exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            "Too many failed logins for this username from this address. Try again in 15 minutes",
        ),
        ("zh-hans", "登录失败次数过多。请 15 分钟后再试"),
    ],
)
def test_the_right_password_is_refused_while_locked_with_a_message(world, language, words):
    client = Client()
    client.cookies["django_language"] = language
    for _ in range(6):
        attempt(client, world.handler1.username, WRONG)
    response = attempt(client, world.handler1.username, PASSWORD)
    assert response.status_code == 429
    assert words in response.content.decode()
    assert not logged_in(client)


def test_a_lockout_holds_one_username_at_one_address(world):
    for _ in range(6):
        attempt(Client(), world.handler1.username, WRONG)
    # Another officer from the same address, and the same officer from another, still log in.
    other = Client()
    assert attempt(other, world.handler2.username, PASSWORD).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert attempt(elsewhere, world.handler1.username, PASSWORD).status_code == 302


def test_a_lockout_expires_after_the_cool_off(world, frozen_clock):
    client = Client()
    for _ in range(6):
        attempt(client, world.handler1.username, WRONG)
    frozen_clock.shift(timedelta(minutes=14))
    assert attempt(client, world.handler1.username, PASSWORD).status_code == 429
    frozen_clock.shift(timedelta(minutes=2))
    assert attempt(client, world.handler1.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_lockout_is_visible_to_the_administrator(world, admin_user):
    for _ in range(6):
        attempt(Client(), world.handler1.username, WRONG)
    admin = Client()  # a superuser's session, verified with its second factor
    admin.force_login(admin_user)
    session = admin.session
    session[DEVICE_ID_SESSION_KEY] = enrol(admin_user).persistent_id
    session.save()
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert world.handler1.username in page.content.decode()


def test_wrong_tokens_from_one_address_are_refused_429_after_the_limit(world, caplog):
    stranger = ApiClient(None)
    stranger.headers["Authorization"] = "Bearer ct_not-a-real-token"
    answers = [stranger.get("/cases").status_code for _ in range(25)]
    assert answers[:20] == [401] * 20
    assert answers[20:] == [429] * 5
    throttled = stranger.get("/cases")
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["detail"].startswith("too many failed API tokens")
    assert "refused API token" in caplog.text
    # Even the right token waits out the window from that address ...
    good = ApiClient(world.handler1)
    assert good.get("/cases").status_code == 429
    # ... and not from another one.
    good.client = Client(REMOTE_ADDR="10.9.8.7")
    assert good.get("/cases").status_code == 200


def test_the_token_window_ends(world, frozen_clock):
    stranger = ApiClient(None)
    stranger.headers["Authorization"] = "Bearer ct_not-a-real-token"
    for _ in range(21):
        stranger.get("/cases")
    retry = int(stranger.get("/cases")["Retry-After"])
    frozen_clock.shift(timedelta(seconds=retry))
    assert stranger.get("/cases").status_code == 401
    assert ApiClient(world.handler1).get("/cases").status_code == 200
