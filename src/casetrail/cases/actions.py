"""Every write to incidents and cases: access, validation, the change and its ledger entry,
in one transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from casetrail import clock
from casetrail.cases import machine, panels, search
from casetrail.cases.access import access_person, locked_for_write, require_case_write
from casetrail.cases.identity import BadResidentId, read_resident_id
from casetrail.cases.inputs import (
    CaseInput,
    Decision,
    HandlerInput,
    IncidentDecisionInput,
    IncidentInput,
    MoveInput,
    PartyCorrectionInput,
    PartyInput,
    ReleaseInput,
)
from casetrail.cases.machine import Facts, Kind, Status
from casetrail.cases.models import (
    Case,
    CaseCounter,
    CaseHandler,
    IdType,
    Incident,
    IncidentStatus,
    OffenceCategory,
    Party,
    PartyRole,
    Person,
)
from casetrail.errors import AccessDenied, NotFound, Refused, in_field
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import record
from casetrail.org.access import access_unit, has_role, require_role
from casetrail.org.models import Officer, Unit
from casetrail.org.queries import officers_by_id, unit_by_id
from casetrail.org.roles import INTAKE_WRITERS, Role

MIN_HANDLERS = 2
# Crockford's base32 without I, L, O, U: easy to read aloud and to type.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
QUERY_CODE_LENGTH = 10  # 10 symbols x 5 bits = 50 bits of entropy


class CaseError(Refused):
    """Refused input about an incident, a case or a party; ``field`` names what to correct."""


def new_query_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def hash_query_code(receipt_number: str, code: str) -> str:
    normalised = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(f"{receipt_number}:{normalised}".encode()).hexdigest()


def _local_date(unit: Unit, at: datetime) -> date:
    return at.astimezone(ZoneInfo(unit.timezone)).date()


def _next_receipt_number(unit: Unit, at: datetime) -> str:
    day = _local_date(unit, at)
    return f"R{unit.code}{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


def category_by_code(code: str, field: str = "category") -> OffenceCategory:
    category = OffenceCategory.objects.filter(code=code).first()
    if category is None:
        raise CaseError(gettext("unknown offence category %(code)s") % {"code": code}, field=field)
    return category


@transaction.atomic
def record_incident(data: IncidentInput, *, actor: Officer) -> tuple[Incident, str]:
    """Record an incident and issue its receipt; returns the incident and the query code,
    which is shown once and stored only as a hash."""
    with in_field("unit_id"):
        unit = access_unit(actor, data.unit_id)
    require_role(actor, unit, INTAKE_WRITERS, doing=gettext("recording an incident"))
    category = category_by_code(data.category) if data.category else None
    if data.received_at > clock.now():
        raise CaseError(gettext("the time received is in the future"), field="received_at")
    now = clock.now()
    receipt = _next_receipt_number(unit, now)
    while Incident.objects.filter(receipt_number=receipt).exists():
        receipt = _next_receipt_number(unit, now)
    code = new_query_code()
    incident = Incident.objects.create(
        unit=unit,
        receipt_number=receipt,
        query_code_hash=hash_query_code(receipt, code),
        channel=data.channel,
        received_at=data.received_at,
        reporter_name=data.reporter_name,
        reporter_contact=data.reporter_contact,
        location=data.location,
        summary=data.summary,
        category=category,
        recorded_by=actor,
    )
    record(
        LedgerKind.INCIDENT_RECORDED,
        subject=incident,
        actor=actor,
        unit_id=unit.pk,
        data={
            "receipt": receipt,
            "channel": data.channel,
            "received_at": data.received_at,
            "reporter": incident.reporter_name,
            "location": incident.location,
            "summary": incident.summary,
            "category": category.code if category else None,
        },
    )
    return incident, code


# A case opened from an incident takes a title from its summary unless the officer gives one.
DEFAULT_TITLE_LENGTH = 80


@transaction.atomic
def decide_incident(
    incident: Incident, data: IncidentDecisionInput, *, actor: Officer
) -> Case | None:
    """Decide what becomes of an incident; opens the case where the decision is one."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require_role(actor, incident.unit, INTAKE_WRITERS, doing=gettext("deciding an incident"))
    if incident.status != IncidentStatus.RECEIVED:
        raise CaseError(
            gettext("incident %(receipt)s was already decided (%(status)s)")
            % {"receipt": incident.receipt_number, "status": incident.get_status_display()},
            field="decision",
        )
    now = clock.now()
    case: Case | None = None
    transfer_to: Unit | None = None
    if data.decision in (Decision.ADMINISTRATIVE_CASE, Decision.REGISTRATION_REVIEW):
        kind = (
            Kind.ADMINISTRATIVE
            if data.decision == Decision.ADMINISTRATIVE_CASE
            else (Kind.CRIMINAL)
        )
        code = data.category or (incident.category.code if incident.category else None)
        if code is None:
            raise CaseError(gettext("choose an offence category"), field="category")
        case = open_case(
            CaseInput(
                unit_id=incident.unit_id,
                kind=kind,
                category=code,
                title=data.title or incident.summary[:DEFAULT_TITLE_LENGTH],
                summary=incident.summary,
                handler_ids=data.handler_ids,
            ),
            incident=incident,
            actor=actor,
        )
        if kind == Kind.CRIMINAL:
            # The intake decision itself opens the review (MPS Provisions Art. 174).
            _apply_move(case, MoveInput(move="start_review", reason=data.reason), actor=actor)
        incident.status = (
            IncidentStatus.ADMINISTRATIVE_CASE
            if kind == Kind.ADMINISTRATIVE
            else IncidentStatus.REGISTRATION_REVIEW
        )
    elif data.decision == Decision.NO_CASE:
        if not data.reason:
            raise CaseError(gettext("a decision of no case needs a reason"), field="reason")
        if not data.notify_method:
            raise CaseError(gettext("say how the reporter was notified"), field="notify_method")
        incident.status = IncidentStatus.NO_CASE
        incident.reporter_notified_at = now
        incident.reporter_notified_by = data.notify_method
    elif data.decision == Decision.MEDIATION:
        incident.status = IncidentStatus.MEDIATION
    else:
        transfer_to = _transfer_target(incident, data.transfer_to)
        if not data.reason:
            raise CaseError(gettext("a transfer needs a reason"), field="reason")
        incident.status = IncidentStatus.TRANSFERRED
        incident.transferred_to = transfer_to
    incident.decision_reason = data.reason
    incident.decided_at = now
    incident.decided_by = actor
    incident.save()
    record(
        LedgerKind.INCIDENT_DECIDED,
        subject=incident,
        actor=actor,
        unit_id=incident.unit_id,
        data={
            "decision": data.decision,
            "reason": incident.decision_reason,
            "case": case.number if case else None,
            "transfer_to": transfer_to.code if transfer_to else None,
            "reporter_notified_by": incident.reporter_notified_by or None,
        },
    )
    return case


