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
