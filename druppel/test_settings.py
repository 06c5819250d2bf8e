"""Test overrides. DATABASE_URL and CELERY_BROKER_URL still come from the environment,
so the same suite runs on the embedded default and on PostgreSQL + Redis."""

import os
import tempfile

from django.core.management.utils import get_random_secret_key

os.environ.setdefault("SECRET_KEY", get_random_secret_key())
os.environ.setdefault("DRUPPEL_VAR_DIR", tempfile.mkdtemp(prefix="druppel-test-"))
# The settings refuse an http SITE_URL with DEBUG off; they are imported with an https one...
os.environ["SITE_URL"] = "https://testserver"

from druppel.settings import *  # noqa: F403
from druppel.settings import DATABASES, VAR_DIR

DEBUG = False
# ...and this, tests only, is the escape hatch: Django's test client and the live server
# speak plain http, so the links in test mails and the cookies follow them.
SITE_URL = "http://testserver"
CSRF_TRUSTED_ORIGINS = [SITE_URL]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SENDGRID_API_KEY = ""
SENDGRID_TIMEOUT = 2.0
# Retries after a 429/5xx wait milliseconds, not seconds, in the suite.
DRIP_RETRY_BASE_SECONDS = 0.01
DRIP_RECORD_RETRY_DELAYS = [0.05, 0.1, 0.2]
OUTBOX_DIR = VAR_DIR / "outbox"
# Pages render without a collectstatic run: plain names, served from the source folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "core.sqlite":
    # A file, not :memory:, so a real Celery worker thread and concurrent ticks
    # share one database the way separate processes would.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
