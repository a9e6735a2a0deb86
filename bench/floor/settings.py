"""The app as production runs it (DEBUG off, the same middleware, persistent connections),
plus one URL: the framework floor. Plain HTTP on loopback, static files from the finders."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# Production's shared cache (rate limits) on the local Redis, as in production.
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/14")

from assistant_portal.settings.production import *  # noqa: E402, F403
from assistant_portal.settings.production import TEMPLATES  # noqa: E402

ROOT_URLCONF = "bench.floor.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], os.path.join(os.path.dirname(__file__), "templates")]
AXES_ENABLED = False  # the bench logs in by session cookie; lockout bookkeeping is not a page
