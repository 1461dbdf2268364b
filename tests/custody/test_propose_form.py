"""The page that proposes a measure offers what the case's rule pack provides, and no more."""

from __future__ import annotations

import pytest

from casetrail.custody.forms import ProposeForm
from casetrail.custody.measures import ADMINISTRATIVE_KINDS, SPECS


@pytest.mark.parametrize(
    ("pack", "offered", "absent"),
    [
        ("cn", {"criminal_detention", "admin_detention"}, {"pace_detention"}),
        ("gb_eng", {"pace_detention"}, {"criminal_detention", "admin_summons"}),
    ],
)
def test_the_proposal_form_offers_the_measures_and_parameters_of_the_case_s_pack(
    pack, offered, absent
):
    """A Chinese handler is not offered PACE's route to the station, an English one not the
    administrative detention days: each sees the measures their pack's statute provides."""
    form = ProposeForm(pack=pack)
    kinds = {value for value, _ in form.fields["kind"].choices}
    assert offered <= kinds
    assert not absent & kinds
    own = {p for s in SPECS.values() if s.pack == pack for p in s.params}
    other = {p for s in SPECS.values() if s.pack != pack for p in s.params} - own
    assert other, "each pack has a parameter the other lacks"
    assert not other & set(form.fields)
    assert own & set(form.fields) == own - {"arrived_at"}  # the arrival is given at the start


@pytest.mark.parametrize(
    ("case_kind", "own"),
    [
        # PSAPL (2012) art. 82: an administrative case's summons is the administrative one.
        ("administrative", ["admin_summons", "admin_detention"]),
        # CPL art. 119: a criminal case's summons is the criminal one.
        ("criminal", ["summons", "compelled_appearance", "criminal_detention", "arrest"]),
    ],
)
def test_the_case_s_own_measures_come_first_and_the_first_is_chosen(case_kind, own):
    form = ProposeForm(pack="cn", case_kind=case_kind)
    values = [value for value, _ in form.fields["kind"].choices]
    first = values[: len(ADMINISTRATIVE_KINDS)] if case_kind == "administrative" else values[:4]
    assert first == own
    assert form.initial["kind"] == own[0]
    assert f'<option value="{own[0]}" selected>' in str(form["kind"])


def test_the_only_suspect_and_the_only_running_measure_are_offered_chosen(scene):
    """The one suspect of a case is chosen on the proposal, and on entering the area the one
    person and the one running measure: the officer confirms rather than picks."""
    from tests.custody.conftest import run_measure
    from tests.custody.test_pages import DETAINED, EVE, login

    s = scene(EVE)
    case = s.world.case()
    person = s.suspect(case, "王五")
    client = login(s.world.handler1)
    page = client.get(f"/custody/cases/{case.pk}/measures/new/").content.decode()
    assert f'<option value="{person.pk}" selected>' in page
    measure = run_measure(s, case, person, "criminal_detention", DETAINED)
    page = client.get(f"/custody/cases/{case.pk}/sessions/new/").content.decode()
    assert f'<option value="{person.pk}" selected>' in page
    assert f'<option value="{measure["id"]}" selected>' in page
    # With a second suspect, nobody is chosen for the officer.
    s.suspect(case, "赵六")
    page = client.get(f"/custody/cases/{case.pk}/measures/new/").content.decode()
    persons = page.split('name="person_id"')[1].split("</select>")[0]
    assert '<option value="" selected>' in persons
    assert persons.count(" selected>") == 1
