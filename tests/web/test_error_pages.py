"""A refusal, an absent page, an expired form and a fault in casetrail each answer with a page
in the officer's language that says what happened and offers a way back, never a bare line of
English or the server's own page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from casetrail.cases.models import Party
from tests.conftest import PASSWORD, login

BACK = 'href="/"'


def test_a_refused_write_shows_the_refusal_and_the_way_back_in_both_languages(world):
    case = world.case()
    address = reverse("cases:case_add_party", args=[case.number])
    body = {"role": "witness", "name": "王五", "id_type": "none"}
    english = login(world.legal, "en").post(address, body)
    assert english.status_code == 403
    page = english.content.decode()
    assert "You may not do this" in page
    assert "only the case&#x27;s handlers" in page  # the action's own reason
    assert "Back to the workbench" in page
    assert BACK in page
    chinese = login(world.legal, "zh-hans").post(address, body)
    assert chinese.status_code == 403
    assert "您无权进行此操作" in chinese.content.decode()
    assert "返回工作台" in chinese.content.decode()
    assert not Party.objects.filter(case=case).exists()


def test_an_absent_page_says_absent_or_not_yours_alike(world):
    case = world.case()
    for officer, where in (
        (world.handler1, "/cases/NO-SUCH-CASE/"),
        (world.outsider, reverse("cases:case_detail", args=[case.number])),
    ):
        answers = [login(officer, lang).get(where) for lang in ("en", "zh-hans")]
        assert [a.status_code for a in answers] == [404, 404]
        assert "nothing you may see" in answers[0].content.decode()
        assert "您无权查看" in answers[1].content.decode()
        assert BACK in answers[0].content.decode()


def test_an_expired_form_says_nothing_was_saved(world):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=world.handler1.username, password=PASSWORD)
    client.cookies["django_language"] = "zh-hans"
    case = world.case()
    answer = client.post(
        reverse("cases:case_add_party", args=[case.number]), {"role": "witness", "name": "王五"}
    )
    assert answer.status_code == 403
    assert "此表单已过期" in answer.content.decode()
    assert not Party.objects.filter(case=case).exists()


@pytest.mark.urls("tests.web.boom_urls")
def test_a_fault_shows_a_page_in_the_officers_language_not_the_servers(world):
    client = login(world.handler1, "zh-hans")
    client.raise_request_exception = False
    answer = client.get("/boom/")
    assert answer.status_code == 500
    page = answer.content.decode()
    assert "系统出现错误" in page
    assert "a fault in a view" not in page  # nothing of the fault is shown
    assert BACK in page


def test_a_form_that_worked_says_so_with_its_ledger_entry_in_both_languages(world):
    from casetrail.ledger.kinds import LedgerKind
    from casetrail.ledger.models import LedgerEntry

    case = world.case()
    address = reverse("cases:case_add_party", args=[case.number])
    for language, done in (("en", "Done: recorded in the ledger as entry"), ("zh-hans", "已完成")):
        client = login(world.handler1, language)
        answer = client.post(address, {"role": "witness", "name": f"证人{language}"}, follow=True)
        added = LedgerEntry.objects.filter(actor=world.handler1, action=LedgerKind.PARTY_ADDED)
        entry = added.order_by("-seq").first()
        assert entry is not None
        page = answer.content.decode()
        assert done in page
        assert f" {entry.seq}" in page  # the entry of the write, not the look that followed it
    refused = login(world.handler1, "en").post(address, {"role": "witness", "name": ""})
    assert refused.status_code == 400
    assert "Done:" not in refused.content.decode()


def test_no_template_comment_reaches_the_page(world):
    """A Django comment written {# … #} over two lines is printed, not hidden."""
    for officer in (world.handler1, world.nobody):
        page = login(officer, "en").get("/").content.decode()
        assert "{#" not in page
        assert "{%" not in page
