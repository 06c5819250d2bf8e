"""Druppel settings, read from the environment (12-factor).

The defaults give the embedded setup: SQLite, a file-system Celery broker and mail
written to ``var/outbox/``. Production sets DATABASE_URL, CELERY_BROKER_URL,
SENDGRID_API_KEY, SECRET_KEY and friends; see docs/operations.md.
"""

from pathlib import Path
from typing import Any

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from core.env import env_bool, env_database, env_float, env_https_header, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DRUPPEL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not DEBUG and not SITE_URL.startswith("https://"):
    # Every mail link starts here, and RFC 8058 one-click unsubscribe needs HTTPS.
    raise ImproperlyConfigured(f"SITE_URL must be an https:// URL when DEBUG is off, got {SITE_URL!r}.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: keep one generated key on disk so signed links in the
    # local outbox stay valid across restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


SECRET_KEY = _secret_key()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    *(["allauth.socialaccount.providers.microsoft"] if env_str("MICROSOFT_ENTRA_CLIENT_ID") else []),
    "accounts",
    "organisations",
    "courses",
    "lessons",
    "drip",
    "progress",
    "mailer",
    "dashboard",
    "learners",
    "discussions",
    "studio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "druppel.urls"
WSGI_APPLICATION = "druppel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


DATABASES = {"default": env_database("DATABASE_URL", "sqlite:///var/db.sqlite3", base_dir=BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_request_login_code"
# The CSRF failure page, rendered with the request (the site's header, a fresh token).
CSRF_FAILURE_VIEW = "druppel.errors.csrf_failure"
LOGIN_REDIRECT_URL = "home"

# --- Sign-in (django-allauth) ------------------------------------------------
# Email is the identity; learners sign in with a code mailed to them and never
# need a password. Admins and trainers may add a password and TOTP. Nobody signs
# up on their own: people arrive through a staff import or an invite link.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
# An optional password keeps the password field on the login page for admins and
# trainers; learners use the code page, which LOGIN_URL points at.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Druppel: "
# allauth's defaults, written out because docs/operations.md promises them: five wrong
# passwords for one address in 5 minutes (or ten from one IP in a minute) lock that
# address out for the rest of the window, and one IP gets 30 sign-in POSTs a minute.
# The Django admin signs in through these pages too (accounts.admin).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/300s/key",
    "login": "30/m/ip",
    # A broken lesson link's "mail me fresh links" (learners/views_fresh_link.py).
    "fresh_lesson_links": "10/h/ip,3/h/key",
}
# Behind nginx REMOTE_ADDR is nginx: the per-IP limits then need the client address it
# appends to X-Forwarded-For. Count only proxies you run (docs/operations.md).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Druppel"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {}
if env_str("MICROSOFT_ENTRA_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [
            {
                "client_id": env_str("MICROSOFT_ENTRA_CLIENT_ID"),
                "secret": env_str("MICROSOFT_ENTRA_CLIENT_SECRET"),
                "settings": {"tenant": env_str("MICROSOFT_ENTRA_TENANT", "organizations")},
            }
        ]
    }

# allauth's rate limits count in the cache, so every process must see the same counts:
# a per-process cache would give each gunicorn worker its own five wrong passwords.
# Redis (CACHE_URL) in production; otherwise files under VAR_DIR/cache, which every
# process on this machine shares (the embedded setup is one machine).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("CACHE_URL")}
        if env_str("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# gunicorn serves the static files itself (WhiteNoise), with hashed names cached for a
# year; `manage.py collectstatic` fills STATIC_ROOT at each deploy (docs/operations.md).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Content-Security-Policy (django-csp) -----------------------------------------
# No inline script and no inline style anywhere in the pages: scripts and styles come
# from our static files, so injected markup can neither run nor restyle the page. Images
# may be data: URIs (allauth's TOTP QR code). Mails are not pages: they keep their
# inlined CSS, and only the DEBUG outbox, which shows them, relaxes style-src.
_FORM_ACTION = [SELF]
if env_str("MICROSOFT_ENTRA_CLIENT_ID"):
    # The Entra sign-in form posts to us, then redirects to Microsoft: form-action covers that redirect.
    _FORM_ACTION.append("https://login.microsoftonline.com")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": _FORM_ACTION,
    }
}

