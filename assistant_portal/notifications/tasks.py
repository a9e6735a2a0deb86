"""Celery tasks of the weekly digest: thin wrappers over services (ids in, service called)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services
from .digest import WeekRange


@shared_task(acks_late=True)
def send_weekly_digests(week_start: str | None = None) -> int:
    """Beat's Monday task: queue the week's digests as chunks of recipients, one task each,
    and queue again the e-mails of rows an earlier run left unsent; returns how many of those.

    Safe to run any number of times for a week (SPEC §7): the outbox is unique per recipient
    and week, a chunk skips recipients who already have their row, and a sender skips a row
    that is sent.
    """
    week = WeekRange.of(date.fromisoformat(week_start) if week_start else timezone.localdate())
    requeued = services.digests_requeue_unsent(week=week)
    for ids in services.digest_chunks(week):
        build_digest_chunk.delay(week.start.isoformat(), ids)
    return len(requeued)


# Acknowledged after it returns: a worker that dies mid-chunk leaves the message to be
# delivered again, and the rerun builds only what the first attempt did not commit.
@shared_task(acks_late=True)
def build_digest_chunk(week_start: str, ids: list[int]) -> int:
    """Build, write and queue the digests of one chunk of recipients; returns the number of
    e-mails queued."""
    week = WeekRange.of(date.fromisoformat(week_start))
    return len(services.digests_create_chunk(week=week, ids=ids))


@shared_task(
    acks_late=True,
    # Any error while talking to the mail server (SMTPException is an OSError): retried with
    # exponential back-off, 1 min, 2 min, 4 min … up to an hour, with jitter, 8 times.
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def send_digest(outbox_id: int) -> str:
    return services.digest_send(outbox_id=outbox_id)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def send_notice(user_id: int, subject: str, text: str, attachment: list | None = None) -> bool:
    return services.notice_send(user_id=user_id, subject=subject, text=text, attachment=attachment)
