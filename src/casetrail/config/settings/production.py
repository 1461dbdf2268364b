"""Production settings: secrets only from the environment; missing values stop startup."""

from casetrail.config.settings.base import *  # noqa: F403
from casetrail.config.settings.base import ENV

DEBUG = False
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
