"""Django, set up once for the commands that need it (the rules and the offline verifier do
not)."""

from __future__ import annotations

import os


def setup(settings: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings or "casetrail.config.settings.dev")
    import django

    django.setup()
