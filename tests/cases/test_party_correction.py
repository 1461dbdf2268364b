"""Correcting a party's particulars: a misspelt name, a mistyped number, a birth date left out.

Neither the pages nor the API could change a party once added. The correction is checked as
the party was (the resident ID's GB 11643-1999 check, the birth date it carries), changes the
person's one record in every case they are a party to (so the officer must be able to change
each), leaves an entry for the person and one in each case's history, and seals a case whose
suspect turns out a minor (CPL Art. 286), as adding such a suspect does.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from casetrail import clock
from casetrail.cases import actions, inputs, queries
from casetrail.cases.identity import resident_id
from casetrail.cases.models import Party, Person
from casetrail.ledger.audit import verify_ledger
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.state import reconcile
from tests.api.conftest import ApiClient
from tests.conftest import login


def _party(world, case, role="victim", **given):
    data = actions.PartyInput(role=role, **({"name": "王小明"} | given))
    return actions.add_party(case, data, actor=world.handler1)


def _correction(**given):
    return actions.PartyCorrectionInput(**({"name": "王小明", "reason": "笔误"} | given))


def test_a_misspelt_name_is_corrected_and_found_by_the_search_under_the_right_one(world):
    case = world.case()
    party = _party(world, case, name="王小名")
    before = LedgerEntry.objects.count()
    actions.correct_party(case, party.pk, _correction(name="王小明"), actor=world.handler1)
    person = Person.objects.get(pk=party.person_id)
    assert person.name == "王小明"
    found = queries.case_list(world.handler1, inputs.CaseFilterInput(q="王小明"))
    assert [c.pk for c in found] == [case.pk]
    assert not queries.case_list(world.handler1, inputs.CaseFilterInput(q="王小名")).exists()
    entries = list(LedgerEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in entries] == [LedgerKind.PERSON_CORRECTED, LedgerKind.PARTY_CORRECTED]
    assert verify_ledger(checkpoint=False).ok
    assert reconcile().findings == []


def test_a_birth_date_that_makes_the_suspect_a_minor_seals_the_case(world):
    """CPL Art. 286: a suspect under 18 on the event date seals the case, whenever the date
    becomes known."""
    case = world.case()
    party = _party(world, case, role="suspect", name="小刚")
    assert not party.juvenile
    born = date(clock.today_in("Asia/Shanghai").year - 16, 1, 1)
    number = resident_id("110101", born, 123)
    corrected = actions.correct_party(
        case,
        party.pk,
        _correction(name="小刚", id_type="resident_id", id_number=number),
        actor=world.handler1,
    )
    case.refresh_from_db()
    assert corrected.juvenile
    assert corrected.person.birth_date == born  # read from the card
    assert case.sealed
    sealed = LedgerEntry.objects.filter(action=LedgerKind.PARTY_CORRECTED).get()
    assert '"sealed":true' in sealed.payload
    assert reconcile().findings == []


def test_a_mistyped_resident_id_is_refused_beside_the_number_and_nothing_changes(world):
    case = world.case()
    party = _party(world, case)
    before = LedgerEntry.objects.count()
    number = resident_id("110101", date(1990, 3, 7), 5)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(actions.CaseError, match="does not check") as refused:
        actions.correct_party(
            case,
            party.pk,
            _correction(id_type="resident_id", id_number=wrong),
            actor=world.handler1,
        )
    assert refused.value.field == "id_number"
    assert Person.objects.get(pk=party.person_id).id_number == ""
    assert LedgerEntry.objects.count() == before


def test_another_persons_document_number_is_refused(world):
    case = world.case()
    number = resident_id("110101", date(1990, 3, 7), 5)
    _party(world, case, name="李四", id_type="resident_id", id_number=number)
    party = _party(world, case, role="witness", name="王小明")
    with pytest.raises(actions.CaseError, match="another person") as refused:
        actions.correct_party(
            case,
            party.pk,
            _correction(id_type="resident_id", id_number=number),
            actor=world.handler1,
        )
    assert refused.value.field == "id_number"


def test_a_person_in_a_case_the_officer_may_not_change_is_refused(world):
    """The record is one for every case: an officer may not rewrite it under another unit's
    case; that case's handlers correct it there."""
    case, elsewhere = world.case(), world.case(elsewhere=True)
    passport = {"id_type": "passport", "id_number": "E12345678"}
    party = _party(world, case, **passport)
    there = actions.add_party(  # the same passport: the same person
        elsewhere,
        actions.PartyInput(role="witness", name="王小明", **passport),
        actor=world.outsider,
    )
    assert there.person_id == party.person_id
    with pytest.raises(actions.CaseError, match="may not change") as refused:
        actions.correct_party(
            case, party.pk, _correction(name="王晓明", **passport), actor=world.handler1
        )
    assert refused.value.field == "name"
    assert Person.objects.get(pk=party.person_id).name == "王小明"