def _transfer_target(incident: Incident, unit_id: int | None) -> Unit:
    """Another unit of the same jurisdiction (rule pack): an incident is not sent abroad."""
    if unit_id is None:
        raise CaseError(gettext("choose the unit to transfer to"), field="transfer_to")
    target = unit_by_id(unit_id)
    if target is None:
        raise CaseError(gettext("no unit %(id)s") % {"id": unit_id}, field="transfer_to")
    if target.pk == incident.unit_id:
        raise CaseError(
            gettext("an incident cannot be transferred to its own unit"), field="transfer_to"
        )
    if target.pack != incident.unit.pack:
        raise CaseError(
            gettext("%(unit)s works under the %(pack)s rules, not %(ours)s")
            % {
                "unit": target,
                "pack": target.get_pack_display(),
                "ours": incident.unit.get_pack_display(),
            },
            field="transfer_to",
        )
    return target


def _check_handlers(unit: Unit, ids: Sequence[int], on: date) -> list[Officer]:
    if len(set(ids)) < MIN_HANDLERS:
        raise CaseError(
            gettext("a case needs at least %(count)d different handlers") % {"count": MIN_HANDLERS},
            field="handler_ids",
        )
    handlers = officers_by_id(list(dict.fromkeys(ids)), field="handler_ids")
    for officer in handlers:
        _check_handler(unit, officer, on, field="handler_ids")
    return handlers


