"""casetrail.procedure imports neither Django nor any other casetrail package."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import casetrail.procedure

PACKAGE = Path(casetrail.procedure.__file__).parent


def test_no_module_imports_django_or_another_casetrail_package() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("django", "ninja")), f"{path.name} imports {name}"
                if name.startswith("casetrail"):
                    assert name.startswith("casetrail.procedure"), f"{path.name} imports {name}"


def test_importing_and_computing_loads_no_django() -> None:
    code = (
        "import sys; from casetrail.procedure import compute; "
        "compute('CN-CPL86-INTERROGATE-24H', '2026-03-10T14:00', pack='cn'); "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a constant script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
