"""Who may see which protocol and which dossier job: built on `pupils_visible_to` only.

A parent sees only their own child's К sheets (SPEC §7): not the other annexes, the year grid
or the dossier. An outsider gets 404, never 403 (STYLE.md "Access").
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from students.access import pupils_visible_to
from students.models import Guardian, Student

from .models import DossierJob, Protocol
from .schedule import Annex


def _own_children(user):
    return Guardian.objects.filter(user=user, archived_at__isnull=True).values("student")


def pupils_with_protocols_visible_to(user) -> QuerySet[Student]:
    """Pupils whose whole protocol file the user may see: every visible pupil except the ones
    seen only as their parent (a staff member who is also the parent gets the parent's view)."""
    return pupils_visible_to(user).exclude(pk__in=_own_children(user))


def protocols_visible_to(user) -> QuerySet[Protocol]:
    """Protocols of the pupils above, plus the К sheets of the user's own children."""
    return Protocol.objects.filter(
        Q(student__in=pupils_with_protocols_visible_to(user))
        | Q(student__in=pupils_visible_to(user), annex=Annex.K),
        archived_at__isnull=True,
    )


def get_protocol_for_user(user, protocol_id: int) -> Protocol:
    return get_object_or_404(
        protocols_visible_to(user).select_related("student__school", "year", "author"),
        pk=protocol_id,
    )


def get_pupil_file_for_user(user, pupil_id: int) -> Student:
    """A pupil whose year of protocols (grid, dynamics, dossier) the user may see."""
    return get_object_or_404(
        pupils_with_protocols_visible_to(user).select_related("school"), pk=pupil_id
    )


def get_dossier_job_for_user(user, job_id: int) -> DossierJob:
    """A dossier job the user asked for, while they still see the pupil's file."""
    return get_object_or_404(
        DossierJob.objects.filter(
            requested_by=user, pupil__in=pupils_with_protocols_visible_to(user)
        ).select_related("pupil"),
        pk=job_id,
    )
