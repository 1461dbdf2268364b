"""The resident identity card number (公民身份号码) is checked as GB 11643-1999 defines it:
18 characters, a province's address code (GB/T 2260), the birth date, a sequence and an
ISO 7064 MOD 11-2 check character; a party's birth date comes from it when none is typed, so a
suspect under 18 by their card seals the case (CPL Art. 286) even when the officer typed no
date."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from casetrail import clock
from casetrail.cases import actions
from casetrail.cases.identity import (
    PROVINCES,
    BadResidentId,
    check_character,
    read_resident_id,
    resident_id,
)
from casetrail.cases.models import Party, Person
from casetrail.errors import Refused
from casetrail.ledger.models import LedgerEntry
from tests.api.conftest import ApiClient
from tests.conftest import login

# A number as printed on a real-format card (Beijing, Dongcheng; born 1990-03-07).
GOOD = "110101199003077539"


def test_a_good_number_is_read_with_its_birth_date():
    card = read_resident_id(GOOD)
    assert card.number == GOOD
    assert card.birth_date == date(1990, 3, 7)


def test_spaces_and_a_lower_case_x_are_what_the_officer_typed_not_a_mistake():
    first17 = "44030119851231008"
    assert check_character(first17) == "X"  # a weighted sum of 2 mod 11 checks with X
    card = read_resident_id(f" {first17[:6]} {first17[6:14]} {first17[14:]}x ")
    assert card.number == first17 + "X"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("110101900307753", "has 18 characters (this one has 15)"),  # a first-generation card
        ("1101011990030775391", "has 18 characters (this one has 19)"),
        ("", "has 18 characters (this one has 0)"),
        ("11010119900307A539", "the first 17 characters of a resident ID number are digits"),
        ("１１０１０１１９９００３０７７５３９", "are digits"),  # full-width digits
        ("990101199003077539", "99 is no province's code"),
        ("110101199002300000", "19900230 (digits 7 to 14) is not a date of birth"),
        ("110101189912310000", "1899-12-31 (digits 7 to 14) is too early"),
        ("110101199003077538", "(it would be 9): a character is mistyped"),
        ("11010119900307753X", "(it would be 9)"),
    ],
)
def test_a_number_that_cannot_be_one_is_refused_saying_why(typed, says):
    with pytest.raises(BadResidentId, match=re.escape(says)):
        read_resident_id(typed)


addresses = st.builds(
    lambda province, rest: f"{province}{rest:04d}",
    st.sampled_from(sorted(PROVINCES)),
    st.integers(0, 9999),
)
births = st.dates(date(1900, 1, 1), date(2099, 12, 31))
numbers = st.builds(resident_id, addresses, births, st.integers(0, 999))


@given(address=addresses, born=births, sequence=st.integers(0, 999))
def test_every_number_made_by_the_rule_reads_back_with_its_birth_date(address, born, sequence):
    card = read_resident_id(resident_id(address, born, sequence))
    assert card.birth_date == born
    assert card.number[:6] == address


@given(number=numbers, at=st.integers(0, 17), data=st.data())
def test_any_one_mistyped_character_is_caught(number, at, data):
    # ISO 7064 MOD 11-2 catches every single substitution: the weights are powers of 2 mod 11,
    # never 0, and a digit changes by less than 11.
    choices = "0123456789X" if at == 17 else "0123456789"
    typo = data.draw(st.sampled_from([c for c in choices if c != number[at]]))
    with pytest.raises(BadResidentId):
        read_resident_id(number[:at] + typo + number[at + 1 :])


@given(number=numbers, at=st.integers(0, 15))
def test_any_two_neighbouring_digits_swapped_are_caught(number, at):
    # Neighbouring weights differ by a power of 2 (never 0 mod 11), so a swap of two different
    # digits changes the sum.
    swapped = number[:at] + number[at + 1] + number[at] + number[at + 2 :]
    if swapped != number:
        with pytest.raises(BadResidentId):
            read_resident_id(swapped)


# -- a party recorded with one --------------------------------------------------------------


def _party(world, case, **given):
    data = actions.PartyInput(role="suspect", name="小刚", id_type="resident_id", **given)
    return actions.add_party(case, data, actor=world.handler1)


def test_a_mistyped_number_is_refused_naming_the_field_and_nothing_is_written(world):
    case = world.case()
    people, entries = Person.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(actions.CaseError, match="mistyped") as refused:
        _party(world, case, id_number=GOOD[:-1] + "8")
    assert refused.value.field == "id_number"
    assert (Person.objects.count(), LedgerEntry.objects.count()) == (people, entries)
    assert not case.parties.exists()


def test_the_number_is_stored_as_the_card_prints_it_and_found_again_as_typed(world):
    first = _party(world, world.case(), id_number="440301 19851231 008x")
    again = _party(world, world.case(), id_number="44030119851231008X")
    assert first.person.id_number == "44030119851231008X"
    assert first.person.birth_date == date(1985, 12, 31)
    assert again.person_id == first.person_id


def test_a_suspect_under_18_by_their_card_seals_the_case_with_no_date_typed(world):
    """CPL Art. 286: the records of a juvenile sentenced to five years or less are sealed;
    casetrail seals the case as soon as a suspect under 18 on the event date is a party."""
    case = world.case()
    today = clock.today_in("Asia/Shanghai")
    born = date(today.year - 16, 1, 1)
    party = _party(world, case, id_number=resident_id("110101", born, 123))
    case.refresh_from_db()
    assert party.person.birth_date == born
    assert party.juvenile
    assert case.sealed


def test_a_typed_birth_date_must_agree_with_the_card(world):
    case = world.case()
    with pytest.raises(actions.CaseError, match=r"differs .* \(1990-03-07\)") as refused:
        _party(world, case, id_number=GOOD, birth_date=date(1990, 7, 3))
    assert refused.value.field == "birth_date"
    assert _party(world, case, id_number=GOOD, birth_date=date(1990, 3, 7)).person_id


def test_a_card_born_after_the_event_is_refused_naming_the_number(world):
    case = world.case()
    tomorrow = clock.today_in("Asia/Shanghai") + timedelta(days=2)
    with pytest.raises(actions.CaseError, match="after the event") as refused:
        _party(world, case, id_number=resident_id("110101", tomorrow, 1))
    assert refused.value.field == "id_number"


def test_other_documents_keep_their_own_formats(world):
    data = actions.PartyInput(role="witness", name="John Smith", id_type="passport", id_number="X1")
    party = actions.add_party(world.case(), data, actor=world.handler1)
    assert party.person.id_number == "X1"


def test_both_doors_put_the_refusal_beside_the_number(world):
    case = world.case()
    body = {"role": "victim", "name": "王五", "id_type": "resident_id", "id_number": "12345"}
    answer = ApiClient(world.handler1).post(f"/cases/{case.number}/parties", body)
    assert answer.status_code == 400
    assert answer.json()["field"] == "id_number"
    assert "18 characters" in answer.json()["detail"]
    # The refusal is in the officer's language: English asked for, to read it here.
    page = login(world.handler1, "en").post(
        reverse("cases:case_add_party", args=[case.number]), body
    )
    assert page.status_code == 400
    assert 'id="id_id_number-errors"' in page.content.decode()
    assert "18 characters" in page.content.decode()
    assert not Party.objects.filter(case=case).exists()


def test_a_number_known_under_another_name_is_refused_without_showing_that_name(world):
    known = _party(world, world.case(), id_number=GOOD)
    other = world.case()
    people, entries = Person.objects.count(), LedgerEntry.objects.count()
    data = actions.PartyInput(role="victim", name="王五", id_type="resident_id", id_number=GOOD)
    with pytest.raises(actions.CaseError, match="another name") as refused:
        actions.add_party(other, data, actor=world.handler2)
    assert refused.value.field == "id_number"
    assert known.person.name not in str(refused.value)
    assert (Person.objects.count(), LedgerEntry.objects.count()) == (people, entries)


def test_the_same_name_spaced_or_cased_otherwise_is_the_same_person(world):
    def witness(name: str) -> Party:
        data = actions.PartyInput(role="witness", name=name, id_type="passport", id_number="E1")
        return actions.add_party(world.case(), data, actor=world.handler1)

    assert witness("John Smith").person_id == witness(" john  SMITH ").person_id

    def carded(name: str) -> Party:
        data = actions.PartyInput(role="witness", name=name, id_type="resident_id", id_number=GOOD)
        return actions.add_party(world.case(), data, actor=world.handler1)

    # A name with its interpunct (a Uyghur name, as the card prints it) and without it.
    assert carded("阿依古丽·买买提").person_id == carded("阿依古丽买买提").person_id


# -- perhaps one person recorded twice --------------------------------------------------------


def test_the_case_page_names_a_person_of_the_same_name_and_birth_date_the_officer_sees(world):
    born = date(1990, 3, 7)
    case, earlier, elsewhere = world.case(), world.case(), world.case(elsewhere=True)
    carded = _party(world, case, id_number=GOOD).person  # 小刚, born 1990-03-07 by the card
    untyped = actions.add_party(
        earlier,
        actions.PartyInput(role="witness", name="小刚", birth_date=born),
        actor=world.handler1,
    ).person
    hidden = actions.add_party(
        elsewhere,
        actions.PartyInput(role="witness", name="小刚", birth_date=born),
        actor=world.outsider,
    ).person
    namesake = actions.add_party(
        earlier,
        actions.PartyInput(role="victim", name="小刚", birth_date=date(1991, 3, 7)),
        actor=world.handler1,
    ).person
    detail = ApiClient(world.handler1).get(f"/cases/{case.number}")
    assert detail.status_code == 200
    assert [p["alike"] for p in detail.json()["parties"]] == [[untyped.pk]]
    page = login(world.handler1, "en").get(reverse("cases:case_detail", args=[case.number]))
    html = page.content.decode()
    assert "Perhaps the same person as" in html
    assert reverse("cases:person_detail", args=[untyped.pk]) in html
    for unseen in (hidden, namesake):  # another station's case; another birth date
        assert reverse("cases:person_detail", args=[unseen.pk]) not in html
    chinese = login(world.handler1, "zh-hans").get(reverse("cases:case_detail", args=[case.number]))
    assert "可能与以下人员为同一人" in chinese.content.decode()
    # From the other case the hint points back at the carded person.
    back = ApiClient(world.handler1).get(f"/cases/{earlier.number}").json()["parties"]
    assert {p["person_id"]: p["alike"] for p in back} == {untyped.pk: [carded.pk], namesake.pk: []}


def test_the_hint_costs_the_same_queries_for_one_party_or_five(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casetrail.cases.queries import alike

    case = world.case()
    persons = [
        actions.add_party(
            case,
            actions.PartyInput(role="witness", name=f"证人{n}", birth_date=date(1980, 1, n + 1)),
            actor=world.handler1,
        ).person
        for n in range(5)
    ]
    alike(world.handler1, persons[:1])  # the officer's grants, read once and kept
    counts = []
    for some in (persons[:1], persons):
        with CaptureQueriesContext(connection) as queries:
            assert alike(world.handler1, some) == {}
        counts.append(len(queries))
    assert counts == [1, 1]
    with CaptureQueriesContext(connection) as queries:
        assert alike(world.handler1, [Person(name="无生日")]) == {}
    assert len(queries) == 0


# -- a case goes to the procuratorate with its suspect ----------------------------------------


def _concluded(world):
    case = world.case()
    for move in ("start_review", "register", "investigate", "conclude"):
        actor = world.leader if move in actions.APPROVAL_MOVES else world.handler1
        actions.transition_case(case, actions.MoveInput(move=move), actor=actor)
    return case


def test_the_transfer_is_refused_without_a_suspect_and_asks_for_the_identity_search(world):
    """CPL Art. 162 (the case goes with its suspect) and Art. 160 (a suspect of unknown
    identity goes under the name they give, once the search for it is recorded)."""
    case = _concluded(world)
    transfer = actions.MoveInput(move="transfer_for_prosecution")
    with pytest.raises(Refused, match=r"Art\. 162") as refused:
        actions.transition_case(case, transfer, actor=world.leader)
    assert refused.value.field == "move"
    actions.add_party(
        case, actions.PartyInput(role="suspect", name="自称李某"), actor=world.handler1
    )
    page = login(world.leader, "en").post(
        reverse("cases:case_move", args=[case.number]), {"move": "transfer_for_prosecution"}
    )
    assert page.status_code == 400
    assert "Art. 160" in page.content.decode()
    case.refresh_from_db()
    assert case.status == "concluded"
    account = "指纹、DNA比对均未比中，按其自报姓名移送"
    moved = ApiClient(world.leader).post(
        f"/cases/{case.number}/transitions", {"move": "transfer_for_prosecution", "reason": account}
    )
    assert moved.status_code == 200, moved.content
    case.refresh_from_db()
    assert case.status == "transferred_for_prosecution"
