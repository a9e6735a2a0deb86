"""The digest machinery: outbox exactly once, in-app list, e-mail, retries, preferences."""

import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from assistant_portal.notifications import services
from assistant_portal.notifications.digest import WeekRange, build_digests
from assistant_portal.notifications.models import (
    DigestOutbox,
    Notification,
    NotificationPreference,
    OutboxStatus,
)
from assistant_portal.notifications.tasks import (
    build_digest_chunk,
    send_digest,
    send_weekly_digests,
)

from . import backends
from .conftest import SEPT_14, many_assistants

WEEK = WeekRange.of(SEPT_14)


def _run(capture, week=WEEK):
    with capture(execute=True):
        return services.digests_create(week=week)


def test_one_digest_per_recipient_even_when_run_twice(
    cast, mail_outbox, django_capture_on_commit_callbacks
):
    _run(django_capture_on_commit_callbacks)
    rows = {r.recipient_id: r for r in DigestOutbox.objects.all()}
    # both assistants with pupils, the other school's assistant, both school admins (lateness)
    expected = {
        cast.assistant,
        cast.colleague,
        cast.foreign_assistant,
        cast.school_admin,
        cast.foreign_admin,
    }
    assert set(rows) == {u.pk for u in expected}
    assert {r.status for r in rows.values()} == {OutboxStatus.SENT}
    assert len(mail_outbox) == len(expected)
    assert Notification.objects.count() == len(expected)

    # beat fires again, the task is retried, or someone runs the command: nothing new
    assert _run(django_capture_on_commit_callbacks) == []
    send_weekly_digests.delay(SEPT_14.isoformat())
    assert DigestOutbox.objects.count() == len(expected)
    assert Notification.objects.count() == len(expected)
    assert len(mail_outbox) == len(expected)


def test_nobody_gets_an_empty_digest(cast, mail_outbox, django_capture_on_commit_callbacks):
    # No conclusion waits: the support team has nothing this week; course roles never do.
    _run(django_capture_on_commit_callbacks)
    recipients = set(DigestOutbox.objects.values_list("recipient_id", flat=True))
    for nobody in (
        cast.specialist,
        cast.psychologist,
        cast.parent,
        cast.course_admin,
        cast.listener,
    ):
        assert nobody.pk not in recipients


