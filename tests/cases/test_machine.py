"""The state machines, walked by hypothesis and checked on named refusals."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from casetrail.cases.machine import (
    INITIAL,
    MOVES,
    TERMINAL,
    Facts,
    Kind,
    MoveRefused,
    Status,
    check_move,
    moves_from,
    statuses,
)

ALL_NAMES = sorted({m.name for kind in Kind for m in MOVES[kind]})


@given(kind=st.sampled_from(list(Kind)), names=st.lists(st.sampled_from(ALL_NAMES), max_size=30))
def test_any_sequence_of_requests_stays_inside_the_machine(kind, names):
    status = INITIAL[kind]
    for name in names:
        try:
            move = check_move(kind, status, name, reason="because", facts=Facts())
        except MoveRefused:
            continue
        assert move.source == status
        assert move.target in statuses(kind)
        status = move.target
    assert status in statuses(kind)


@given(kind=st.sampled_from(list(Kind)), data=st.data())
def test_every_state_reaches_the_archive(kind, data):
    status = data.draw(st.sampled_from(statuses(kind)))
    for _ in range(20):
        if status in TERMINAL:
            break
        options = moves_from(kind, status)
        assert options, f"{status} is a dead end"
        status = data.draw(st.sampled_from(options)).target
    else:
        pytest.fail("no archive within 20 moves")
    assert status == Status.ARCHIVED


def test_archived_is_terminal_with_a_reason():
    with pytest.raises(MoveRefused, match="archived case does not move"):
        check_move(Kind.CRIMINAL, Status.ARCHIVED, "investigate")


def test_skipping_registration_is_refused_with_what_is_possible_now():
    # The states and moves are named in the language asked for: English here.
    with (
        translation.override("en"),
        pytest.raises(
            MoveRefused,
            match=r"only possible from registered.*possible now: Register, Do not register",
        ),
    ):
        check_move(Kind.CRIMINAL, Status.REGISTRATION_REVIEW, "investigate")


def test_refusing_registration_needs_a_reason():
    with pytest.raises(MoveRefused, match="needs a reason") as refused:
        check_move(Kind.CRIMINAL, Status.REGISTRATION_REVIEW, "refuse_registration", reason=" ")
    assert refused.value.field == "reason"


def test_a_move_of_the_other_machine_is_named_as_unknown():
    with pytest.raises(MoveRefused, match="administrative cases have no move 'register'"):
        check_move(Kind.ADMINISTRATIVE, Status.ACCEPTED, "register")


def test_a_penalty_that_requires_a_hearing_cannot_be_decided_before_it():
    # Administrative Punishment Law (2021) Art. 63: a hearing where the party asks for one
    # before heavy penalties; the decision waits for it.
    with pytest.raises(MoveRefused, match="requires a hearing"):
        check_move(
            Kind.ADMINISTRATIVE,
            Status.STATEMENT_DEFENCE,
            "decide",
            facts=Facts(hearing_required=True, hearing_held=False),
        )
    move = check_move(
        Kind.ADMINISTRATIVE,
        Status.STATEMENT_DEFENCE,
        "decide",
        facts=Facts(hearing_required=True, hearing_held=True),
    )
    assert move.target == Status.DECIDED


def test_the_criminal_path_of_the_issue_is_the_machine():
    path = [
        "start_review",
        "register",
        "investigate",
        "conclude",
        "transfer_for_prosecution",
        "archive",
    ]
    status = INITIAL[Kind.CRIMINAL]
    for name in path:
        status = check_move(Kind.CRIMINAL, status, name, facts=Facts(suspects=1)).target
    assert status == Status.ARCHIVED


def test_a_case_goes_to_the_procuratorate_only_with_its_suspect():
    """CPL Art. 162: the police transfer the concluded case, with the recommendation to
    prosecute, to the procuratorate; a case with no suspect is withdrawn instead (Art. 163)."""
    with pytest.raises(MoveRefused, match=r"with its suspect.*\(CPL Art\. 162\)") as refused:
        check_move(Kind.CRIMINAL, Status.CONCLUDED, "transfer_for_prosecution", facts=Facts())
    assert refused.value.field == "move"
    assert check_move(Kind.CRIMINAL, Status.CONCLUDED, "withdraw", reason="不应追究", facts=Facts())


def test_a_suspect_of_unknown_identity_goes_with_an_account_of_the_search():
    """CPL Art. 160: a suspect who will not give a true name and address is investigated for
    identity; where it truly cannot be established and the facts are clear, the case goes
    under the name the suspect gives."""
    facts = Facts(suspects=2, unidentified=("无名氏",))
    with pytest.raises(MoveRefused, match=r"\(CPL Art\. 160\)") as refused:
        check_move(Kind.CRIMINAL, Status.CONCLUDED, "transfer_for_prosecution", facts=facts)
    assert refused.value.field == "reason"
    move = check_move(
        Kind.CRIMINAL,
        Status.CONCLUDED,
        "transfer_for_prosecution",
        reason="经指纹、DNA比对及协查通报，身份仍无法查明，按其自报姓名移送",
        facts=facts,
    )
    assert move.target == Status.TRANSFERRED_FOR_PROSECUTION
    assert move.asks_reason
    assert not move.needs_reason


def test_every_precondition_named_by_a_move_exists_with_its_basis():
    from casetrail.cases.machine import PRECONDITIONS

    named = {n for kind in Kind for m in MOVES[kind] for n in m.needs}
    assert named == set(PRECONDITIONS)  # each one named exists, and none is left unused
    for p in PRECONDITIONS.values():
        assert "Art." in p.basis


@pytest.mark.parametrize("kind", list(Kind))
def test_no_move_can_be_undone(kind):
    """The page asks before every move that it "cannot be undone": no state a move leads to
    reaches, by any moves, the state it left."""
    for move in MOVES[kind]:
        reached, todo = set(), [move.target]
        while todo:
            status = todo.pop()
            reached.add(status)
            todo += [m.target for m in moves_from(kind, status) if m.target not in reached]
        assert move.source not in reached, move


def test_an_investigation_is_not_concluded_with_something_still_running():
    """CPL Art. 91 (a detention ends in the arrest decision or a release) and Art. 162 (the
    concluded case goes on with its suspect): the refusal lists what is still open."""
    pending = ("the criminal detention of 张三 is still running", "李四 is still in the area")
    with pytest.raises(MoveRefused) as refused:
        check_move(Kind.CRIMINAL, Status.INVESTIGATING, "conclude", facts=Facts(pending=pending))
    message = str(refused.value)
    assert "CPL Art. 91, 162" in message
    assert all(item in message for item in pending)
    assert refused.value.field == "move"
    move = check_move(Kind.CRIMINAL, Status.INVESTIGATING, "conclude", facts=Facts())
    assert move.target == Status.CONCLUDED


def test_an_investigation_with_an_unidentified_suspect_is_concluded_only_with_a_reason():
    """CPL Art. 160: a suspect whose identity is unknown goes under the name they give, once
    the search for it is recorded."""
    facts = Facts(suspects=1, unidentified=("无名氏",))
    with pytest.raises(MoveRefused, match=r"Art\. 160") as refused:
        check_move(Kind.CRIMINAL, Status.INVESTIGATING, "conclude", facts=facts)
    assert refused.value.field == "reason"
    reason = "指纹、DNA比对均无结果，按其自报姓名移送"
    move = check_move(Kind.CRIMINAL, Status.INVESTIGATING, "conclude", reason=reason, facts=facts)
    assert move.target == Status.CONCLUDED