def _check_handler(unit: Unit, officer: Officer, on: date, *, field: str) -> None:
    if not officer.is_active:
        raise CaseError(
            gettext("%(officer)s is not an active officer") % {"officer": officer}, field=field
        )
    if not officer.qualified_on(on):
        until = officer.qualification_valid_until
        why = (
            gettext("qualification expired on %(day)s") % {"day": until}
            if until
            else gettext("holds no law-enforcement qualification")
        )
        raise CaseError(
            gettext("%(officer)s cannot handle cases on %(day)s: %(why)s")
            % {"officer": officer, "day": on, "why": why},
            field=field,
        )
    if not has_role(officer, unit, {Role.CASE_HANDLER}):
        raise CaseError(
            gettext("%(officer)s holds no case handler role at %(unit)s")
            % {"officer": officer, "unit": unit},
            field=field,
        )


def _allocate_number(unit: Unit, year: int) -> tuple[int, str]:
    """The next sequence for the unit and year, taken under a row lock: no gaps, no repeats."""
    counter, _ = CaseCounter.objects.get_or_create(unit=unit, year=year)
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    sequence = (
        CaseCounter.objects.select_for_update().values_list("last", flat=True).get(pk=counter.pk)
    )
    return sequence, f"{unit.code}-{year}-{sequence:06d}"


@transaction.atomic
def open_case(data: CaseInput, *, actor: Officer, incident: Incident | None = None) -> Case:
    with in_field("unit_id"):
        unit = access_unit(actor, data.unit_id)
    require_role(actor, unit, INTAKE_WRITERS | {Role.AGENCY_HEAD}, doing=gettext("opening a case"))
    kind = Kind(data.kind)
    category = category_by_code(data.category)
    if category.kind != kind:
        raise CaseError(
            gettext("%(category)s is a %(its)s category, not %(kind)s")
            % {
                "category": category,
                "its": category.get_kind_display(),
                "kind": machine.KIND_LABELS[kind],
            },
            field="category",
        )
    now = clock.now()
    today = _local_date(unit, now)
    handlers = _check_handlers(unit, data.handler_ids, today)
    sequence, number = _allocate_number(unit, today.year)
    case = Case.objects.create(
        number=number,
        unit=unit,
        year=today.year,
        sequence=sequence,
        kind=kind,
        category=category,
        status=machine.INITIAL[kind],
        title=data.title,
        summary=data.summary,
        incident=incident,
        opened_at=now,
        updated_at=now,
    )
    lead = True
    for officer in handlers:
        CaseHandler.objects.create(case=case, officer=officer, assigned_at=now, lead=lead)
        lead = False
    _refresh_search_text(case)
    record(
        LedgerKind.CASE_OPENED,
        subject=case,
        actor=actor,
        unit_id=unit.pk,
        data={
            "number": number,
            "kind": kind,
            "category": category.code,
            "title": case.title,
            "handlers": [h.badge_number for h in handlers],
            "incident": incident.receipt_number if incident else None,
        },
    )
    return case


def _refresh_search_text(case: Case) -> None:
    names = list(Person.objects.filter(parties__case=case).values_list("name", flat=True))
    parts = [case.number, *names, case.title, case.summary]
    case.search_text = search.search_text(parts)
    case.save(update_fields=["search_text"])
    search.index_case(case.pk, parts)


@transaction.atomic
def transition_case(case: Case, data: MoveInput, *, actor: Officer) -> Case:
    """Make one move of the case's state machine, if it allows it and the actor may."""
    case = locked_for_write(actor, case.pk)
    return _apply_move(case, data, actor=actor)


