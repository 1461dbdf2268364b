"""Production settings: secrets only from the environment; missing values stop startup."""

from casetrail.config.settings.base import *  # noqa: F403
from casetrail.config.settings.base import ENV

DEBUG = False
# The server's time in each answer's Server-Timing header is for the demo and the benchmarks
# (benchmarks/officer_day.py); in production only when the operator asks for it.
if not ENV.server_timing:
    MIDDLEWARE = [m for m in MIDDLEWARE if m != "casetrail.web.timing.ServerTimingMiddleware"]  # noqa: F405
SECRET_KEY = ENV.require_secret()
ALLOWED_HOSTS = list(ENV.allowed_hosts) or ["localhost"]
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
