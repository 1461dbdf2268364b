"""The `rules` commands: output on stdout, exit 2 with a named argument on bad input."""

from __future__ import annotations

import argparse
import json

import pytest

from casetrail.procedure import cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_list_shows_every_rule_of_a_pack(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "list", "--pack", "gb_eng")
    assert code == 0
    assert "EW-PACE44-MAX-96H" in out
    assert "CN-" not in out


def test_rules_list_without_a_pack_shows_both(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "list")
    assert code == 0
    assert "CN-PSAPL-CASE-LIMIT" in out
    assert "EW-CODEC-12.8-BREAK" in out


def test_rules_show_prints_the_citation_and_the_extensions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "rules", "show", "CN-CPL91-ARREST-REQUEST")
    assert code == 0
    assert "Criminal Procedure Law of the PRC (2018), art. 91, paras. 1-2" in out
    assert "special: adds N days (N from 1 to 4), approved by agency_head, once" in out


def test_rules_show_of_an_alias_lists_its_versions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "CN-PSAPL-Q-8H")
    assert code == 0
    assert "CN-PSAPL2012-Q83-8H  in force 2006-03-01 to 2025-12-31" in out


def test_rules_deadline_prints_the_due_time_and_the_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys,
        "rules",
        "deadline",
        "CN-CPL91-ARREST-REQUEST",
        "--trigger",
        "2026-09-28T14:00",
        "--extend",
        "special=3",
    )
    assert code == 0
    assert "due:       2026-10-04T23:59:59+08:00" in out
    assert "last day 2026-10-04 is a holiday, custody period: not shifted" in out


def test_rules_deadline_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "rules",
        "deadline",
        "EW-PACE43-WFD",
        "--trigger",
        "2026-05-05T00:00",
        "--param",
        "relevant_time=2026-05-01T22:00",
        "--json",
        "--pack",
        "gb_eng",
    )
    assert code == 0
    assert json.loads(out)["due_at"] == "2026-05-05T21:00:00Z"


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["--trigger", "2026-10-25T01:30", "EW-PACE41-24H"], "--trigger"),
        (["--trigger", "tomorrow", "EW-PACE41-24H"], "--trigger"),
        (["--trigger", "2026-05-01T10:00", "--extend", "s42=20", "EW-PACE41-24H"], "--extend"),
        (["--trigger", "2026-05-01T10:00", "--param", "hours", "EW-PACE43-WFD"], "--param"),
        (["--trigger", "2026-05-01T10:00", "--param", "x=1", "EW-PACE41-24H"], "--param"),
        (["--trigger", "2026-05-01T10:00", "EW-NOPE"], "ID"),
        (["--trigger", "2026-05-01T10:00", "--pack", "cn", "EW-PACE41-24H"], "ID"),
        (["--trigger", "2025-05-01T10:00", "CN-PSAPL-Q-12H"], "--trigger"),
    ],
)
def test_a_bad_argument_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], argv: list[str], names: str
) -> None:
    code, out, err = run(capsys, "rules", "deadline", *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: {names}: ")
    assert "Traceback" not in err


def test_a_missing_trigger_is_argparse_usage_with_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "rules", "deadline", "EW-PACE41-24H")
    assert code == 2
    assert "--trigger" in err


def test_an_unknown_pack_in_list_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rules", "list", "--pack", "xx")
    assert code == 2
    assert err.startswith("error: --pack:")


def test_the_lead_cli_can_mount_the_rules_commands() -> None:
    parser = argparse.ArgumentParser(prog="casetrail")
    cli.add_subparsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["rules", "show", "EW-PACE41-RT"])
    assert args.func is cli.run_show


def test_rules_show_of_an_unknown_id_exits_2_naming_the_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "rules", "show", "EW-NOPE")
    assert (code, out) == (2, "")
    assert err == "error: ID: no pack has a rule or alias 'EW-NOPE'\n"
    code, out, err = run(capsys, "rules", "show", "EW-PACE41-24H", "--pack", "cn")
    assert (code, out) == (2, "")
    assert err == "error: ID: pack 'cn' has no rule or alias 'EW-PACE41-24H'\n"


def test_rules_show_prints_the_parameters_and_no_ceiling_where_there_is_none(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # PSAPL art. 16 / Detention Centre Regulations: the days come from the decision.
    code, out, _ = run(capsys, "rules", "show", "CN-ADMIN-DETENTION-EXEC")
    assert code == 0
    assert "  param:      days (int, required): " in out
    assert "  param:      leave (hhmm, default None): " in out
    assert "ceiling:" not in out


def test_rules_deadline_in_an_unpublished_year_says_it_is_provisional_and_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # MPS Opinions 2015 / CPL art. 105(4): the last day depends on the 2027 calendar.
    code, out, _ = run(
        capsys, "rules", "deadline", "CN-MPS2015-ADMIN-ACCEPT-3D", "--trigger", "2027-09-29T10:00"
    )
    assert code == 0
    assert "provisional: YES\n  ! the PRC holiday calendar for 2027 is not published" in out


def test_a_calendar_that_cannot_answer_exits_2_without_blaming_an_argument(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.procedure.test_calendars import Closed

    parser = argparse.ArgumentParser(prog="casetrail")
    cli.add_subparsers(parser.add_subparsers(dest="command"), calendars=lambda name: Closed())
    args = parser.parse_args(
        ["rules", "deadline", "CN-MPS2015-ADMIN-ACCEPT-3D", "--trigger", "2026-03-10T10:00"]
    )
    assert args.func(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "error: no working day in the 60 days after 2026-03-13: check the calendar\n"


def test_python_m_runs_the_rules_commands_and_exits_with_their_code(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import runpy

    monkeypatch.setattr("sys.argv", ["cli.py", "rules", "list", "--pack", "gb_eng"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(cli.__file__, run_name="__main__")
    assert exited.value.code == 0
    assert "EW-PACE44-MAX-96H" in capsys.readouterr().out
    monkeypatch.setattr("sys.argv", ["cli.py", "rules", "list", "--pack", "xx"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(cli.__file__, run_name="__main__")
    assert exited.value.code == 2
