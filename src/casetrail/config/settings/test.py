"""Test settings: fast hasher, static files from the finders, database from DATABASE_URL."""

import tempfile
from pathlib import Path

from casetrail.config.settings.base import *  # noqa: F403
from casetrail.config.settings.base import DATABASES

DEBUG = False
SECRET_KEY = "casetrail-tests-only-" + "x" * 40
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
# Each test run signs with its own throwaway key, never a developer's ./data/keys/ledger.pem.
_KEYS = Path(tempfile.mkdtemp(prefix="casetrail-test-keys-"))
CASETRAIL_LEDGER_KEY_FILE = _KEYS / "ledger.pem"
# Likewise the agency's document-signing files: tests make a demo CA there at the frozen instant
# (casetrail.documents.sealing.ensure_demo_keys), never using a developer's ./data/keys/.
CASETRAIL_DOCUMENT_SIGNING_KEY = _KEYS / "document-signing-key.pem"
CASETRAIL_DOCUMENT_SIGNING_CERT = _KEYS / "document-signing-cert.pem"
CASETRAIL_DOCUMENT_SIGNING_CA = _KEYS / "document-signing-ca.pem"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The test database lives in memory; WAL and IMMEDIATE still apply to the live-server tests.
    DATABASES["default"]["TEST"] = {"NAME": None}
# The server's clock is frozen (tests/conftest.py) but the browser's is the real one: a cookie
# with an absolute expiry computed on the frozen clock may be in the browser's past. Cookies that
# last as long as the browser session compare no clocks; the server still expires sessions.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_AGE = None
