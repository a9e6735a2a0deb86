"""Who may see which protocol and which dossier job: built on `pupils_visible_to` only.

An outsider gets 404, never 403 (SPEC §7, STYLE.md "Access").
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from students.access import pupils_visible_to

from .models import DossierJob, Protocol


def protocols_visible_to(user) -> QuerySet[Protocol]:
    """Protocols of every pupil the user may see (archived ones excluded)."""
    return Protocol.objects.filter(student__in=pupils_visible_to(user), archived_at__isnull=True)


def get_protocol_for_user(user, protocol_id: int) -> Protocol:
    return get_object_or_404(
        protocols_visible_to(user).select_related("student__school", "year", "author"),
        pk=protocol_id,
    )


def get_dossier_job_for_user(user, job_id: int) -> DossierJob:
    """A dossier job the user asked for, while they still see the pupil."""
    return get_object_or_404(
        DossierJob.objects.filter(
            requested_by=user, pupil__in=pupils_visible_to(user)
        ).select_related("pupil"),
        pk=job_id,
    )