def test_email_has_text_and_html_with_absolute_links(
    cast, mail_outbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://portal.example.kz"
    cast.assistant.language = "en"
    cast.assistant.save(update_fields=["language"])
    _run(django_capture_on_commit_callbacks)
    [message] = [m for m in mail_outbox if m.to == [cast.assistant.email]]
    assert message.subject == "Weekly digest, week of 09/14/2026"
    assert cast.pupil.full_name in message.body
    assert f"https://portal.example.kz/protocols/pupils/{cast.pupil.pk}/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="https://portal.example.kz/protocols/pupils/{cast.pupil.pk}/' in html
    assert "<h2>Ахметов Айбек, 3 Ә</h2>" in html
    note = Notification.objects.get(user=cast.assistant)
    assert note.title == message.subject and note.body == message.body and note.read_at is None


@pytest.mark.parametrize(
    "language,subject,heading",
    [
        ("kk", "Апталық хабарлама", "Мерзімі осы аптада"),
        ("ru", "Еженедельная сводка", "Срок на этой неделе"),
        ("en", "Weekly digest", "Due this week"),
    ],
)
def test_message_is_in_the_recipients_language(
    cast, mail_outbox, django_capture_on_commit_callbacks, language, subject, heading
):
    cast.assistant.language = language
    cast.assistant.save(update_fields=["language"])
    _run(django_capture_on_commit_callbacks)
    row = DigestOutbox.objects.get(recipient=cast.assistant)
    assert row.language == language
    assert row.subject.startswith(subject)
    assert heading in row.body_text and heading in row.body_html
    assert f'lang="{language}"' in row.body_html


def test_in_app_only_sends_no_email(cast, mail_outbox, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=cast.assistant, email=False, in_app=True)
    _run(django_capture_on_commit_callbacks)
    row = DigestOutbox.objects.get(recipient=cast.assistant)
    assert row.status == OutboxStatus.SKIPPED
    assert not [m for m in mail_outbox if m.to == [cast.assistant.email]]
    assert Notification.objects.filter(user=cast.assistant).count() == 1


def test_email_only_makes_no_in_app_notification(
    cast, mail_outbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=cast.assistant, email=True, in_app=False)
    _run(django_capture_on_commit_callbacks)
    assert DigestOutbox.objects.get(recipient=cast.assistant).status == OutboxStatus.SENT
    assert not Notification.objects.filter(user=cast.assistant).exists()


@pytest.mark.parametrize(
    "muted_until,gets_it",
    [(SEPT_14 + timedelta(days=3), False), (SEPT_14, False), (SEPT_14 - timedelta(days=1), True)],
)
def test_muted_until_a_date(
    cast, mail_outbox, django_capture_on_commit_callbacks, muted_until, gets_it
):
    NotificationPreference.objects.create(user=cast.assistant, muted_until=muted_until)
    _run(django_capture_on_commit_callbacks)
    assert DigestOutbox.objects.filter(recipient=cast.assistant).exists() is gets_it


def test_both_channels_off_means_no_digest(cast, mail_outbox, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=cast.assistant, email=False, in_app=False)
    _run(django_capture_on_commit_callbacks)
    assert not DigestOutbox.objects.filter(recipient=cast.assistant).exists()


@pytest.fixture
def eager_retries():
    """Eager Celery with propagation raises a task's Retry instead of running it again; let it
    re-run in-process as a worker would (after its back-off)."""
    from assistant_portal.celery_app import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True
    backends.FAILURES["left"] = 0


def test_smtp_failure_is_retried_and_recorded(
    eager_retries, cast, mail_outbox, django_capture_on_commit_callbacks, settings
):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.backends.FlakyBackend"}}
    backends.FAILURES["left"] = 2
    NotificationPreference.objects.create(user=cast.colleague, email=False)
    with django_capture_on_commit_callbacks(execute=False):
        services.digests_create(week=WEEK)
    row = DigestOutbox.objects.get(recipient=cast.assistant)
    # eager mode: Celery re-runs the task in-process on each retry (without the countdown)
    assert send_digest.apply(args=[row.pk]).get() == OutboxStatus.SENT
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.attempts == 3
    assert "SMTPServerDisconnected" in row.last_error
    assert len(mail_outbox) == 1


def test_smtp_failure_after_all_retries_stays_failed(
    eager_retries, cast, mail_outbox, django_capture_on_commit_callbacks, settings
):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.backends.FlakyBackend"}}
    backends.FAILURES["left"] = 100
    with django_capture_on_commit_callbacks(execute=False):
        services.digests_create(week=WEEK)
    row = DigestOutbox.objects.get(recipient=cast.assistant)
    result = send_digest.apply(args=[row.pk])
    assert result.failed() and isinstance(result.result, OSError)
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == send_digest.max_retries + 1
    assert "Connection unexpectedly closed" in row.last_error
    # the in-app notification is there whatever the mail server does
    assert Notification.objects.filter(user=cast.assistant).count() == 1
    # a later run (beat next time, or the command) queues it again
    backends.FAILURES["left"] = 0
    assert row.pk in _run(django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


def test_a_row_being_sent_is_not_sent_twice_but_a_dead_claim_is_retaken(
    cast, mail_outbox, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=False):
        services.digests_create(week=WEEK)
    row = DigestOutbox.objects.get(recipient=cast.assistant)
    DigestOutbox.objects.filter(pk=row.pk).update(
        status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert services.digest_send(outbox_id=row.pk) == ""  # another worker is on it
    assert mail_outbox == []
    DigestOutbox.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    with caplog.at_level(logging.WARNING):
        assert services.digest_send(outbox_id=row.pk) == OutboxStatus.SENT
    assert "may get this e-mail twice" in caplog.text
    assert len(mail_outbox) == 1
    assert services.digest_send(outbox_id=row.pk) == ""  # sent: never again


def test_outbox_is_unique_per_recipient_and_week_in_the_database(cast):
    from django.db import IntegrityError, transaction

    make = dict(
        recipient=cast.assistant,
        week_start=SEPT_14,
        language="kk",
        subject="s",
        body_text="t",
        body_html="h",
    )
    DigestOutbox.objects.create(**make)
    with pytest.raises(IntegrityError), transaction.atomic():
        DigestOutbox.objects.create(**make)
    with pytest.raises(IntegrityError), transaction.atomic():
        DigestOutbox.objects.create(**{**make, "week_start": SEPT_14 + timedelta(days=1)})


@pytest.mark.parametrize("n", [3, 30])
def test_building_digests_takes_a_fixed_number_of_queries(cast, n, django_assert_num_queries):
    many_assistants(cast.school, n, pupils_each=3)
    users = services.digest_recipients(WEEK)
    # protocols: 1 current assignments with pupils, 2 years with holidays, 3 submitted protocols;
    # review: 4 specialist roles, 5 years with holidays, 6 conclusions waiting;
    # next steps: 7 open steps of the recipients (none here, so no years query);
    # lateness: 8 admin roles, 9 years with holidays, 10 pupils, 11 assignment history,
    # 12 submitted protocols; communication (К): 13 guardianships, 14 current assignments,
    # 15 specialist roles, 16 sheets changed last week
    with django_assert_num_queries(16):
        digests = build_digests(users, WEEK)
    assert len(digests) == n + 5


@pytest.mark.parametrize("n", [3, 30])
def test_writing_digests_takes_a_fixed_number_of_queries(
    cast, n, django_assert_num_queries, django_capture_on_commit_callbacks
):
    many_assistants(cast.school, n)
    # the queries are named at NUM_CREATE_QUERIES
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with django_assert_num_queries(NUM_CREATE_QUERIES):
            services.digests_create(week=WEEK)
    assert len(callbacks) == n + 5


# 1 the week's unsent rows (none); 2 the recipients' ids, one chunk here;
# then the chunk's NUM_CHUNK_QUERIES
NUM_CREATE_QUERIES = 2 + 22
# 1 the chunk's recipients (with preferences, minus those already written); 2-17 providers;
# 18 savepoint, 19 outbox insert, 20 read back the chunk's rows, 21 notifications insert,
# 22 release savepoint (the test's own transaction wraps the service's)
NUM_CHUNK_QUERIES = 22


@pytest.mark.parametrize("n", [3, 30])
def test_a_chunk_takes_a_fixed_number_of_queries_whatever_it_holds(
    cast, n, django_assert_num_queries, django_capture_on_commit_callbacks
):
    many_assistants(cast.school, n, pupils_each=3)
    [ids] = services.digest_chunks(WEEK)
    assert len(ids) == n + 9  # the cast's nine: five with something to read, four without
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with django_assert_num_queries(NUM_CHUNK_QUERIES):
            services.digests_create_chunk(week=WEEK, ids=ids)
    assert len(callbacks) == n + 5


def test_the_week_is_split_into_chunks_that_together_reach_everyone_once(
    cast, mail_outbox, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.DIGEST_CHUNK_SIZE = 3
    many_assistants(cast.school, 4)
    with django_assert_num_queries(1):  # the recipients' ids, however many chunks
        chunks = services.digest_chunks(WEEK)
    assert [len(ids) for ids in chunks] == [3, 3, 3, 3, 1]
    ids = [pk for chunk in chunks for pk in chunk]
    assert len(set(ids)) == len(ids) == 4 + 9  # the cast has nine who might get one
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests.delay(SEPT_14.isoformat()).get() == 0  # nothing left over
    recipients = list(DigestOutbox.objects.values_list("recipient__email", flat=True))
    assert len(recipients) == 4 + 5
    assert sorted(m.to[0] for m in mail_outbox) == sorted(recipients)
    assert Notification.objects.count() == len(recipients)


def test_a_restarted_chunk_sends_each_digest_once(
    cast, mail_outbox, django_capture_on_commit_callbacks
):
    [ids] = services.digest_chunks(WEEK)
    # The first attempt commits its rows and dies before its e-mails are queued.
    with django_capture_on_commit_callbacks(execute=False):
        build_digest_chunk.delay(WEEK.start.isoformat(), ids)
    assert DigestOutbox.objects.filter(status=OutboxStatus.PENDING).count() == 5
    assert mail_outbox == []
    # The broker delivers the chunk again (twice, even): each digest is e-mailed once.
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            build_digest_chunk.delay(WEEK.start.isoformat(), ids)
    recipients = list(DigestOutbox.objects.values_list("recipient__email", flat=True))
    assert len(recipients) == 5
    assert sorted(m.to[0] for m in mail_outbox) == sorted(recipients)
    assert Notification.objects.count() == 5
    assert set(DigestOutbox.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_write_one_digest_each(cast, mail_outbox):
    errors = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            send_weekly_digests.delay(SEPT_14.isoformat())
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    recipients = list(DigestOutbox.objects.values_list("recipient_id", flat=True))
    assert len(recipients) == len(set(recipients)) == 5
    assert Notification.objects.count() == 5
    assert sorted(m.to[0] for m in mail_outbox) == sorted(
        DigestOutbox.objects.values_list("recipient__email", flat=True)
    )
    assert set(DigestOutbox.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert cast.assistant.pk in recipients


def test_beat_runs_the_digest_on_monday_morning_in_almaty():
    from assistant_portal.celery_app import app

    entry = app.conf.beat_schedule["weekly-digest"]
    assert entry["task"] == send_weekly_digests.name
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {7} and schedule.minute == {30}
    assert app.conf.timezone == "Asia/Almaty"
