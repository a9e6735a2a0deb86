"""End to end on real components: a Celery worker consuming from the real Redis broker.

Kept in its own module (RECIPES.md §6): the module-scoped worker turns eager mode off for
every test of its module, and these tests need committed rows (`transaction=True`) because
the worker thread has its own database connection. Locally they skip without REDIS_URL; in
CI they must run.
"""

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection

from assistant_portal.celery_app import app
from assistant_portal.notifications import services
from assistant_portal.notifications.digest import WeekRange
from assistant_portal.notifications.models import DigestOutbox, Notification, OutboxStatus
from assistant_portal.notifications.tasks import send_weekly_digests

from .conftest import SEPT_14

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def worker():
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
            yield w
    finally:
        app.conf.task_always_eager = True


def _wait_until_sent(expected: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = list(DigestOutbox.objects.values_list("status", flat=True))
        if len(statuses) == expected and set(statuses) == {OutboxStatus.SENT}:
            return
        time.sleep(0.1)
    raise AssertionError(f"not all sent: {statuses}")


def test_beat_task_twice_concurrently_gives_one_digest_each(redis_url, worker, cast):
    mail.outbox = []
    week = SEPT_14.isoformat()
    # Beat fires twice (two messages on the broker) while a second beat process, by mistake,
    # runs the same job right here in the test thread.
    first, second = send_weekly_digests.delay(week), send_weekly_digests.delay(week)
    errors = []

    def second_beat():
        try:
            services.digests_create(week=WeekRange.of(SEPT_14))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    thread = threading.Thread(target=second_beat)
    thread.start()
    first.get(timeout=30)
    second.get(timeout=30)
    thread.join(timeout=30)
    assert not errors

    expected = 5  # three assistants with pupils, two school administrators (lateness)
    _wait_until_sent(expected)
    recipients = list(DigestOutbox.objects.values_list("recipient__email", flat=True))
    assert len(set(recipients)) == len(recipients) == expected
    assert Notification.objects.count() == expected
    assert sorted(m.to[0] for m in mail.outbox) == sorted(recipients)  # one e-mail each
    assert cast.assistant.email in recipients


def test_unsent_digests_are_sent_when_the_task_runs_again(redis_url, worker, cast):
    """A run killed after writing the outbox (before queueing the e-mails) loses nothing:
    the redelivered beat task queues what is still unsent."""
    mail.outbox = []
    week = WeekRange.of(SEPT_14)
    app.conf.task_always_eager = True  # write the rows, but let no e-mail out...
    try:
        services.digests_create(week=week)
        DigestOutbox.objects.update(status=OutboxStatus.PENDING, sent_at=None)
    finally:
        app.conf.task_always_eager = False
    mail.outbox = []  # ...as if the process died right after the commit
    assert send_weekly_digests.delay(SEPT_14.isoformat()).get(timeout=30) == 5
    _wait_until_sent(5)
    assert len(mail.outbox) == 5
    assert Notification.objects.count() == 5
