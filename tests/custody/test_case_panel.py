"""The officer's day without detours (issue 15): the case page shows the case's measures and
stays in the case-handling area, with the ways in offered only to whoever may use them; a
measure's and a stay's pages lead back to the case; a measure's page lists its documents."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from casetrail.custody.models import CustodySession
from casetrail.custody.queries import interview_kind
from casetrail.documents.models import Document
from tests.conftest import login
from tests.custody.conftest import SHANGHAI, run_measure

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)


def _held(s, case=None, name="张三", birth_date=date(1990, 5, 1)):
    """A running detention in a case, and its person brought into the area."""
    case = case or s.world.case()
    person = s.suspect(case, name, birth_date=birth_date)
    measure = run_measure(s, case, person, "criminal_detention", DETAINED)
    s.at(DETAINED + timedelta(minutes=30))
    response = login(s.custody).post(
        f"/custody/cases/{case.pk}/sessions/new/",
        {
            "person_id": person.pk,
            "measure_id": measure["id"],
            "entered_at": "2026-09-30T20:20",
            "escort_ids": [s.world.handler1.pk, s.world.handler2.pk],
            "reason": "带入办案区",
        },
    )
    assert response.status_code == 302, response.content.decode()
    case.refresh_from_db()
    return case, measure["id"], CustodySession.objects.get(case=case).pk


def test_the_case_page_lists_custody_and_offers_the_ways_in_to_its_handler(scene):
    s = scene(EVE)
    case, measure_id, session_id = _held(s)
    page = login(s.world.handler1, "en").get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="case-custody"' in page
    assert f'href="/custody/measures/{measure_id}/"' in page
    assert "criminal detention" in page
    assert f'href="/custody/sessions/{session_id}/"' in page
    assert f'href="/custody/cases/{case.pk}/measures/new/"' in page
    assert f'href="/custody/cases/{case.pk}/sessions/new/"' in page
    assert "Bring a person into the case-handling area" in page


def test_a_reader_who_may_not_write_sees_custody_but_no_way_in(scene):
    s = scene(EVE)
    case, measure_id, session_id = _held(s)
    page = login(s.world.supervisor).get(f"/cases/{case.number}/").content.decode()
    assert f'href="/custody/measures/{measure_id}/"' in page
    assert f'href="/custody/sessions/{session_id}/"' in page
    assert "/measures/new/" not in page
    assert "/sessions/new/" not in page
    # and the links it would have offered are refused to them
    supervisor = login(s.world.supervisor)
    assert supervisor.get(f"/custody/cases/{case.pk}/measures/new/").status_code in (403, 404)
    assert supervisor.get(f"/custody/cases/{case.pk}/sessions/new/").status_code in (403, 404)


def test_a_case_without_custody_offers_the_ways_in_only_to_its_writers(scene):
    s = scene(EVE)
    case = s.world.case()
    handler = login(s.world.handler1).get(f"/cases/{case.number}/").content.decode()
    assert f'href="/custody/cases/{case.pk}/measures/new/"' in handler
    reader = login(s.world.supervisor).get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="case-custody"' not in reader


def test_a_sealed_case_shows_its_custody_only_to_who_may_see_the_case(scene):
    s = scene(EVE)
    sealed = s.world.case(title="少年案")
    case, measure_id, _ = _held(s, sealed, "小明", birth_date=date(2012, 1, 1))
    assert case.sealed
    # The unit's intake officer reads its open cases, not a sealed one: no page, no panel.
    assert login(s.world.intake).get(f"/cases/{case.number}/").status_code == 404
    page = login(s.world.supervisor).get(f"/cases/{case.number}/").content.decode()
    assert f'href="/custody/measures/{measure_id}/"' in page
    assert "/measures/new/" not in page
    # The custody officer keeps the person but does not read the sealed case: the measure's
    # page names the case without a link that would refuse.
    assert login(s.custody).get(f"/cases/{case.number}/").status_code == 404
    measure_page = login(s.custody).get(f"/custody/measures/{measure_id}/")
    assert measure_page.status_code == 200
    assert case.number in measure_page.content.decode()
    assert f'href="/cases/{case.number}/"' not in measure_page.content.decode()


def test_the_measure_and_session_pages_link_the_case_and_the_measure_s_documents(scene):
    s = scene(EVE)
    case, measure_id, session_id = _held(s)
    client = login(s.world.handler1)
    case_link = f'href="/cases/{case.number}/"'
    measure_page = client.get(f"/custody/measures/{measure_id}/").content.decode()
    assert case_link in measure_page
    documents = Document.objects.filter(measure_id=measure_id)
    assert documents.exists()  # the detention warrant, drafted with the proposal
    assert 'data-testid="measure-documents"' in measure_page
    for doc in documents:
        assert f'href="/documents/{doc.pk}/"' in measure_page
    session_page = client.get(f"/custody/sessions/{session_id}/").content.decode()
    assert case_link in session_page


def test_the_interview_offers_the_person_s_own_kind_chosen(scene):
    """CPL art. 118: a criminal suspect is interrogated (讯问); PSAPL (2012) art. 83: a person of
    an administrative case is questioned (询问). The session's interview form chooses it."""
    s = scene(EVE)
    _, _, session_id = _held(s)
    page = login(s.world.handler1).get(f"/custody/sessions/{session_id}/").content.decode()
    assert '<option value="interrogation" selected>' in page
    held = CustodySession.objects.get(pk=session_id)
    assert interview_kind(held) == "interrogation"
    # The same person in an administrative case (a stay not saved: the ledger keeps the real
    # one's case) is questioned.
    administrative = s.world.case(kind="administrative")
    assert interview_kind(CustodySession(case=administrative, person=held.person)) == "inquiry"


def _investigating(s, case):
    from casetrail.cases import actions as case_actions

    for move in ("start_review", "register", "investigate"):
        actor = s.world.leader if move in case_actions.APPROVAL_MOVES else s.world.handler1
        case_actions.transition_case(case, case_actions.MoveInput(move=move), actor=actor)


def test_the_investigation_is_not_concluded_while_custody_holds_something_open(scene):
    """CPL Art. 91: a criminal detention ends in the arrest decision or a release; Art. 162:
    the concluded case goes on to the procuratorate. Concluding is refused, listing the running
    detention and the person still in the area, until both are over."""
    s = scene(EVE)
    case = s.world.case()
    _investigating(s, case)
    case, _, session_id = _held(s, case, "钱七")
    client = login(s.world.handler1, "en")
    refused = client.post(f"/cases/{case.number}/move/", {"move": "conclude"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "CPL Art. 91, 162" in html
    assert "the criminal detention of 钱七 is still running" in html
    assert "钱七 is still in the case-handling area" in html
    case.refresh_from_db()
    assert case.status == "investigating"
    s.at(DETAINED + timedelta(hours=3))
    exited = client.post(
        f"/custody/sessions/{session_id}/exit/",
        {"exited_at": "2026-09-30T22:30", "destination": "released"},
    )
    assert exited.status_code == 302, exited.content.decode()[:3000]
    case.refresh_from_db()
    # The suspect has no identity document (CPL Art. 160): the search for it is the reason.
    reason = "身份无法查明，指纹比对无结果"
    concluded = client.post(f"/cases/{case.number}/move/", {"move": "conclude", "reason": reason})
    assert concluded.status_code == 302, concluded.content.decode()[:400]
    case.refresh_from_db()
    assert case.status == "concluded"
