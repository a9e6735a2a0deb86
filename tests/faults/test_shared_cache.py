"""Rate limits count across processes in production.

Two real processes with the production settings, as two gunicorn workers would be, each make
20 public verification requests from one client address against the real Redis: with a
per-process cache each would allow all 20 (40 in all); with the shared cache only
CERTIFICATE_VERIFY_RATE (30) pass.
"""

import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

CHILD = """
import django
django.setup()
from django.conf import settings
# no collectstatic in tests: the throttled page finds its CSS without the manifest
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from datetime import datetime, timezone as tz
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from course.certificate_views import rate_limited

# Both workers in one minute of the limiter's fixed window: a run that straddled a minute
# boundary would count two windows and let 40 through whatever the cache.
timezone.now = lambda: datetime(2026, 12, 2, 10, 0, 30, tzinfo=tz.utc)

def verify_form(request):
    return HttpResponse("ok")

from django.contrib.auth.models import AnonymousUser

def request():
    r = RequestFactory().get("/verify/", REMOTE_ADDR="203.0.113.9")
    r.user, r.session = AnonymousUser(), {}
    return r

view = rate_limited(verify_form)
codes = [view(request()).status_code for _ in range(20)]
print(codes.count(200))
"""


def test_two_workers_share_one_rate_limit(redis_url):
    import redis

    cache_url = urlunsplit(urlsplit(redis_url)._replace(path="/13"))  # our own database number
    redis.Redis.from_url(cache_url).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "assistant_portal.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://unused@localhost/unused",
        "CACHE_URL": cache_url,
        "CERTIFICATE_VERIFY_RATE": "30",
    }
    workers = [
        subprocess.Popen(  # noqa: S603  our own interpreter, fixed script
            [sys.executable, "-c", CHILD],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    allowed = 0
    for w in workers:
        out, err = w.communicate(timeout=60)
        assert w.returncode == 0, err
        allowed += int(out.strip().splitlines()[-1])
    redis.Redis.from_url(cache_url).flushdb()
    assert allowed == 30
