"""Synthetic cases in bulk for benchmarks and load tests: deterministic for a seed.

Realistic zh_CN names, ID numbers and summaries; every case, handler assignment and party is
a row like the actions write, and each case and person gets its opening ledger entry.
200,000 cases take a few minutes on SQLite on a 2-core machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from faker import Faker

from casetrail import clock
from casetrail.cases.identity import PROVINCES, resident_id
from casetrail.cases.machine import Kind, Status, statuses
from casetrail.cases.models import (
    Case,
    CaseCounter,
    CaseHandler,
    IdType,
    OffenceCategory,
    Party,
    PartyRole,
    Person,
)
from casetrail.cases.search import index_cases, search_text
from casetrail.demo import _SUMMARIES
from casetrail.ledger.bulk import NewSubjectEntry, append_first_entries
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.record import actor_label
from casetrail.org.models import Officer, Unit, UnitKind
from casetrail.org.roles import Role

BATCH = 2000
MAINLAND = sorted(p for p in PROVINCES if p < 71)


def _resident_id(drawn: int, birth: date, sequence: int) -> str:
    """A valid resident ID number from the two numbers the seed has always drawn for one (so
    the rest of a seeded site is what it was): a province of the mainland and a checked
    last character."""
    address = f"{MAINLAND[drawn % len(MAINLAND)]}{drawn % 10000:04d}"
    return resident_id(address, birth, sequence % 1000)


class SeedError(RuntimeError):
    pass


def seed_cases(
    count: int, *, seed: int = 1, progress: Callable[[str], object] = lambda _: None
) -> int:
    if count < 1:
        raise SeedError("--cases must be at least 1")
    if not Unit.objects.exists():
        from casetrail import demo

        demo.load(seed=seed, incidents=0)
    stations = list(Unit.objects.filter(kind=UnitKind.STATION, pack="cn").order_by("code"))
    handlers = {
        u.pk: list(
            Officer.objects.filter(
                unit=u,
                grants__role=Role.CASE_HANDLER,
                qualification_valid_until__gte=clock.today_in(u.timezone),
            )
            .distinct()
            .order_by("badge_number")
        )
        for u in stations
    }
    stations = [u for u in stations if len(handlers[u.pk]) >= 2]
    if not stations:
        raise SeedError("no station has two qualified handlers to seed cases for")
    categories = list(OffenceCategory.objects.all())
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    names = [fake.name() for _ in range(5000)]
    streets = [fake.street_name() for _ in range(500)]
    now = clock.now()
    made = 0
    while made < count:
        n = min(BATCH, count - made)
        with transaction.atomic():
            _seed_batch(n, rng, stations, handlers, categories, names, streets, now)
        made += n
        if made % 20000 == 0 or made == count:
            progress(f"  {made}/{count} cases")
    with connection.cursor() as cursor:
        # Fresh statistics, so the planner knows how the new rows are spread.
        cursor.execute("ANALYZE")
    return made


def _seed_batch(
    n: int,
    rng: random.Random,
    stations: list[Unit],
    handlers: dict[int, list[Officer]],
    categories: list[OffenceCategory],
    names: list[str],
    streets: list[str],
    now: datetime,
) -> None:
    counters: dict[tuple[int, int], CaseCounter] = {}
    cases: list[Case] = []
    plans = []
    for _ in range(n):
        unit = rng.choice(stations)
        category = rng.choice(categories)
        kind = Kind(category.kind)
        opened = now - timedelta(days=rng.uniform(0, 3 * 365))
        year = opened.astimezone(_zone(unit)).year
        key = (unit.pk, year)
        if key not in counters:
            counters[key], _ = CaseCounter.objects.select_for_update().get_or_create(
                unit=unit, year=year
            )
        counter = counters[key]
        counter.last += 1
        status = rng.choice(statuses(kind))
        summary = _SUMMARIES[category.code].format(
            place=rng.choice(streets), amount=rng.randint(300, 90000)
        )
        party_names = rng.sample(names, rng.randint(1, 3))
        number = f"{unit.code}-{year}-{counter.last:06d}"
        cases.append(
            Case(
                number=number,
                unit=unit,
                year=year,
                sequence=counter.last,
                kind=kind,
                category=category,
                status=status,
                title=summary[:40],
                summary=summary,
                opened_at=opened,
                updated_at=opened,
                hearing_required=False,
                search_text=search_text([number, *party_names, summary[:40], summary]),
            )
        )
        plans.append((unit, party_names, rng.sample(handlers[unit.pk], 2)))
    for counter in counters.values():
        counter.save(update_fields=["last"])
    Case.objects.bulk_create(cases, batch_size=1000)
    persons: list[Person] = []
    for _unit, party_names, _h in plans:
        for name in party_names:
            birth = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))
            persons.append(
                Person(
                    name=name,
                    id_type=IdType.RESIDENT_ID,
                    id_number=_resident_id(
                        rng.randint(110000, 659999), birth, rng.randint(0, 9999)
                    ),
                    birth_date=birth,
                )
            )
    Person.objects.bulk_create(persons, batch_size=1000)
    parties: list[Party] = []
    case_handlers: list[CaseHandler] = []
    entries: list[NewSubjectEntry] = []
    it = iter(persons)
    for case, (unit, party_names, chosen) in zip(cases, plans, strict=True):
        event_on = case.opened_at.astimezone(_zone(unit)).date()
        for i, _name in enumerate(party_names):
            person = next(it)
            role = PartyRole.VICTIM if i == 0 else PartyRole.SUSPECT
            parties.append(
                Party(
                    case=case,
                    person=person,
                    role=role,
                    added_at=case.opened_at,
                    event_on=event_on,
                    juvenile=False,
                )
            )
            entries.append(
                NewSubjectEntry(
                    LedgerKind.PERSON_RECORDED,
                    Person.LEDGER_SUBJECT,
                    str(person.pk),
                    case.opened_at,
                    chosen[0].pk,
                    actor_label(chosen[0]),
                    unit.pk,
                    {
                        "name": person.name,
                        "id_type": person.id_type,
                        "case": case.pk,
                        "seeded": True,
                    },
                )
            )
        for lead, officer in zip((True, False), chosen, strict=True):
            case_handlers.append(
                CaseHandler(case=case, officer=officer, assigned_at=case.opened_at, lead=lead)
            )
        entries.append(
            NewSubjectEntry(
                LedgerKind.CASE_OPENED,
                Case.LEDGER_SUBJECT,
                str(case.pk),
                case.opened_at,
                chosen[0].pk,
                actor_label(chosen[0]),
                unit.pk,
                {
                    "number": case.number,
                    "kind": case.kind,
                    "category": case.category.code,
                    "title": case.title,
                    "handlers": [o.badge_number for o in chosen],
                    "status": case.status,
                    "seeded": True,
                },
            )
        )
    index_cases(
        (case.pk, [case.number, *names_of, case.title, case.summary])
        for case, (_u, names_of, _h) in zip(cases, plans, strict=True)
    )
    Party.objects.bulk_create(parties, batch_size=1000)
    CaseHandler.objects.bulk_create(case_handlers, batch_size=1000)
    append_first_entries(entries)


def _zone(unit: Unit) -> ZoneInfo:
    return ZoneInfo(unit.timezone)


__all__ = ["SeedError", "Status", "seed_cases"]
