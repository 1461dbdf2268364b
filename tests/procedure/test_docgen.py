"""docs/rules.md is generated from the packs and must be current."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetrail.procedure import docgen, load_pack, read_pack
from tests.procedure.test_pack_validation import RICH_RULE
from tests.procedure.test_packs import write_pack

RULES_MD = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_docs_rules_md_is_current() -> None:
    assert RULES_MD.read_text(encoding="utf-8") == docgen.render(), (
        "docs/rules.md is stale: run python -m casetrail.procedure.docgen"
    )


def test_the_reference_has_a_section_for_every_rule() -> None:
    text = docgen.render()
    for pack in ("cn", "gb_eng"):
        for rule_id in load_pack(pack).rule_ids():
            assert f"### {rule_id}\n" in text


def test_check_fails_on_a_stale_file_and_writing_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "rules.md"
    target.write_text("old\n", encoding="utf-8")
    assert docgen.main(["--check", "--output", str(target)]) == 1
    assert docgen.main(["--output", str(target)]) == 0
    assert docgen.main(["--check", "--output", str(target)]) == 0
    assert "is stale" in capsys.readouterr().err


def test_python_m_docgen_check_exits_1_on_a_stale_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # scripts/test.sh runs `python -m casetrail.procedure.docgen --check`: its exit code is
    # what stops CI.
    import runpy

    target = tmp_path / "missing" / "rules.md"
    monkeypatch.setattr("sys.argv", ["docgen.py", "--check", "--output", str(target)])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(docgen.__file__, run_name="__main__")
    assert exited.value.code == 1
    assert f"{target} is stale" in capsys.readouterr().err


def test_a_pack_without_aliases_lists_none(tmp_path: Path) -> None:
    pack = read_pack(write_pack(tmp_path, RICH_RULE))
    assert not pack.aliases
    text = docgen._pack(pack)
    assert "Version-free aliases" not in text
    assert f"### {pack.rules[0].id}\n" in text
