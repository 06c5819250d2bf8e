"""Test overrides. DATABASE_URL and CELERY_BROKER_URL still come from the environment,
so the same suite runs on the embedded default and on PostgreSQL + Redis."""

import os
import tempfile

from django.core.management.utils import get_random_secret_key

os.environ.setdefault("SECRET_KEY", get_random_secret_key())
os.environ.setdefault("DRUPPEL_VAR_DIR", tempfile.mkdtemp(prefix="druppel-test-"))

from druppel.settings import *  # noqa: F403
from druppel.settings import DATABASES, VAR_DIR

DEBUG = False
SITE_URL = "http://testserver"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SENDGRID_API_KEY = ""
SENDGRID_TIMEOUT = 2.0
# Retries after a 429/5xx wait milliseconds, not seconds, in the suite.
DRIP_RETRY_BASE_SECONDS = 0.01
DRIP_RECORD_RETRY_DELAYS = [0.05, 0.1, 0.2]
OUTBOX_DIR = VAR_DIR / "outbox"

if DATABASES["default"]["ENGINE"] == "core.sqlite":
    # A file, not :memory:, so a real Celery worker thread and concurrent ticks
    # share one database the way separate processes would.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
