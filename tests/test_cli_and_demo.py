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
    demo.load(seed=1, incidents=0)
    seed.seed_cases(300, seed=9)
    first = list(Case.objects.order_by("id").values_list("number", "title", "status"))
    assert len(first) == 300
    assert len({n for n, _, _ in first}) == 300
    entries = LedgerEntry.objects.filter(action="case.opened").count()
    assert entries == 300


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
