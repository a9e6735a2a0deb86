"""Nightly: the oversight summaries, one task per chunk of schools (a worker can restart one)."""

from celery import shared_task
from django.utils import timezone

from students.models import School

from . import services

CHUNK = 50


@shared_task(acks_late=True)
def refresh_summaries() -> int:
    ids = list(School.objects.active().order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), CHUNK):
        refresh_chunk.delay(ids[i : i + CHUNK])
    return len(ids)


@shared_task(acks_late=True)
def refresh_chunk(school_ids: list[int]) -> int:
    today = timezone.localdate()
    written = 0
    for school in School.objects.filter(pk__in=school_ids):
        written += services.refresh_school(school=school, today=today)
    return written