def test_a_correction_that_changes_nothing_says_so(world):
    case = world.case()
    party = _party(world, case)
    with pytest.raises(actions.CaseError, match="nothing differs"):
        actions.correct_party(case, party.pk, _correction(), actor=world.handler1)


def test_a_party_of_another_case_is_not_found_through_this_one(world):
    case, other = world.case(), world.case()
    party = _party(world, other)
    with pytest.raises(actions.NotFound):
        actions.correct_party(case, party.pk, _correction(name="王晓明"), actor=world.handler1)


def test_the_page_offers_the_form_filled_in_and_corrects(world):
    case = world.case()
    party = _party(world, case, name="王小名", contact="13800000000")
    client = login(world.handler1, "zh-hans")
    detail = client.get(reverse("cases:case_detail", args=[case.number])).content.decode()
    address = reverse("cases:party_correct", args=[case.number, party.pk])
    assert f'href="{address}"' in detail
    form = client.get(address).content.decode()
    assert 'value="王小名"' in form
    assert 'value="13800000000"' in form
    refused = client.post(address, {"name": "王小明", "id_type": "none", "reason": ""})
    assert refused.status_code == 400
    assert 'id="id_reason-errors"' in refused.content.decode()
    done = client.post(
        address,
        {"name": "王小明", "id_type": "none", "contact": "13800000000", "reason": "笔误"},
    )
    assert done.status_code == 302
    assert Person.objects.get(pk=party.person_id).name == "王小明"


def test_only_who_may_write_the_case_is_offered_the_correction(world):
    case = world.case()
    party = _party(world, case)
    address = reverse("cases:party_correct", args=[case.number, party.pk])
    reader = login(world.legal).get(reverse("cases:case_detail", args=[case.number]))
    assert address not in reader.content.decode()
    assert login(world.legal).get(address).status_code in (403, 404)
    assert login(world.outsider).get(address).status_code == 404


def test_the_api_corrects_and_answers_with_the_case(world):
    case = world.case()
    party = _party(world, case, name="王小名")
    response = ApiClient(world.handler1).post(
        f"/cases/{case.pk}/parties/{party.pk}", {"name": "王小明", "reason": "笔误"}
    )
    assert response.status_code == 200, response.content
    names = [p["name"] for p in response.json()["parties"]]
    assert names == ["王小明"]
    assert Party.objects.get(pk=party.pk).person.name == "王小明"


def test_the_record_is_corrected_in_every_case_of_the_person(world):
    """Two cases of the same handler share the person: one correction, the person's entry,
    and an entry in each case's history."""
    first, second = world.case(), world.case()
    passport = {"id_type": "passport", "id_number": "E12345678"}
    party = _party(world, first, name="王小名", **passport)
    again = _party(world, second, role="witness", name="王小名", **passport)
    twice = _party(world, first, role="witness", name="王小名", **passport)  # two roles here
    assert again.person_id == twice.person_id == party.person_id
    actions.correct_party(
        first, party.pk, _correction(name="王小明", **passport), actor=world.handler1
    )
    corrected = LedgerEntry.objects.filter(action=LedgerKind.PARTY_CORRECTED).order_by("seq")
    # One entry a case, naming every role the person has in it.
    assert [int(e.subject_id) for e in corrected] == [first.pk, second.pk]
    assert '"roles":["victim","witness"]' in corrected[0].payload
    assert LedgerEntry.objects.filter(action=LedgerKind.PERSON_CORRECTED).count() == 1
    for case in (first, second):
        found = queries.case_list(world.handler1, inputs.CaseFilterInput(q="王小明"))
        assert case.pk in {c.pk for c in found}


def test_every_entry_the_case_actions_write_is_named_in_chinese_on_the_timeline():
    """The timeline named the correction "a party's particulars corrected" on a Chinese page:
    each kind cases/actions.py records has its Chinese name."""
    import re
    from pathlib import Path

    from django.utils import translation

    from casetrail.cases.templatetags.cases_tags import action_label

    source = Path(actions.__file__).read_text(encoding="utf-8")
    kinds = {getattr(LedgerKind, name) for name in re.findall(r"LedgerKind\.([A-Z_]+)", source)}
    assert LedgerKind.PARTY_CORRECTED in kinds
    with translation.override("zh-hans"):
        unnamed = [k for k in kinds if action_label(k) == str(k.label)]
    assert unnamed == []
