"""Everything derived and shared; no secrets. See env.py for what comes from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from casetrail.config.settings.env import Env

ENV = Env.read()
PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = ENV.data_dir

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    # The officers' second factor (issue 16; docs/decisions/0007-second-factor.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "axes",
    "casetrail.ledger",
    "casetrail.org",
    "casetrail.cases",
    "casetrail.custody",
    "casetrail.approvals",
    "casetrail.documents",
    "casetrail.property",
    "casetrail.supervision",
    "casetrail.web",
]

MIDDLEWARE = [
    # First, so its Server-Timing header covers every other middleware and the view (issue 15).
    "casetrail.web.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before the language middleware, which reads the officer's unit from request.user.
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second factor (issue 16): whether the session is verified, then the gate that sends
    # an officer who must use one to the code or enrolment page.
    "django_otp.middleware.OTPMiddleware",
    "casetrail.org.middleware.SecondFactorMiddleware",
    "casetrail.web.middleware.UnitLanguageMiddleware",
    "casetrail.web.middleware.NoStoreMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: a form that worked says so on the next page, with its ledger entry.
    "casetrail.config.middleware.RecordedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a login that axes refused into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casetrail.config.urls"
WSGI_APPLICATION = "casetrail.config.wsgi.application"
AUTH_USER_MODEL = "org.Officer"
# django-axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "casetrail.org.throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "cases:workbench"
LOGOUT_REDIRECT_URL = "org:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Replaces the `date` filter everywhere: a stored date out of range shows in UTC
            # instead of failing the page (issue 16).
            "builtins": ["casetrail.web.templatetags.safe_dates"],
        },
    },
]


def database_config(url: str | None, data_dir: Path, *, prepare: bool = True) -> dict[str, Any]:
    """The database DATABASE_URL names (PostgreSQL, or SQLite as ``sqlite:///path``), else
    SQLite in the data folder; SQLite always in WAL mode with the options below.

    On PostgreSQL, ``prepare`` lets the ledger's append and proof statements run as prepared
    statements from their second use (they run on a server-binding cursor; Django's own
    queries bind on the client and are never prepared). Turn it off (CASETRAIL_PG_PREPARE=0)
    behind a transaction-pooling PgBouncer older than 1.21, which cannot keep them.
    """
    if not url:
        return _sqlite(data_dir / "casetrail.sqlite3")
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return _sqlite(config["NAME"])  # psycopg's options would crash the SQLite driver
    if prepare:
        config.setdefault("OPTIONS", {})["prepare_threshold"] = 2
    return config


def _sqlite(path: Path | str) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # Writers take the lock when the transaction begins, so the ledger's
            # read-then-append cannot interleave with another writer's.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
        },
    }


DATABASES = {"default": database_config(ENV.database_url, DATA_DIR, prepare=ENV.pg_prepare)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Chinese (Simplified)")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Stored files (issued PDFs, service signatures) live in the data folder with the database,
# never in the folder the server happens to start in; back them up together.
MEDIA_ROOT = DATA_DIR / "files"


def file_storage(env: Env) -> dict[str, Any]:
    """Where stored files go: the data folder, or an S3-compatible bucket through
    django-storages when CASETRAIL_S3_BUCKET is set (docs/decisions/0012). Files are written
    once and never overwritten: a name already taken gets a new one."""
    if not env.s3_bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options: dict[str, Any] = {
        "bucket_name": env.s3_bucket,
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    if env.s3_endpoint_url:
        options["endpoint_url"] = env.s3_endpoint_url
    if env.s3_region:
        options["region_name"] = env.s3_region
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": file_storage(ENV),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp, docs/decisions/0005-content-security-policy.md):
# scripts and styles only from our own static files, no inline script or handler, no plugins,
# not framed. The pages' behaviour lives in web/static/web/casetrail.js; htmx's indicator
# styles are in casetrail.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Swagger UI (/api/v1/docs) draws its icons from data: URLs.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Login throttling (django-axes, docs/decisions/0006-login-throttling.md): five wrong passwords
# for one username from one address lock that pair out for 15 minutes; the attempts and each
# failure are in the admin (Axes), where an administrator can also unlock early.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lockout: an officer typing the right password while locked out
# does not push it back.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "casetrail.org.throttle.locked_out"
# API bearer tokens: more than this many wrong tokens from one address in one window answer
# 429 until the window ends (casetrail.org.throttle, Django's cache).
CASETRAIL_TOKEN_FAILURE_LIMIT = 20
CASETRAIL_TOKEN_FAILURE_WINDOW = 60  # seconds
# The public document check (no login): checks per address per window.
CASETRAIL_VERIFY_LIMIT = 30
CASETRAIL_VERIFY_WINDOW = 600  # seconds
# Where the public reaches this installation: printed in each document's QR code.
CASETRAIL_PUBLIC_URL = ENV.public_url

NINJA_PAGINATION_PER_PAGE = 25
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 100

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # WeasyPrint reports each step of every PDF at INFO; fontTools its subsetting.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

CASETRAIL_LEDGER_KEY_FILE = ENV.ledger_key_file

# API tokens (issue 16): a token's lifetime when its holder names none, and the longest one
# may choose (never past 365 days, org.inputs.TOKEN_DAYS_CEILING).
CASETRAIL_TOKEN_DAYS = 90
CASETRAIL_TOKEN_MAX_DAYS = 365
# The name an authenticator app shows beside the officer's code.
OTP_TOTP_ISSUER = "casetrail"

# The signed checkpoint of the largest head ever signed, outside the database (docs/ledger.md).
CASETRAIL_LEDGER_CHECKPOINT_FILE = ENV.ledger_checkpoint_file
CASETRAIL_LEDGER_ORIGIN = ENV.ledger_origin

# The agency's document-signing key, its certificate (and any intermediates) and the CA
# certificate validators trust: PEM files outside the database (docs/operations.md, "Document
# signing keys"; casetrail.documents.sealing).
CASETRAIL_DOCUMENT_SIGNING_KEY = ENV.document_signing_key
CASETRAIL_DOCUMENT_SIGNING_CERT = ENV.document_signing_cert
CASETRAIL_DOCUMENT_SIGNING_CA = ENV.document_signing_ca
