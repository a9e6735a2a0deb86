"""Who may see and who may edit which protocol: the one place the rule lives.

Built on `students.access.pupils_visible_to`: a protocol is visible when its pupil is, except
that a parent sees only their child's communication sheets (К) (SPEC §7). Only the pupil's
*currently* assigned assistant edits; specialists and school administrators read. Outsiders
get 404, never 403.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assistant_portal.accounts.models import RoleKind
from assistant_portal.accounts.roles import roles_of
from students.access import pupils_visible_to
from students.models import Assignment, Guardian, Student

from .models import AnnexCode, Protocol


def protocols_visible_to(user) -> QuerySet[Protocol]:
    visible = Protocol.objects.filter(student__in=pupils_visible_to(user), archived_at__isnull=True)
    if roles_of(user).has(RoleKind.PARENT):
        children = Guardian.objects.filter(user=user, archived_at__isnull=True).values("student_id")
        visible = visible.filter(Q(annex=AnnexCode.K) | ~Q(student_id__in=children))
    return visible


def annex_visible(user, student: Student, annex: str) -> bool:
    """Whether the user may see this annex of a pupil they can see (parents: К only)."""
    if annex == AnnexCode.K or not roles_of(user).has(RoleKind.PARENT):
        return True
    return not Guardian.objects.filter(
        user=user, student=student, archived_at__isnull=True
    ).exists()


def _assigned_now(user):
    today = timezone.localdate()
    return Assignment.objects.filter(assistant=user, start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )


def is_editor(user, student: Student) -> bool:
    """The pupil's currently assigned assistant."""
    return (
        roles_of(user).is_assistant and _assigned_now(user).filter(student_id=student.pk).exists()
    )


def get_protocol_for_user(user, protocol_id: int) -> Protocol:
    return get_object_or_404(
        protocols_visible_to(user).select_related("student__school", "year", "author"),
        pk=protocol_id,
    )


def get_protocol_for_editor(user, protocol_id: int) -> Protocol:
    if not roles_of(user).is_assistant:
        raise_404()
    pupils = _assigned_now(user).values("student_id")
    return get_object_or_404(
        protocols_visible_to(user)
        .filter(student_id__in=pupils)
        .select_related("student__school", "year", "author"),
        pk=protocol_id,
    )


def get_pupil_for_editor(user, pupil_id: int) -> Student:
    if not roles_of(user).is_assistant:
        raise_404()
    return get_object_or_404(
        pupils_visible_to(user)
        .filter(pk__in=_assigned_now(user).values("student_id"))
        .select_related("school"),
        pk=pupil_id,
    )


def get_sheet_for_parent(user, protocol_id: int) -> Protocol:
    """A communication sheet (К) of the user's own child, for replying."""
    children = Guardian.objects.filter(user=user, archived_at__isnull=True).values("student_id")
    return get_object_or_404(
        protocols_visible_to(user)
        .filter(annex=AnnexCode.K, student_id__in=children)
        .select_related("student__school", "year"),
        pk=protocol_id,
    )


def raise_404():
    from django.http import Http404

    raise Http404