def _apply_move(case: Case, data: MoveInput, *, actor: Officer) -> Case:
    if data.hearing_required is not None and data.move == "notify_penalty":
        case.hearing_required = data.hearing_required
    if data.hearing_held_on is not None:
        if data.hearing_held_on > _local_date(case.unit, clock.now()):
            raise machine.MoveRefused(
                gettext("the hearing date is in the future"), field="hearing_held_on"
            )
        case.hearing_held_on = data.hearing_held_on
    move = machine.check_move(
        case.kind_enum,
        case.status_enum,
        data.move,
        reason=data.reason,
        facts=_facts(case, data.move),
    )
    if move.name in APPROVAL_MOVES and not has_role(actor, case.unit, move.approver_roles):
        raise AccessDenied(
            gettext("'%(move)s' needs the approval of a unit leader or the agency head")
            % {"move": machine.move_label(move)}
        )
    before = case.status
    case.status = move.target
    case.updated_at = clock.now()
    case.save(update_fields=["status", "updated_at", "hearing_required", "hearing_held_on"])
    record(
        LedgerKind.CASE_TRANSITIONED,
        subject=case,
        actor=actor,
        unit_id=case.unit_id,
        data={
            "move": move.name,
            "from": before,
            "to": move.target,
            "reason": data.reason,
            "hearing_required": case.hearing_required,
            "hearing_held_on": case.hearing_held_on,
        },
    )
    return case


# Moves that decide the fate of a case and so need a leader, as the procedural rules
# reserve them to the head of the agency or the unit (MPS Provisions Art. 178, 186).
APPROVAL_MOVES = frozenset(
    {
        "register",
        "refuse_registration",
        "withdraw",
        "transfer_for_prosecution",
        "decide",
    }
)


@transaction.atomic
def assign_handler(case: Case, data: HandlerInput, *, actor: Officer) -> CaseHandler:
    require_case_write(actor, case)
    if case.status_enum in machine.TERMINAL:
        raise CaseError(gettext("an archived case takes no new handlers"), field="officer_id")
    (officer,) = officers_by_id([data.officer_id], field="officer_id")
    _check_handler(case.unit, officer, _local_date(case.unit, clock.now()), field="officer_id")
    if CaseHandler.objects.filter(case=case, officer=officer, released_at__isnull=True).exists():
        raise CaseError(
            gettext("%(officer)s already handles this case") % {"officer": officer},
            field="officer_id",
        )
    handler = CaseHandler.objects.create(case=case, officer=officer, assigned_at=clock.now())
    record(
        LedgerKind.HANDLER_ASSIGNED,
        subject=case,
        actor=actor,
        unit_id=case.unit_id,
        data={"officer": officer.badge_number},
    )
    return handler


@transaction.atomic
def release_handler(case: Case, data: ReleaseInput, *, actor: Officer) -> None:
    require_case_write(actor, case)
    (officer,) = officers_by_id([data.officer_id], field="officer_id")
    active = list(
        CaseHandler.objects.select_for_update().filter(case=case, released_at__isnull=True)
    )
    mine = next((h for h in active if h.officer_id == officer.pk), None)
    if mine is None:
        raise CaseError(
            gettext("%(officer)s does not handle this case") % {"officer": officer},
            field="officer_id",
        )
    if len(active) <= MIN_HANDLERS:
        raise CaseError(
            gettext("a case keeps at least %(count)d handlers; assign another first")
            % {"count": MIN_HANDLERS},
            field="officer_id",
        )
    mine.released_at = clock.now()
    mine.save(update_fields=["released_at"])
    record(
        LedgerKind.HANDLER_RELEASED,
        subject=case,
        actor=actor,
        unit_id=case.unit_id,
        data={"officer": officer.badge_number, "reason": data.reason},
    )


def _event_date(case: Case) -> date:
    at = case.incident.received_at if case.incident_id and case.incident else case.opened_at
    return _local_date(case.unit, at)


