from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from casetrail import clock
from casetrail.cases import actions
from casetrail.cases.access import visible_cases
from casetrail.cases.identity import resident_id
from casetrail.cases.machine import MoveRefused
from casetrail.cases.models import Case, Incident, IncidentStatus, Party
from casetrail.errors import AccessDenied, Refused
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry
from tests.conftest import LAPSED


def _entries(kind):
    return LedgerEntry.objects.filter(action=kind).count()


def test_an_incident_gets_a_receipt_and_a_query_code_stored_only_as_a_hash(world):
    incident, code = actions.record_incident(
        actions.IncidentInput(
            unit_id=world.station.pk,
            channel="call",
            received_at=clock.now() - timedelta(minutes=5),
            reporter_name="李四",
            location="湖滨路",
            summary="手机被抢",
        ),
        actor=world.intake,
    )
    assert incident.receipt_number.startswith("RS1")
    assert len(code.replace("-", "")) * 5 >= 40  # at least 40 bits of entropy
    assert code not in incident.query_code_hash
    assert actions.check_query_code(incident, code)
    assert actions.check_query_code(incident, code.lower().replace("-", ""))
    assert not actions.check_query_code(incident, "00000-00000")
    assert _entries(LedgerKind.INCIDENT_RECORDED) == 1


def test_an_incident_received_in_the_future_is_refused_naming_the_field(world):
    with pytest.raises(actions.CaseError, match="future") as refused:
        actions.record_incident(
            actions.IncidentInput(
                unit_id=world.station.pk,
                channel="call",
                received_at=clock.now() + timedelta(hours=1),
                reporter_name="李四",
                location="湖滨路",
                summary="手机被抢",
            ),
            actor=world.intake,
        )
    assert refused.value.field == "received_at"
    assert not Incident.objects.exists()


def test_recording_an_incident_needs_an_intake_role(world):
    # A legal reviewer sees the station but may not record there: refused, naming the role.
    with pytest.raises(AccessDenied, match="intake officer"):
        world.incident(actor=world.legal)
    # An officer with no grant over the unit cannot name it at all.
    with pytest.raises(Refused) as refused:
        world.incident(actor=world.nobody)
    assert refused.value.field == "unit_id"


def test_no_case_needs_a_reason_and_the_notification(world):
    incident = world.incident()
    with pytest.raises(actions.CaseError) as refused:
        actions.decide_incident(
            incident, actions.IncidentDecisionInput(decision="no_case"), actor=world.intake
        )
    assert refused.value.field == "reason"
    with pytest.raises(actions.CaseError) as refused:
        actions.decide_incident(
            incident,
            actions.IncidentDecisionInput(decision="no_case", reason="纠纷已自行解决"),
            actor=world.intake,
        )
    assert refused.value.field == "notify_method"
    actions.decide_incident(
        incident,
        actions.IncidentDecisionInput(
            decision="no_case", reason="纠纷已自行解决", notify_method="电话"
        ),
        actor=world.intake,
    )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NO_CASE
    assert incident.reporter_notified_at is not None


def test_registration_review_opens_a_criminal_case_in_review(world):
    incident = world.incident()
    case = actions.decide_incident(
        incident,
        actions.IncidentDecisionInput(
            decision="registration_review", handler_ids=(world.handler1.pk, world.handler2.pk)
        ),
        actor=world.intake,
    )
    assert case.kind == "criminal"
    assert case.status == "registration_review"
    assert case.incident_id == incident.pk


def test_a_decided_incident_cannot_be_decided_again(world):
    incident = world.incident()
    actions.decide_incident(
        incident, actions.IncidentDecisionInput(decision="mediation"), actor=world.intake
    )
    with pytest.raises(actions.CaseError, match="already decided"):
        actions.decide_incident(
            incident, actions.IncidentDecisionInput(decision="mediation"), actor=world.intake
        )


