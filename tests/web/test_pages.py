"""Officers' pages: they render, filter, search Chinese substrings, show field errors next
to the field, and refuse what the officer may not see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from casetrail import clock
from casetrail.cases import actions
from casetrail.cases.models import Incident
from casetrail.ledger.models import LedgerEntry
from tests.conftest import login, typed


def test_pages_need_a_login(client, world):
    response = client.get(reverse("cases:case_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


def test_the_workbench_shows_my_cases_and_what_waits(world):
    case = world.case(title="我的案件")
    world.incident(summary="待决定的警情")
    page = login(world.handler1).get("/").content.decode()
    assert case.number in page
    intake_page = login(world.intake).get("/").content.decode()
    assert "待决定的警情" in intake_page


def test_the_leader_sees_cases_waiting_for_approval(world):
    case = world.case()
    actions.transition_case(case, actions.MoveInput(move="start_review"), actor=world.handler1)
    page = login(world.leader, "en").get("/").content.decode()
    assert case.number in page.split("Case moves waiting for my decision")[1]
    assert (
        case.number
        not in login(world.handler2, "en")
        .get("/")
        .content.decode()
        .split("Case moves waiting for my decision")[1]
    )


@pytest.mark.parametrize("term", ["张三", "三丰", "电动车", "000001"])
def test_search_matches_chinese_substrings_names_and_numbers(world, term):
    hit = world.case(summary="小区内电动车被盗")
    actions.add_party(hit, actions.PartyInput(role="victim", name="张三丰"), actor=world.handler1)
    miss = world.case(title="另一案件", summary="手机丢失")
    actions.add_party(miss, actions.PartyInput(role="victim", name="李四"), actor=world.handler1)
    page = login(world.handler1).get(reverse("cases:case_list"), {"q": term}).content.decode()
    assert hit.number in page
    assert miss.number not in page


def test_a_two_character_name_matches_exactly_that_person(world):
    hit = world.case()
    actions.add_party(hit, actions.PartyInput(role="suspect", name="张三"), actor=world.handler1)
    other = world.case()
    actions.add_party(other, actions.PartyInput(role="suspect", name="张四"), actor=world.handler1)
    page = login(world.handler1).get(reverse("cases:case_list"), {"q": "张三"}).content.decode()
    assert hit.number in page
    assert other.number not in page


def test_filters_by_status_kind_and_dates(world):
    criminal = world.case()
    administrative = world.case(kind="administrative")
    client = login(world.handler1)
    page = client.get(reverse("cases:case_list"), {"kind": "administrative"}).content.decode()
    assert administrative.number in page
    assert criminal.number not in page
    page = client.get(
        reverse("cases:case_list"), {"opened_from": "2001-01-01", "opened_to": "2001-12-31"}
    ).content.decode()
    assert criminal.number not in page
    today = clock.today_in("Asia/Shanghai").isoformat()  # the unit's day
    page = client.get(
        reverse("cases:case_list"), {"opened_from": "2001-01-01", "opened_to": today}
    ).content.decode()
    assert criminal.number in page


def test_a_bad_filter_shows_the_error_next_to_the_field(world):
    page = (
        login(world.handler1)
        .get(reverse("cases:case_list"), {"opened_from": "not-a-date"})
        .content.decode()
    )
    assert 'id="id_opened_from-errors"' in page


def test_the_htmx_search_returns_only_the_results_partial(world):
    world.case()
    response = login(world.handler1).get(
        reverse("cases:case_list"), {"q": "电动车"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html


def test_the_case_list_query_count_does_not_grow_with_the_page(
    world, django_assert_max_num_queries
):
    for _ in range(30):
        world.case()
    client = login(world.handler1)
    client.get(reverse("cases:case_list"))  # warm the session
    # 13: the navigation's "awaiting me" count includes the supervision findings (one query).
    with django_assert_max_num_queries(13):
        client.get(reverse("cases:case_list"))


def test_recording_an_incident_shows_the_receipt_and_the_code_once(world):
    client = login(world.intake)
    response = client.post(
        reverse("cases:incident_new"),
        {
            "unit_id": world.station.pk,
            "channel": "walk_in",
            "received_at": typed(clock.now() - timedelta(hours=2)),
            "reporter_name": "王五",
            "location": "东湖路",
            "summary": "自行车被盗",
        },
        follow=True,
    )
    html = response.content.decode()
    incident = Incident.objects.get()
    assert incident.receipt_number in html
    assert 'data-testid="query-code"' in html
    again = client.get(reverse("cases:incident_receipt", args=[incident.pk])).content.decode()
    assert 'data-testid="query-code"' not in again


def test_a_missing_field_shows_its_error_beside_it(world):
    response = login(world.intake).post(
        reverse("cases:incident_new"),
        {
            "unit_id": world.station.pk,
            "channel": "walk_in",
            "received_at": typed(clock.now() - timedelta(hours=2)),
            "reporter_name": "",
            "location": "东湖路",
            "summary": "自行车被盗",
        },
    )
    assert response.status_code == 400
    assert 'id="id_reporter_name-errors"' in response.content.decode()
    assert not Incident.objects.exists()


def test_a_refused_decision_shows_the_reason_beside_the_field(world):
    incident = world.incident()
    response = login(world.intake, "en").post(  # the refusal read in English below
        reverse("cases:incident_detail", args=[incident.pk]),
        {"decision": "registration_review", "handler_ids": [world.handler1.pk, world.lapsed.pk]},
    )
    html = response.content.decode()
    assert 'id="id_handlers-errors"' in html or "qualification expired" in html


def test_the_case_page_records_a_view_and_shows_the_timeline(world):
    case = world.case()
    client = login(world.handler1)
    before = LedgerEntry.objects.filter(action="viewed").count()
    html = client.get(reverse("cases:case_detail", args=[case.number])).content.decode()
    assert LedgerEntry.objects.filter(action="viewed").count() == before + 1
    assert "受案" in html
    assert 'data-move="start_review"' in html


def test_a_move_button_works_with_and_without_htmx(world):
    case = world.case()
    client = login(world.handler1, "en")  # to read the refusal below in English
    response = client.post(reverse("cases:case_move", args=[case.number]), {"move": "start_review"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "registration_review"
    response = client.post(
        reverse("cases:case_move", args=[case.number]),
        {"move": "investigate"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "only possible from" in response.content.decode()


def test_a_case_outside_the_grants_is_404_and_unlogged(world):
    case = world.case()
    client = login(world.outsider)  # a unit leader: enrolled in the second factor first
    before = LedgerEntry.objects.count()
    response = client.get(reverse("cases:case_detail", args=[case.number]))
    assert response.status_code == 404
    assert LedgerEntry.objects.count() == before


def test_the_person_page_is_traced(world):
    case = world.case()
    party = actions.add_party(
        case, actions.PartyInput(role="victim", name="赵六"), actor=world.handler1
    )
    client = login(world.handler1)
    assert client.get(reverse("cases:person_detail", args=[party.person_id])).status_code == 200
    assert LedgerEntry.objects.filter(action="viewed", subject_type="person").count() == 1
    assert (
        login(world.outsider)
        .get(reverse("cases:person_detail", args=[party.person_id]))
        .status_code
        == 404
    )


def test_the_language_defaults_from_the_unit_pack_and_can_be_switched(world):
    client = login(world.handler1)
    assert "工作台" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Workbench" in client.get("/").content.decode()


def test_english_units_default_to_english(world):
    from tests.conftest import make_officer, make_unit

    suite = make_unit("GB1", pack="gb_eng", timezone="Europe/London")
    sergeant = make_officer("sgt", suite, "intake_officer")
    assert "Workbench" in login(sergeant).get("/").content.decode()


def test_tokens_are_issued_once_and_revoked(world):
    client = login(world.handler1)
    html = client.post(reverse("org:tokens"), {"name": "laptop"}).content.decode()
    assert 'data-testid="new-token"' in html
    token = world.handler1.tokens.get()
    client.post(reverse("org:tokens"), {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_incident_list_filters_by_status(world):
    waiting = world.incident(summary="等待处理")
    done = world.incident(summary="已经处理")
    actions.decide_incident(
        done, actions.IncidentDecisionInput(decision="mediation"), actor=world.intake
    )
    page = login(world.intake).get(reverse("cases:incident_list"), {"status": "received"})
    html = page.content.decode()
    assert waiting.receipt_number in html
    assert done.receipt_number not in html


def test_deciding_an_incident_in_the_ui_opens_the_case(world):
    incident = world.incident()
    response = login(world.intake).post(
        reverse("cases:incident_detail", args=[incident.pk]),
        {
            "decision": "registration_review",
            "category": "CR-THEFT",
            "handler_ids": [world.handler1.pk, world.handler2.pk],
        },
    )
    incident.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[incident.case.number])


def test_a_no_case_decision_returns_to_the_incident(world):
    incident = world.incident()
    response = login(world.intake).post(
        reverse("cases:incident_detail", args=[incident.pk]),
        {"decision": "no_case", "reason": "民事纠纷", "notify_method": "电话"},
    )
    assert response["Location"] == reverse("cases:incident_detail", args=[incident.pk])


def test_an_officer_without_intake_rights_cannot_decide(world):
    incident = world.incident()
    response = login(world.legal).post(
        reverse("cases:incident_detail", args=[incident.pk]), {"decision": "mediation"}
    )
    assert response.status_code == 403


def test_adding_a_party_in_the_ui_shows_errors_beside_the_field(world):
    case = world.case()
    client = login(world.handler1)
    bad = client.post(
        reverse("cases:case_add_party", args=[case.number]),
        {"role": "victim", "name": "王五", "id_type": "passport"},
    )
    assert bad.status_code == 400
    assert 'id="id_id_number-errors"' in bad.content.decode()
    good = client.post(
        reverse("cases:case_add_party", args=[case.number]),
        {"role": "victim", "name": "王五", "id_type": "none"},
    )
    assert good.status_code == 302
    assert case.parties.count() == 1


def test_revoking_a_token_that_is_not_yours_is_404(world):
    response = login(world.handler1).post(reverse("org:tokens"), {"revoke": "99999"})
    assert response.status_code == 404


def test_a_handler_is_assigned_and_released_in_the_ui(world):
    case = world.case()
    client = login(world.handler1, "en")
    page = client.get(reverse("cases:case_detail", args=[case.number])).content.decode()
    assert "Assign handler" in page
    assert 'data-release="' not in page  # two handlers: none can be released yet
    response = client.post(
        reverse("cases:case_handlers", args=[case.number]), {"officer_id": world.leader.pk}
    )
    assert response.status_code == 302
    page = client.get(reverse("cases:case_detail", args=[case.number])).content.decode()
    assert f'data-release="{world.handler2.pk}"' in page
    refused = client.post(
        reverse("cases:case_handlers", args=[case.number]),
        {"officer_id": world.handler2.pk, "release": "on", "reason": " "},
    )
    assert refused.status_code == 400
    assert 'data-testid="release-error"' in refused.content.decode()
    done = client.post(
        reverse("cases:case_handlers", args=[case.number]),
        {"officer_id": world.handler2.pk, "release": "on", "reason": "调岗"},
    )
    assert done.status_code == 302
    assert case.handlers.filter(released_at__isnull=True).count() == 2


def test_a_lapsed_handler_is_refused_beside_the_field(world):
    case = world.case()
    response = login(world.handler1).post(
        reverse("cases:case_handlers", args=[case.number]), {"officer_id": world.lapsed.pk}
    )
    assert response.status_code == 400
    assert 'id="id_officer_id-errors"' in response.content.decode()


def test_readers_see_no_handler_forms(world):
    case = world.case()
    page = (
        login(world.supervisor, "en")
        .get(reverse("cases:case_detail", args=[case.number]))
        .content.decode()
    )
    assert "Assign handler" not in page


def test_the_add_party_form_is_offered_only_to_whoever_may_add_one(world):
    case = world.case()
    address = reverse("cases:case_detail", args=[case.number])
    form = f'action="{reverse("cases:case_add_party", args=[case.number])}"'
    assert form in login(world.handler1).get(address).content.decode()
    for reader in (world.legal, world.supervisor):  # they read the case, and change nothing
        page = login(reader).get(address)
        assert page.status_code == 200
        assert form not in page.content.decode()


def test_the_workbench_pages_each_list_instead_of_stopping_at_twenty(world, frozen_clock):
    made = []
    for n in range(45):
        frozen_clock.shift(60)  # one a minute: the newest first
        made.append(world.case(title=f"案件{n:02d}").number)
    world.incident(summary="待决定的警情")
    client = login(world.handler1, "en")
    first = client.get("/").content.decode()
    assert all(number in first for number in made[-20:])
    assert made[-21] not in first
    assert '<span class="count">45</span>' in first
    assert "Page 1 of 3" in first
    last = client.get("/", {"mine": "3", "incidents": "1"}).content.decode()
    assert all(number in last for number in made[:5])
    assert made[5] not in last
    assert "?incidents=1&mine=2" in last  # back a page, the other list kept where it was
    for hostile in ("0", "-1", "x", "99999999999999999999"):
        assert client.get("/", {"mine": hostile}).status_code == 200


def test_every_move_asks_before_it_is_made_in_the_officers_language(world):
    case = world.case()
    address = reverse("cases:case_detail", args=[case.number])
    english = login(world.handler1, "en").get(address).content.decode()
    assert (
        'data-confirm="Start registration review: the case becomes “registration review”, '
        'and this cannot be undone. Continue?"'
    ) in english
    chinese = login(world.handler1, "zh-hans").get(address).content.decode()
    assert 'data-confirm="开始立案审查：案件将变为“立案审查”，且无法撤回。是否继续？"' in chinese
