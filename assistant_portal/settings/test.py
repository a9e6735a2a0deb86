"""Tests: DATABASE_URL/REDIS_URL when given (CI), else the embedded server."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, env
from .database import embedded_postgres

SECRET_KEY = "tests-only-not-secret"  # noqa: S105
DEBUG = False

DATABASES = {
    "default": env.db("DATABASE_URL")
    if env("DATABASE_URL", default="")
    else embedded_postgres(BASE_DIR / ".pgdata")
}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303  speed only
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# No collected static folder in tests: WhiteNoise serves from the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"
# Anonymisations append to the erasure log beside the backups: never the real folder.
BACKUP_DIR = BASE_DIR / ".test-backups"
# Eager for every test, whatever REDIS_URL says; the real-worker fixture turns it off.
CELERY_TASK_ALWAYS_EAGER = True
# Redis is shared by every process on the machine: our own queue, so a stray worker
# cannot take the tests' tasks.
CELERY_TASK_DEFAULT_QUEUE = f"test-{os.getpid()}"
AXES_ENABLED = True