def test_transfer_goes_to_another_unit_which_then_sees_it(world):
    from casetrail.cases.access import visible_incidents

    incident = world.incident()
    with pytest.raises(actions.CaseError, match="own unit"):
        actions.decide_incident(
            incident,
            actions.IncidentDecisionInput(
                decision="transfer", reason="辖区", transfer_to=world.station.pk
            ),
            actor=world.intake,
        )
    actions.decide_incident(
        incident,
        actions.IncidentDecisionInput(
            decision="transfer", reason="案发地属对方辖区", transfer_to=world.other_station.pk
        ),
        actor=world.intake,
    )
    assert visible_incidents(world.outsider).filter(pk=incident.pk).exists()


def test_case_numbers_run_per_unit_and_year_without_gaps(world):
    numbers = [world.case().number for _ in range(3)]
    year = clock.today_in("Asia/Shanghai").year  # the unit's year, not UTC's
    assert numbers == [f"S1-{year}-{n:06d}" for n in (1, 2, 3)]


def test_a_refused_case_does_not_consume_a_number(world):
    with pytest.raises(actions.CaseError):
        actions.open_case(
            actions.CaseInput(
                unit_id=world.station.pk,
                kind="criminal",
                category="CR-THEFT",
                title="x",
                handler_ids=(world.handler1.pk,),
            ),
            actor=world.intake,
        )
    assert world.case().number.endswith("-000001")


def test_a_case_needs_two_handlers(world):
    with pytest.raises(actions.CaseError, match="at least 2 different handlers"):
        actions.open_case(
            actions.CaseInput(
                unit_id=world.station.pk,
                kind="criminal",
                category="CR-THEFT",
                title="x",
                handler_ids=(world.handler1.pk, world.handler1.pk),
            ),
            actor=world.intake,
        )


def test_a_handler_with_a_lapsed_qualification_is_refused_with_the_reason(world):
    with pytest.raises(actions.CaseError, match=f"qualification expired on {LAPSED}"):
        actions.open_case(
            actions.CaseInput(
                unit_id=world.station.pk,
                kind="criminal",
                category="CR-THEFT",
                title="x",
                handler_ids=(world.handler1.pk, world.lapsed.pk),
            ),
            actor=world.intake,
        )
    assert not Case.objects.exists()


def test_qualification_is_judged_on_the_day_in_the_units_zone(world):
    last_day = clock.now().date() + timedelta(days=400)
    world.handler2.qualification_valid_until = last_day
    world.handler2.save()
    # 23:30 in Beijing on the last day is 15:30 UTC: still valid that day.
    with time_machine.travel(datetime.combine(last_day, time(15, 30), UTC), tick=False):
        world.case()
    # 00:30 in Beijing the next day (16:30 UTC on the last day) is past it: refused.
    with (
        time_machine.travel(datetime.combine(last_day, time(16, 30), UTC), tick=False),
        pytest.raises(actions.CaseError, match=f"expired on {last_day}"),
    ):
        world.case()


def test_a_handler_from_another_unit_is_refused(world):
    with pytest.raises(actions.CaseError, match="no case handler role"):
        actions.open_case(
            actions.CaseInput(
                unit_id=world.station.pk,
                kind="criminal",
                category="CR-THEFT",
                title="x",
                handler_ids=(world.handler1.pk, world.other_handler.pk),
            ),
            actor=world.intake,
        )


def test_a_category_of_the_other_kind_is_refused(world):
    with pytest.raises(actions.CaseError, match="administrative category") as refused:
        actions.open_case(
            actions.CaseInput(
                unit_id=world.station.pk,
                kind="criminal",
                category="AD-ASSAULT",
                title="x",
                handler_ids=(world.handler1.pk, world.handler2.pk),
            ),
            actor=world.intake,
        )
    assert refused.value.field == "category"


