"""Background jobs of the course: thin, they take ids and call a service."""

from celery import shared_task

from . import certificates, services


@shared_task
def issue_chunk(batch_id: int, enrolment_ids: list[int]) -> None:
    certificates.batch_issue_chunk(batch_id=batch_id, enrolment_ids=enrolment_ids)


@shared_task
def finalise_expired_attempts() -> int:
    """Store the final-test attempts whose time ran out (pages only read them)."""
    return services.finalise_expired()
