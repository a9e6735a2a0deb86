"""Production: every secret comes from the environment, with no default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CONN_MAX_AGE, REDIS_URL, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
# Persistent connections, checked before reuse: after a database restart the first request
# opens a fresh connection instead of failing on the dead one.
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# One cache for every gunicorn worker and host: the public verification's
# rate limit (and any other counter in the cache) must count a client once, not once per
# process. Short socket timeouts: a hung Redis costs a request a second, never a worker.
CACHE_URL = env("CACHE_URL", default=REDIS_URL)
if not CACHE_URL:
    raise ImproperlyConfigured("Production needs CACHE_URL (or REDIS_URL): a shared cache.")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "portal",
        "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
}

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# X-Forwarded-For: trusted only as far as TRUSTED_PROXY_COUNT says (base.py, security/client_ip.py).

MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=587),
            "username": env("EMAIL_HOST_USER", default=""),
            "password": env("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=True),
            # Bounded, so a digest's "sending" claim never outlives DIGEST_SEND_LEASE_SECONDS.
            "timeout": env.int("EMAIL_TIMEOUT", default=60),
        },
    }
}
