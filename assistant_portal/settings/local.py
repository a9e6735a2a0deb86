"""Development on the embedded default: a private PostgreSQL, tasks in-process."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env
from .database import embedded_postgres

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")

DATABASES = {
    "default": env.db("DATABASE_URL")
    if env("DATABASE_URL", default="")
    else embedded_postgres(BASE_DIR / ".pgdata")
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
