"""Background jobs of protocols: thin, they take ids and call a service."""

from celery import shared_task

from . import services


@shared_task
def build_dossier(job_id: int) -> None:
    services.dossier_build(job_id=job_id)
