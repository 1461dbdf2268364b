"""The officers' Chinese catalogue, kept level with the source.

    python scripts/translations.py            # add the source's new messages to django.po
                                              # (untranslated), drop the ones gone, compile .mo
    python scripts/translations.py --check    # fail when django.po lags the source, has an
                                              # untranslated or fuzzy entry, or django.mo is
                                              # not compiled from it

Django's makemessages reads the source (gettext and gettext_lazy in Python, {% translate %}
and {% blocktranslate %} in templates, and the procedure engine's gettext_noop); GNU gettext's
tools (xgettext, msgfmt, msgattrib) must be installed: apt-get install gettext.
"""

from __future__ import annotations

import argparse
import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "casetrail"
MESSAGES = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
PO, MO = MESSAGES / "django.po", MESSAGES / "django.mo"


def _run(*command: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "casetrail.config.settings.test"}
    # The gettext tools and this interpreter, with fixed arguments: no input from outside.
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _made_from_source(package: Path) -> Path:
    """django.po as makemessages leaves it when run over ``package`` (a copy or the real one)."""
    _run(
        sys.executable, "-m", "django", "makemessages", "--locale", "zh_Hans", "--no-obsolete",
        "--no-location", "--ignore", "migrations/*", cwd=package,
    )  # fmt: skip
    return package / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _msgids(po: Path, *flags: str) -> list[str]:
    """The messages msgattrib selects with ``flags`` (for example --untranslated), each its
    msgid, after its context where it has one (``measure | "arrest"``)."""
    text = _run("msgattrib", "--no-wrap", *flags, str(po))
    ids, context, current = [], "", None
    for line in text.splitlines():
        if line.startswith("msgctxt "):
            context = line[len("msgctxt ") :] + " | "
        elif line.startswith("msgid "):
            current = line[len("msgid ") :]
        elif current is not None and line.startswith('"'):
            current += line  # a message with a newline in it continues on the next lines
        elif current is not None:
            if current != '""':
                ids.append(context + current)
            context, current = "", None
    return ids


def _catalogue(po: Path) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as scratch:
        compiled = Path(scratch) / "django.mo"
        _run("msgfmt", "--check", "-o", str(compiled), str(po))
        return _read_mo(compiled)


def _read_mo(mo: Path) -> dict[str, str]:
    with mo.open("rb") as handle:
        catalogue = dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]
    catalogue.pop("", None)  # the header
    return catalogue


def check() -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "casetrail"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        made = _made_from_source(copy)
        new = set(_msgids(made)) - set(_msgids(PO))
        if new:
            problems.append(f"{len(new)} messages of the source are not in django.po:")
            problems += sorted(f"  {msgid}" for msgid in new)
        gone = set(_msgids(PO)) - set(_msgids(made))
        if gone:
            problems.append(f"{len(gone)} messages of django.po are no longer in the source:")
            problems += sorted(f"  {msgid}" for msgid in gone)
    for flag, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
        found = _msgids(PO, flag)
        if found:
            problems.append(f"{len(found)} {what} messages in django.po:")
            problems += sorted(f"  {msgid}" for msgid in found)
    if _catalogue(PO) != _read_mo(MO):
        problems.append("django.mo is not compiled from django.po: run scripts/translations.py")
    return problems


def update() -> None:
    made = _made_from_source(PACKAGE)
    _run("msgfmt", "--check", "-o", str(MO), str(made))
    untranslated = _msgids(PO, "--untranslated")
    print(f"django.po: {len(_msgids(PO))} messages, {len(untranslated)} untranslated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail on a gap")
    if parser.parse_args().check:
        problems = check()
        if problems:
            sys.exit("\n".join(problems))
        print("django.po: every message of the source translated; django.mo current")
    else:
        update()


if __name__ == "__main__":
    main()
