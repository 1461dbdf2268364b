"""Search over number, party names and summary; on SQLite through the bigram index."""

from hypothesis import given
from hypothesis import strategies as st

from casetrail.cases import actions, search
from casetrail.cases.inputs import CaseFilterInput
from casetrail.cases.queries import case_list


def _found(world, term):
    return set(case_list(world.handler1, CaseFilterInput(q=term)).values_list("number", flat=True))


def test_a_name_inside_a_longer_name_is_found(world):
    case = world.case()
    actions.add_party(case, actions.PartyInput(role="victim", name="张三丰"), actor=world.handler1)
    assert case.number in _found(world, "张三")
    assert case.number in _found(world, "三丰")
    assert case.number not in _found(world, "张丰")


def test_a_phrase_does_not_span_two_parties(world):
    case = world.case(title="案件", summary="无")
    actions.add_party(case, actions.PartyInput(role="victim", name="李张"), actor=world.handler1)
    actions.add_party(case, actions.PartyInput(role="suspect", name="三丰"), actor=world.handler1)
    assert case.number in _found(world, "李张")
    assert case.number not in _found(world, "张三")


def test_full_width_letters_and_case_fold(world):
    case = world.case(summary="在ＡＢＣ超市盗窃")
    assert case.number in _found(world, "abc超市")


def test_a_case_number_is_matched_exactly(world):
    first = world.case()
    world.case()
    assert _found(world, first.number) == {first.number}


def test_a_single_character_falls_back_to_a_scan(world):
    case = world.case(summary="被盗")
    assert case.number in _found(world, "盗")


@given(
    st.text(alphabet="张三丰李四王五电动车被盗abc12", min_size=1, max_size=12),
    st.text(alphabet="张三丰李四王五电动车被盗abc12", min_size=2, max_size=4),
)
def test_a_term_matches_the_bigram_phrase_exactly_when_it_is_a_substring(text, term):
    # The invariant the index relies on: contiguous bigram phrase <=> substring.
    doc = search.bigrams(text)
    q = search.bigrams(term)
    as_phrase = any(doc[i : i + len(q)] == q for i in range(len(doc) - len(q) + 1))
    assert as_phrase == (search.normalise(term) in search.normalise(text))
