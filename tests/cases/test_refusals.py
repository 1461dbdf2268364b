"""Every refusal of the case actions names the field to correct and writes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from casetrail.cases import actions
from casetrail.errors import Refused
from casetrail.ledger.models import LedgerEntry
from tests.conftest import NOW as FROZEN

NOW = FROZEN - timedelta(minutes=5)


def _incident_input(world, **over):
    base = {
        "unit_id": world.station.pk,
        "channel": "call",
        "received_at": NOW,
        "reporter_name": "李四",
        "location": "湖滨路",
        "summary": "手机被抢",
    }
    return actions.IncidentInput(**(base | over))


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"received_at": datetime(2026, 1, 1, 9)}, "received_at"),  # noqa: DTZ001 - the point
        ({"reporter_name": " "}, "reporter_name"),
        ({"location": ""}, "location"),
        ({"summary": "\n"}, "summary"),
    ],
)
def test_recording_an_incident_refuses_bad_input(world, over, field):
    before = LedgerEntry.objects.count()
    with pytest.raises(Refused) as refused:
        actions.record_incident(_incident_input(world, **over), actor=world.intake)
    assert refused.value.field == field
    assert LedgerEntry.objects.count() == before


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        ({"decision": "shrug"}, "decision"),
        ({"decision": "transfer", "reason": "辖区"}, "transfer_to"),
        ({"decision": "transfer"}, "transfer_to"),
    ],
)
def test_deciding_an_incident_refuses_bad_input(world, decision, field):
    incident = world.incident()
    before = LedgerEntry.objects.count()
    with pytest.raises(Refused) as refused:
        actions.decide_incident(
            incident, actions.IncidentDecisionInput(**decision), actor=world.intake
        )
    assert refused.value.field == field
    assert LedgerEntry.objects.count() == before


def test_a_transfer_needs_a_reason(world):
    incident = world.incident()
    with pytest.raises(actions.CaseError) as refused:
        actions.decide_incident(
            incident,
            actions.IncidentDecisionInput(decision="transfer", transfer_to=world.other_station.pk),
            actor=world.intake,
        )
    assert refused.value.field == "reason"


def test_opening_a_case_needs_a_category_when_the_incident_has_none(world):
    incident, _ = actions.record_incident(_incident_input(world), actor=world.intake)
    with pytest.raises(actions.CaseError) as refused:
        actions.decide_incident(
            incident,
            actions.IncidentDecisionInput(
                decision="administrative_case", handler_ids=(world.handler1.pk, world.handler2.pk)
            ),
            actor=world.intake,
        )
    assert refused.value.field == "category"


def test_a_case_needs_a_title(world):
    with pytest.raises(Refused) as refused:
        actions.open_case(
            actions.CaseInput(
                unit_id=world.station.pk,
                kind="criminal",
                category="CR-THEFT",
                title=" ",
                handler_ids=(world.handler1.pk, world.handler2.pk),
            ),
            actor=world.intake,
        )
    assert refused.value.field == "title"


def test_an_inactive_officer_cannot_handle_a_case(world):
    world.handler2.is_active = False
    world.handler2.save()
    with pytest.raises(actions.CaseError, match="not an active officer"):
        world.case()


def test_an_officer_without_a_qualification_cannot_handle_a_case(world):
    world.handler2.qualification_level = ""
    world.handler2.qualification_valid_until = None
    world.handler2.save()
    with pytest.raises(actions.CaseError, match="holds no law-enforcement qualification"):
        world.case()


def test_handler_changes_are_refused_with_the_field(world):
    case = world.case()
    with pytest.raises(actions.CaseError, match="already handles"):
        actions.assign_handler(
            case, actions.HandlerInput(officer_id=world.handler2.pk), actor=world.handler1
        )
    with pytest.raises(actions.CaseError, match="does not handle"):
        actions.release_handler(
            case, actions.ReleaseInput(officer_id=world.leader.pk, reason="x"), actor=world.handler1
        )
    actions.assign_handler(
        case, actions.HandlerInput(officer_id=world.leader.pk), actor=world.handler1
    )
    with pytest.raises(Refused) as refused:
        actions.release_handler(
            case,
            actions.ReleaseInput(officer_id=world.handler2.pk, reason=" "),
            actor=world.handler1,
        )
    assert refused.value.field == "reason"


def test_an_archived_case_takes_no_new_handler(world):
    case = world.case()
    for move in ("start_review", "refuse_registration", "archive"):
        actions.transition_case(
            case, actions.MoveInput(move=move, reason="不构成犯罪"), actor=world.leader
        )
    case.refresh_from_db()
    with pytest.raises(actions.CaseError, match="archived"):
        actions.assign_handler(
            case, actions.HandlerInput(officer_id=world.leader.pk), actor=world.handler1
        )


@pytest.mark.parametrize(
    ("role", "person", "field"),
    [
        ("bystander", {"name": "王五"}, "role"),
        ("victim", {"name": "王五", "id_type": "library_card"}, "id_type"),
        ("victim", {"name": "王五", "id_type": "passport"}, "id_number"),
        ("victim", {"name": "王五", "birth_date": date(2099, 1, 1)}, "birth_date"),
        ("victim", {"name": "王五", "birth_date": date(1, 1, 1)}, "birth_date"),
        ("victim", {"name": "\u200b\u200b"}, "name"),
        ("victim", {"name": "王\u202e五"}, "name"),
        ("victim", {"name": "王\x00五"}, "name"),
    ],
)
def test_adding_a_party_refuses_bad_input(world, role, person, field):
    case = world.case()
    before = LedgerEntry.objects.count()
    with pytest.raises(Refused) as refused:
        actions.add_party(case, actions.PartyInput(role=role, **person), actor=world.handler1)
    assert refused.value.field == field
    assert LedgerEntry.objects.count() == before


def test_the_same_party_twice_is_refused(world):
    case = world.case()
    party = actions.add_party(
        case, actions.PartyInput(role="victim", name="王五"), actor=world.handler1
    )
    # The role is named in the officer's language: English here, whatever an earlier test's
    # request left active.
    with translation.override("en"), pytest.raises(actions.CaseError, match="already a victim"):
        actions.add_party(
            case, actions.PartyInput(role="victim", person_id=party.person.pk), actor=world.handler1
        )


def test_a_hearing_date_in_the_future_is_refused(world):
    case = world.case(kind="administrative")
    for move in ("investigate", "notify_penalty", "hear_statement"):
        actions.transition_case(
            case,
            actions.MoveInput(
                move=move, hearing_required=True if move == "notify_penalty" else None
            ),
            actor=world.handler1,
        )
    with pytest.raises(actions.machine.MoveRefused) as refused:
        actions.transition_case(
            case,
            actions.MoveInput(move="decide", hearing_held_on=NOW.date() + timedelta(days=2)),
            actor=world.leader,
        )
    assert refused.value.field == "hearing_held_on"
    with pytest.raises(Refused) as refused:  # outside any date the system takes
        actions.MoveInput(move="decide", hearing_held_on=date(2999, 1, 1))
    assert refused.value.field == "hearing_held_on"
    actions.transition_case(
        case,
        actions.MoveInput(move="decide", hearing_held_on=NOW.date() - timedelta(days=1)),
        actor=world.leader,
    )
    case.refresh_from_db()
    assert case.status == "decided"


def test_a_receipt_number_already_issued_is_drawn_again(world, monkeypatch):
    """Receipt numbers are random within the unit and day: a draw that is taken is drawn
    again, never issued twice."""
    first = world.incident()
    draws = iter([first.receipt_number, "RS1-fresh-0001"])
    monkeypatch.setattr(actions, "_next_receipt_number", lambda unit, at: next(draws))
    second = world.incident()
    assert second.receipt_number == "RS1-fresh-0001"


@pytest.mark.parametrize(
    ("target", "message"),
    [("missing", "no unit"), ("own", "its own unit"), ("abroad", "rules")],
)
def test_an_incident_is_transferred_only_to_another_unit_of_its_jurisdiction(
    world, target, message
):
    from tests.conftest import make_unit

    incident = world.incident()
    unit_id = {
        "missing": 2**40,
        "own": world.station.pk,
        "abroad": make_unit("LZ", pack="gb_eng", timezone="Europe/London").pk,
    }[target]
    with pytest.raises(Refused, match=message) as refused:
        actions.decide_incident(
            incident,
            actions.IncidentDecisionInput(decision="transfer", transfer_to=unit_id, reason="辖区"),
            actor=world.intake,
        )
    assert refused.value.field == "transfer_to"


def test_a_case_that_is_gone_cannot_be_moved(world):
    from casetrail.cases.models import Case
    from casetrail.errors import NotFound

    with pytest.raises(NotFound):
        actions.transition_case(
            Case(pk=2**40), actions.MoveInput(move="start_review"), actor=world.handler1
        )
