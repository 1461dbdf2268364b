"""Every refusal an officer can meet is said in the officer's language.

A refusal (``Refused``, ``AccessDenied``, ``NotFound`` and their kinds) is made with
``gettext`` when it is raised, inside the request, so it comes out in the language the request
asked for at both doors; the procedure engine knows no language and marks its messages with
``gettext_noop`` for whoever shows them to translate (``ProcedureError.said``). A message
written as a bare literal or an f-string cannot be translated: it is found here by reading the
source. That the catalogue holds a translation for every marked message is checked by
``scripts/translations.py --check`` (run by the test command, and by the last test below).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

import casetrail
from casetrail.errors import AccessDenied, NotFound, Refused
from casetrail.errors import in_field as _in_field
from casetrail.procedure.errors import CalendarError, PackError, ProcedureError

ROOT = Path(__file__).resolve().parent.parent

# Refusals that only an operator reads at a terminal: a rule pack or a calendar notice that
# does not load names its file and line, in the language of the files.
OPERATOR_ONLY = (PackError, CalendarError)


def _modules() -> list[Any]:
    found = []
    for info in pkgutil.walk_packages(casetrail.__path__, "casetrail."):
        # Settings modules read the environment (production's needs its secret key).
        if any(part in info.name for part in (".migrations", ".settings", "__main__")):
            continue
        found.append(importlib.import_module(info.name))
    return found


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def _is_marked(message: ast.expr) -> bool:
    """``gettext(...)``, ``gettext(...) % {...}``, ``gettext_noop(...)`` or a message carried
    over from another refusal (``error.template``)."""
    if isinstance(message, ast.BinOp) and isinstance(message.op, ast.Mod):
        return _is_marked(message.left)
    if isinstance(message, ast.IfExp):
        return _is_marked(message.body) and _is_marked(message.orelse)
    if isinstance(message, ast.Call):
        name = message.func.id if isinstance(message.func, ast.Name) else ""
        return name in {"gettext", "gettext_lazy", "gettext_noop", "_", "ngettext"}
    return isinstance(message, ast.Attribute) and message.attr == "template"


def _unsaid(module: Any) -> list[str]:
    source = Path(module.__file__).read_text(encoding="utf-8")
    namespace = vars(module)
    offences = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        target = _resolve(node.func, namespace)
        if target is _in_field and len(node.args) > 1:
            message = node.args[1]
        elif isinstance(target, type) and issubclass(target, (Refused, AccessDenied, NotFound)):
            message = node.args[0]
        elif (
            isinstance(target, type)
            and issubclass(target, ProcedureError)
            and not issubclass(target, OPERATOR_ONLY)
        ):
            message = node.args[0]
            if not _is_marked(message):
                offences.append(f"{module.__name__}:{node.lineno}: {ast.unparse(message)[:80]}")
            continue
        else:
            continue
        if isinstance(message, ast.Constant | ast.JoinedStr):
            offences.append(f"{module.__name__}:{node.lineno}: {ast.unparse(message)[:80]}")
    return offences


def test_no_refusal_is_written_in_one_language_only():
    offences = [line for module in _modules() for line in _unsaid(module)]
    assert offences == [], "refusals not made with gettext:\n" + "\n".join(offences)


def test_the_scan_finds_a_bare_refusal(tmp_path, monkeypatch):
    """The scan above is not vacuous: it finds a literal, an f-string and an unmarked engine
    message, and passes a gettext'ed one."""
    module = tmp_path / "bare_refusals.py"
    module.write_text(
        "from django.utils.translation import gettext\n"
        "from casetrail.errors import Refused, in_field\n"
        "from casetrail.procedure.errors import ParamError, gettext_noop\n"
        "def f(x):\n"
        "    Refused('plain')\n"
        "    Refused(f'made {x}')\n"
        "    ParamError('engine')\n"
        "    in_field('case_id', 'no such case')\n"
        "    Refused(gettext('fine %(x)s') % {'x': x})\n"
        "    ParamError(gettext_noop('fine too %(x)s'), x=x)\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = _unsaid(importlib.import_module("bare_refusals"))
    assert [line.split(":")[1] for line in found] == ["5", "6", "7", "8"]


def test_an_engine_refusal_is_said_in_the_asked_language():
    """The custody extension form and the rules API show the engine's refusals through
    ``said``: the English sentence for English, the catalogue's for Chinese."""
    from casetrail.procedure.errors import ExtensionError, gettext_noop

    refusal = ExtensionError(
        gettext_noop("extension %(name)s of %(rule)s may be applied only once (%(citation)s)"),
        name="roving",
        rule="CN-CPL2018-ART91",
        citation="CPL Art. 91",
    )
    english = "extension roving of CN-CPL2018-ART91 may be applied only once (CPL Art. 91)"
    assert str(refusal) == english
    with translation.override("zh-hans"):
        chinese = refusal.said(translation.gettext)
    assert "roving" in chinese
    assert "CN-CPL2018-ART91" in chinese
    assert "extension" not in chinese
    with translation.override("en"):
        assert refusal.said(translation.gettext) == english


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "尚未签署任何树头"), ("en", "no tree head has been signed yet")],
)
def test_the_api_answers_in_the_language_the_request_asks_for(language, expected):
    """No cookie, no login: Accept-Language alone chooses the language of the API's error."""
    response = Client().get("/api/v1/ledger/head", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json()["detail"] == expected


def test_the_catalogue_holds_every_message_translated():
    """``scripts/translations.py --check``: the source's messages all in django.po, none
    untranslated or fuzzy, and django.mo compiled from it."""
    missing = [tool for tool in ("xgettext", "msgfmt", "msgattrib") if shutil.which(tool) is None]
    assert not missing, f"install gettext ({', '.join(missing)} missing): apt-get install gettext"
    done = subprocess.run(  # noqa: S603 - this interpreter, a script of the repository
        [sys.executable, str(ROOT / "scripts" / "translations.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
