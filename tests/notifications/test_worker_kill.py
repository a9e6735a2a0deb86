"""A worker killed mid-send loses nothing (SPEC §7 "Reminders"), on real processes.

Worker processes run `celery worker` against the real Redis with a two-second visibility
timeout. The first one hangs on the mail server and is killed with SIGKILL while a digest is
"sending"; a second worker gets the unacknowledged task back from Redis, finds the dead claim,
logs that this one e-mail may repeat, and sends every digest.

It uses its own Redis database number: Redis restores *every* unacknowledged message older
than the visibility timeout, so with the shared database this test's two seconds would hand
other processes' long tasks back to their queues.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from assistant_portal.notifications.models import DigestOutbox, OutboxStatus

from .conftest import SEPT_14

pytestmark = pytest.mark.django_db(transaction=True)
CELERY = str(Path(sys.executable).with_name("celery"))


def _own_database(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/14"))


def _worker(env, log_path, slow=False):
    env = {**env, **({"KILL_TEST_SLOW_MAIL": "1"} if slow else {})}
    return subprocess.Popen(  # noqa: S603  our own celery, fixed arguments
        [CELERY, "-A", "assistant_portal", "worker", "-P", "solo", "-Q",
         env["KILL_TEST_QUEUE"], "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-l", "info"],
        cwd=settings.BASE_DIR, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait(condition, timeout=60, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_loses_no_digest(redis_url, cast, tmp_path):
    broker = _own_database(redis_url)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        # keeps test.py from starting its own embedded server; the JSON below is used
        "DATABASE_URL": "postgres://unused@localhost/unused",
        "KILL_TEST_DATABASE": json.dumps(
            {k: db[k] for k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")}
        ),
        "KILL_TEST_BROKER": broker,
        "KILL_TEST_QUEUE": f"kill-test-{os.getpid()}",
        "KILL_TEST_MAIL_DIR": str(tmp_path / "mail"),
    }
    publisher = Celery(broker=broker)
    first = _worker(env, tmp_path / "first.log", slow=True)
    second = None
    try:
        publisher.send_task(
            "assistant_portal.notifications.tasks.send_weekly_digests",
            args=[SEPT_14.isoformat()],
            queue=env["KILL_TEST_QUEUE"],
        )
        _wait(
            lambda: DigestOutbox.objects.filter(status=OutboxStatus.SENDING).exists(),
            what="the first worker to start sending",
        )
        mail_dir = tmp_path / "mail"
        # The file appears when the backend opens it, before the message is written: wait for
        # the whole message (the line of dashes that ends it), or the kill may come between.
        _wait(
            lambda: (
                mail_dir.exists() and any("-" * 79 in p.read_text() for p in mail_dir.iterdir())
            ),
            what="the mail server to accept the first worker's message",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert DigestOutbox.objects.count() == 5
        assert DigestOutbox.objects.filter(status=OutboxStatus.SENT).count() == 0

        second = _worker(env, tmp_path / "second.log")
        _wait(
            lambda: DigestOutbox.objects.filter(status=OutboxStatus.SENT).count() == 5,
            what="every digest to be sent by the second worker",
        )
    finally:
        for worker in (first, second):
            if worker and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=15)
        publisher.close()
    killed = DigestOutbox.objects.get(attempts=2)  # the one the dead worker had claimed
    assert killed.status == OutboxStatus.SENT
    # The dead worker's message had left: its recipient got it twice (SMTP cannot do exactly
    # once), both copies with the one stored Message-ID, so mail systems drop the second.
    # One file may hold several messages (its name is the second and an object id, opened
    # for appending), each followed by a line of 79 dashes.
    mails = [
        _headers(text)
        for p in (tmp_path / "mail").iterdir()
        for text in p.read_text().split("-" * 79 + "\n")
        if text.strip()
    ]
    recipients = sorted(m["To"] for m in mails)
    assert recipients == sorted(
        [killed.recipient.email]
        + list(DigestOutbox.objects.values_list("recipient__email", flat=True))
    )
    copies = [m for m in mails if m["To"] == killed.recipient.email]
    assert [m["Message-ID"] for m in copies] == [killed.message_id] * 2
    assert len({m["Message-ID"] for m in mails}) == DigestOutbox.objects.count()
    log = (tmp_path / "second.log").read_text()
    assert "may get this e-mail twice" in log


def _headers(text: str) -> dict:
    import email

    return dict(email.message_from_string(text).items())
