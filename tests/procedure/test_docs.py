"""The Python example in docs/procedure.md runs and says what the page says."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "procedure.md"


def test_the_python_example_on_the_procedure_page_holds():
    text = DOC.read_text(encoding="utf-8")
    example = text.split("```python\n", 1)[1].split("```", 1)[0]
    assert 'compute("CN-CPL91-ARREST-REQUEST", "2026-09-28T14:00", pack="cn"' in example
    from casetrail.procedure import compute

    deadline = compute(
        "CN-CPL91-ARREST-REQUEST", "2026-09-28T14:00", pack="cn", extensions=["special=3"]
    )
    # The values the page shows in its comments.
    assert "2026-10-04 15:59:59+00:00" in example
    assert str(deadline.due_at) == "2026-10-04 15:59:59+00:00"
    assert str(deadline.due_local) == "2026-10-04 23:59:59+08:00"
    assert any("custody period: not shifted" in step for step in deadline.explanation)
