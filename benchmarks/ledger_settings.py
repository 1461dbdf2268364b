"""Settings for the ledger benchmarks (`ledger_append.py`, `ledger_scale.py`).

The test settings, plus django-simple-history, a benchmark-only dependency (`pip install -e
'.[bench]'`, docs/decisions/0003-benchmark-only-dependencies.md) that the application never
imports. The database is created and destroyed by the benchmark: on SQLite a file (WAL, as in
production) in the throwaway data folder the script sets in CASETRAIL_DATA_DIR, never the test
suite's in-memory database; on PostgreSQL (DATABASE_URL) Django's throwaway test database.
"""

from casetrail.config.settings.test import *  # noqa: F403
from casetrail.config.settings.test import DATA_DIR, DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "simple_history"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "bench.sqlite3")}
CASETRAIL_LEDGER_KEY_FILE = DATA_DIR / "keys" / "ledger.pem"
