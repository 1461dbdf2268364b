"""The demo and development settings: SQLite in the data folder, debug off unless asked."""

from casetrail.config.settings.base import *  # noqa: F403
from casetrail.config.settings.base import ENV

DEBUG = ENV.debug
SECRET_KEY = ENV.secret_key or "casetrail-demo-only-not-secret-" + "x" * 20
ALLOWED_HOSTS = [*ENV.allowed_hosts, "127.0.0.1", "localhost", "[::1]"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
