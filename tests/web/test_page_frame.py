"""What every officer's page carries around its content: the zone its times are in, and an
icon the browser shows in its tab."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.conftest import login


def test_every_page_says_the_zone_its_times_are_shown_in(world):
    """Times are shown in the officer's unit's zone (web/middleware.py) and labelled with it,
    in the officer's language; before login, in UTC."""
    english = login(world.handler1, "en").get(reverse("cases:workbench")).content.decode()
    assert 'data-testid="time-zone">Times in Asia/Shanghai<' in english
    chinese = login(world.handler1, "zh-hans").get(reverse("cases:workbench")).content.decode()
    assert 'data-testid="time-zone">时间均为 Asia/Shanghai 时区<' in chinese
    assert 'data-testid="time-zone">Times in UTC<' in Client().get("/login/").content.decode()


def test_the_pages_carry_their_icon():
    html = Client().get("/login/").content.decode()
    assert 'rel="icon" href="/static/web/favicon.svg"' in html
    assert finders.find("web/favicon.svg") is not None