def test_registration_needs_a_leader(world):
    case = world.case()
    actions.transition_case(case, actions.MoveInput(move="start_review"), actor=world.handler1)
    with pytest.raises(AccessDenied, match="unit leader or the agency head"):
        actions.transition_case(case, actions.MoveInput(move="register"), actor=world.handler1)
    actions.transition_case(case, actions.MoveInput(move="register"), actor=world.leader)
    case.refresh_from_db()
    assert case.status == "registered"


def test_every_transition_records_who_when_and_why(world):
    case = world.case()
    actions.transition_case(case, actions.MoveInput(move="start_review"), actor=world.handler1)
    actions.transition_case(
        case, actions.MoveInput(move="refuse_registration", reason="不构成犯罪"), actor=world.leader
    )
    entry = LedgerEntry.objects.filter(action=LedgerKind.CASE_TRANSITIONED).last()
    assert entry.actor == world.leader
    assert '"reason":"不构成犯罪"' in entry.payload
    assert '"to":"not_registered"' in entry.payload


def test_an_officer_outside_the_case_cannot_move_it(world):
    case = world.case()
    with pytest.raises(AccessDenied):
        actions.transition_case(case, actions.MoveInput(move="start_review"), actor=world.legal)


def test_a_refused_move_writes_nothing(world):
    case = world.case()
    before = LedgerEntry.objects.count()
    with pytest.raises(MoveRefused):
        actions.transition_case(case, actions.MoveInput(move="conclude"), actor=world.handler1)
    assert LedgerEntry.objects.count() == before
    case.refresh_from_db()
    assert case.status == "accepted"


def test_a_juvenile_suspect_seals_the_case(world):
    case = world.case()
    today = clock.today_in("Asia/Shanghai")
    born = date(today.year - 16, 1, 1)
    actions.add_party(
        case,
        actions.PartyInput(
            role="suspect",
            name="小刚",
            id_type="resident_id",
            id_number=resident_id("110101", born, 123),
            birth_date=born,
        ),
        actor=world.handler1,
    )
    case.refresh_from_db()
    assert case.sealed
    assert Party.objects.get(case=case).juvenile
    # Handlers of the case and the leader see it; an unassigned handler of the unit does not.
    assert visible_cases(world.handler1).filter(pk=case.pk).exists()
    assert visible_cases(world.leader).filter(pk=case.pk).exists()
    assert visible_cases(world.legal).filter(pk=case.pk).exists()
    assert not visible_cases(world.lapsed).filter(pk=case.pk).exists()
    assert not visible_cases(world.intake).filter(pk=case.pk).exists()


def test_an_adult_victim_does_not_seal(world):
    case = world.case()
    actions.add_party(
        case,
        actions.PartyInput(role="victim", name="王五", birth_date=date(1980, 1, 1)),
        actor=world.handler1,
    )
    case.refresh_from_db()
    assert not case.sealed


def test_a_case_keeps_two_handlers(world):
    case = world.case()
    with pytest.raises(actions.CaseError, match="at least 2 handlers"):
        actions.release_handler(
            case,
            actions.ReleaseInput(officer_id=world.handler2.pk, reason="调岗"),
            actor=world.leader,
        )
    actions.assign_handler(
        case, actions.HandlerInput(officer_id=world.leader.pk), actor=world.handler1
    )
    actions.release_handler(
        case, actions.ReleaseInput(officer_id=world.handler2.pk, reason="调岗"), actor=world.leader
    )
    assert case.handlers.filter(released_at__isnull=True).count() == 2


def test_the_same_person_is_found_again_by_document(world):
    case = world.case()
    other = world.case()
    person = {"name": "赵六", "id_type": "resident_id", "id_number": "110101199001011237"}
    a = actions.add_party(case, actions.PartyInput(role="victim", **person), actor=world.handler1)
    b = actions.add_party(other, actions.PartyInput(role="witness", **person), actor=world.handler1)
    assert a.person_id == b.person_id
