"""A bulk issue whose worker is killed with SIGKILL half-way, on real
processes against the real Redis and PostgreSQL.

Before: the chunk came back only after the broker's one-hour visibility timeout, and the batch
stayed "running 2/6" for ever. Now the sweeper (what beat runs every minute) sees that it has
stopped moving and queues what is missing; a second worker finishes it, the ZIP appears, and
no certificate is issued twice. A second click while it runs shows the same batch.
"""

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assistant_portal import jobs
from assistant_portal.celery_app import app
from course.models import Certificate, CertificateBatch
from tests.factories import graded

from .brokers import broker, own_redis

pytestmark = pytest.mark.django_db(transaction=True)
CELERY = str(Path(sys.executable).with_name("celery"))


def _worker(env, log, slow=False):
    env = {**env, **({"FAULT_TEST_SLOW": "1"} if slow else {})}
    return subprocess.Popen(  # noqa: S603  our own celery, fixed arguments
        [CELERY, "-A", "assistant_portal", "worker", "-P", "solo", "-Q", env["FAULT_TEST_QUEUE"],
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
        cwd=settings.BASE_DIR, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait(condition, timeout=90, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_killed_workers_batch_is_driven_to_its_zip_by_the_sweeper(
    redis_url, cast, client, tmp_path, settings
):
    import redis

    settings.MEDIA_ROOT = tmp_path / "media"
    broker_url = own_redis(redis_url, 11)
    redis.Redis.from_url(broker_url).flushdb()
    queue = app.conf.task_default_queue
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
        "DATABASE_URL": "postgres://unused@localhost/unused",  # test.py: no embedded server
        "FAULT_TEST_DATABASE": json.dumps(
            {k: db[k] for k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")}
        ),
        "FAULT_TEST_BROKER": broker_url,
        "FAULT_TEST_QUEUE": queue,
        "FAULT_TEST_MEDIA": str(settings.MEDIA_ROOT),
    }
    enrolments = [graded(cast.cohort) for _ in range(5)] + [cast.enrolment]
    url = reverse("course:certificate_batch_start", args=[cast.cohort.pk])
    client.force_login(cast.course_admin)
    with broker(broker_url):
        first_click = client.post(url)
        second_click = client.post(url)  # a double click: the running batch, not a second one
    assert first_click["Location"] == second_click["Location"]
    batch = CertificateBatch.objects.get()
    eligible = set(batch.enrolment_ids)
    assert batch.total == len(eligible) >= 5

    first = _worker(env, tmp_path / "first.log", slow=True)
    second = None
    try:
        _wait(lambda: CertificateBatch.objects.get().done >= 2, what="two certificates")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        batch.refresh_from_db()
        assert batch.status == "running" and batch.done < batch.total

        second = _worker(env, tmp_path / "second.log")
        time.sleep(3)  # the killed chunk is not redelivered: the broker waits an hour
        batch.refresh_from_db()
        assert batch.done < batch.total

        later = timezone.now() + timedelta(seconds=settings.JOB_STALL_SECONDS + 1)
        with broker(broker_url):
            assert jobs.sweep_jobs(now=later)["redriven"] == 1
        _wait(lambda: CertificateBatch.objects.get().finished, what="the batch to finish")
    finally:
        for w in (first, second):
            if w and w.poll() is None:
                w.terminate()
                w.wait(timeout=15)
        redis.Redis.from_url(broker_url).flushdb()
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("done", len(eligible), len(eligible))
    certs = Certificate.objects.filter(enrolment__cohort=cast.cohort)
    assert sorted(certs.values_list("enrolment_id", flat=True)) == sorted(eligible)
    assert len(set(certs.values_list("serial", flat=True))) == len(eligible)
    with batch.file.open("rb") as f:
        assert len(zipfile.ZipFile(f).namelist()) == len(eligible)
    assert len(enrolments) == 6


def test_the_database_allows_one_running_batch_per_cohort(cast):
    from django.db import IntegrityError

    CertificateBatch.objects.create(
        cohort=cast.cohort, requested_by=cast.course_admin, status="running"
    )
    with pytest.raises(IntegrityError):
        CertificateBatch.objects.create(
            cohort=cast.cohort, requested_by=cast.course_admin, status="pending"
        )


def test_a_job_that_keeps_stalling_is_failed_not_left_running(cast):
    """No worker ever takes it (the queue is served by nobody): re-driven, then failed."""
    from protocols.models import DossierJob

    job = DossierJob.objects.create(
        pupil=cast.pupil, requested_by=cast.assistant, language="kk", status="running"
    )
    now = timezone.now()
    step = timedelta(seconds=settings.JOB_STALL_SECONDS + 1)
    with broker_sink():
        for i in range(settings.JOB_MAX_REDRIVES):
            assert jobs.sweep_jobs(now=now + step * (i + 1))["redriven"] == 1
        assert jobs.sweep_jobs(now=now + step * (settings.JOB_MAX_REDRIVES + 1))["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None


class broker_sink:
    """Tasks published into a void (nobody runs them): the eager mode would run them here."""

    def __enter__(self):
        self.sent = []
        self.old = jobs.publish
        jobs.publish = lambda task, *args: self.sent.append((task.name, args))
        return self

    def __exit__(self, *exc):
        jobs.publish = self.old