@transaction.atomic
def add_party(case: Case, data: PartyInput, *, actor: Officer) -> Party:
    """Add a party, a person already known or a new one; a suspect under 18 on the event date
    seals the case."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "incident")
        .get(pk=case.pk)
    )
    require_case_write(actor, case)
    event_on = _event_date(case)
    if data.person_id is not None:
        with in_field("person_id"):
            person = access_person(actor, data.person_id)
    else:
        person = _person(case, data, event_on, actor=actor)
    if Party.objects.filter(case=case, person=person, role=data.role).exists():
        raise CaseError(
            gettext("%(person)s is already a %(role)s in this case")
            % {"person": person, "role": PartyRole(data.role).label},
            field="role",
        )
    age = person.age_on(event_on)
    juvenile = age is not None and age < 18
    party = Party.objects.create(
        case=case,
        person=person,
        role=data.role,
        added_at=clock.now(),
        event_on=event_on,
        juvenile=juvenile,
    )
    if data.role == PartyRole.SUSPECT and juvenile and not case.sealed:
        case.sealed = True
        case.save(update_fields=["sealed"])
    _refresh_search_text(case)
    record(
        LedgerKind.PARTY_ADDED,
        subject=case,
        actor=actor,
        unit_id=case.unit_id,
        data={
            "person": person.pk,
            "role": data.role,
            "juvenile": juvenile,
            "event_on": event_on,
            "sealed": case.sealed,
        },
    )
    return party


def _person(case: Case, data: PartyInput, event_on: date, *, actor: Officer) -> Person:
    """The person a new party describes: the one already recorded with the same identity
    document, or a new record."""
    id_number, birth_date = _particulars(data, event_on)
    if data.id_type != IdType.NONE:
        known = Person.objects.filter(id_type=data.id_type, id_number=id_number).first()
        if known is not None:
            if _same_name(known.name, data.name):
                return known
            # The recorded name is not shown: the officer may not be allowed to see that person.
            raise CaseError(
                gettext(
                    "a person of another name is recorded with this document number: check the "
                    "number and the name against the document"
                ),
                field="id_number",
            )
    person = Person.objects.create(
        name=data.name,
        id_type=data.id_type,
        id_number=id_number,
        birth_date=birth_date,
        contact=data.contact,
    )
    record(
        LedgerKind.PERSON_RECORDED,
        subject=person,
        actor=actor,
        unit_id=case.unit_id,
        data={"name": person.name, "id_type": person.id_type, "case": case.pk},
    )
    return person


def _particulars(
    data: PartyInput | PartyCorrectionInput, event_on: date
) -> tuple[str, date | None]:
    """A person's document number and birth date as they are stored, checked: a resident ID
    number (GB 11643-1999: its length, province, birth date and check character) gives the
    birth date when none is typed, and one typed must agree with it."""
    if not data.name:
        raise CaseError(gettext("a party needs a name"), field="name")
    if data.id_type != IdType.NONE and not data.id_number:
        raise CaseError(gettext("give the document number"), field="id_number")
    id_number, birth_date, birth_field = data.id_number, data.birth_date, "birth_date"
    if data.id_type == IdType.RESIDENT_ID:
        try:
            card = read_resident_id(data.id_number)
        except BadResidentId as exc:
            # Said in the officer's language: identity.py marks its messages, knowing no Django.
            raise CaseError(gettext(exc.template) % exc.params, field="id_number") from exc
        id_number = card.number
        if birth_date is None:
            birth_date, birth_field = card.birth_date, "id_number"
        elif birth_date != card.birth_date:
            raise CaseError(
                gettext("the birth date differs from the one in the ID number (%(date)s)")
                % {"date": card.birth_date.isoformat()},
                field="birth_date",
            )
    if birth_date and birth_date > event_on:
        raise CaseError(gettext("the birth date is after the event"), field=birth_field)
    return id_number, birth_date


PARTICULARS = ("name", "id_type", "id_number", "birth_date", "contact")


@transaction.atomic
def correct_party(
    case: Case, party_id: int, data: PartyCorrectionInput, *, actor: Officer
) -> Party:
    """Correct the particulars of a party's person (a misspelt name, a mistyped number), checked
    as when the party was added. The person's record is one for every case the person is a
    party to: the officer must be able to change each of them. A suspect who is a minor by the
    corrected birth date seals the case (CPL Art. 286), as when the party is added; nothing
    unseals one."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "incident")
        .get(pk=case.pk)
    )
    require_case_write(actor, case)
    party = Party.objects.filter(case=case, pk=party_id).first()
    if party is None:
        raise NotFound(gettext("party %(id)s not found") % {"id": party_id})
    person = Person.objects.select_for_update().get(pk=party.person_id)
    # Every other case of the person, locked as this one is (no DISTINCT: PostgreSQL refuses
    # it with FOR UPDATE).
    others = list(
        Case.objects.select_for_update(of=("self",))
        .filter(pk__in=Party.objects.filter(person=person).values("case_id"))
        .exclude(pk=case.pk)
        .order_by("pk")
    )
    for other in others:
        try:
            require_case_write(actor, other)
        except (AccessDenied, NotFound):
            raise CaseError(
                gettext(
                    "this person is also a party to a case you may not change: its handlers "
                    "correct the record there"
                ),
                field="name",
            ) from None
    id_number, birth_date = _particulars(data, _event_date(case))
    if (
        data.id_type != IdType.NONE
        and Person.objects.filter(id_type=data.id_type, id_number=id_number)
        .exclude(pk=person.pk)
        .exists()
    ):
        raise CaseError(
            gettext(
                "another person is recorded with this document number: check the number; if "
                "it is that person, add them as a party instead"
            ),
            field="id_number",
        )
    wanted = {
        "name": data.name,
        "id_type": data.id_type,
        "id_number": id_number,
        "birth_date": birth_date,
        "contact": data.contact,
    }
    changed = [name for name in PARTICULARS if getattr(person, name) != wanted[name]]
    if not changed:
        raise CaseError(
            gettext("nothing differs from the record: change what is wrong, then send"),
            field="name",
        )
    for name in changed:
        setattr(person, name, wanted[name])
    person.save(update_fields=changed)
    record(
        LedgerKind.PERSON_CORRECTED,
        subject=person,
        actor=actor,
        unit_id=case.unit_id,
        data={"fields": changed, "reason": data.reason, "case": case.pk},
    )
    for each in (case, *others):
        _after_correction(each, person, changed, actor)
    party.refresh_from_db()
    return party