SESSION_COOKIE_SECURE = SITE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- HTTPS behind a TLS-terminating proxy (docs/operations.md) ---------------
# The proxy sets this header to "https" on requests that came in over TLS; without it
# Django sees plain HTTP from the proxy. Set it only behind a proxy that always sets
# (or strips) the header, or a client could claim HTTPS.
SECURE_PROXY_SSL_HEADER = env_https_header("SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# A load balancer's health probe may come in over plain HTTP and must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Browsers remember HTTPS-only for this long; start small (3600) and raise to a year.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
# Preloading is a promise to browsers' built-in lists that is slow to undo: opt in.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# --- Mail -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Druppel <lessen@druppel.example>")
SENDGRID_API_KEY = env_str("SENDGRID_API_KEY")
SENDGRID_API_HOST = env_str("SENDGRID_API_HOST", "https://api.sendgrid.com").rstrip("/")
SENDGRID_WEBHOOK_PUBLIC_KEY = env_str("SENDGRID_WEBHOOK_PUBLIC_KEY")
# How old a signed event batch may be. SendGrid retries a failed webhook POST for up to
# 24 hours and does not document that it signs each retry afresh; deduplication by event id
# makes a replay harmless, so the window covers the retry period (plus clock skew).
SENDGRID_WEBHOOK_MAX_AGE_SECONDS = env_float("SENDGRID_WEBHOOK_MAX_AGE_SECONDS", 24 * 3600 + 900)
# Seconds for connect and for each read; a read timeout leaves a batch "unknown".
SENDGRID_TIMEOUT = env_float("SENDGRID_TIMEOUT", 15.0)
OUTBOX_DIR = VAR_DIR / "outbox"
# Sign-in codes and every other single mail go through the outbox (mailer/outgoing.py) and the
# same transport as lessons.
EMAIL_BACKEND = "mailer.backends.OutboxEmailBackend"
# A queued single mail that no task has sent after this long is sent by the sweep.
OUTGOING_REQUEUE_AFTER_SECONDS = env_float("OUTGOING_REQUEUE_AFTER_SECONDS", 120)

# The discussion group adds each lesson's thread link and post count to the lesson mail.
LESSON_MAIL_EXTENSION = "discussions.mail.GroupThreads"

# --- The drip ---------------------------------------------------------------
# Every window below can be shortened from the environment; the fault suite
# (tests/faults/) does so to run real crashes and timeouts in seconds.
# SendGrid accepts at most 1,000 personalizations per request.
DRIP_BATCH_SIZE = int(env_float("DRIP_BATCH_SIZE", 1000))
# The tick commits (and its batches start sending) every this many due enrolments.
DRIP_TICK_CHUNK = int(env_float("DRIP_TICK_CHUNK", 10_000))
# A queued batch whose task has not claimed it by then, or a waiting one whose retry
# is this much overdue, is dispatched again by the next tick (the broker may have lost it).
DRIP_REQUEUE_AFTER_SECONDS = env_float("DRIP_REQUEUE_AFTER_SECONDS", 600)
# A claimed batch whose holder has not started its attempt by then may be taken over.
DRIP_PREPARE_LEASE_SECONDS = env_float("DRIP_PREPARE_LEASE_SECONDS", 120)
# A batch still sending after this long: back to the queue if no attempt had started,
# unknown if one had (the worker may have died after the provider accepted it).
DRIP_CLAIM_LEASE_SECONDS = env_float("DRIP_CLAIM_LEASE_SECONDS", 900)
DRIP_SEND_MAX_RETRIES = int(env_float("DRIP_SEND_MAX_RETRIES", 8))
# Backoff after a 429/5xx: base × 2^retries, with jitter, never sooner than Retry-After,
# at most the cap. The cap stays below the claim lease and the broker's visibility timeout.
DRIP_RETRY_BASE_SECONDS = env_float("DRIP_RETRY_BASE_SECONDS", 5)
DRIP_RETRY_MAX_SECONDS = env_float("DRIP_RETRY_MAX_SECONDS", 300)
# After the provider answered, its answer is written again through a lost database
# connection, waiting this long between tries.
DRIP_RECORD_RETRY_DELAYS = [0.5, 1.0, 2.0, 5.0, 10.0]
# A batch whose outcome is unknown (timeout, dead worker) waits this long for a
# provider event proving it was accepted; with none, it is sent again, once.
DRIP_UNKNOWN_GRACE_SECONDS = env_float("DRIP_UNKNOWN_GRACE_SECONDS", 6 * 3600)

# --- /healthz (drip/health.py) ------------------------------------------------
# Beat ticks every minute: no tick for this long means beat (or the drip worker) is down.
HEALTH_BEAT_STALE_SECONDS = env_int("HEALTH_BEAT_STALE_SECONDS", 5 * 60)
# A queued batch, or a retry that fell due, unsent for this long: the send workers are behind or gone.
HEALTH_SEND_QUEUE_STALE_SECONDS = env_int("HEALTH_SEND_QUEUE_STALE_SECONDS", 15 * 60)
# SendGrid is failing when more than this share of the window's finished requests got no
# definite acceptance (429/5xx, 400/413, 401/403, timeouts), once there were enough of them.
HEALTH_SENDGRID_WINDOW_SECONDS = env_int("HEALTH_SENDGRID_WINDOW_SECONDS", 15 * 60)
HEALTH_SENDGRID_MAX_ERROR_RATE = env_float("HEALTH_SENDGRID_MAX_ERROR_RATE", 0.5)
HEALTH_SENDGRID_MIN_ATTEMPTS = env_int("HEALTH_SENDGRID_MIN_ATTEMPTS", 5)
# Connect and read timeout of the broker check: a hung Redis must not hang the probe.
HEALTH_BROKER_TIMEOUT_SECONDS = env_float("HEALTH_BROKER_TIMEOUT_SECONDS", 2.0)

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    # The embedded broker is a pair of folders shared by web, worker and beat.
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Longer than any task holds an unacknowledged message (DRIP_RETRY_MAX_SECONDS, DRIP_CLAIM_LEASE_SECONDS).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_float("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_IGNORE_RESULT = True
# Only the drip_tick command runs tasks inline; let their errors surface there.
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "drip.tasks.drip_tick": {"queue": "drip"},
    "drip.tasks.send_batch": {"queue": "send"},
    "dashboard.tasks.send_weekly_digests": {"queue": "digest"},
    "progress.tasks.send_reminders": {"queue": "digest"},
    "progress.tasks.fold_progress": {"queue": "default"},
    "discussions.tasks.send_discussion_digests": {"queue": "digest"},
    # Single mails leave from their own queue, never behind a slot's batches or a digest run.
    "mailer.tasks.send_outgoing_mail": {"queue": "mail"},
    "mailer.tasks.sweep_outgoing_mail": {"queue": "mail"},
    # Bulk work that may wait a minute, kept off the fold and the sends.
    "courses.tasks.import_staff_upload": {"queue": "digest"},
    "mailer.tasks.prune_provider_events": {"queue": "digest"},
}
# Beat's tick interval; only the fault suite shortens it.
DRIP_TICK_EVERY_SECONDS = env_float("DRIP_TICK_EVERY_SECONDS", 60.0)
CELERY_BEAT_SCHEDULE = {
    # A tick that waited longer than a minute is stale: the next one does its work.
    "drip-tick": {
        "task": "drip.tasks.drip_tick",
        "schedule": DRIP_TICK_EVERY_SECONDS,
        "options": {"expires": max(1.0, DRIP_TICK_EVERY_SECONDS - 5)},
    },
    # Hourly, on the hour: each organisation gets its digest at Monday 08:xx in its own time zone.
    "weekly-digest": {
        "task": "dashboard.tasks.send_weekly_digests",
        "schedule": crontab(minute=0),
        "options": {"expires": 3000},
    },
    # Dashboards and certificates follow answers within seconds (progress/folding.py).
    "fold-progress": {"task": "progress.tasks.fold_progress", "schedule": 5.0, "options": {"expires": 30}},
    # On the quarter, so each course slot (08:30, …) falls in exactly one run's window.
    "reminders": {
        "task": "progress.tasks.send_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
    # Single mails the broker lost, or that waited for it (the webhook publishes nothing), and due retries.
    "outgoing-mail": {"task": "mailer.tasks.sweep_outgoing_mail", "schedule": 60.0, "options": {"expires": 55}},
}
# Hourly: each person gets at most one discussion digest a day, from 17:00 local time on.
CELERY_BEAT_SCHEDULE["discussion-digests"] = {
    "task": "discussions.tasks.send_discussion_digests",
    "schedule": crontab(minute=40),
    "options": {"expires": 3000},
}
# Nightly: SendGrid's events are needed for days, not for the year (mailer/retention.py).
PROVIDER_EVENT_RETENTION_DAYS = env_int("PROVIDER_EVENT_RETENTION_DAYS", 30)
CELERY_BEAT_SCHEDULE["provider-event-retention"] = {
    "task": "mailer.tasks.prune_provider_events",
    "schedule": crontab(hour=3, minute=20),
    "options": {"expires": 3000},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The SendGrid client logs whole payloads (addresses, names) at DEBUG: never.
    "loggers": {"python_http_client": {"level": "WARNING"}},
}
