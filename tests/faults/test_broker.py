"""Redis absent or hung, provoked for real: the broker URL points at a port
with nothing on it, or at a socket that accepts and never answers. Starting a dossier, a
pupil's archive or a bulk issue answers at once with a page in the user's language; the job is
kept and the sweeper queues it once the broker (the real Redis) is back; another user's login
does not wait.

Eager mode is off only inside the `broker` context, so other tests of the session are not
affected; everything here is transactional (on_commit runs as in production).
"""

import threading
import time

import pytest
from django.conf import settings
from django.urls import reverse

from assistant_portal import jobs
from assistant_portal.accounts.models import RoleKind
from assistant_portal.celery_app import app
from course.models import CertificateBatch
from protocols.models import DossierJob
from students.models import PupilExport
from tests.factories import graded, person

from .brokers import broker, closed_port, hung_redis, own_redis, redis_coming_back

pytestmark = pytest.mark.django_db(transaction=True)

# Said at once: well under gunicorn's 30 s, and no more than the broker timeouts allow.
PROMPT = settings.BROKER_TIMEOUT_SECONDS + 1.5
WAITING_RU = "Фоновая служба сейчас недоступна"


# Each job: who starts it, the start URL, its model.
def _dossier(cast):
    return cast.assistant, reverse("protocols:dossier", args=[cast.pupil.pk]), DossierJob


def _export(cast):
    return cast.school_admin, reverse("students:export", args=[cast.pupil.pk]), PupilExport


def _batch(cast):
    for _ in range(2):
        graded(cast.cohort)
    url = reverse("course:certificate_batch_start", args=[cast.cohort.pk])
    return cast.course_admin, url, CertificateBatch


JOBS = pytest.mark.parametrize(
    "job", [_dossier, _export, _batch], ids=["dossier", "export", "batch"]
)


def _start(client, user, url):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    began = time.monotonic()
    r = client.post(url)
    return r, time.monotonic() - began


@JOBS
def test_broker_down_answers_at_once_and_the_sweeper_queues_it_later(client, cast, redis_url, job):
    import redis

    user, url, model = job(cast)
    with broker(f"redis://127.0.0.1:{closed_port()}/0"):
        r, took = _start(client, user, url)
    assert r.status_code == 302 and took < PROMPT, took
    kept = model.objects.get()
    assert kept.waiting_for_service and not kept.finished
    page = client.get(r["Location"])
    assert page.status_code == 200 and WAITING_RU in page.content.decode()

    # The broker is back (the real Redis, our own database number): the sweeper queues it.
    own = own_redis(redis_url, 12)
    queue = app.conf.task_default_queue
    r_ = redis.Redis.from_url(own)
    r_.delete(queue)
    with broker(own):
        assert jobs.sweep_jobs()["queued"] == 1
    assert r_.llen(queue) >= 1  # the task message is in Redis, for a worker to take
    r_.delete(queue)
    kept.refresh_from_db()
    assert not kept.waiting_for_service and kept.unqueued_since is None
    assert WAITING_RU not in client.get(r["Location"]).content.decode()


@JOBS
def test_hung_broker_answers_at_once_and_another_login_does_not_wait(client, cast, job):
    from django.test import Client

    user, url, model = job(cast)
    other = person(RoleKind.ASSISTANT, school=cast.school, email="other@example.kz")
    result = {}
    with hung_redis() as url_of_hung, broker(url_of_hung):

        def start():
            from django.db import connection

            try:
                result["r"], result["took"] = _start(client, user, url)
            finally:
                connection.close()  # this thread's own connection

        t = threading.Thread(target=start)
        t.start()
        time.sleep(0.3)  # the start request is now waiting on the silent broker
        began = time.monotonic()
        login = Client().post(
            reverse("accounts:login"), {"username": other.email, "password": "pass-1234-word"}
        )
        login_took = time.monotonic() - began
        t.join(timeout=30)
    assert login.status_code == 302 and login_took < 1.5, login_took
    assert result["r"].status_code == 302 and result["took"] < PROMPT, result["took"]
    assert model.objects.get().waiting_for_service


def test_a_job_the_broker_never_takes_fails_after_a_day_with_a_retry(client, cast, settings):
    from datetime import timedelta

    from django.utils import timezone

    user, url, _ = _dossier(cast)
    with broker(f"redis://127.0.0.1:{closed_port()}/0"):
        r, _took = _start(client, user, url)
        later = timezone.now() + timedelta(seconds=settings.JOB_GIVE_UP_SECONDS + 1)
        assert jobs.sweep_jobs(now=later)["failed"] == 1
    page = client.get(r["Location"]).content.decode()
    assert f'action="{url}"' in page  # the "try again" form


def test_the_same_broker_address_coming_back_is_used_again(client, cast, redis_url):
    """Redis restarts: the web process's pooled connections recover by themselves."""
    import redis

    user, url, model = _dossier(cast)
    queue = app.conf.task_default_queue
    with redis_coming_back(redis_url, 12) as redis_, broker(redis_.url):
        r, took = _start(client, user, url)
        assert r.status_code == 302 and took < PROMPT
        assert model.objects.get().waiting_for_service
        redis_.back()
        assert jobs.sweep_jobs()["queued"] == 1
    real = redis.Redis.from_url(own_redis(redis_url, 12))
    assert real.llen(queue) >= 1
    real.delete(queue)
    assert not model.objects.get().waiting_for_service
