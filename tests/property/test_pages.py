"""The sections property adds to the case page and the person page, in both languages."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login
from tests.property.conftest import Room


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_case_and_the_person_pages_list_the_property(room: Room, language: str) -> None:
    item = room.item(description="黑色手机一部")
    client = login(room.world.handler1, language)
    case_page = client.get(f"/cases/{room.case.number}/").content.decode()
    assert case_page.count('data-testid="case-property"') == 1
    assert item.code in case_page
    person_page = client.get(f"/persons/{room.owner.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", person_page, re.S)
    assert title is not None
    assert item.code not in title.group(1)  # the section is in the page, not in its title
    assert person_page.count('data-testid="person-property"') == 1
    assert item.code in person_page


def test_a_person_with_no_property_has_no_section(room: Room) -> None:
    client = login(room.world.handler1)
    page = client.get(f"/persons/{room.owner.pk}/").content.decode()
    assert 'data-testid="person-property"' not in page
