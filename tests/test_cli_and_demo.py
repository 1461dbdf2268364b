"""The `casetrail` command, the demo jurisdiction and the seeder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from casetrail import cli, clock, demo, seed
from casetrail.cases.models import Case
from casetrail.ledger.models import LedgerEntry
from casetrail.org import actions as org_actions
from casetrail.org.access import needs_second_factor
from casetrail.org.inputs import CodeInput
from casetrail.org.models import Officer, Unit
from casetrail.org.roles import Role
from tests.conftest import enrol


@pytest.mark.django_db
def test_the_demo_covers_every_role_and_every_case_state():
    demo.load(seed=3, incidents=160)
    roles = set(Officer.objects.values_list("grants__role", flat=True))
    assert roles >= {r.value for r in Role}
    assert 30 <= Officer.objects.count() <= 40
    assert Unit.objects.filter(kind="station", pack="cn").count() == 4
    states = set(Case.objects.values_list("kind", "status"))
    from casetrail.cases.machine import Kind, statuses

    for kind in Kind:
        missing = {s.value for s in statuses(kind)} - {s for k, s in states if k == kind}
        # accepted is a transient state for criminal cases: intake opens the review at once.
        assert missing <= ({"accepted"} if kind == Kind.CRIMINAL else set()), (kind, missing)
    seqs = list(LedgerEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.django_db
def test_the_logins_text_lists_every_officer():
    demo.load(seed=1, incidents=0)
    text = demo.logins_text()
    assert demo.DEMO_PASSWORD in text
    for username in Officer.objects.values_list("username", flat=True):
        assert username in text


@pytest.mark.django_db
def test_the_readme_lists_the_demo_logins_as_the_demo_makes_them():
    """Every demo officer is in the README's table of logins (``dh02.*`` standing for a
    station's officers), and every login the table names exists."""
    import re
    from pathlib import Path

    demo.load(seed=1, incidents=0)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `")]
    named = {name for line in table for name in re.findall(r"`([^`]+)`", line.split("|")[1])}
    exact = {name for name in named if not name.endswith("*")}
    prefixes = tuple(name[:-1] for name in named if name.endswith("*"))
    usernames = set(Officer.objects.values_list("username", flat=True))
    assert exact <= usernames, exact - usernames
    unlisted = {u for u in usernames if u not in exact and not u.startswith(prefixes)}
    assert unlisted == set()


@pytest.mark.django_db
def test_the_demo_enrols_who_must_use_a_second_factor_with_the_published_secret(frozen_clock):
    demo.load(seed=1, incidents=0)
    text = demo.logins_text()
    assert demo.DEMO_TOTP_SECRET in text
    supervisor = Officer.objects.get(username="supervisor")
    assert needs_second_factor(supervisor)
    assert " *supervisor " in text
    assert "  dh01.handler1 " in text  # handlers need none
    frozen_clock.shift(timedelta(seconds=30))  # the enrolment spent this step's code
    code = f"{totp(bytes.fromhex(demo.DEMO_TOTP_KEY)):06d}"
    assert org_actions.verify_second_factor(CodeInput(code=code), actor=supervisor)


@pytest.mark.django_db
def test_seeding_makes_the_cases_and_their_entries():
    demo.load(seed=1, incidents=0)  # with the English suite's three cases
    demo_cases = set(Case.objects.values_list("pk", flat=True))
    opened = LedgerEntry.objects.filter(action="case.opened").count()
    seed.seed_cases(300, seed=9)
    made = Case.objects.exclude(pk__in=demo_cases).values_list("number", "title", "status")
    assert len(made) == 300
    assert len({n for n, _, _ in made}) == 300
    assert LedgerEntry.objects.filter(action="case.opened").count() == opened + 300


@pytest.mark.django_db
def test_seeding_is_deterministic_for_a_seed():
    demo.load(seed=1, incidents=0)

    def seeded(value: int) -> list[tuple[str, str, str, str]]:
        sid = transaction.savepoint()
        seed.seed_cases(40, seed=value)
        made = list(Case.objects.order_by("id").values_list("number", "title", "status", "kind"))
        transaction.savepoint_rollback(sid)
        return made

    first, again, other = seeded(9), seeded(9), seeded(10)
    assert first == again
    assert first != other


@pytest.mark.django_db
def test_seeded_numbers_continue_without_gaps_per_unit_and_year():
    demo.load(seed=1, incidents=0)
    seed.seed_cases(200, seed=4)
    seed.seed_cases(200, seed=5)
    for unit_id, year in set(Case.objects.values_list("unit_id", "year")):
        seqs = sorted(
            Case.objects.filter(unit_id=unit_id, year=year).values_list("sequence", flat=True)
        )
        assert seqs == list(range(1, len(seqs) + 1))


def test_seed_refuses_a_count_below_one():
    with pytest.raises(seed.SeedError, match="--cases"):
        seed.seed_cases(0)


@pytest.mark.django_db
def test_createofficer_names_a_bad_unit(capsys, monkeypatch):
    monkeypatch.setenv("CASETRAIL_OFFICER_PASSWORD", "a-long-password-1")
    assert (
        cli.main(
            ["createofficer", "--username", "x", "--name", "X", "--badge", "1", "--unit", "NOPE"]
        )
        == 2
    )
    assert "--unit: no unit with code NOPE" in capsys.readouterr().err


@pytest.mark.django_db
def test_createofficer_creates_and_grants(capsys, monkeypatch):
    monkeypatch.setenv("CASETRAIL_OFFICER_PASSWORD", "a-long-password-1")
    demo.load(seed=1, incidents=0)
    assert (
        cli.main(
            [
                "createofficer",
                "--username",
                "newbie",
                "--name",
                "新警员",
                "--badge",
                "N1",
                "--unit",
                "JNDH01",
                "--role",
                "case_handler",
            ]
        )
        == 0
    )
    officer = Officer.objects.get(username="newbie")
    assert officer.check_password("a-long-password-1")
    assert officer.grants.filter(role="case_handler").exists()
    assert LedgerEntry.objects.filter(action="officer.created", subject_id=str(officer.pk)).exists()
    assert (
        cli.main(
            [
                "createofficer",
                "--username",
                "newbie",
                "--name",
                "X",
                "--badge",
                "N2",
                "--unit",
                "JNDH01",
            ]
        )
        == 2
    )
    assert "--username" in capsys.readouterr().err


def test_the_parser_lists_the_commands():
    parser = cli.build_parser()
    text = parser.format_help()
    for command in ("serve", "demo", "migrate", "seed", "createofficer"):
        assert command in text


@pytest.mark.django_db
def test_the_demo_has_people_on_the_whiteboard():
    from casetrail.custody.models import CustodySession, Deadline, Measure

    demo.load(seed=2026, incidents=200)
    assert Measure.objects.filter(status="running").exists()
    assert CustodySession.objects.exists()
    assert Deadline.objects.filter(status="open").count() >= 5


@pytest.mark.django_db
def test_the_english_suite_has_cases_and_pace_detentions_with_reviews_due_and_one_overdue():
    """The English suite had no handler, so no English case could be opened: now two detective
    constables have three cases from the desk's reports, each with a PACE detention running
    (s.37), its person in the suite; the first review (s.40(3)(a), 6 hours after the custody
    officer authorised detention) is ahead for one, overdue for one, and held for the third,
    which has its next review ahead. Nothing lies after the clock the demo is loaded at."""
    from casetrail.custody.models import CustodySession, Deadline, Measure

    demo.load(seed=1, incidents=0)
    now = clock.now()
    suite = Unit.objects.get(code="WDCNG")
    handlers = Officer.objects.filter(grants__unit=suite, grants__role=Role.CASE_HANDLER)
    assert set(handlers.values_list("username", flat=True)) == {"wdc.dc1", "wdc.dc2"}
    assert Case.objects.filter(unit=suite, incident__isnull=False).count() == 3
    running = Measure.objects.filter(case__unit=suite, kind="pace_detention", status="running")
    assert running.count() == 3
    assert CustodySession.objects.filter(measure__in=running, exited_at__isnull=True).count() == 3
    reviews = Deadline.objects.filter(measure__in=running, rule_id__startswith="EW-PACE40-REVIEW")
    ahead = reviews.filter(status="open", due_at__gt=now)
    overdue = reviews.filter(status__in=("open", "missed"), due_at__lt=now)
    assert ahead.count() == 2
    assert overdue.count() == 1
    assert reviews.filter(status="met").count() == 2
    assert not Measure.objects.filter(started_at__gt=now).exists()
    assert not LedgerEntry.objects.filter(at__gt=now).exists()


@pytest.mark.django_db
def test_the_demo_officers_are_qualified_on_the_day_it_is_loaded_whatever_the_year():
    """The qualifications are relative to the day the demo is loaded (CI loads it under a
    frozen clock years ahead too): every officer but the lapsed one may handle cases today."""
    demo.load(seed=1, incidents=0)
    today = clock.today_in("Asia/Shanghai")
    lapsed = {o.username for o in Officer.objects.all() if not o.qualified_on(today)}
    assert lapsed == {"dh01.lapsed"}


def test_the_second_factor_commands_switch_an_agency_and_reset_a_device(world, capsys):
    assert cli.main(["second-factor", "require", "C1", "off"]) == 0
    world.city.refresh_from_db()
    assert not world.city.second_factor_required
    assert cli.main(["second-factor", "require", "S1", "off"]) == 2
    assert "--unit: " in capsys.readouterr().err
    assert cli.main(["second-factor", "require", "NOPE", "on"]) == 2
    assert "no unit with code NOPE" in capsys.readouterr().err

    enrol(world.leader)
    assert cli.main(["second-factor", "reset", "leader"]) == 0
    assert "1 device(s) removed" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=world.leader).exists()
    assert LedgerEntry.objects.filter(action="officer.second_factor_reset").count() == 1
    assert cli.main(["second-factor", "reset", "leader"]) == 2
    assert "--officer: " in capsys.readouterr().err
    assert cli.main(["second-factor", "reset", "nobody-here"]) == 2