def _after_correction(case: Case, person: Person, changed: list[str], actor: Officer) -> None:
    """A case of the corrected person: the age of each of its parties that is the person on
    the event, the case's seal and search, and the correction in the case's own history."""
    parties = list(Party.objects.filter(case=case, person=person).order_by("pk"))
    for party in parties:
        age = person.age_on(party.event_on)
        juvenile = age is not None and age < 18
        if juvenile != party.juvenile:
            party.juvenile = juvenile
            party.save(update_fields=["juvenile"])
    suspect_minor = any(p.juvenile and p.role == PartyRole.SUSPECT for p in parties)
    if suspect_minor and not case.sealed:
        case.sealed = True
        case.save(update_fields=["sealed"])
    _refresh_search_text(case)
    record(
        LedgerKind.PARTY_CORRECTED,
        subject=case,
        actor=actor,
        unit_id=case.unit_id,
        data={
            "person": person.pk,
            "roles": [p.role for p in parties],
            "fields": changed,
            "juvenile": any(p.juvenile for p in parties),
            "sealed": case.sealed,
        },
    )


def _facts(case: Case, move: str) -> Facts:
    """What the machine's preconditions read of a case: its hearing, its suspects and, for a
    move that needs nothing left pending, what other modules still hold open on it."""
    suspects = list(
        Party.objects.filter(case=case, role=PartyRole.SUSPECT)
        .order_by("id")
        .values_list("person__name", "person__id_type")
    )
    needs = {
        need
        for m in machine.moves_from(case.kind_enum, case.status_enum)
        if m.name == move
        for need in m.needs
    }
    return Facts(
        hearing_required=case.hearing_required,
        hearing_held=case.hearing_held_on is not None,
        suspects=len(suspects),
        unidentified=tuple(name for name, id_type in suspects if id_type == IdType.NONE),
        pending=panels.case_pending(case) if "nothing_pending" in needs else (),
    )


def _same_name(a: str, b: str) -> bool:
    """Two spellings of one name, as the case search compares them: spaces, letter case,
    full-width letters and punctuation aside (阿依古丽·买买提 is 阿依古丽买买提)."""
    return search.normalise(a) == search.normalise(b)


def check_query_code(incident: Incident, code: str) -> bool:
    return secrets.compare_digest(
        incident.query_code_hash, hash_query_code(incident.receipt_number, code)
    )


__all__ = [
    "CaseError",
    "CaseInput",
    "Decision",
    "HandlerInput",
    "IncidentDecisionInput",
    "IncidentInput",
    "MoveInput",
    "PartyInput",
    "ReleaseInput",
    "Status",
    "add_party",
    "assign_handler",
    "decide_incident",
    "open_case",
    "record_incident",
    "release_handler",
    "transition_case",
]
