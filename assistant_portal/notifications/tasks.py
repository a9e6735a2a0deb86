"""Celery tasks of the weekly digest: thin wrappers over services (ids in, service called)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services
from .digest import WeekRange


@shared_task(acks_late=True)
def send_weekly_digests(week_start: str | None = None) -> int:
    """Beat's Monday task: write the week's digests and queue their e-mails.

    Safe to run any number of times for a week (SPEC §7): the outbox is unique per recipient
    and week, and a run re-queues whatever an earlier, killed run left unsent.
    """
    day = date.fromisoformat(week_start) if week_start else timezone.localdate()
    return len(services.digests_create(week=WeekRange.of(day)))


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
