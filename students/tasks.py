"""Celery tasks of students: thin wrappers over services."""

from celery import shared_task

from .archive import export_build
from .retention import anonymise_departed


@shared_task
def anonymise_departed_pupils() -> int:
    """Retention run (nightly; the beat schedule is wired with the reminders)."""
    return len(anonymise_departed())


@shared_task
def build_pupil_export(job_id: int) -> None:
    export_build(job_id=job_id)
