"""Who may see which pupil: the one place the rule lives (SPEC §1, §7).

Views, exports, search, counts and tasks all start from `pupils_visible_to`; an outsider gets
404, never 403 (a 403 would tell them the pupil exists).
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assistant_portal.accounts.models import RoleKind
from assistant_portal.accounts.roles import roles_of

from .models import AcademicYear, PupilExport, Student


def pupils_visible_to(user) -> QuerySet[Student]:
    """Every pupil this user may see.

    - an assistant: pupils currently assigned to them;
    - a specialist or school administrator: every pupil of their school;
    - a parent: their own child;
    - course roles and anyone else: none.
    """
    if not user.is_authenticated:
        return Student.objects.none()
    roles = roles_of(user)
    today = timezone.localdate()
    rule = Q()
    if roles.staff_school_ids:
        rule |= Q(school_id__in=roles.staff_school_ids)
    if roles.is_assistant:
        rule |= Q(
            assignments__assistant=user,
            assignments__start__lte=today,
        ) & (Q(assignments__end__isnull=True) | Q(assignments__end__gte=today))
    if roles.has(RoleKind.PARENT):
        rule |= Q(guardians__user=user, guardians__archived_at__isnull=True)
    if not rule:
        return Student.objects.none()
    # The joins above may repeat a pupil; filtering by id keeps the queryset simple to extend.
    ids = Student.objects.filter(rule).values("pk")
    return Student.objects.active().filter(pk__in=ids)


def sees_as_parent(user, pupil: Student) -> bool:
    """Whether the user is this pupil's parent or guardian: they get the parent's view of the
    pupil (SPEC §7), even when they also work at the school. No query without a parent role."""
    return (
        roles_of(user).has(RoleKind.PARENT)
        and pupil.guardians.filter(user=user, archived_at__isnull=True).exists()
    )


def pupils_managed_by(user) -> QuerySet[Student]:
    """Pupils whose record this user may change: school administrators, their school."""
    roles = roles_of(user)
    return Student.objects.active().filter(school_id__in=roles.admin_school_ids)


def get_pupil_for_user(user, pupil_id: int) -> Student:
    return get_object_or_404(pupils_visible_to(user).select_related("school"), pk=pupil_id)


def get_managed_pupil_for_user(user, pupil_id: int) -> Student:
    return get_object_or_404(pupils_managed_by(user).select_related("school"), pk=pupil_id)


def years_managed_by(user) -> QuerySet[AcademicYear]:
    return AcademicYear.objects.active().filter(school_id__in=roles_of(user).admin_school_ids)


def get_year_for_user(user, year_id: int) -> AcademicYear:
    return get_object_or_404(years_managed_by(user).select_related("school"), pk=year_id)


def get_export_for_user(user, export_id: int) -> PupilExport:
    """An export job the user asked for, while they still manage the pupil."""
    return get_object_or_404(
        PupilExport.objects.filter(
            requested_by=user, pupil__in=pupils_managed_by(user)
        ).select_related("pupil__school"),
        pk=export_id,
    )
